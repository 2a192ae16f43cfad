//! A compose form, drawn over the current tab.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{centered, dim, fit};
use crate::form::Form;
use crate::t;

pub(super) fn render(frame: &mut Frame, area: Rect, form: &Form, now: u64) {
    let preview = form.removal_preview(now);
    let rows_per_field = if form.compact() { 1 } else { 2 };
    let popup = centered(
        area,
        76,
        form.fields.len() as u16 * rows_per_field
            + 7
            + u16::from(form.compact())
            + 2 * preview.len() as u16,
    );
    super::clear_for_window(frame, popup);
    let block = Block::bordered().title(format!(" {} ", form.kind.title()));
    let label_width = form
        .fields
        .iter()
        .map(|f| crate::screen::terminal_width(&f.label) + 2)
        .max()
        .unwrap_or(0)
        .clamp(10, 22);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let mut lines = Vec::new();
    if let Some((_, name)) = &form.member {
        lines.push(Line::styled(
            fit(
                &t!("form-removing", name = name.as_str()),
                inner.width as usize,
            ),
            dim(),
        ));
    }
    if let Some((_, title)) = &form.target {
        lines.push(Line::styled(
            fit(
                &match form.kind {
                    crate::form::FormKind::Withdraw => {
                        t!("form-withdrawing", title = title.as_str())
                    }
                    _ => t!("form-answering", title = title.as_str()),
                },
                inner.width as usize,
            ),
            dim(),
        ));
    }
    let input_width = (inner.width as usize)
        .saturating_sub(label_width + 1)
        .max(4);
    let mut cursor = None;
    for (index, field) in form.fields.iter().enumerate() {
        let focused = index == form.focus;
        let scroll = field.input.visual_scroll(input_width);
        let visible: String = if field.secret {
            "•".repeat(field.input.value().chars().count().saturating_sub(scroll))
        } else {
            field.input.value().chars().skip(scroll).collect()
        };
        let label = super::column(
            &format!("{}{}", field.label, if field.required { "*" } else { "" }),
            label_width,
        );
        let label_style = if focused {
            Style::new().bold().fg(Color::Yellow)
        } else {
            Style::new()
        };
        if focused {
            let x = inner.x
                + (label_width + 1) as u16
                + (field.input.visual_cursor().saturating_sub(scroll)) as u16;
            cursor = Some(Position::new(
                x.min(inner.right().saturating_sub(1)),
                inner.y + lines.len() as u16,
            ));
        }
        lines.push(Line::from(vec![
            Span::styled(label, label_style),
            Span::raw(" "),
            Span::styled(visible, Style::new().underlined()),
        ]));
        if !form.compact() {
            let hint = if focused { field.hint.as_str() } else { "" };
            lines.push(Line::styled(
                format!("{:w$} {hint}", "", w = label_width),
                dim(),
            ));
        }
    }
    if form.compact() {
        let hint = form
            .fields
            .get(form.focus)
            .map(|f| f.hint.as_str())
            .unwrap_or("");
        lines.push(Line::styled(fit(hint, inner.width as usize), dim()));
    }
    // Before a steward signs a removal: which of the collective's messages it would undo.
    for line in &preview {
        lines.push(Line::styled(line.clone(), Style::new().fg(Color::Cyan)));
    }
    match &form.problem {
        Some(problem) => lines.push(Line::styled(problem.clone(), Style::new().fg(Color::Red))),
        None if form.asks_for_a_word() && !form.ready() => {
            lines.push(Line::styled(t!("form-type-the-word"), dim()))
        }
        None if !form.ready() => lines.push(Line::styled(t!("form-fill-in"), dim())),
        None => lines.push(Line::styled(
            t!("form-ready"),
            Style::new().fg(Color::Green),
        )),
    }
    lines.push(Line::styled(t!("form-keys"), dim()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
