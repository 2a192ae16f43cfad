//! The app's tabs, shared by the app and its keymap.

use crate::t;

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
    pub fn title(self) -> String {
        match self {
            Tab::Feed => t!("tab-feed"),
            Tab::Requests => t!("tab-requests"),
            Tab::Resources => t!("tab-resources"),
            Tab::Collectives => t!("tab-collectives"),
            Tab::Network => t!("tab-network"),
            Tab::Scorecards => t!("tab-scorecards"),
        }
    }

    /// Its number on screen and in the keys, from 1.
    pub fn number(self) -> u8 {
        self.index() as u8 + 1
    }

    /// Where the tab stands among [`Tab::ALL`].
    pub(crate) fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}
