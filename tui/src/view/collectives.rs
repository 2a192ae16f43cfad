//! The Collectives tab: members, their profiles, roles, who admitted them, last seen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Stylize;
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use super::{dim, fit, selected_style};
use crate::app::{App, age};
use crate::t;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let members = app.collectives_view();
    let header = Row::new([
        t!("members-collective"),
        t!("members-role"),
        t!("members-place"),
        t!("members-welcomed-by"),
        t!("members-last-seen"),
    ])
    .bold();
    let rows: Vec<Row> = members
        .iter()
        .map(|member| {
            let peer = app.peers.iter().find(|p| p.peer == member.id.to_string());
            let last_seen = match peer {
                Some(p) if p.connected => t!("members-online-now"),
                Some(p) => p
                    .last_seen
                    .map(|t| age(app.now, t))
                    .unwrap_or_else(|| "—".into()),
                None if Some(member.id) == app.me() => t!("members-this-node"),
                None => "—".into(),
            };
            let place = match (member.state.as_deref(), member.district.as_deref()) {
                (Some(s), Some(d)) if !d.is_empty() => format!("{s} / {d}"),
                (Some(s), _) => s.to_string(),
                _ => "—".into(),
            };
            let role = match member.role {
                // Two stewards removed each other: neither acts as steward until it is settled.
                Some(_) if member.disputed => t!("role-disputed"),
                Some(role) => crate::app::role_label(role),
                None => t!("role-removed"),
            };
            let by = member
                .admitted_by
                .map(|a| {
                    app.members
                        .iter()
                        .find(|m| m.id == a)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| a.short())
                })
                .map(|name| fit(&name, 16))
                .unwrap_or_else(|| t!("members-founder"));
            // 🔒: it can be written to privately (it published its key for sealed messages).
            let name = if member.seals {
                format!("🔒 {}", fit(&member.name, 14))
            } else {
                fit(&member.name, 24)
            };
            let name = if app.is_new_member(member) {
                format!("• {name}")
            } else {
                name
            };
            let row = Row::new([
                Cell::from(name),
                Cell::from(role),
                Cell::from(fit(&place, 22)),
                Cell::from(by),
                Cell::from(fit(&last_seen, 10)),
            ]);
            if member.revoked {
                row.style(dim())
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Min(16),
        Constraint::Length(9),
        Constraint::Length(22),
        Constraint::Length(16),
        Constraint::Length(10),
    ];
    let current = members.iter().filter(|m| !m.revoked).count();
    let mut block = Block::bordered().title(format!(" {} ", t!("members-title", count = current)));
    // Until a council is named, a thief with the founder's laptop could name one first: say so
    // to the stewards, who can do something about it.
    let steward = app.status.as_ref().and_then(|s| s.role) == Some(sangam_protocol::Role::Steward);
    if steward && !app.members.iter().any(|m| m.council) {
        block = block.title_bottom(format!(" {} ", t!("no-council-yet")).bold());
    }
    let mut state = TableState::default().with_selected(Some(app.selection()));
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(header)
            .row_highlight_style(selected_style())
            .block(block),
        area,
        &mut state,
    );
}
