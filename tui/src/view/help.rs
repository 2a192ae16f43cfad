//! The help window, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{centered, dim};
use crate::keymap::{BINDINGS, FORM_KEYS, KeyAction, Scope};

/// One line per action: every key that does it, and what it does.
pub(crate) fn key_lines() -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = Vec::new();
    let tabs: Vec<&str> = BINDINGS
        .iter()
        .filter(|b| matches!(b.action, KeyAction::GoTo(_)))
        .map(|b| b.label)
        .collect();
    for binding in BINDINGS {
        if let KeyAction::GoTo(_) = binding.action {
            if binding.label == tabs[0] {
                lines.push((tabs.join(" "), "go to a tab".into()));
            }
            continue;
        }
        if lines.iter().any(|(_, help)| help.starts_with(binding.help)) {
            continue;
        }
        let keys: Vec<&str> = BINDINGS
            .iter()
            .filter(|b| b.action == binding.action)
            .map(|b| b.label)
            .collect();
        let place = match binding.scope {
            Scope::Global => String::new(),
            Scope::On(tab) => format!(" ({})", tab.title()),
        };
        lines.push((keys.join(" / "), format!("{}{place}", binding.help)));
    }
    lines
}

pub(super) fn render(frame: &mut Frame, area: Rect) {
    let keys = key_lines();
    let height = keys.len() as u16 + 2;
    let popup = centered(area, 78, height);
    super::clear_for_window(frame, popup);
    let block = Block::bordered().title(" Keys · any key closes ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(inner);
    let bold = Style::new().bold();
    let lines: Vec<Line> = keys
        .into_iter()
        .map(|(keys, help)| {
            Line::from(vec![
                Span::styled(format!("{keys:>11} "), bold),
                Span::raw(help),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), left);
    let mut form = vec![Line::styled("In a form", dim())];
    form.extend(FORM_KEYS.iter().map(|(key, what)| {
        Line::from(vec![
            Span::styled(format!("{key:>8} "), bold),
            Span::raw(*what),
        ])
    }));
    frame.render_widget(Paragraph::new(form), right);
}
