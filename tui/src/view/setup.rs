//! The first-run screen: one step at a time, in large plain steps, at 80×24.

use ratatui::Frame;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use tui_input::Input;

use super::dim;
use crate::app::App;
use crate::setup::{RestoredKey, Step, grouped};
use crate::t;

/// A labelled input line; returns the line and where its cursor is (column within the line).
/// A `secret` input shows a dot for each character.
fn input_line(
    label: &str,
    input: &Input,
    focused: bool,
    width: usize,
    secret: bool,
) -> (Line<'static>, usize) {
    let label = format!("{label}: ");
    let label_width = crate::screen::terminal_width(&label);
    let room = width.saturating_sub(label_width + 1).max(4);
    let scroll = input.visual_scroll(room);
    let visible: String = if secret {
        "•".repeat(input.value().chars().count().saturating_sub(scroll))
    } else {
        input.value().chars().skip(scroll).collect()
    };
    let style = if focused {
        Style::new().bold().fg(Color::Yellow)
    } else {
        Style::new()
    };
    let cursor = label_width + input.visual_cursor().saturating_sub(scroll);
    (
        Line::from(vec![
            Span::styled(label, style),
            Span::styled(visible, Style::new().underlined()),
        ]),
        cursor,
    )
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(setup) = &app.setup else {
        return;
    };
    let block = Block::bordered().title(format!(" Sangam · {} ", t!("setup-title")));
    let inner = block.inner(area).inner(Margin::new(1, 0));
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = vec![];
    let mut cursor: Option<(usize, usize)> = None;
    match &setup.step {
        Step::Details {
            name,
            region,
            focus,
        } => {
            match setup.restored_key {
                None => {
                    lines.push(Line::styled(t!("setup-welcome"), Style::new().bold()));
                    lines.push(Line::raw(t!("setup-step-details")));
                }
                Some(key) => {
                    lines.push(Line::styled(t!("setup-restore-title"), Style::new().bold()));
                    lines.push(Line::raw(t!("setup-restore-details")));
                    lines.push(Line::styled(t!("setup-restore-stolen"), dim()));
                    if key == RestoredKey::Plain {
                        lines.push(Line::styled(
                            t!("setup-restore-plain"),
                            Style::new().fg(Color::Yellow),
                        ));
                    }
                }
            }
            lines.push(Line::default());
            for (index, (label, input)) in [(t!("setup-name"), name), (t!("setup-region"), region)]
                .into_iter()
                .enumerate()
            {
                let (line, column) = input_line(&label, input, *focus == index, width, false);
                if *focus == index {
                    cursor = Some((lines.len(), column));
                }
                lines.push(line);
            }
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-details-keys"), dim()));
        }
        Step::Passphrase {
            first,
            second,
            focus,
            ..
        } => {
            lines.push(Line::styled(
                t!("setup-passphrase-title"),
                Style::new().bold(),
            ));
            lines.push(Line::raw(t!("setup-passphrase-why")));
            lines.push(Line::default());
            let fields = [
                (t!("setup-passphrase"), first),
                (t!("setup-passphrase-repeat"), second),
            ];
            for (index, (label, input)) in fields.into_iter().enumerate() {
                let (line, column) = input_line(&label, input, *focus == index, width, true);
                if *focus == index {
                    cursor = Some((lines.len(), column));
                }
                lines.push(line);
            }
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-passphrase-keys"), dim()));
        }
        Step::KeyPassphrase { passphrase, .. } => {
            lines.push(Line::styled(
                t!("setup-key-passphrase-title"),
                Style::new().bold(),
            ));
            lines.push(Line::raw(t!("setup-key-passphrase-why")));
            lines.push(Line::default());
            let (line, column) = input_line(&t!("setup-passphrase"), passphrase, true, width, true);
            cursor = Some((lines.len(), column));
            lines.push(line);
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-key-passphrase-keys"), dim()));
        }
        Step::Choice { name, .. } => {
            lines.push(Line::styled(
                t!("setup-hello", name = name.as_str()),
                Style::new().bold(),
            ));
            lines.push(Line::default());
            lines.push(Line::raw(format!("1  {}", t!("setup-choose-join"))));
            lines.push(Line::styled(
                format!("   {}", t!("setup-choose-join-more")),
                dim(),
            ));
            lines.push(Line::default());
            lines.push(Line::raw(format!("2  {}", t!("setup-choose-found"))));
            lines.push(Line::styled(
                format!("   {}", t!("setup-choose-found-more")),
                dim(),
            ));
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-choice-keys"), dim()));
        }
        Step::NetworkName { network, .. } => {
            lines.push(Line::styled(t!("setup-choose-found"), Style::new().bold()));
            lines.push(Line::raw(t!("setup-network-name-more")));
            lines.push(Line::default());
            let (line, column) = input_line(&t!("setup-network-name"), network, true, width, false);
            cursor = Some((lines.len(), column));
            lines.push(line);
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-network-keys"), dim()));
        }
        Step::Working(what) => {
            lines.push(Line::styled(what.clone(), Style::new().bold()));
            lines.push(Line::styled(t!("setup-wait"), dim()));
        }
        Step::Invite {
            id,
            invite,
            passphrase,
            focus,
        } => {
            lines.push(Line::styled(t!("setup-send-id"), Style::new().bold()));
            lines.push(Line::default());
            // The id alone on its line, to select and copy; then in groups, to read out.
            lines.push(Line::styled(
                id.clone(),
                Style::new().fg(Color::Cyan).bold(),
            ));
            lines.push(Line::styled(grouped(id), dim()));
            lines.push(Line::default());
            if setup.restored_key.is_some() {
                lines.push(Line::styled(t!("setup-restore-invite"), dim()));
            }
            lines.push(Line::raw(t!("setup-steward-sends")));
            lines.push(Line::default());
            let (line, column) = input_line(&t!("setup-invite"), invite, *focus == 0, width, false);
            if *focus == 0 {
                cursor = Some((lines.len(), column));
            }
            lines.push(line);
            if let Some(passphrase) = passphrase {
                let label = t!("setup-passphrase");
                let (line, column) = input_line(&label, passphrase, *focus == 1, width, true);
                if *focus == 1 {
                    cursor = Some((lines.len(), column));
                }
                lines.push(line);
            }
            lines.push(Line::default());
            lines.push(Line::styled(t!("setup-invite-keys"), dim()));
        }
    }
    if let Some(problem) = &setup.problem {
        lines.push(Line::default());
        lines.push(Line::styled(problem.clone(), Style::new().fg(Color::Red)));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        t!("setup-language", language = app.language().name()),
        dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some((row, column)) = cursor {
        let x = (inner.x + column as u16).min(inner.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y + row as u16));
    }
}
