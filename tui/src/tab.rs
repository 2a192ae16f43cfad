//! The app's tabs, shared by the app and its keymap.

/// The tabs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    /// Everything, newest first.
    Feed,
    /// Open requests and their offers.
    Requests,
    /// Shared resources.
    Resources,
    /// Members and their profiles.
    Collectives,
    /// The whole network at a glance.
    Network,
    /// Survivors' score cards of public offices.
    Scorecards,
}

impl Tab {
    /// All tabs, in order.
    pub const ALL: [Tab; 6] = [
        Tab::Feed,
        Tab::Requests,
        Tab::Resources,
        Tab::Collectives,
        Tab::Network,
        Tab::Scorecards,
    ];

    /// The tab's name on screen.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Feed => "Feed",
            Tab::Requests => "Requests",
            Tab::Resources => "Resources",
            Tab::Collectives => "Collectives",
            Tab::Network => "Network",
            Tab::Scorecards => "Score cards",
        }
    }

    /// Where the tab stands among [`Tab::ALL`].
    pub(crate) fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}
