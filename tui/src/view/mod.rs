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
mod setup;
mod steward;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::app::{App, Link, Tab};
use crate::keymap::hints;
use crate::t;

thread_local! {
    /// Whether this frame is drawn in high-contrast colours (set by [`render`]).
    static HIGH_CONTRAST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn high_contrast() -> bool {
    HIGH_CONTRAST.with(std::cell::Cell::get)
}

/// Style of the selected row.
pub(crate) fn selected_style() -> Style {
    if high_contrast() {
        return Style::new()
            .bg(Color::Yellow)
            .fg(Color::Black)
            .add_modifier(Modifier::BOLD);
    }
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// Style of secondary text (plain white in high contrast: grey on black is hard to read).
pub(crate) fn dim() -> Style {
    if high_contrast() {
        return Style::new().fg(Color::White);
    }
    Style::new().fg(Color::DarkGray)
}

/// The mark before a row that arrived since the person last looked at its tab.
pub(crate) fn new_mark(new: bool) -> ratatui::text::Span<'static> {
    if new {
        ratatui::text::Span::styled("• ", Style::new().fg(Color::LightYellow).bold())
    } else {
        ratatui::text::Span::raw("  ")
    }
}

/// Style of a row that matches what this collective offers.
pub(crate) fn matching_style() -> Style {
    if high_contrast() {
        Style::new().fg(Color::LightYellow).bold().underlined()
    } else {
        Style::new().fg(Color::LightYellow).bold()
    }
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

/// `text` cut to `width` columns less one and padded with spaces to `width` columns: a column
/// of a list. (Rust's `{:<12}` pads by characters, and an Indic word has more characters than
/// columns.)
pub(crate) fn column(text: &str, width: usize) -> String {
    let cut = fit(text, width.saturating_sub(1));
    let used = Line::from(cut.as_str()).width();
    format!("{cut}{}", " ".repeat(width.saturating_sub(used)))
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

/// Clears the area a window will cover, and a column either side: a wide Indic syllable just
/// left of the window would otherwise spill over the window's edge, and half a word just right
/// of it reads as stray letters.
pub(crate) fn clear_for_window(frame: &mut Frame, popup: Rect) {
    let x = popup.x.saturating_sub(1);
    let right = (popup.x + popup.width + 1).min(frame.area().right());
    let area = Rect {
        x,
        width: right - x,
        ..popup
    };
    frame.render_widget(ratatui::widgets::Clear, area);
}

/// Draws the whole app.
pub fn render(frame: &mut Frame, app: &App) {
    // Drawn from a copy whose text is laid out as terminals lay it out; the real marks go
    // back into the frame at the end.
    let app = &app.for_screen();
    HIGH_CONTRAST.with(|high| high.set(app.settings.high_contrast));
    crate::catalogue::speak(app.language());
    crate::catalogue::drawing(true);
    if app.setup.is_some() {
        setup::render(frame, frame.area(), app);
        crate::catalogue::drawing(false);
        crate::screen::restore(frame.buffer_mut());
        return;
    }
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
        .map(|(i, tab)| Line::from(tab_title(app, i, *tab)));
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
        compose::render(frame, frame.area(), form, app.now);
    }
    if let Some(invite) = &app.invite {
        steward::render_invite(frame, frame.area(), invite);
    }
    crate::catalogue::drawing(false);
    crate::screen::restore(frame.buffer_mut());
}

/// A tab's title: its number and name, how many rows arrived since the person last looked
/// ("·3"), and on Requests how many new ones match what this collective offers ("★2").
fn tab_title(app: &App, index: usize, tab: Tab) -> Vec<Span<'static>> {
    let mut spans = vec![Span::raw(format!("{} {}", index + 1, tab.title()))];
    let new = app.new_on(tab);
    if new > 0 {
        spans.push(Span::styled(
            format!("·{}", crate::catalogue::digits(new)),
            Style::new().fg(Color::LightYellow),
        ));
    }
    if tab == Tab::Requests {
        let matching = app.new_matching();
        if matching > 0 {
            spans.push(Span::styled(
                format!(" ★{}", crate::catalogue::digits(matching)),
                matching_style(),
            ));
        }
    }
    spans
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
        Link::Connected => Span::styled(t!("link-online"), Style::new().fg(Color::Green)),
        Link::Connecting => Span::styled(t!("link-connecting"), Style::new().fg(Color::Yellow)),
        Link::Lost(_) => Span::styled(t!("link-lost"), Style::new().fg(Color::Red)),
    };
    let peers = app.status.as_ref().map(|s| s.connected.len()).unwrap_or(0);
    let mut spans = vec![Span::styled("Sangam", Style::new().bold())];
    // First after the name: the line is cut at the screen's edge, and this is news.
    let matching = app.new_matching();
    if matching > 0 {
        spans.push(Span::styled(
            format!(" · ★ {}", t!("count-new-matching", count = matching)),
            matching_style(),
        ));
    }
    spans.extend([
        Span::raw(format!(" · {network} · {me} · ")),
        link,
        Span::raw(format!(" · {}", t!("count-peers", count = peers))),
    ]);
    if app.status.as_ref().is_some_and(|s| s.announcing_on_lan) {
        spans.push(Span::styled(
            format!(" · {}", t!("visible-on-wifi")),
            Style::new().fg(Color::Yellow),
        ));
    }
    Line::from(spans)
}

fn notice_line(app: &App) -> Line<'static> {
    if let Some(search) = &app.search {
        return Line::from(vec![
            Span::styled(format!("{} ", t!("search-label")), Style::new().bold()),
            Span::raw(search.value().to_string()),
            Span::styled(format!("▏ {}", t!("search-keys")), dim()),
        ]);
    }
    if let Link::Lost(why) = &app.link {
        // The link names what happened by a catalogue key.
        return Line::styled(
            crate::catalogue::text(why, None),
            Style::new().fg(Color::Red),
        );
    }
    match &app.notice {
        Some(notice) if notice.problem => {
            Line::styled(notice.text.clone(), Style::new().fg(Color::Red))
        }
        Some(notice) => Line::styled(notice.text.clone(), Style::new().fg(Color::Green)),
        None if !app.query.is_empty() => {
            Line::styled(t!("showing-matches", query = app.query.as_str()), dim())
        }
        None => Line::default(),
    }
}

fn hint_line(app: &App) -> Line<'static> {
    if app.form.is_some() {
        return Line::raw(format!(" {}", t!("form-hint-bar")));
    }
    let parts: Vec<String> = hints(app.tab)
        .map(|b| format!("{} {}", b.label, b.hint_text()))
        .collect();
    Line::raw(format!(" {}", fit(&parts.join(" · "), 200)))
}
