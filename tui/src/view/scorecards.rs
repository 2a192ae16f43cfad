//! The Score cards tab: how public offices treat survivors, from the collectives' audits —
//! offices worst first, and the selected one's ratings per criterion (bars), its trend by
//! quarter (a sparkline) and how its cases ended.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, ListItem, Paragraph, Sparkline, Wrap};
use sangam_node::report::score;
use sangam_protocol::scorecard::{OfficeCard, Summary};

use super::{dim, empty_list, fit, selectable_list};
use crate::app::App;
use crate::catalogue::digits;
use crate::labels::{covers, office_label};
use crate::t;

/// A median's colour: red for poor, yellow for middling, green for good.
fn colour(value: Option<f64>) -> Color {
    match value {
        Some(v) if v < 2.5 => Color::Red,
        Some(v) if v < 3.5 => Color::Yellow,
        Some(_) => Color::Green,
        None => Color::DarkGray,
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [head, rest] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    let filter = app
        .scorecard
        .as_ref()
        .map(|card| covers(&card.filter))
        .unwrap_or_else(|| covers(&app.card_filter));
    let total = app.scorecard.as_ref().map(|card| &card.total);
    let line = match total {
        Some(total) if total.audits > 0 => summary_line(total),
        Some(_) => Line::styled(t!("card-no-audits-here"), dim()),
        None => Line::styled(t!("asking-the-node"), dim()),
    };
    frame.render_widget(
        Paragraph::new(line)
            .block(Block::bordered().title(format!(" {} ", t!("card-title", filter = filter)))),
        head,
    );
    let offices = app.offices_view();
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(rest);
    let block = Block::bordered().title(format!(" {} ", t!("card-offices-title")));
    if offices.is_empty() {
        empty_list(frame, rest, block, &t!("card-empty"));
        return;
    }
    let width = list_area.width.saturating_sub(2) as usize;
    let rows: Vec<ListItem> = offices
        .iter()
        .map(|office| {
            let median = office.summary.score;
            ListItem::new(Line::from(vec![
                Span::styled(
                    format!("{:>3} ", digits(score(median))),
                    Style::new().fg(colour(median)),
                ),
                Span::raw(fit(&office.office_name, width.saturating_sub(9).max(6))),
                Span::styled(format!(" ·{}", digits(office.summary.audits)), dim()),
            ]))
        })
        .collect();
    selectable_list(frame, list_area, block, rows, app.selection());
    if let Some(office) = offices.get(app.selection()) {
        render_office(frame, detail_area, office);
    }
}

fn summary_line(total: &Summary) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{} ", t!("card-median", score = digits(score(total.score)))),
            Style::new().fg(colour(total.score)).bold(),
        ),
        Span::raw(format!(
            "· {}",
            t!(
                "card-audits-by",
                audits = total.audits,
                collectives = total.auditing_collectives,
                endorsed = total.endorsed_audits
            )
        )),
    ])
}

fn render_office(frame: &mut Frame, area: Rect, office: &OfficeCard) {
    let s = &office.summary;
    let block = Block::bordered().title(format!(
        " {} ",
        fit(&office.office_name, area.width.saturating_sub(4) as usize)
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [facts, bars, trend, outcomes] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Length(2),
        Constraint::Min(1),
    ])
    .areas(inner);
    let width = inner.width as usize;
    let lines = vec![
        Line::raw(fit(
            &format!(
                "{} · {}, {}",
                office_label(office.office_type),
                office.district,
                office.state
            ),
            width,
        )),
        Line::raw(fit(
            &t!(
                "card-audits-by",
                audits = s.audits,
                collectives = s.auditing_collectives,
                endorsed = s.endorsed_audits
            ),
            width,
        )),
        Line::styled(
            fit(
                &t!(
                    "card-median-of-five",
                    score = digits(score(s.score)),
                    endorsed = digits(score(s.endorsed_score))
                ),
                width,
            ),
            dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), facts);
    // One bar per criterion, its length the median (tenths, so halves show).
    let criteria: Vec<Bar> = s
        .criteria
        .iter()
        .map(|c| {
            let label = match c.criterion.name() {
                "responsiveness" => t!("criterion-responds"),
                "dignity" => t!("criterion-dignity"),
                "timeliness" => t!("criterion-on-time"),
                _ => t!("criterion-outcome"),
            };
            Bar::default()
                .label(Line::raw(super::column(&label, 9)))
                .value(c.median.map(|m| (m * 10.0) as u64).unwrap_or(0))
                .text_value(digits(score(c.median)))
                .style(Style::new().fg(colour(c.median)))
        })
        .collect();
    frame.render_widget(
        BarChart::horizontal(criteria)
            .max(50)
            .bar_gap(0)
            .value_style(Style::new().fg(Color::Black).bg(Color::White)),
        bars,
    );
    let quarters: Vec<u64> = s
        .quarters
        .iter()
        .map(|q| q.score.map(|v| (v * 10.0) as u64).unwrap_or(0))
        .collect();
    let [trend_label, trend_chart] =
        Layout::horizontal([Constraint::Length(9), Constraint::Min(1)]).areas(trend);
    frame.render_widget(
        Paragraph::new(t!("card-by-quarter")).wrap(Wrap { trim: true }),
        trend_label,
    );
    let span = match (s.quarters.first(), s.quarters.last()) {
        (Some(first), Some(last)) if first.quarter != last.quarter => {
            format!("{} → {}", first.quarter, last.quarter)
        }
        (Some(only), _) => only.quarter.clone(),
        _ => String::new(),
    };
    let [spark, span_line] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(trend_chart);
    frame.render_widget(
        Sparkline::default()
            .data(&quarters)
            .max(50)
            .bar_set(bar::NINE_LEVELS)
            .style(Style::new().fg(Color::Cyan)),
        spark,
    );
    frame.render_widget(Paragraph::new(Line::styled(span, dim())), span_line);
    let o = s.outcomes;
    frame.render_widget(
        Paragraph::new(Line::raw(fit(
            &t!(
                "card-outcomes",
                granted = o.granted,
                partly = o.partly,
                refused = o.refused,
                waiting = o.pending
            ),
            width,
        ))),
        outcomes,
    );
}
