//! The Requests tab: open requests with their offer counts, and the selected one in full.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};
use sangam_protocol::Body;
use sangam_protocol::kinds::Urgency;

use super::{dim, empty_list, fit, new_mark, selectable_list};
use crate::app::{App, Tab, age, readers_in_words};
use crate::t;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let requests = app.requests_view();
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let open = requests.iter().filter(|r| !r.closed).count();
    let block = Block::bordered().title(format!(" {} ", t!("requests-title", open = open)));
    if requests.is_empty() {
        empty_list(frame, list_area, block, &t!("requests-empty"));
        frame.render_widget(Block::bordered(), detail_area);
        return;
    }
    let width = list_area.width.saturating_sub(2) as usize;
    let rows: Vec<ListItem> = requests
        .iter()
        .map(|item| {
            let Some(Body::MentoringRequest(request)) = &item.body else {
                return ListItem::new(t!("content-removed"));
            };
            let marker = match (item.closed, request.urgency) {
                (true, _) => Span::styled(super::column(&t!("request-closed"), 8), dim()),
                (false, Urgency::High) => Span::styled(
                    super::column(&t!("request-urgent"), 8),
                    Style::new().fg(Color::Red).bold(),
                ),
                (false, _) => Span::raw("        "),
            };
            let offers = match item.offers {
                0 => Span::styled(
                    super::column(&t!("count-offers", count = 0), 11),
                    Style::new().fg(Color::Yellow),
                ),
                n => Span::styled(
                    super::column(&t!("count-offers", count = n), 11),
                    Style::new().fg(Color::Green),
                ),
            };
            let matching = !item.closed && app.matches_me(item);
            let title = fit(&request.title, width.saturating_sub(21).max(8));
            let title = if matching {
                Span::styled(title, super::matching_style())
            } else {
                Span::raw(title)
            };
            // ★ as well as the colour: it shows on the selected row and without colours.
            let new = if matching {
                Span::styled("★ ", super::matching_style())
            } else {
                new_mark(app.is_new(Tab::Requests, item))
            };
            let line = Line::from(vec![new, marker, offers, title]);
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
                crate::topics::in_words(&request.topic),
                age(app.now, item.timestamp)
            ),
            dim(),
        ),
    ];
    if !request.region.is_empty() || !request.language.is_empty() {
        lines.push(Line::styled(
            t!(
                "request-region-language",
                region = request.region.as_str(),
                language = request.language.as_str()
            ),
            dim(),
        ));
    }
    if !item.closed && app.matches_me(item) {
        lines.push(Line::styled(
            format!("★ {}", t!("request-matches-you")),
            super::matching_style(),
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
            t!("request-no-offers"),
            Style::new().fg(Color::Yellow),
        ));
    } else {
        lines.push(Line::styled(
            t!("request-offers", count = offers.len()),
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
                        format!(
                            "   {}",
                            t!(
                                "only-readers-can-read",
                                readers = readers_in_words(&view.readers)
                            )
                        ),
                        dim(),
                    ));
                }
                (_, Some(view)) => lines.push(Line::from(vec![
                    who,
                    Span::styled(
                        format!(
                            "🔒 {}",
                            t!(
                                "sealed-cannot-read",
                                readers = readers_in_words(&view.readers)
                            )
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
        lines.push(Line::styled(t!("request-closed-by-asker"), dim()));
    } else if Some(item.author) == app.me() {
        lines.push(Line::default());
        lines.push(Line::styled(t!("request-yours"), dim()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {} ", t!("request-title")))),
        detail_area,
    );
}
