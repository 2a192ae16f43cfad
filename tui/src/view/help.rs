//! The help window, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{centered, dim, fit};
use crate::keymap::{BINDINGS, FORM_KEYS, KeyAction, Scope};
use crate::t;

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
                let range = format!("{}–{}", tabs[0], tabs[tabs.len() - 1]);
                lines.push((range, t!("key-go-to-a-tab")));
            }
            continue;
        }
        if BINDINGS
            .iter()
            .take_while(|b| !std::ptr::eq(*b, binding))
            .any(|b| b.action == binding.action)
        {
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
        lines.push((keys.join(" / "), format!("{}{place}", binding.help_text())));
    }
    lines
}

pub(super) fn render(frame: &mut Frame, area: Rect) {
    let keys = key_lines();
    // Two columns: the keys' first half on the left, the rest and a form's keys on the right.
    let half = keys.len().div_ceil(2);
    let right_rows = keys.len() - half + 1 + FORM_KEYS.len() + 1;
    let height = half.max(right_rows) as u16 + 2;
    let popup = centered(area, 78, height);
    super::clear_for_window(frame, popup);
    let block = Block::bordered().title(format!(" {} ", t!("help-title")));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let bold = Style::new().bold();
    let width = left.width.saturating_sub(8) as usize;
    let line = |keys: &str, help: &str| {
        Line::from(vec![
            Span::styled(format!("{keys:>6} "), bold),
            Span::raw(fit(help, width)),
        ])
    };
    let mut columns: [Vec<Line>; 2] = [Vec::new(), Vec::new()];
    for (index, (keys, help)) in keys.iter().enumerate() {
        columns[usize::from(index >= half)].push(line(keys, help));
    }
    let [first, second] = columns;
    let mut second = second;
    second.push(Line::default());
    second.push(Line::styled(t!("help-in-a-form"), dim()));
    second.extend(
        FORM_KEYS
            .iter()
            .map(|(key, what)| line(key, &crate::catalogue::text(what, None))),
    );
    frame.render_widget(Paragraph::new(first), left);
    frame.render_widget(Paragraph::new(second), right);
}
