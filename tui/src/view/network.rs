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
use crate::t;

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
            lines.push(Line::raw(t!("relaying-for", count = status.relay_serving)));
        }
        // A laptop restored from a backed-up key may not post until members tell it what it
        // posted before.
        if status.recovering_own_feed {
            lines.push(Line::styled(
                t!("fetching-own-posts"),
                Style::new().fg(Color::Yellow),
            ));
        }
        lines.push(Line::default());
    }
    if connected.is_empty() {
        lines.push(Line::styled(t!("no-peers"), dim()));
    }
    for peer in &connected {
        let name = peer.name.clone().unwrap_or_else(|| t!("unknown-peer"));
        let sync = peer
            .last_sync
            .map(|then| t!("synced-ago", ago = age(app.now, then)))
            .unwrap_or_else(|| t!("not-synced-yet"));
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
            format!("◌ {}", t!("reached-through-relay")),
            dim(),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled(t!("refused-by-reason"), Style::new().bold()));
    let rejected = app
        .status
        .as_ref()
        .map(|s| s.rejected.clone())
        .unwrap_or_default();
    if rejected.is_empty() {
        lines.push(Line::styled(t!("none"), dim()));
    }
    for (reason, count) in rejected {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>6} ", crate::catalogue::digits(count)),
                Style::new().fg(Color::Red),
            ),
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
            t!("fork-two-versions", name = name.as_str()),
            Style::new().fg(Color::Red).bold(),
        ));
    }
    if !forked.is_empty() {
        lines.push(Line::styled(t!("fork-advice"), Style::new().fg(Color::Red)));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered().title(format!(" {} ", t!("peers-title", count = connected.len()))),
        ),
        area,
    );
}

/// How others can reach this laptop, in one sentence.
fn reachability(status: &Status) -> String {
    if status.public_address {
        return t!("reach-direct");
    }
    let names: Vec<String> = status
        .relays
        .iter()
        .map(|relay| {
            status
                .name_of_peer(relay)
                .map(str::to_string)
                .unwrap_or_else(|| t!("a-member"))
        })
        .collect();
    if names.is_empty() {
        t!("reach-none")
    } else {
        t!(
            "reach-through",
            names = crate::app::readers_in_words(&names)
        )
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
        t!("activity-days", count = whole / 24)
    } else {
        t!("activity-hours", count = whole)
    };
    let block = Block::bordered().title(format!(" {span} "));
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
            Paragraph::new(format!(
                "{:>4} {}",
                crate::catalogue::digits(total),
                fit(&kind_label(*kind), 13)
            ))
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
            Paragraph::new(Line::styled(t!("asking-the-node"), dim()))
                .block(Block::bordered().title(format!(" {} ", t!("overview-title")))),
            area,
        );
        return;
    };
    let open = overview.requests - overview.closed_requests;
    let median = match overview.median_minutes_to_first_offer {
        Some(minutes) if minutes >= 2 * 24 * 60 => t!("days", count = minutes / (24 * 60)),
        Some(minutes) if minutes >= 120 => t!("hours", count = minutes / 60),
        Some(minutes) => t!("minutes", count = minutes),
        None => "—".into(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", t!("overview-requests")), Style::new().bold()),
            Span::raw(t!(
                "overview-requests-counts",
                open = open,
                closed = overview.closed_requests,
                answered = overview.answered_requests
            )),
        ]),
        Line::from(vec![
            Span::styled(format!("{} ", t!("overview-median")), Style::new().bold()),
            Span::raw(median),
        ]),
        Line::styled(t!("overview-by-state"), Style::new().bold()),
    ];
    let states = &overview.by_state;
    let most = states.first().map(|(_, c)| *c).unwrap_or(1).max(1);
    for (state, count) in states.iter().take(4) {
        let bar_width = (count * 12 / most) as usize;
        lines.push(Line::from(vec![
            Span::raw(super::column(state, 16)),
            Span::styled("█".repeat(bar_width.max(1)), Style::new().fg(Color::Cyan)),
            Span::raw(format!(" {}", crate::catalogue::digits(count))),
        ]));
    }
    lines.push(Line::styled(t!("overview-membership"), Style::new().bold()));
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
        Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", t!("overview-title")))),
        area,
    );
}
