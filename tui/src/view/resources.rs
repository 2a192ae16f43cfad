//! The Resources tab: a searchable directory, grouped by tag.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};
use sangam_protocol::Body;

use super::{dim, empty_list, fit, selectable_list};
use crate::app::App;
use crate::t;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let resources = app.resources_view();
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(area);
    let block = Block::bordered().title(format!(
        " {} ",
        t!("resources-title", count = resources.len())
    ));
    if resources.is_empty() {
        let text = if app.query.is_empty() {
            t!("resources-empty")
        } else {
            t!("resources-nothing-matches")
        };
        empty_list(frame, list_area, block, &text);
        return;
    }
    let width = list_area.width.saturating_sub(2) as usize;
    let rows: Vec<ListItem> = resources
        .iter()
        .map(|item| {
            let Some(Body::Resource(resource)) = &item.body else {
                return ListItem::new(t!("content-removed"));
            };
            let tags = resource
                .tags
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(" ");
            let tags = fit(&tags, 24);
            let who = fit(&app.who(&item.author), 20);
            let room = width.saturating_sub(24 + 20 + 6).max(10);
            ListItem::new(Line::from(vec![
                super::new_mark(app.is_new(crate::app::Tab::Resources, item)),
                Span::raw(super::column(&resource.title, room)),
                Span::raw("  "),
                Span::styled(super::column(&tags, 24), Style::new().fg(Color::Magenta)),
                Span::styled(format!("  {who}"), dim()),
            ]))
        })
        .collect();
    selectable_list(frame, list_area, block, rows, app.selection());
    if let Some(item) = resources.get(app.selection())
        && let Some(Body::Resource(resource)) = &item.body
    {
        let mut lines = vec![Line::styled(resource.title.clone(), Style::new().bold())];
        lines.extend(
            resource
                .description
                .lines()
                .map(|l| Line::raw(l.to_string())),
        );
        if let Some(link) = &resource.link {
            lines.push(Line::styled(
                t!("resource-link", link = link.as_str()),
                Style::new().fg(Color::Cyan),
            ));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {} ", t!("resource-title")))),
            detail_area,
        );
    }
}
