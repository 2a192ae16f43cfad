//! The first-run screen's steps, driven by keys.

use ratatui::crossterm::event::KeyModifiers;

use super::*;

fn keys(setup: &mut Setup, text: &str) -> Option<SetupCommand> {
    let mut last = None;
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        if let Some(command) = setup.on_key(KeyEvent::new(code, KeyModifiers::NONE)) {
            last = Some(command);
        }
    }
    last
}

#[test]
fn joining_asks_for_the_key_then_takes_a_pasted_invite_without_its_line_breaks() {
    let mut setup = Setup::new();
    assert_eq!(keys(&mut setup, "\n\n"), None);
    assert!(setup.problem.is_some(), "a name is needed");
    let command = keys(&mut setup, "\tশক্তি বাহিনী\tপশ্চিমবঙ্গ\n\n\n");
    assert_eq!(command, None);
    assert!(
        setup.problem.is_some(),
        "going on without a passphrase is questioned"
    );
    let command = keys(&mut setup, "\n1");
    assert_eq!(
        command,
        Some(SetupCommand::Init {
            name: "শক্তি বাহিনী".into(),
            region: "পশ্চিমবঙ্গ".into(),
            passphrase: None,
        })
    );
    assert!(!setup.on_outcome(SetupOutcome::Initialised { id: "ab12".into() }));
    let command = keys(&mut setup, "SNG1 abc\ndef\n");
    // The line break inside the paste was typed as Enter: only what came before counts.
    assert_eq!(
        command,
        Some(SetupCommand::Join {
            invite: "SNG1abc".into(),
            passphrase: None,
        })
    );
    assert!(!setup.on_outcome(SetupOutcome::Failed("not an invite".into())));
    assert_eq!(setup.problem.as_deref(), Some("not an invite"));
    assert!(matches!(&setup.step, Step::Invite { id, .. } if id == "ab12"));
    assert!(setup.on_outcome(SetupOutcome::Ready));
}

#[test]
fn founding_asks_for_a_passphrase_twice_and_the_network_name() {
    let mut setup = Setup::new();
    let command = keys(&mut setup, "Utthan\tWest Bengal\nmela 2026\nmela 2025\n");
    assert_eq!(command, None);
    assert!(
        setup.problem.is_some(),
        "two different passphrases are refused"
    );
    let command = keys(&mut setup, "mela 2026\tmela 2026\n2\nSurvivor Sangam\n");
    assert_eq!(
        command,
        Some(SetupCommand::Found {
            name: "Utthan".into(),
            region: "West Bengal".into(),
            network: "Survivor Sangam".into(),
            passphrase: Some("mela 2026".into()),
        })
    );
}

#[test]
fn a_sealed_folder_asks_for_its_passphrase_again_to_join() {
    let mut setup = Setup::waiting_for_invite("ab12".into(), true);
    assert_eq!(keys(&mut setup, "sangam-invite-1:xyz\n"), None);
    assert!(setup.problem.is_some());
    assert_eq!(
        keys(&mut setup, "mela\n"),
        Some(SetupCommand::Join {
            invite: "sangam-invite-1:xyz".into(),
            passphrase: Some("mela".into())
        })
    );
}

#[test]
fn a_restored_sealed_key_is_opened_with_its_own_passphrase_and_joins_again() {
    let mut setup = Setup::restoring(RestoredKey::Sealed);
    assert_eq!(keys(&mut setup, "Utthan\tWest Bengal\n"), None);
    assert!(
        matches!(setup.step, Step::KeyPassphrase { .. }),
        "the key's own passphrase is asked for, not a new one chosen"
    );
    assert_eq!(keys(&mut setup, "\n"), None);
    assert!(setup.problem.is_some(), "the passphrase is needed");
    let init = |passphrase: &str| SetupCommand::Init {
        name: "Utthan".into(),
        region: "West Bengal".into(),
        passphrase: Some(passphrase.into()),
    };
    assert_eq!(keys(&mut setup, "mela\n"), Some(init("mela")));
    // A wrong passphrase: asked for again, with the name and region kept.
    assert!(!setup.on_outcome(SetupOutcome::Failed("it does not open".into())));
    assert!(matches!(&setup.step, Step::KeyPassphrase { name, .. } if name == "Utthan"));
    assert_eq!(keys(&mut setup, "mela 2026\n"), Some(init("mela 2026")));
    assert!(!setup.on_outcome(SetupOutcome::Initialised { id: "ab12".into() }));
    assert_eq!(setup.restored_key, Some(RestoredKey::Sealed));
    assert_eq!(
        keys(&mut setup, "sangam-invite-1:xyz\n"),
        Some(SetupCommand::Join {
            invite: "sangam-invite-1:xyz".into(),
            passphrase: Some("mela 2026".into()),
        })
    );
}

#[test]
fn a_restored_plain_key_asks_no_passphrase_and_offers_no_new_network() {
    let mut setup = Setup::restoring(RestoredKey::Plain);
    assert_eq!(
        keys(&mut setup, "Utthan\t\n"),
        Some(SetupCommand::Init {
            name: "Utthan".into(),
            region: String::new(),
            passphrase: None,
        })
    );
    // If it fails, the details come back as typed.
    setup.on_outcome(SetupOutcome::Failed("no".into()));
    assert!(matches!(&setup.step, Step::Details { name, .. } if name.value() == "Utthan"));
}

#[test]
fn an_id_is_grouped_for_reading_aloud() {
    assert_eq!(grouped("abcdefghij"), "abcd efgh ij");
}
