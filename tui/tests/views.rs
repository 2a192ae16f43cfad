//! Snapshot tests of every view, the help window and every compose form, at 80×24.
//!
//! The app is fed fixed data at a fixed time, so nothing volatile reaches the screen. Review
//! changes with `cargo insta review`, or regenerate with `INSTA_UPDATE=always cargo test -p
//! sangam-tui --test views` and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_protocol::api::{Item, MemberView, Overview, PeerView, Response, Status};
use sangam_protocol::audit::{Audit, OfficeType, Outcome, Ratings};
use sangam_protocol::kinds::{
    Admit, Announcement, MentoringRequest, Offer, Profile, Resource, Urgency,
};
use sangam_protocol::scorecard::{AuditEntry, EndorsementEntry, ScorecardFilter, compute};
use sangam_protocol::{AuthorId, Body, Keypair, Kind, MessageId, Role};
use sangam_tui::app::{App, Incoming, Link, Purpose};
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
        endorsements: 0,
        sealed: None,
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
        // Every fixture member but the fourth published its key for sealed messages.
        seals: n != 4,
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
    // The forum's figures, as the node computes them over its whole store (checked against
    // a store in tests/tests/forum.rs): more than the recent items above.
    let activity = |kind: &str, counts: &[(usize, u64)]| {
        let mut columns = vec![0; 24];
        for (column, count) in counts {
            columns[*column] = *count;
        }
        (kind.to_string(), columns)
    };
    app.overview = Some(Overview {
        messages: [
            ("announcement".to_string(), 41),
            ("mentoring_request".to_string(), 18),
            ("offer".to_string(), 25),
            ("audit".to_string(), 12),
        ]
        .into(),
        activity: [
            activity("announcement", &[(3, 2), (10, 5), (22, 1), (23, 3)]),
            activity("mentoring_request", &[(8, 1), (20, 2), (23, 1)]),
            activity("offer", &[(12, 4), (21, 3), (23, 1)]),
            activity("audit", &[(5, 2), (15, 6), (23, 4)]),
        ]
        .into(),
        bucket_hours: 2,
        requests: 18,
        closed_requests: 6,
        answered_requests: 11,
        median_minutes_to_first_offer: Some(190),
        by_state: vec![
            ("West Bengal".into(), 52),
            ("Bihar".into(), 31),
            ("Maharashtra".into(), 12),
            ("unknown".into(), 3),
        ],
    });
    app
}

fn audit(
    n: u8,
    by: u8,
    office: (&str, OfficeType),
    place: (&str, &str),
    date: &str,
    ratings: [u8; 4],
    outcome: Outcome,
) -> AuditEntry {
    AuditEntry {
        id: MessageId([n; 32]),
        author: author(by),
        audit: Audit {
            office_type: office.1,
            office_name: office.0.into(),
            district: place.0.into(),
            state: place.1.into(),
            date: date.into(),
            sought: "FIR".into(),
            ratings: Ratings {
                responsiveness: ratings[0],
                dignity: ratings[1],
                timeliness: ratings[2],
                outcome: ratings[3],
            },
            outcome,
            note: String::new(),
        },
    }
}

/// A few audits of offices in two districts, one endorsed.
fn few_audits() -> Vec<AuditEntry> {
    let s24 = ("South 24 Parganas", "West Bengal");
    let ahtu = ("AHTU South 24 Parganas", OfficeType::Ahtu);
    let canning = ("Canning Police Station", OfficeType::PoliceStation);
    let patna = ("Patna", "Bihar");
    vec![
        audit(
            40,
            1,
            ahtu,
            s24,
            "2026-03-10",
            [2, 1, 1, 0],
            Outcome::Pending,
        ),
        audit(
            41,
            3,
            ahtu,
            s24,
            "2026-06-02",
            [2, 2, 1, 1],
            Outcome::Refused,
        ),
        audit(
            42,
            1,
            ahtu,
            s24,
            "2026-09-15",
            [3, 3, 2, 2],
            Outcome::Partly,
        ),
        audit(
            43,
            3,
            canning,
            s24,
            "2026-08-01",
            [4, 3, 4, 4],
            Outcome::Granted,
        ),
        audit(
            44,
            2,
            ("DLSA Patna", OfficeType::Dlsa),
            patna,
            "2026-07-20",
            [3, 4, 2, 3],
            Outcome::Partly,
        ),
    ]
}

fn show_scorecard(app: &mut App, audits: &[AuditEntry], endorsements: &[EndorsementEntry]) {
    let card = compute(audits, endorsements, &ScorecardFilter::default());
    app.on_incoming(Incoming::Answer(
        Purpose::Places,
        Response::Scorecard { scorecard: card },
    ));
    press(app, KeyCode::Char('6'));
}

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

/// A sealed offer on request 10 by `by`, opened for this node or not.
fn sealed_offer(n: u8, by: u8, words: &str, readers: &[&str], opened: bool) -> Item {
    use sangam_protocol::api::SealedView;
    use sangam_protocol::seal::SealRequest;
    use sangam_protocol::sealed::SealingSecret;
    let offer = Body::Offer(Offer {
        request: MessageId([10; 32]),
        body: words.into(),
    });
    let writer = Keypair::from_secret_bytes(&[by; 32]);
    let asker = Keypair::from_secret_bytes(&[3; 32]);
    let sealed = SealRequest {
        network: sangam_protocol::NetworkId([1; 32]),
        author: writer.author(),
        author_key: SealingSecret::of(&writer).public(),
        recipients: &[(asker.author(), SealingSecret::of(&asker).public())],
        body: &offer,
    }
    .seal()
    .unwrap();
    let mut item = item(n, by, 20, Body::Sealed(sealed));
    item.sealed = Some(SealedView {
        readers: readers.iter().map(|r| r.to_string()).collect(),
        for_me: opened,
        opened: opened.then_some(offer),
        problem: None,
    });
    item
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
