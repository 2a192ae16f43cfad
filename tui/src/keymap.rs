//! Every key the app understands, as data. Dispatch and the `?` help screen and the hint bar are
//! all generated from [`BINDINGS`], so help can never drift from behaviour.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tab::Tab;

/// Where a binding applies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scope {
    /// Everywhere (outside forms).
    Global,
    /// Only on one tab.
    On(Tab),
}

/// What a key does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyAction {
    /// Leave the app.
    Quit,
    /// Show every key.
    Help,
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// Go to a tab.
    GoTo(Tab),
    /// Move up a line.
    Up,
    /// Move down a line.
    Down,
    /// Jump to the top.
    Top,
    /// Jump to the bottom.
    Bottom,
    /// Search the current list.
    Search,
    /// Clear search and filters.
    Clear,
    /// Show only one kind (cycles).
    CycleKind,
    /// Write an announcement.
    Announce,
    /// Ask for help.
    Request,
    /// Offer help on the selected request.
    Offer,
    /// Close the selected request (yours).
    CloseItem,
    /// Share a resource.
    Share,
    /// Edit your collective's profile.
    Profile,
    /// Withdraw your selected post (its words are removed everywhere).
    Withdraw,
    /// This laptop is no longer safe: wipe it.
    Wipe,
    /// Record an audit of a public office.
    Audit,
    /// Endorse the selected audit.
    Endorse,
    /// Show one state's score card (cycles).
    CycleState,
    /// Show one district's score card (cycles).
    CycleDistrict,
    /// Export the score card shown.
    Export,
    /// Write messages to a bundle file.
    ExportBundle,
    /// Read messages from a bundle file.
    ImportBundle,
    /// Speak the next language (remembered).
    Language,
    /// Switch the high-contrast colours on or off (remembered).
    Contrast,
    /// Ring the terminal bell for new requests that match, or stop (remembered).
    Bell,
    /// Welcome a new collective into the network (a steward).
    Admit,
    /// Remove the selected collective from the network (a steward).
    Revoke,
    /// Name the recovery council (a steward).
    Council,
    /// Vote for a new founder key (a steward).
    FounderVote,
    /// Start the node on this laptop (when it is not running).
    StartNode,
}

/// One key binding.
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Modifiers that must be held.
    pub modifiers: KeyModifiers,
    /// How the key is written in help.
    pub label: &'static str,
    /// Where it applies.
    pub scope: Scope,
    /// What it does.
    pub action: KeyAction,
    /// What it does, in words (a catalogue key).
    pub help: &'static str,
    /// Its name in the hint bar, if the hint bar shows it (a catalogue key).
    pub hint: Option<&'static str>,
}

impl Binding {
    /// What it does, in the language spoken.
    pub fn help_text(&self) -> String {
        crate::catalogue::text(self.help, None)
    }

    /// Its name in the hint bar, in the language spoken.
    pub fn hint_text(&self) -> String {
        crate::catalogue::text(self.hint.unwrap_or(self.help), None)
    }
}

const fn key(
    code: KeyCode,
    label: &'static str,
    scope: Scope,
    action: KeyAction,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        label,
        scope,
        action,
        help,
        hint,
    }
}

use KeyAction as A;
use Scope::{Global as G, On};

