//! The Network tab: the national forum's overview of the whole network.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline, Wrap};
use sangam_protocol::Kind;
use sangam_protocol::api::{ACTIVITY_BUCKETS, Status};

use super::feed::kind_color;
use super::{dim, fit};
use crate::app::{App, age, kind_label, title_of};

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    render_peers_and_refusals(frame, left, app);
    let [charts, facts] =
        Layout::vertical([Constraint::Length(6), Constraint::Min(3)]).areas(right);
    render_activity(frame, charts, app);
    render_facts(frame, facts, app);
}

fn render_peers_and_refusals(frame: &mut Frame, area: Rect, app: &App) {
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let connected = app
        .status
        .as_ref()
        .map(|s| s.connected.clone())
        .unwrap_or_default();
    if let Some(status) = app.status.as_ref().filter(|s| s.running) {
        lines.push(Line::styled(reachability(status), Style::new().bold()));
        if status.relaying {
            lines.push(Line::raw(format!(
                "This laptop passes on connections for {} other collective(s).",
                status.relay_serving
            )));
        }
        lines.push(Line::default());
    }
    if connected.is_empty() {
        lines.push(Line::styled("No peers connected right now.", dim()));
    }
    for peer in &connected {
        let name = peer.name.clone().unwrap_or_else(|| "unknown peer".into());
        let sync = peer
            .last_sync
            .map(|t| format!("synced {}", age(app.now, t)))
            .unwrap_or_else(|| "not synced yet".into());
        // A peer reached only through a relay: working, but through someone else's laptop.
        let (dot, colour) = if peer.relayed {
            ("◌ ", Color::Yellow)
        } else {
            ("● ", Color::Green)
        };
        lines.push(Line::from(vec![
            Span::styled(dot, Style::new().fg(colour)),
            Span::raw(fit(&name, width.saturating_sub(20).max(8))),
            Span::styled(format!(" {sync}"), dim()),
        ]));
    }
    if connected.iter().any(|p| p.relayed) {
        lines.push(Line::styled(
            "◌ reached through another member's laptop",
            dim(),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Refused messages, by reason",
        Style::new().bold(),
    ));
    let rejected = app
        .status
        .as_ref()
        .map(|s| s.rejected.clone())
        .unwrap_or_default();
    if rejected.is_empty() {
        lines.push(Line::styled("none", dim()));
    }
    for (reason, count) in rejected {
        lines.push(Line::from(vec![
            Span::styled(format!("{count:>6} "), Style::new().fg(Color::Red)),
            Span::raw(reason.replace('_', " ")),
        ]));
    }
    let forked: Vec<String> = app
        .status
        .as_ref()
        .map(|s| s.forks.keys().map(|id| app.name_of_id(id)).collect())
        .unwrap_or_default();
    for name in &forked {
        lines.push(Line::styled(
            format!("Two versions of {name}'s posts exist"),
            Style::new().fg(Color::Red).bold(),
        ));
    }
    if !forked.is_empty() {
        lines.push(Line::styled(
            "Its key may be in use on two laptops. Its new posts wait. Stewards: call them; \
             if a laptop was taken, remove the key from the day it was taken.",
            Style::new().fg(Color::Red),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" Connected peers · {} ", connected.len()))),
        area,
    );
}

/// How others can reach this laptop, in one sentence.
fn reachability(status: &Status) -> String {
    if status.public_address {
        return "Others can reach this laptop directly.".into();
    }
    let names: Vec<String> = status
        .relays
        .iter()
        .map(|relay| status.name_of_peer(relay).unwrap_or("a member").to_string())
        .collect();
    if names.is_empty() {
        "Others cannot reach this laptop yet; it reaches out to them.".into()
    } else {
        format!("Others reach this laptop through {}.", names.join(" and "))
    }
}

fn render_activity(frame: &mut Frame, area: Rect, app: &App) {
    let kinds = [
        Kind::Announcement,
        Kind::MentoringRequest,
        Kind::Offer,
        Kind::Audit,
    ];
    let hours = app.overview.as_ref().map_or(1, |o| o.bucket_hours);
    let whole = hours * ACTIVITY_BUCKETS as u64;
    let span = if whole >= 96 {
        format!("last {} days", whole / 24)
    } else {
        format!("last {whole} h")
    };
    let block = Block::bordered().title(format!(" Activity, {span} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = Layout::vertical([Constraint::Length(1); 4]).split(inner);
    for (kind, row) in kinds.iter().zip(rows.iter()) {
        let [label, chart] =
            Layout::horizontal([Constraint::Length(18), Constraint::Min(1)]).areas(*row);
        let counts = app
            .overview
            .as_ref()
            .and_then(|o| o.activity.get(kind.name()).cloned())
            .unwrap_or_default();
        // The count beside the chart is every one held, not only the chart's window.
        let total = app
            .overview
            .as_ref()
            .and_then(|o| o.messages.get(kind.name()).copied())
            .unwrap_or(0);
        frame.render_widget(
            Paragraph::new(format!("{total:>4} {}", kind_label(*kind)))
                .style(Style::new().fg(kind_color(*kind))),
            label,
        );
        frame.render_widget(
            Sparkline::default()
                .data(&counts)
                .bar_set(bar::NINE_LEVELS)
                .style(Style::new().fg(kind_color(*kind))),
            chart,
        );
    }
}

fn render_facts(frame: &mut Frame, area: Rect, app: &App) {
    let width = area.width.saturating_sub(2) as usize;
    let Some(overview) = &app.overview else {
        frame.render_widget(
            Paragraph::new(Line::styled("Asking the node…", dim()))
                .block(Block::bordered().title(" Overview ")),
            area,
        );
        return;
    };
    let open = overview.requests - overview.closed_requests;
    let median = match overview.median_minutes_to_first_offer {
        Some(minutes) if minutes >= 2 * 24 * 60 => format!("{} days", minutes / (24 * 60)),
        Some(minutes) if minutes >= 120 => format!("{} h", minutes / 60),
        Some(minutes) => format!("{minutes} min"),
        None => "—".into(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Requests: ", Style::new().bold()),
            Span::raw(format!(
                "{open} open, {} closed, {} with offers",
                overview.closed_requests, overview.answered_requests
            )),
        ]),
        Line::from(vec![
            Span::styled("Median time to first offer: ", Style::new().bold()),
            Span::raw(median),
        ]),
        Line::styled("Activity by state", Style::new().bold()),
    ];
    let states = &overview.by_state;
    let most = states.first().map(|(_, c)| *c).unwrap_or(1).max(1);
    for (state, count) in states.iter().take(4) {
        let bar_width = (count * 12 / most) as usize;
        lines.push(Line::from(vec![
            Span::raw(format!("{:<16}", fit(state, 15))),
            Span::styled("█".repeat(bar_width.max(1)), Style::new().fg(Color::Cyan)),
            Span::raw(format!(" {count}")),
        ]));
    }
    lines.push(Line::styled("Membership changes", Style::new().bold()));
    let changes = app
        .items
        .iter()
        .filter(|i| i.kind.is_membership_act())
        .take(3);
    for change in changes {
        let text = format!("{} · {}", age(app.now, change.timestamp), title_of(change));
        lines.push(Line::styled(fit(&text, width), dim()));
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Overview ")),
        area,
    );
}
