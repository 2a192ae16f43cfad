//! The invite a steward just made, over the Collectives tab: the line alone, so it can be
//! selected and copied, and where it was saved.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{centered, dim};
use crate::app::InviteShown;
use crate::t;

pub(super) fn render_invite(frame: &mut Frame, area: Rect, invite: &InviteShown) {
    let popup = centered(area, area.width, 14);
    super::clear_for_window(frame, popup);
    let block = Block::bordered().title(format!(
        " {} ",
        t!("invite-title", name = invite.name.as_str())
    ));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let lines = vec![
        Line::raw(t!("invite-send", name = invite.name.as_str())),
        Line::default(),
        Line::styled(invite.line.clone(), Style::new().fg(Color::Cyan)),
        Line::default(),
        Line::styled(t!("invite-saved", file = invite_file(&invite.name)), dim()),
        Line::styled(t!("invite-keys"), dim()),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The file an invite for `name` is saved in, in the folder the app was started from.
pub fn invite_file(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("invite-{safe}.txt")
}