/// The keymap.
pub const BINDINGS: &[Binding] = &[
    key(
        KeyCode::Char('?'),
        "?",
        G,
        A::Help,
        "key-show-all-keys",
        Some("hint-help"),
    ),
    key(
        KeyCode::Char('q'),
        "q",
        G,
        A::Quit,
        "key-quit",
        Some("hint-quit"),
    ),
    key(KeyCode::Tab, "Tab", G, A::NextTab, "key-next-tab", None),
    key(
        KeyCode::BackTab,
        "S-Tab",
        G,
        A::PrevTab,
        "key-previous-tab",
        None,
    ),
    key(
        KeyCode::Char('1'),
        "1",
        G,
        A::GoTo(Tab::Feed),
        "key-feed-tab",
        None,
    ),
    key(
        KeyCode::Char('2'),
        "2",
        G,
        A::GoTo(Tab::Requests),
        "key-requests-tab",
        None,
    ),
    key(
        KeyCode::Char('3'),
        "3",
        G,
        A::GoTo(Tab::Resources),
        "key-resources-tab",
        None,
    ),
    key(
        KeyCode::Char('4'),
        "4",
        G,
        A::GoTo(Tab::Collectives),
        "key-collectives-tab",
        None,
    ),
    key(
        KeyCode::Char('5'),
        "5",
        G,
        A::GoTo(Tab::Network),
        "key-network-tab",
        None,
    ),
    key(
        KeyCode::Char('6'),
        "6",
        G,
        A::GoTo(Tab::Scorecards),
        "key-score-cards-tab",
        None,
    ),
    key(KeyCode::Up, "↑", G, A::Up, "key-move-up", None),
    key(KeyCode::Char('k'), "k", G, A::Up, "key-move-up", None),
    key(KeyCode::Down, "↓", G, A::Down, "key-move-down", None),
    key(KeyCode::Char('j'), "j", G, A::Down, "key-move-down", None),
    key(KeyCode::Home, "Home", G, A::Top, "key-go-to-the-top", None),
    key(
        KeyCode::End,
        "End",
        G,
        A::Bottom,
        "key-go-to-the-bottom",
        None,
    ),
    key(
        KeyCode::Char('/'),
        "/",
        G,
        A::Search,
        "key-search",
        Some("hint-search"),
    ),
    key(
        KeyCode::Esc,
        "Esc",
        G,
        A::Clear,
        "key-clear-search-and-filters",
        None,
    ),
    key(
        KeyCode::Char('f'),
        "f",
        On(Tab::Feed),
        A::CycleKind,
        "key-show-one-kind-only",
        Some("hint-filter"),
    ),
    key(
        KeyCode::Char('a'),
        "a",
        G,
        A::Announce,
        "key-write-an-announcement",
        Some("hint-announce"),
    ),
    key(
        KeyCode::Char('r'),
        "r",
        G,
        A::Request,
        "key-ask-collectives-for-help",
        Some("hint-ask"),
    ),
    key(
        KeyCode::Char('o'),
        "o",
        On(Tab::Requests),
        A::Offer,
        "key-offer-help",
        Some("hint-offer"),
    ),
    key(
        KeyCode::Char('c'),
        "c",
        On(Tab::Requests),
        A::CloseItem,
        "key-close-your-request",
        Some("hint-close"),
    ),
    key(
        KeyCode::Char('s'),
        "s",
        G,
        A::Share,
        "key-share-a-resource",
        Some("hint-share"),
    ),
    key(
        KeyCode::Char('p'),
        "p",
        G,
        A::Profile,
        "key-edit-your-profile",
        None,
    ),
    key(
        KeyCode::Char('w'),
        "w",
        G,
        A::Withdraw,
        "key-withdraw-your-post",
        None,
    ),
    key(
        KeyCode::Char('W'),
        "W",
        G,
        A::Wipe,
        "key-wipe-this-laptop",
        None,
    ),
    key(
        KeyCode::Char('u'),
        "u",
        G,
        A::Audit,
        "key-audit-a-public-office",
        None,
    ),
    key(
        KeyCode::Char('e'),
        "e",
        On(Tab::Feed),
        A::Endorse,
        "key-endorse-an-audit",
        None,
    ),
    key(
        KeyCode::Char('t'),
        "t",
        On(Tab::Scorecards),
        A::CycleState,
        "key-one-state-only",
        Some("hint-state"),
    ),
    key(
        KeyCode::Char('d'),
        "d",
        On(Tab::Scorecards),
        A::CycleDistrict,
        "key-one-district-only",
        Some("hint-district"),
    ),
    key(
        KeyCode::Char('b'),
        "b",
        On(Tab::Network),
        A::ExportBundle,
        "key-messages-to-a-file",
        Some("hint-to-file"),
    ),
    key(
        KeyCode::Char('i'),
        "i",
        On(Tab::Network),
        A::ImportBundle,
        "key-messages-from-a-file",
        Some("hint-from-file"),
    ),
    key(
        KeyCode::Char('x'),
        "x",
        On(Tab::Scorecards),
        A::Export,
        "key-export-files",
        Some("hint-export"),
    ),
    key(
        KeyCode::Char('n'),
        "n",
        On(Tab::Collectives),
        A::Admit,
        "key-welcome-a-collective",
        Some("hint-welcome"),
    ),
    key(
        KeyCode::Char('R'),
        "R",
        On(Tab::Collectives),
        A::Revoke,
        "key-remove-a-collective",
        Some("hint-remove"),
    ),
    key(
        KeyCode::Char('K'),
        "K",
        On(Tab::Collectives),
        A::Council,
        "key-name-council",
        None,
    ),
    key(
        KeyCode::Char('F'),
        "F",
        On(Tab::Collectives),
        A::FounderVote,
        "key-vote-founder",
        None,
    ),
    key(
        KeyCode::Char('S'),
        "S",
        G,
        A::StartNode,
        "key-start-node",
        None,
    ),
    key(
        KeyCode::Char('L'),
        "L",
        G,
        A::Language,
        "key-switch-language",
        Some("hint-language"),
    ),
    key(
        KeyCode::Char('C'),
        "C",
        G,
        A::Contrast,
        "key-high-contrast",
        None,
    ),
    key(KeyCode::Char('B'), "B", G, A::Bell, "key-bell", None),
];

/// The binding for `event` on `tab`, if any.
pub fn lookup(event: &KeyEvent, tab: Tab) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| {
        let code_matches = b.code == event.code
            || matches!((b.code, event.code), (KeyCode::Char(x), KeyCode::Char(y)) if x == y);
        code_matches
            && (b.modifiers == KeyModifiers::NONE || event.modifiers.contains(b.modifiers))
            && (b.scope == Scope::Global || b.scope == Scope::On(tab))
    })
}

/// The bindings the hint bar shows on `tab`: the tab's own first (the bar is cut at the
/// screen's edge), then those that work everywhere.
pub fn hints(tab: Tab) -> impl Iterator<Item = &'static Binding> {
    let shown = |b: &&Binding| b.hint.is_some();
    let own = BINDINGS
        .iter()
        .filter(move |b| b.scope == Scope::On(tab))
        .filter(shown);
    let everywhere = BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Global)
        .filter(shown);
    own.chain(everywhere)
}

/// Keys inside a form (and catalogue keys for what they do); shown in the form and in help.
pub const FORM_KEYS: &[(&str, &str)] = &[
    ("Tab ↓", "form-key-next-field"),
    ("S-Tab ↑", "form-key-previous-field"),
    ("Enter", "form-key-next-sends-on-the-last"),
    ("Ctrl-S", "form-key-send-now"),
    ("Esc", "form-key-cancel"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_bindings_claim_the_same_key_in_the_same_place() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                let overlap =
                    a.scope == b.scope || a.scope == Scope::Global || b.scope == Scope::Global;
                assert!(!(a.code == b.code && overlap), "{} is bound twice", a.label);
            }
        }
    }

    #[test]
    fn lookup_respects_scope() {
        let o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE);
        assert_eq!(
            lookup(&o, Tab::Requests).map(|b| b.action),
            Some(KeyAction::Offer)
        );
        assert!(lookup(&o, Tab::Feed).is_none());
    }
}
