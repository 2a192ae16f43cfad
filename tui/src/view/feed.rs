//! The Feed tab: everything, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};
use sangam_protocol::{Body, Kind};

use super::{column, dim, empty_list, fit, new_mark, selectable_list};
use crate::app::{App, Tab, age, kind_label, readers_in_words, title_of};
use crate::t;

/// The colour of a kind's label.
pub(crate) fn kind_color(kind: Kind) -> Color {
    match kind {
        Kind::Announcement => Color::Cyan,
        Kind::MentoringRequest => Color::Yellow,
        Kind::Offer => Color::Green,
        Kind::Resource => Color::Magenta,
        Kind::Audit | Kind::Endorsement => Color::LightRed,
        _ => Color::Gray,
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let items = app.feed_view();
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(area);
    let filter = match app.kind_filter {
        Some(kind) => format!(" · {} ", t!("feed-only-kind", kind = kind_label(kind))),
        None => " ".to_string(),
    };
    let block = Block::bordered().title(format!(" {}{filter}", t!("feed-title")));
    if items.is_empty() {
        let text = if app.query.is_empty() && app.kind_filter.is_none() {
            t!("feed-empty")
        } else {
            t!("feed-nothing-matches")
        };
        empty_list(frame, list_area, block, &text);
        return;
    }
    let width = list_area.width.saturating_sub(2) as usize;
    let rows: Vec<ListItem> = items
        .iter()
        .map(|item| {
            let who = fit(&app.who(&item.author), 26);
            let when = age(app.now, item.timestamp);
            let fixed = 2 + 12 + 13 + 27 + 2;
            let title = fit(&title_of(item), width.saturating_sub(fixed).max(10));
            ListItem::new(Line::from(vec![
                new_mark(app.is_new(Tab::Feed, item)),
                Span::styled(column(&when, 12), dim()),
                Span::styled(
                    column(&kind_label(item.kind), 13),
                    Style::new().fg(kind_color(item.kind)),
                ),
                Span::raw(column(&who, 27)),
                Span::raw(title),
            ]))
        })
        .collect();
    selectable_list(frame, list_area, block, rows, app.selection());
    if let Some(item) = items.get(app.selection()) {
        let mut text = match item.shown_body() {
            Some(Body::Announcement(b)) => format!("{}\n{}", b.title, b.body),
            Some(Body::MentoringRequest(b)) => format!("{}\n{}", b.title, b.description),
            Some(Body::Resource(b)) => {
                format!(
                    "{}\n{}\n{}",
                    b.title,
                    b.description,
                    b.link.clone().unwrap_or_default()
                )
            }
            Some(Body::Profile(b)) => {
                format!("{}, {} {}\n{}", b.name, b.district, b.state, b.about)
            }
            Some(Body::Audit(b)) => {
                let r = |v: u8| {
                    if v == 0 {
                        "–".to_string()
                    } else {
                        v.to_string()
                    }
                };
                let ratings = &b.ratings;
                format!(
                    "{} ({}), {}, {} · {}\n{}\n{}\n{}",
                    b.office_name,
                    b.office_type.label(),
                    b.district,
                    b.state,
                    b.date,
                    t!(
                        "audit-detail",
                        sought = b.sought.as_str(),
                        outcome = b.outcome.name(),
                        responds = r(ratings.responsiveness),
                        dignity = r(ratings.dignity),
                        on_time = r(ratings.timeliness),
                        result = r(ratings.outcome)
                    ),
                    b.note,
                    t!("audit-endorsed-by", count = item.endorsements)
                )
            }
            _ => title_of(item),
        };
        if let Some(view) = item.sealed.as_ref().filter(|v| v.opened.is_some()) {
            text.push_str(&format!(
                "\n🔒 {}",
                t!(
                    "sealed-only-readers",
                    readers = readers_in_words(&view.readers)
                )
            ));
        }
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {} ", t!("selected-title")))),
            detail_area,
        );
    }
}
