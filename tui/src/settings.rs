//! What the app remembers between runs, in `sangam-tui.json` in the collective's data folder:
//! the language, the colours, the bell, when each tab was last looked at, and where the
//! first-run screen stopped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::catalogue::Language;

/// The file's name in the data folder.
pub const FILE_NAME: &str = "sangam-tui.json";

/// The app's remembered choices.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Settings {
    /// The language chosen in the app; absent: the one `LANG` names, else English.
    #[serde(default)]
    pub language: Option<Language>,
    /// High-contrast colours.
    #[serde(default)]
    pub high_contrast: bool,
    /// Ring the terminal bell when a new request matches what this collective offers.
    #[serde(default)]
    pub bell: bool,
    /// When each tab was last looked at (ms), by the tab's number from 1.
    #[serde(default)]
    pub last_looked: BTreeMap<u8, u64>,
    /// The collective set its folder up here and waits for an invite (the first-run screen
    /// comes back at that step).
    #[serde(default)]
    pub waiting_for_invite: bool,
}

impl Settings {
    /// The settings in `folder`; none yet (or unreadable): the defaults.
    pub fn load(folder: &Path) -> Settings {
        std::fs::read(folder.join(FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes them into `folder`.
    pub fn save(&self, folder: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(folder.join(FILE_NAME), text)
    }

    /// The language to speak: the one chosen, else the environment's, else English.
    pub fn language(&self) -> Language {
        self.language
            .or_else(Language::from_environment)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_remembered_and_a_damaged_file_gives_the_defaults() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(folder.path()), Settings::default());
        let settings = Settings {
            language: Some(Language::Bengali),
            high_contrast: true,
            last_looked: [(2, 1_000)].into(),
            ..Settings::default()
        };
        settings.save(folder.path()).unwrap();
        assert_eq!(Settings::load(folder.path()), settings);
        assert_eq!(Settings::load(folder.path()).language(), Language::Bengali);
        std::fs::write(folder.path().join(FILE_NAME), "{ not json").unwrap();
        assert_eq!(Settings::load(folder.path()), Settings::default());
    }
}
