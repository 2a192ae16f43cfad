//! Drawing the app. Each tab has its own module; this one draws the frame around them: title and
//! tabs, the notice line and the hint bar, and the windows on top (help, forms).

mod collectives;
mod compose;
mod feed;
mod help;
mod network;
mod requests;
mod resources;
mod scorecards;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::app::{App, Link, Tab};
use crate::keymap::hints;

/// Style of the selected row.
pub(crate) fn selected_style() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// Style of secondary text.
pub(crate) fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Draws a list whose selected row is highlighted, inside `block`.
pub(crate) fn selectable_list(
    frame: &mut Frame,
    area: Rect,
    block: ratatui::widgets::Block,
    rows: Vec<ratatui::widgets::ListItem>,
    selected: usize,
) {
    let mut state = ratatui::widgets::ListState::default().with_selected(Some(selected));
    let list = ratatui::widgets::List::new(rows)
        .block(block)
        .highlight_style(selected_style());
    frame.render_stateful_widget(list, area, &mut state);
}

/// Draws a quiet message where an empty list would be.
pub(crate) fn empty_list(
    frame: &mut Frame,
    area: Rect,
    block: ratatui::widgets::Block,
    text: &str,
) {
    let message = Paragraph::new(text)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .style(dim());
    frame.render_widget(message.block(block), area);
}

/// Cuts `text` to `width` columns, with an ellipsis when cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if Line::from(flat.as_str()).width() <= width {
        return flat;
    }
    let mut out = String::new();
    for c in flat.chars() {
        if Line::from(format!("{out}{c}…").as_str()).width() > width {
            break;
        }
        out.push(c);
    }
    out + "…"
}

/// A rectangle of `percent_x` × `percent_y` of `area`, centred.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears the area a window will cover, and the column to its left: a wide Indic syllable just
/// left of the window would otherwise spill over the window's edge.
pub(crate) fn clear_for_window(frame: &mut Frame, popup: Rect) {
    let x = popup.x.saturating_sub(1);
    let area = Rect {
        x,
        width: popup.width + (popup.x - x),
        ..popup
    };
    frame.render_widget(ratatui::widgets::Clear, area);
}

/// Draws the whole app.
pub fn render(frame: &mut Frame, app: &App) {
    // Drawn from a copy whose text is laid out as terminals lay it out; the real marks go
    // back into the frame at the end.
    let app = &app.for_screen();
    let [top, tabs, body, notice, bar] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(title_line(app)), top);
    let titles = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.title()));
    let selected = Tab::ALL.iter().position(|t| *t == app.tab).unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(Style::new().bold().reversed()),
        tabs,
    );
    match app.tab {
        Tab::Feed => feed::render(frame, body, app),
        Tab::Requests => requests::render(frame, body, app),
        Tab::Resources => resources::render(frame, body, app),
        Tab::Collectives => collectives::render(frame, body, app),
        Tab::Network => network::render(frame, body, app),
        Tab::Scorecards => scorecards::render(frame, body, app),
    }
    frame.render_widget(Paragraph::new(notice_line(app)), notice);
    frame.render_widget(
        Paragraph::new(hint_line(app)).style(Style::new().reversed()),
        bar,
    );
    if app.help {
        help::render(frame, frame.area());
    }
    if let Some(form) = &app.form {
        compose::render(frame, frame.area(), form);
    }
    crate::screen::restore(frame.buffer_mut());
}

fn title_line(app: &App) -> Line<'static> {
    let (network, me) = match &app.status {
        Some(status) => {
            let role = status.role.map(|r| format!(" ({r})")).unwrap_or_default();
            (
                status.network_name.clone().unwrap_or_default(),
                format!("{}{role}", status.name),
            )
        }
        None => (String::new(), String::new()),
    };
    let link = match &app.link {
        Link::Connected => Span::styled("● online", Style::new().fg(Color::Green)),
        Link::Connecting => Span::styled("○ connecting…", Style::new().fg(Color::Yellow)),
        Link::Lost(_) => Span::styled("○ node not running", Style::new().fg(Color::Red)),
    };
    let peers = app.status.as_ref().map(|s| s.connected.len()).unwrap_or(0);
    let mut spans = vec![
        Span::styled("Sangam", Style::new().bold()),
        Span::raw(format!(" · {network} · {me} · ")),
        link,
        Span::raw(format!(" · {peers} peers")),
    ];
    if app.status.as_ref().is_some_and(|s| s.announcing_on_lan) {
        spans.push(Span::styled(
            " · visible to this Wi-Fi",
            Style::new().fg(Color::Yellow),
        ));
    }
    Line::from(spans)
}

fn notice_line(app: &App) -> Line<'static> {
    if let Some(search) = &app.search {
        return Line::from(vec![
            Span::styled("Search: ", Style::new().bold()),
            Span::raw(search.value().to_string()),
            Span::styled("▏ Enter keeps it, Esc clears it", dim()),
        ]);
    }
    if let Link::Lost(why) = &app.link {
        return Line::styled(why.clone(), Style::new().fg(Color::Red));
    }
    match &app.notice {
        Some(notice) if notice.problem => {
            Line::styled(notice.text.clone(), Style::new().fg(Color::Red))
        }
        Some(notice) => Line::styled(notice.text.clone(), Style::new().fg(Color::Green)),
        None if !app.query.is_empty() => Line::styled(
            format!("Showing matches for “{}” · Esc clears", app.query),
            dim(),
        ),
        None => Line::default(),
    }
}

fn hint_line(app: &App) -> Line<'static> {
    if app.form.is_some() {
        return Line::raw(
            " Tab next field · Enter send on the last field · Ctrl-S send · Esc cancel",
        );
    }
    let parts: Vec<String> = hints(app.tab)
        .map(|b| format!("{} {}", b.label, b.hint.unwrap_or(b.help)))
        .collect();
    Line::raw(format!(" {}", fit(&parts.join(" · "), 200)))
}
