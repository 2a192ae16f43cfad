//! Snapshot tests of every view, the help window and every compose form, at 80×24.
//!
//! The app is fed fixed data at a fixed time, so nothing volatile reaches the screen. Review
//! changes with `cargo insta review`, or regenerate with `INSTA_UPDATE=always cargo test -p
//! sangam-tui --test views` and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;

use fixture::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::api::Response;
use sangam_protocol::audit::{OfficeType, Outcome};
use sangam_protocol::kinds::{Announcement, MentoringRequest, Profile, Urgency};
use sangam_protocol::scorecard::EndorsementEntry;
use sangam_protocol::{Body, Kind, MessageId, Role};
use sangam_tui::app::{App, Incoming, Link, Purpose};

#[test]
fn scorecards_empty() {
    let mut app = app();
    show_scorecard(&mut app, &[], &[]);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn scorecards_with_a_few_audits() {
    let mut app = app();
    let endorsed = EndorsementEntry {
        id: MessageId([50; 32]),
        author: author(4),
        audit: MessageId([41; 32]),
    };
    show_scorecard(&mut app, &few_audits(), &[endorsed]);
    insta::assert_snapshot!(screen(&app));
    // The worst office comes first; filtering by state asks the node for that state's card.
    assert_eq!(app.offices_view()[0].office_name, "AHTU South 24 Parganas");
    let actions = app.on_key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::NONE));
    assert_eq!(app.card_filter.state.as_deref(), Some("Bihar"));
    assert_eq!(actions.len(), 1, "{actions:?}");
}

