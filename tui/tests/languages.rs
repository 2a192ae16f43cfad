//! Every tab, form, the help window, the first-run screen (also around a restored key) and a
//! steward's invite, at 80×24, in English, Hindi and Bengali. Review changes with `cargo insta
//! review`, or regenerate with `INSTA_UPDATE=always cargo test -p sangam-tui --test languages`
//! and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;

use fixture::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::Role;
use sangam_protocol::api::Response;
use sangam_tui::app::{App, Incoming, Purpose};
use sangam_tui::catalogue::Language;
use sangam_tui::setup::{RestoredKey, Setup, SetupOutcome};

/// The fixture app speaking `language`, as a steward (so every form opens).
fn speaking(language: Language) -> App {
    let mut app = app();
    app.settings.language = Some(language);
    if let Some(status) = &mut app.status {
        status.role = Some(Role::Steward);
    }
    show_scorecard(&mut app, &few_audits(), &[]);
    app
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Snapshots of everything on screen in `language`.
fn every_screen(language: Language) {
    let code = language.code();
    let snap = |name: &str, app: &App| {
        insta::assert_snapshot!(format!("{name}_{code}"), screen(app));
    };
    for (number, name) in [
        ('1', "tab_feed"),
        ('2', "tab_requests"),
        ('3', "tab_resources"),
        ('4', "tab_collectives"),
        ('5', "tab_network"),
        ('6', "tab_scorecards"),
    ] {
        let mut app = speaking(language);
        press(&mut app, KeyCode::Char(number));
        snap(name, &app);
    }
    let mut app = speaking(language);
    press(&mut app, KeyCode::Char('?'));
    snap("help", &app);

    // Forms: (tab to open it on, key, name).
    for (tab, key, name) in [
        ('1', 'a', "form_announcement"),
        ('1', 'r', "form_request"),
        ('2', 'o', "form_offer"),
        ('1', 's', "form_resource"),
        ('1', 'p', "form_profile"),
        ('1', 'w', "form_withdraw"),
        ('1', 'W', "form_wipe"),
        ('1', 'u', "form_audit"),
        ('5', 'b', "form_bundle_export"),
        ('5', 'i', "form_bundle_import"),
        ('4', 'n', "form_admit"),
        ('4', 'R', "form_revoke"),
        ('4', 'K', "form_council"),
        ('4', 'F', "form_founder_vote"),
    ] {
        let mut app = speaking(language);
        press(&mut app, KeyCode::Char(tab));
        if key == 'R' || key == 'w' {
            // Someone else's row to remove; one's own post to withdraw.
            let mine = app.feed_view().iter().position(|i| i.author == author(2));
            let row = if key == 'w' { mine.unwrap_or(0) } else { 1 };
            for _ in 0..row {
                press(&mut app, KeyCode::Down);
            }
        }
        press(&mut app, KeyCode::Char(key));
        assert!(app.form.is_some(), "{name} opens in {code}");
        if key == 'R' {
            // The node lists the collective's messages: the form shows what a removal undoes.
            let member = app.form.as_ref().and_then(|f| f.member.clone()).unwrap().0;
            let items = app.items.iter().filter(|i| i.author == member).cloned();
            app.on_incoming(Incoming::Answer(
                Purpose::TheirMessages,
                Response::Feed {
                    items: items.collect(),
                    more: false,
                },
            ));
        }
        snap(name, &app);
    }

    // Starting the node of a sealed folder.
    let mut app = speaking(language);
    app.can_start_node = Some(true);
    app.on_incoming(Incoming::Lost("link-not-running".into()));
    press(&mut app, KeyCode::Char('S'));
    type_in(&mut app, "mela");
    snap("form_unlock", &app);

    // The first run: details, the choice, a new network's name, the id and the invite.
    let mut app = App::new(NOW);
    app.settings.language = Some(language);
    app.setup = Some(Setup::new());
    snap("first_run_details", &app);
    type_in(&mut app, "শক্তি বাহিনী");
    press(&mut app, KeyCode::Tab);
    type_in(&mut app, "West Bengal");
    press(&mut app, KeyCode::Enter);
    type_in(&mut app, "mela 2026");
    press(&mut app, KeyCode::Enter);
    snap("first_run_passphrase", &app);
    type_in(&mut app, "mela 2026");
    press(&mut app, KeyCode::Enter);
    snap("first_run_choice", &app);
    press(&mut app, KeyCode::Char('2'));
    snap("first_run_network_name", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('1'));
    app.on_incoming(Incoming::Setup(SetupOutcome::Initialised {
        id: author(9).to_string(),
    }));
    snap("first_run_invite", &app);

    // A folder holding only a key restored from a backup: a plain one, then a sealed one's
    // passphrase and the invite step.
    let mut app = App::new(NOW);
    app.settings.language = Some(language);
    app.setup = Some(Setup::restoring(RestoredKey::Plain));
    snap("first_run_restore_plain", &app);
    app.setup = Some(Setup::restoring(RestoredKey::Sealed));
    type_in(&mut app, "শক্তি বাহিনী");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    type_in(&mut app, "mela 2026");
    snap("first_run_restore_passphrase", &app);
    press(&mut app, KeyCode::Enter);
    app.on_incoming(Incoming::Setup(SetupOutcome::Initialised {
        id: author(9).to_string(),
    }));
    snap("first_run_restore_invite", &app);

    // A steward's invite, as the node answers a welcome.
    let mut app = speaking(language);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('n'));
    type_in(&mut app, &author(9).to_string());
    press(&mut app, KeyCode::Tab);
    type_in(&mut app, "Shakti Vahini");
    ctrl(&mut app, 's');
    app.on_incoming(Incoming::Answer(
        Purpose::Admit,
        Response::Invite {
            invite: format!("sangam-invite-1:{}", "Qx7".repeat(60)),
        },
    ));
    snap("steward_invite", &app);
}

#[test]
fn every_screen_in_english() {
    every_screen(Language::English);
}

#[test]
fn every_screen_in_hindi() {
    every_screen(Language::Hindi);
}

#[test]
fn every_screen_in_bengali() {
    every_screen(Language::Bengali);
}

#[test]
fn the_language_key_goes_round_the_three_and_is_remembered() {
    use sangam_tui::app::Action;
    let mut app = app();
    let saved = |actions: Vec<Action>| {
        actions.into_iter().find_map(|a| match a {
            Action::SaveSettings(settings) => settings.language,
            _ => None,
        })
    };
    let first = app.language();
    let actions = app.on_key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::NONE));
    assert_eq!(saved(actions), Some(first.next()));
    app.on_key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::NONE));
    assert_eq!(app.language(), first, "three presses come back round");
    // On the first-run screen, where letters are typed, Ctrl-L switches instead.
    app.setup = Some(Setup::new());
    ctrl(&mut app, 'l');
    assert_eq!(app.language(), first.next());
}
