//! Snapshot tests of every view, the help window and every compose form, at 80×24.
//!
//! The app is fed fixed data at a fixed time, so nothing volatile reaches the screen. Review
//! changes with `cargo insta review`, or regenerate with `INSTA_UPDATE=always cargo test -p
//! sangam-tui --test views` and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::api::{Item, MemberView, PeerView, Status};
use sangam_protocol::kinds::{
    Admit, Announcement, MentoringRequest, Offer, Profile, Resource, Urgency,
};
use sangam_protocol::{AuthorId, Body, Keypair, Kind, MessageId, Role};
use sangam_tui::app::{App, Incoming, Link};
use sangam_tui::view;

const NOW: u64 = 1_780_000_000_000;
const MINUTE: u64 = 60_000;

fn author(n: u8) -> AuthorId {
    Keypair::from_secret_bytes(&[n; 32]).author()
}

fn item(n: u8, by: u8, minutes_ago: u64, body: Body) -> Item {
    Item {
        id: MessageId([n; 32]),
        author: author(by),
        author_name: None,
        seq: n as u64,
        kind: body.kind(),
        timestamp: NOW - minutes_ago * MINUTE,
        body: Some(body),
        closed: false,
        offers: 0,
        withdrawn: false,
        expires_at: None,
    }
}

fn member(n: u8, name: &str, role: Role, state: &str, district: &str) -> MemberView {
    MemberView {
        id: author(n),
        name: name.into(),
        role: Some(role),
        admitted_by: (n != 1).then(|| author(1)),
        admitted_at: Some(NOW - 600 * MINUTE),
        revoked: false,
        disputed: false,
        state: Some(state.into()),
        district: Some(district.into()),
    }
}

fn peer(n: u8, name: &str, synced_minutes_ago: u64) -> PeerView {
    PeerView {
        peer: author(n).to_string(),
        name: Some(name.into()),
        connected: true,
        relayed: false,
        addresses: vec![],
        last_seen: Some(NOW),
        last_sync: Some(NOW - synced_minutes_ago * MINUTE),
    }
}

/// An app as seen from "Bihar Survivors' Forum" (author 2) in a small network.
fn app() -> App {
    let mut app = App::new(NOW);
    app.on_incoming(Incoming::Connected);
    let mut request = item(
        10,
        3,
        90,
        Body::MentoringRequest(MentoringRequest {
            topic: "victim_compensation".into(),
            title: "ক্ষতিপূরণের আবেদন আটকে আছে".into(),
            description: "DLSA has not answered in a year. Has anyone pushed such a case?".into(),
            region: "West Bengal".into(),
            language: "Bengali".into(),
            urgency: Urgency::High,
            expires_at: None,
        }),
    );
    request.offers = 1;
    let mut closed = item(
        11,
        2,
        2000,
        Body::MentoringRequest(MentoringRequest {
            topic: "legal_aid".into(),
            title: "वकील की ज़रूरत".into(),
            description: "Resolved with help from Utthan.".into(),
            region: "Bihar".into(),
            language: "Hindi".into(),
            urgency: Urgency::Normal,
            expires_at: None,
        }),
    );
    closed.closed = true;
    closed.offers = 2;
    app.items = vec![
        item(
            12,
            2,
            5,
            Body::Announcement(Announcement {
                title: "कार्यशाला: मुआवज़ा दावे".into(),
                body: "शनिवार सुबह 10 बजे, पटना।".into(),
                tags: vec!["workshop".into()],
                expires_at: None,
            }),
        ),
        item(
            13,
            1,
            30,
            Body::Offer(Offer {
                request: MessageId([10; 32]),
                body: "Our lawyer can help.".into(),
            }),
        ),
        request,
        item(
            14,
            4,
            200,
            Body::Resource(Resource {
                title: "Compensation scheme amounts by state".into(),
                description: "Amounts and forms under each state's scheme.".into(),
                tags: vec!["legal".into(), "compensation".into()],
                link: Some("https://example.org/guide".into()),
                file_hash: None,
            }),
        ),
        item(
            15,
            4,
            700,
            Body::Profile(Profile {
                name: "Maitri Sangathan".into(),
                state: "Maharashtra".into(),
                district: "Pune".into(),
                focus_areas: vec![],
                languages: vec!["Marathi".into()],
                about: "Survivor-led collective.".into(),
            }),
        ),
        closed,
        item(
            16,
            1,
            2100,
            Body::Admit(Admit {
                member: author(2),
                role: Role::Member,
                name: "Bihar Survivors' Forum".into(),
            }),
        ),
    ];
    app.members = vec![
        member(
            1,
            "Utthan",
            Role::Steward,
            "West Bengal",
            "South 24 Parganas",
        ),
        member(2, "Bihar Survivors' Forum", Role::Member, "Bihar", "Patna"),
        member(3, "Vimukti", Role::Member, "West Bengal", "Kolkata"),
        member(4, "Maitri Sangathan", Role::Member, "Maharashtra", "Pune"),
        member(5, "National Forum", Role::Observer, "Delhi", "New Delhi"),
    ];
    app.peers = vec![peer(1, "Utthan", 1), peer(4, "Maitri Sangathan", 12)];
    // Maitri is reached only through a relay; this laptop is reachable through Utthan's.
    if let Some(maitri) = app.peers.get_mut(1) {
        maitri.relayed = true;
    }
    let relays = app.peers.iter().take(1).map(|p| p.peer.clone()).collect();
    app.status = Some(Status {
        id: Some(author(2)),
        relays,
        name: "Bihar Survivors' Forum".into(),
        network_name: Some("Sangam".into()),
        role: Some(Role::Member),
        running: true,
        connected: app.peers.clone(),
        rejected: [("bad_signature".to_string(), 3), ("fork".to_string(), 1)].into(),
        forks: [(author(3).to_string(), 1)].into(),
        ..Default::default()
    });
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| view::render(frame, app)).unwrap();
    terminal.backend().to_string()
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

/// Types `text` into whatever has the keyboard; returns the actions the last key asked for.
fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
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
