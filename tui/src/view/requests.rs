//! The Requests tab: open requests with their offer counts, and the selected one in full.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};
use sangam_protocol::Body;
use sangam_protocol::kinds::Urgency;

use super::{dim, empty_list, fit, selectable_list};
use crate::app::{App, age, readers_in_words};

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let requests = app.requests_view();
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let open = requests.iter().filter(|r| !r.closed).count();
    let block = Block::bordered().title(format!(" Requests · {open} open "));
    if requests.is_empty() {
        empty_list(
            frame,
            list_area,
            block,
            "No requests yet. Press r to ask other collectives for help.",
        );
        frame.render_widget(Block::bordered(), detail_area);
        return;
    }
    let width = list_area.width.saturating_sub(2) as usize;
    let rows: Vec<ListItem> = requests
        .iter()
        .map(|item| {
            let Some(Body::MentoringRequest(request)) = &item.body else {
                return ListItem::new("(content removed)");
            };
            let marker = match (item.closed, request.urgency) {
                (true, _) => Span::styled("closed ", dim()),
                (false, Urgency::High) => {
                    Span::styled("urgent ", Style::new().fg(Color::Red).bold())
                }
                (false, _) => Span::raw("       "),
            };
            let offers = match item.offers {
                0 => Span::styled("no offers ", Style::new().fg(Color::Yellow)),
                1 => Span::styled("1 offer   ", Style::new().fg(Color::Green)),
                n => Span::styled(format!("{n} offers  "), Style::new().fg(Color::Green)),
            };
            let title = fit(&request.title, width.saturating_sub(17).max(8));
            let line = Line::from(vec![marker, offers, Span::raw(title)]);
            if item.closed {
                ListItem::new(line).style(dim())
            } else {
                ListItem::new(line)
            }
        })
        .collect();
    selectable_list(frame, list_area, block, rows, app.selection());

    let Some(item) = requests.get(app.selection()) else {
        return;
    };
    let Some(Body::MentoringRequest(request)) = &item.body else {
        return;
    };
    let mut lines = vec![
        Line::styled(request.title.clone(), Style::new().bold()),
        Line::styled(
            format!(
                "{} · {} · {}",
                app.who(&item.author),
                request.topic.replace('_', " "),
                age(app.now, item.timestamp)
            ),
            dim(),
        ),
    ];
    if !request.region.is_empty() || !request.language.is_empty() {
        lines.push(Line::styled(
            format!(
                "Region: {} · Language: {}",
                request.region, request.language
            ),
            dim(),
        ));
    }
    lines.push(Line::default());
    lines.extend(
        request
            .description
            .lines()
            .map(|l| Line::raw(l.to_string())),
    );
    lines.push(Line::default());
    let offers = app.offers_on(&item.id);
    if offers.is_empty() {
        lines.push(Line::styled(
            "No offers yet. Press o to offer help.",
            Style::new().fg(Color::Yellow),
        ));
    } else {
        lines.push(Line::styled(
            format!("Offers ({})", offers.len()),
            Style::new().bold(),
        ));
        for offer in offers {
            let who = Span::styled(
                format!("{}: ", app.who(&offer.author)),
                Style::new().fg(Color::Green),
            );
            match (offer.shown_body(), &offer.sealed) {
                (Some(Body::Offer(o)), None) => {
                    lines.push(Line::from(vec![who, Span::raw(o.body.clone())]));
                }
                (Some(Body::Offer(o)), Some(view)) => {
                    lines.push(Line::from(vec![
                        who,
                        Span::styled("🔒 ", dim()),
                        Span::raw(o.body.clone()),
                    ]));
                    lines.push(Line::styled(
                        format!("   only {} can read this", readers_in_words(&view.readers)),
                        dim(),
                    ));
                }
                (_, Some(view)) => lines.push(Line::from(vec![
                    who,
                    Span::styled(
                        format!(
                            "🔒 sealed: only {} can read it",
                            readers_in_words(&view.readers)
                        ),
                        dim(),
                    ),
                ])),
                _ => {}
            }
        }
    }
    if item.closed {
        lines.push(Line::default());
        lines.push(Line::styled("Closed by the collective that asked.", dim()));
    } else if Some(item.author) == app.me() {
        lines.push(Line::default());
        lines.push(Line::styled(
            "This is your request: press c to close it when it is settled.",
            dim(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Request ")),
        detail_area,
    );
}
