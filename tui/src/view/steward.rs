//! The invite a steward just made, over the Collectives tab. The line itself fills whole rows
//! of the screen with nothing else on them, no border either, so that selecting those rows
//! copies the line and nothing more (the first-run screen joins the pieces of a line copied
//! across rows).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{centered, dim};
use crate::app::InviteShown;
use crate::t;

pub(super) fn render_invite(frame: &mut Frame, area: Rect, invite: &InviteShown) {
    let width = area.width.max(1) as usize;
    let line_rows = invite.line.chars().count().div_ceil(width).max(1) as u16;
    let popup = centered(area, area.width, line_rows + 9);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(format!(
        " {} ",
        t!("invite-title", name = invite.name.as_str())
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let above = vec![
        Line::raw(t!("invite-send", name = invite.name.as_str())),
        Line::default(),
    ];
    let below = vec![
        Line::styled(t!("invite-copy"), dim()),
        Line::styled(t!("invite-keys"), dim()),
    ];
    let wrap = Wrap { trim: false };
    let text_height = 3.min(inner.height);
    frame.render_widget(
        Paragraph::new(above).wrap(wrap),
        Rect {
            height: text_height,
            ..inner
        },
    );
    // The line: whole rows, from the screen's left edge, over the window's borders.
    let rows = Rect {
        x: area.x,
        y: inner.y + text_height,
        width: area.width,
        height: line_rows.min(area.bottom().saturating_sub(inner.y + text_height)),
    };
    frame.render_widget(Clear, rows);
    let chars: Vec<char> = invite.line.chars().collect();
    let pieces: Vec<Line> = chars
        .chunks(width)
        .map(|piece| {
            Line::styled(
                piece.iter().collect::<String>(),
                Style::new().fg(Color::Cyan),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(pieces), rows);
    let after = rows.y + rows.height + 1;
    frame.render_widget(
        Paragraph::new(below).wrap(wrap),
        Rect {
            y: after.min(inner.bottom()),
            height: inner.bottom().saturating_sub(after),
            ..inner
        },
    );
}
