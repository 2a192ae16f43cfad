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

/// The first-run screen's lines as they are added, and where the cursor goes.
struct Page {
    lines: Vec<Line<'static>>,
    cursor: Option<(usize, usize)>,
    width: usize,
}

impl Page {
    /// Adds a labelled input line; the cursor goes into it when it is `focused`.
    fn input(&mut self, label: &str, input: &Input, focused: bool, secret: bool) {
        let (line, column) = input_line(label, input, focused, self.width, secret);
        if focused {
            self.cursor = Some((self.lines.len(), column));
        }
        self.lines.push(line);
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(setup) = &app.setup else {
        return;
    };
    let block = Block::bordered().title(format!(" Sangam · {} ", t!("setup-title")));
    let inner = block.inner(area).inner(Margin::new(1, 0));
    frame.render_widget(block, area);
    let mut page = Page {
        lines: vec![],
        cursor: None,
        width: inner.width as usize,
    };
    match &setup.step {
        Step::Details {
            name,
            region,
            focus,
        } => {
            match setup.restored_key {
                None => {
                    page.lines
                        .push(Line::styled(t!("setup-welcome"), Style::new().bold()));
                    page.lines.push(Line::raw(t!("setup-step-details")));
                }
                Some(key) => {
                    page.lines
                        .push(Line::styled(t!("setup-restore-title"), Style::new().bold()));
                    page.lines.push(Line::raw(t!("setup-restore-details")));
                    page.lines
                        .push(Line::styled(t!("setup-restore-stolen"), dim()));
                    if key == RestoredKey::Plain {
                        page.lines.push(Line::styled(
                            t!("setup-restore-plain"),
                            Style::new().fg(Color::Yellow),
                        ));
                    }
                }
            }
            page.lines.push(Line::default());
            for (index, (label, input)) in [(t!("setup-name"), name), (t!("setup-region"), region)]
                .into_iter()
                .enumerate()
            {
                page.input(&label, input, *focus == index, false);
            }
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-details-keys"), dim()));
        }
        Step::Passphrase {
            first,
            second,
            focus,
            ..
        } => {
            page.lines.push(Line::styled(
                t!("setup-passphrase-title"),
                Style::new().bold(),
            ));
            page.lines.push(Line::raw(t!("setup-passphrase-why")));
            page.lines.push(Line::default());
            let fields = [
                (t!("setup-passphrase"), first),
                (t!("setup-passphrase-repeat"), second),
            ];
            for (index, (label, input)) in fields.into_iter().enumerate() {
                page.input(&label, input, *focus == index, true);
            }
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-passphrase-keys"), dim()));
        }
        Step::KeyPassphrase { passphrase, .. } => {
            page.lines.push(Line::styled(
                t!("setup-key-passphrase-title"),
                Style::new().bold(),
            ));
            page.lines.push(Line::raw(t!("setup-key-passphrase-why")));
            page.lines.push(Line::default());
            page.input(&t!("setup-passphrase"), passphrase, true, true);
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-key-passphrase-keys"), dim()));
        }
        Step::Choice { name, .. } => {
            page.lines.push(Line::styled(
                t!("setup-hello", name = name.as_str()),
                Style::new().bold(),
            ));
            page.lines.push(Line::default());
            page.lines
                .push(Line::raw(format!("1  {}", t!("setup-choose-join"))));
            page.lines.push(Line::styled(
                format!("   {}", t!("setup-choose-join-more")),
                dim(),
            ));
            page.lines.push(Line::default());
            page.lines
                .push(Line::raw(format!("2  {}", t!("setup-choose-found"))));
            page.lines.push(Line::styled(
                format!("   {}", t!("setup-choose-found-more")),
                dim(),
            ));
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-choice-keys"), dim()));
        }
        Step::NetworkName { network, .. } => {
            page.lines
                .push(Line::styled(t!("setup-choose-found"), Style::new().bold()));
            page.lines.push(Line::raw(t!("setup-network-name-more")));
            page.lines.push(Line::default());
            page.input(&t!("setup-network-name"), network, true, false);
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-network-keys"), dim()));
        }
        Step::Working(what) => {
            page.lines
                .push(Line::styled(what.clone(), Style::new().bold()));
            page.lines.push(Line::styled(t!("setup-wait"), dim()));
        }
        Step::Invite {
            id,
            invite,
            passphrase,
            focus,
        } => {
            page.lines
                .push(Line::styled(t!("setup-send-id"), Style::new().bold()));
            page.lines.push(Line::default());
            // The id alone on its line, to select and copy; then in groups, to read out.
            page.lines.push(Line::styled(
                id.clone(),
                Style::new().fg(Color::Cyan).bold(),
            ));
            page.lines.push(Line::styled(grouped(id), dim()));
            page.lines.push(Line::default());
            if setup.restored_key.is_some() {
                page.lines
                    .push(Line::styled(t!("setup-restore-invite"), dim()));
            }
            page.lines.push(Line::raw(t!("setup-steward-sends")));
            page.lines.push(Line::default());
            page.input(&t!("setup-invite"), invite, *focus == 0, false);
            if let Some(passphrase) = passphrase {
                let label = t!("setup-passphrase");
                page.input(&label, passphrase, *focus == 1, true);
            }
            page.lines.push(Line::default());
            page.lines
                .push(Line::styled(t!("setup-invite-keys"), dim()));
        }
    }
    if let Some(problem) = &setup.problem {
        page.lines.push(Line::default());
        page.lines
            .push(Line::styled(problem.clone(), Style::new().fg(Color::Red)));
    }
    page.lines.push(Line::default());
    page.lines.push(Line::styled(
        t!("setup-language", language = app.language().name()),
        dim(),
    ));
    frame.render_widget(Paragraph::new(page.lines).wrap(Wrap { trim: false }), inner);
    if let Some((row, column)) = page.cursor {
        let x = (inner.x + column as u16).min(inner.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, inner.y + row as u16));
    }
}