#[test]
fn scorecards_across_many_districts() {
    let mut app = app();
    let places = [
        ("Kolkata", "West Bengal"),
        ("Nadia", "West Bengal"),
        ("Murshidabad", "West Bengal"),
        ("Patna", "Bihar"),
        ("Gaya", "Bihar"),
        ("Pune", "Maharashtra"),
        ("Mumbai", "Maharashtra"),
        ("Ranchi", "Jharkhand"),
    ];
    let kinds = [
        OfficeType::Ahtu,
        OfficeType::ShelterHome,
        OfficeType::ChildWelfareCommittee,
    ];
    let mut audits = Vec::new();
    for (i, place) in places.iter().enumerate() {
        for (k, kind) in kinds.iter().enumerate() {
            let name = format!("{} {}", ["AHTU", "Shelter home", "CWC"][k], place.0);
            for round in 0..3u8 {
                let n = (i * 9 + k * 3) as u8 + round;
                let rating = (n % 5) + 1;
                audits.push(audit(
                    n,
                    (n % 4) + 1,
                    (&name, *kind),
                    *place,
                    ["2026-02-01", "2026-05-01", "2026-08-01"][usize::from(round)],
                    [rating, (rating % 5) + 1, rating, 0],
                    Outcome::ALL[usize::from(n % 4)],
                ));
            }
        }
    }
    show_scorecard(&mut app, &audits, &[]);
    press(&mut app, KeyCode::Down);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_audit_with_its_warning() {
    let mut app = app();
    press(&mut app, KeyCode::Char('u'));
    for (text, fields_on) in [
        ("police", 1),
        ("Canning Police Station", 1),
        ("South 24 Parganas", 1),
        ("West Bengal", 2),
        ("FIR", 1),
        ("2", 1),
        ("1", 1),
        ("", 1),
        ("", 1),
        ("refused", 1),
        ("Asked Mrs. Das to call 98300 12345", 0),
    ] {
        for c in text.chars() {
            press(&mut app, KeyCode::Char(c));
        }
        for _ in 0..fields_on {
            press(&mut app, KeyCode::Tab);
        }
    }
    // The first Enter shows the warning instead of sending.
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(actions.is_empty(), "{actions:?}");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn feed() {
    insta::assert_snapshot!(screen(&app()));
}

#[test]
fn feed_filtered_to_requests() {
    let mut app = app();
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.kind_filter, Some(Kind::MentoringRequest));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn requests() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn resources_searched() {
    let mut app = app();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('/'));
    for c in "legal".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn collectives() {
    let mut app = app();
    // A steward caught in a mutual removal shows as disputed until it is settled.
    if let Some(member) = app
        .members
        .iter_mut()
        .find(|m| m.name == "Maitri Sangathan")
    {
        member.role = Some(Role::Steward);
        member.disputed = true;
    }
    press(&mut app, KeyCode::Char('4'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn stewards_are_asked_to_name_a_council_until_there_is_one() {
    let mut app = app();
    press(&mut app, KeyCode::Char('4'));
    assert!(
        !screen(&app).contains("No recovery council"),
        "only stewards are asked"
    );
    if let Some(status) = app.status.as_mut() {
        status.role = Some(Role::Steward);
    }
    assert!(screen(&app).contains("No recovery council yet: press K"));
    for member in app.members.iter_mut().take(2) {
        member.council = true;
    }
    assert!(!screen(&app).contains("No recovery council yet"));
}

#[test]
fn network() {
    let mut app = app();
    press(&mut app, KeyCode::Char('5'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn help() {
    let mut app = app();
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app));
    press(&mut app, KeyCode::Char('x'));
    assert!(!app.help, "any key closes help");
}

#[test]
fn node_not_running() {
    let mut app = App::new(NOW);
    app.on_incoming(Incoming::Lost("The Sangam node is not running. Start it with `sangam run`; this screen reconnects by itself.".into()));
    assert!(matches!(app.link, Link::Lost(_)));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_announcement_with_a_problem() {
    let mut app = app();
    press(&mut app, KeyCode::Char('a'));
    for c in "क".repeat(161).chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_request() {
    let mut app = app();
    press(&mut app, KeyCode::Char('r'));
    for c in "legal_aid".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_offer() {
    let mut app = app();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('o'));
    for c in "আমরা সাহায্য করতে পারি".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_resource() {
    let mut app = app();
    press(&mut app, KeyCode::Char('s'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn compose_profile() {
    let mut app = app();
    press(&mut app, KeyCode::Char('p'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn escape_closes_a_form_and_only_authors_close_requests() {
    let mut app = app();
    press(&mut app, KeyCode::Char('a'));
    assert!(app.form.is_some());
    press(&mut app, KeyCode::Esc);
    assert!(app.form.is_none());
    press(&mut app, KeyCode::Char('2'));
    // The first request belongs to someone else.
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.notice.as_ref().map(|n| n.problem), Some(true));
}

#[test]
fn withdrawing_asks_for_the_word_and_only_for_ones_own_post() {
    use sangam_protocol::api::Request;
    use sangam_tui::app::Action;
    use sangam_tui::form::FormKind;
    let mut app = app();
    let others = app
        .feed_view()
        .iter()
        .position(|i| i.author != author(2))
        .expect("someone else's post in the feed");
    for _ in 0..others {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char('w'));
    assert!(app.form.is_none());
    assert_eq!(app.notice.as_ref().map(|n| n.problem), Some(true));
    press(&mut app, KeyCode::Home);
    let own = app
        .feed_view()
        .iter()
        .position(|i| i.author == author(2) && i.body.is_some())
        .expect("an own post in the feed");
    let id = app.feed_view()[own].id;
    for _ in 0..own {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.form.as_ref().map(|f| f.kind), Some(FormKind::Withdraw));
    insta::assert_snapshot!(screen(&app));
    type_in(&mut app, "withdra");
    let early = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(early.is_empty(), "not yet confirmed");
    press(&mut app, KeyCode::Char('w'));
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    match actions.as_slice() {
        [
            Action::Send(
                _,
                Request::Post {
                    body: Body::Withdraw(w),
                },
            ),
        ] => assert_eq!(w.item, id),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wiping_asks_for_the_word_then_asks_the_node() {
    use sangam_protocol::api::Request;
    use sangam_tui::app::Action;
    let mut app = app();
    press(&mut app, KeyCode::Char('W'));
    insta::assert_snapshot!(screen(&app));
    type_in(&mut app, "wpe");
    assert!(
        app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
            .is_empty()
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    type_in(&mut app, "WIPE");
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        matches!(actions.as_slice(), [Action::Send(_, Request::Wipe)]),
        "{actions:?}"
    );
}

#[test]
fn a_withdrawn_or_expired_post_says_so() {
    let mut withdrawn = item(
        30,
        3,
        5,
        Body::Announcement(Announcement {
            title: "gone".into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        }),
    );
    withdrawn.body = None;
    withdrawn.withdrawn = true;
    assert_eq!(sangam_tui::app::title_of(&withdrawn), "(withdrawn)");
    withdrawn.withdrawn = false;
    withdrawn.expires_at = Some(NOW - 1);
    assert_eq!(sangam_tui::app::title_of(&withdrawn), "(expired)");
}

#[test]
fn enter_searches_everything_the_node_holds() {
    use sangam_protocol::api::Request;
    use sangam_tui::app::Action;
    let mut app = app();
    press(&mut app, KeyCode::Char('/'));
    for c in "2019".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(app.feed_view().is_empty(), "nothing recent matches");
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        matches!(
            actions.as_slice(),
            [Action::Send(Purpose::Search, Request::Search { text, .. })] if text == "2019"
        ),
        "{actions:?}"
    );
    // An old post, far beyond the recent items the app keeps, comes back from the node.
    let old = item(
        90,
        3,
        500_000,
        Body::Announcement(Announcement {
            title: "High Court order of 2019".into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        }),
    );
    app.on_incoming(Incoming::Answer(
        Purpose::Search,
        Response::Feed {
            items: vec![old],
            more: false,
        },
    ));
    let shown: Vec<MessageId> = app.feed_view().iter().map(|i| i.id).collect();
    assert_eq!(shown, [MessageId([90; 32])]);
    // Esc goes back to the recent items.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.feed_view().len(), 7);
}

#[test]
fn bundle_forms_ask_the_node_to_write_and_read_files() {
    use sangam_protocol::api::Request;
    use sangam_tui::app::Action;
    let mut app = app();
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('b'));
    for c in "/media/usb/for-patna.bundle".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    type_in(&mut app, "utthan");
    press(&mut app, KeyCode::Tab);
    for c in "2026-11-01".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&app));
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        matches!(
            actions.as_slice(),
            [Action::Send(_, Request::ExportSealedBundle { path, since: Some(since), for_members })]
                if path == "/media/usb/for-patna.bundle" && *since == 1_793_491_200_000
                    && *for_members == vec![author(1)]
        ),
        "{actions:?}"
    );
    press(&mut app, KeyCode::Char('i'));
    assert!(app.form.is_some());
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(actions.is_empty(), "no file named yet");
    assert_eq!(
        app.form.as_ref().and_then(|f| f.problem.clone()).as_deref(),
        Some("File is needed.")
    );
}

#[test]
fn sealed_offers_show_who_can_read_them() {
    let mut app = app();
    app.items.push(sealed_offer(
        20,
        2,
        "Call Meena on 98300 12345",
        &["Vimukti", "Bihar Survivors' Forum"],
        true,
    ));
    app.items.push(sealed_offer(
        21,
        1,
        "(hidden)",
        &["Vimukti", "Utthan"],
        false,
    ));
    press(&mut app, KeyCode::Char('2'));
    let shown = screen(&app);
    assert!(shown.contains("98300 12345"), "{shown}");
    assert!(!shown.contains("(hidden)"), "{shown}");
    insta::assert_snapshot!(shown);
}

/// A request on legal aid from Vimukti, arriving after the app started; what the app asks for.
fn legal_aid_request_arrives(app: &mut App) -> Vec<sangam_tui::app::Action> {
    let mut request = item(
        40,
        3,
        0,
        Body::MentoringRequest(MentoringRequest {
            topic: "legal_aid".into(),
            title: "Lawyer for a compensation hearing".into(),
            description: String::new(),
            region: "West Bengal".into(),
            language: "Bengali".into(),
            urgency: Urgency::Normal,
            expires_at: None,
        }),
    );
    request.timestamp = NOW + MINUTE;
    app.on_incoming(Incoming::Event(
        sangam_protocol::api::Event::MessageStored {
            item: Box::new(request),
        },
    ))
}

fn offering(focus_areas: &[&str]) -> Profile {
    Profile {
        name: "Bihar Survivors' Forum".into(),
        state: "Bihar".into(),
        district: "Patna".into(),
        focus_areas: focus_areas.iter().map(|s| s.to_string()).collect(),
        languages: vec![],
        about: String::new(),
    }
}

#[test]
fn a_request_on_a_topic_a_collective_offers_is_highlighted_and_counted_and_not_elsewhere() {
    // Offers legal aid (in Hindi words): the new request matches.
    let mut app = app();
    app.own_profile = Some(offering(&["कानूनी सहायता", "livelihoods"]));
    app.settings.bell = true;
    legal_aid_request_arrives(&mut app);
    assert_eq!(app.new_matching(), 1);
    let top = screen(&app);
    assert!(top.contains("★ 1 new that matches you"), "{top}");
    assert!(top.contains("2 Requests·1 ★1"), "{top}");
    press(&mut app, KeyCode::Char('2'));
    let requests = screen(&app);
    assert!(
        top.contains("│• just now"),
        "new rows are marked in the feed:\n{top}"
    );
    assert!(requests.contains("★ This matches what your"), "{requests}");
    assert!(
        requests.contains("│★ "),
        "the matching row is starred:\n{requests}"
    );
    // Off the selected row, the matching row is drawn in the matching colour.
    press(&mut app, KeyCode::Down);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| sangam_tui::view::render(frame, &app))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let row = (0..24)
        .find(|y| {
            (0..40)
                .map(|x| buffer[(x, *y)].symbol())
                .collect::<String>()
                .contains("Lawyer")
        })
        .expect("the request is listed");
    let styled = (0..40).any(|x| {
        buffer[(x, row)].fg == ratatui::style::Color::LightYellow
            && buffer[(x, row)].symbol() == "L"
    });
    assert!(styled, "the matching request is highlighted");

    // Offers only livelihoods: nothing matches, nothing is counted or highlighted.
    let mut other = app_without_matches();
    legal_aid_request_arrives(&mut other);
    assert_eq!(other.new_matching(), 0);
    let top = screen(&other);
    assert!(!top.contains('★'), "{top}");
    press(&mut other, KeyCode::Char('2'));
    assert!(!screen(&other).contains("This matches"));
}

fn app_without_matches() -> App {
    let mut app = app();
    app.own_profile = Some(offering(&["livelihoods"]));
    app
}

#[test]
fn the_bell_rings_only_for_a_matching_request_and_only_when_it_is_on() {
    use sangam_tui::app::Action;
    let rings = |bell: bool, offers: &[&str]| {
        let mut app = app();
        app.own_profile = Some(offering(offers));
        app.settings.bell = bell;
        legal_aid_request_arrives(&mut app).contains(&Action::Bell)
    };
    assert!(rings(true, &["legal aid"]));
    assert!(!rings(false, &["legal aid"]));
    assert!(!rings(true, &["livelihoods"]));
}

#[test]
fn what_arrived_since_a_tab_was_last_looked_at_is_marked_until_it_is_left() {
    let mut app = app();
    legal_aid_request_arrives(&mut app);
    assert_eq!(app.new_on(sangam_tui::app::Tab::Requests), 1);
    app.now = NOW + 2 * MINUTE;
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(
        app.new_on(sangam_tui::app::Tab::Requests),
        1,
        "marked while looked at"
    );
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(
        app.new_on(sangam_tui::app::Tab::Requests),
        0,
        "seen once left"
    );
    assert_eq!(
        app.settings.last_looked.get(&2),
        Some(&(NOW + 2 * MINUTE)),
        "remembered"
    );
}

#[test]
fn a_request_written_days_ago_that_arrives_now_is_new_and_rings_the_bell() {
    // Written three days ago in an offline district, carried here on a USB stick: new to this
    // collective, matched and rung for; the same request without an arrival time (an older
    // node) counts by when it was written, and is not.
    let late = |arrived_at: Option<u64>| {
        let mut app = app();
        app.own_profile = Some(offering(&["legal aid"]));
        app.settings.bell = true;
        let mut request = item(
            41,
            3,
            3 * 24 * 60,
            Body::MentoringRequest(MentoringRequest {
                topic: "legal_aid".into(),
                title: "Papers for the compensation claim".into(),
                description: String::new(),
                region: "Sundarbans".into(),
                language: "Bengali".into(),
                urgency: Urgency::High,
                expires_at: None,
            }),
        );
        request.arrived_at = arrived_at;
        let actions = app.on_incoming(Incoming::Event(
            sangam_protocol::api::Event::MessageStored {
                item: Box::new(request),
            },
        ));
        (
            app.new_matching(),
            actions.contains(&sangam_tui::app::Action::Bell),
        )
    };
    assert_eq!(late(Some(NOW + MINUTE)), (1, true));
    assert_eq!(late(None), (0, false));
}

#[test]
fn s_starts_the_node_asking_for_a_sealed_folders_passphrase_first() {
    use sangam_tui::app::Action;
    let lost = |can_start: Option<bool>| {
        let mut app = App::new(NOW);
        app.can_start_node = can_start;
        app.on_incoming(Incoming::Lost("link-not-running".into()));
        app
    };
    let start = |app: &mut App| app.on_key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::NONE));
    // A plain folder: started at once.
    let mut app = lost(Some(false));
    assert_eq!(
        start(&mut app),
        vec![Action::StartNode { passphrase: None }]
    );
    // A sealed one: the passphrase first, shown as dots.
    let mut app = lost(Some(true));
    assert!(start(&mut app).is_empty());
    type_in(&mut app, "mela 2026");
    let shown = screen(&app);
    assert!(
        shown.contains("•••••••••") && !shown.contains("mela"),
        "{shown}"
    );
    let actions = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        actions,
        vec![Action::StartNode {
            passphrase: Some("mela 2026".into())
        }]
    );
    // Where the app does not know the folder (the demo), it says how instead.
    let mut app = lost(None);
    assert!(start(&mut app).is_empty());
    assert_eq!(app.notice.as_ref().map(|n| n.problem), Some(true));
}

#[test]
fn c_switches_high_contrast_colours_and_remembers_it() {
    use sangam_tui::app::Action;
    let selected_background = |app: &App| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| sangam_tui::view::render(frame, app))
            .unwrap();
        // The feed's first row is selected.
        terminal.backend().buffer()[(5, 3)].bg
    };
    let mut app = app();
    assert_eq!(selected_background(&app), ratatui::style::Color::Blue);
    let actions = app.on_key(KeyEvent::new(KeyCode::Char('C'), KeyModifiers::NONE));
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::SaveSettings(s) if s.high_contrast))
    );
    assert_eq!(selected_background(&app), ratatui::style::Color::Yellow);
}

#[test]
fn a_refusal_the_person_can_act_on_is_said_in_the_language_spoken() {
    let mut app = app();
    app.settings.language = Some(sangam_tui::catalogue::Language::Hindi);
    app.on_incoming(Incoming::Answer(
        Purpose::Publish,
        Response::Error {
            message: "too many posts".into(),
            reason: "rate_limited".into(),
        },
    ));
    let notice = app.notice.clone().unwrap();
    assert!(notice.problem);
    assert_eq!(
        notice.text,
        "नहीं भेजा गया: थोड़े समय में बहुत सारे संदेश। कुछ मिनट रुककर फिर भेजें।"
    );
}

#[test]
fn a_restored_laptop_says_it_is_fetching_its_earlier_posts_instead_of_not_allowed() {
    let mut app = app();
    app.on_incoming(Incoming::Answer(
        Purpose::Publish,
        Response::Error {
            message: "this laptop is still fetching its own earlier posts".into(),
            reason: "own_feed_pending".into(),
        },
    ));
    let notice = app.notice.clone().unwrap();
    assert!(notice.problem);
    assert!(
        notice.text.contains("still fetching your earlier posts"),
        "{}",
        notice.text
    );
    press(&mut app, KeyCode::Char('5'));
    assert!(!screen(&app).contains("Fetching your earlier posts"));
    if let Some(status) = &mut app.status {
        status.recovering_own_feed = true;
    }
    assert!(
        screen(&app).contains("Fetching your earlier posts"),
        "{}",
        screen(&app)
    );
}
