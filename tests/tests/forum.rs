//! The forum's view over the whole history: the overview's figures, the feed's pages, the
//! export and the score card's formats, checked against a store of 20,000 messages whose
//! expected figures are counted here, as the messages are made.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::Command;

use sangam_node::clock::now_ms;
use sangam_node::ledger::{Ledger, Verdict};
use sangam_node::store::From;
use sangam_protocol::api::ACTIVITY_BUCKETS;
use sangam_protocol::audit::{Audit, OfficeType, Outcome, Ratings};
use sangam_protocol::kinds::{Close, MentoringRequest, Offer, Profile, Urgency};
use sangam_protocol::{AuthorId, Body, Draft, Keypair, Kind, MessageId, NetworkId, Role};
use sangam_tests::{TestNode, announcement, sangam_bin};

/// Messages in the store (besides the founding, the admissions and the profiles).
const MESSAGES: u64 = 20_000;
const DAY: u64 = 86_400_000;

/// One member writing a chain of messages.
struct Writer {
    key: Keypair,
    seq: u64,
    prev: Option<MessageId>,
    state: Option<&'static str>,
}

impl Writer {
    fn sign(&mut self, network: NetworkId, timestamp: u64, body: Body) -> (MessageId, Vec<u8>) {
        let message = Draft {
            network,
            seq: self.seq + 1,
            prev: self.prev,
            timestamp,
            body,
        }
        .sign(&self.key)
        .unwrap();
        self.seq += 1;
        self.prev = Some(message.id());
        (message.id(), message.into_wire())
    }
}

/// What the overview must say, counted while the messages were made.
#[derive(Default)]
struct Expected {
    by_kind: BTreeMap<Kind, u64>,
    requests: u64,
    closed: u64,
    answered: u64,
    delays: Vec<u64>,
    by_author: HashMap<AuthorId, u64>,
    newest: u64,
}

/// A network of a founder and four members with 20,000 messages over 30 days: announcements,
/// requests, offers (some answering at once, some days later), closes and audits.
fn big_store(node: &TestNode) -> Expected {
    let founder_key = node.dir.load_identity().unwrap();
    let mut ledger: Ledger = node.ledger();
    let start = now_ms() - 30 * DAY;
    ledger
        .found(&founder_key, "Sangam forum test", "Forum", start)
        .unwrap();
    let network = ledger.network().unwrap();
    let states = [
        Some("West Bengal"),
        Some("Bihar"),
        Some("Maharashtra"),
        None,
    ];
    let mut writers: Vec<Writer> = states
        .iter()
        .enumerate()
        .map(|(i, state)| Writer {
            key: Keypair::from_secret_bytes(&[i as u8 + 40; 32]),
            seq: 0,
            prev: None,
            state: *state,
        })
        .collect();
    for (i, writer) in writers.iter().enumerate() {
        let admit = Body::Admit(sangam_protocol::kinds::Admit {
            member: writer.key.author(),
            role: Role::Member,
            name: format!("Collective {i}"),
        });
        ledger.publish(&founder_key, admit, start).unwrap();
    }
    let mut expected = Expected::default();
    let mut wires = Vec::new();
    let note = |expected: &mut Expected, kind: Kind, author: AuthorId| {
        *expected.by_kind.entry(kind).or_default() += 1;
        *expected.by_author.entry(author).or_default() += 1;
    };
    for writer in &mut writers {
        if let Some(state) = writer.state {
            let profile = Body::Profile(Profile {
                name: "A collective".into(),
                state: state.into(),
                district: "Somewhere".into(),
                ..Profile::default()
            });
            wires.push(writer.sign(network, start + 1, profile).1);
            note(&mut expected, Kind::Profile, writer.key.author());
        }
    }
    // Requests still open, with when they were written and who wrote them.
    let mut open: Vec<(MessageId, u64, usize)> = Vec::new();
    let mut first_offer: HashMap<MessageId, u64> = HashMap::new();
    let step = (30 * DAY - 2 * 3_600_000) / MESSAGES;
    for i in 0..MESSAGES {
        let at = start + 1_000 + i * step;
        let who = (i % 4) as usize;
        let body = match i % 10 {
            4 | 5 => Body::MentoringRequest(MentoringRequest {
                topic: "legal_aid".into(),
                title: format!("request {i}"),
                description: String::new(),
                region: String::new(),
                language: String::new(),
                urgency: Urgency::Normal,
                expires_at: None,
            }),
            // An offer on an open request by someone else, often an old one.
            6 | 7 => match open.iter().rev().nth((i % 7) as usize).copied() {
                Some((request, written, _)) => {
                    let first = first_offer.entry(request).or_insert(at);
                    if *first == at {
                        expected.answered += 1;
                        expected.delays.push((at - written) / 60_000);
                    }
                    Body::Offer(Offer {
                        request,
                        body: "we can help".into(),
                    })
                }
                None => announcement(&format!("note {i}")),
            },
            // The writer closes its oldest open request.
            8 => match open.iter().position(|(_, _, by)| *by == who) {
                Some(index) => {
                    let (request, ..) = open.remove(index);
                    expected.closed += 1;
                    Body::Close(Close {
                        item: request,
                        note: String::new(),
                    })
                }
                None => announcement(&format!("note {i}")),
            },
            9 => Body::Audit(Audit {
                office_type: OfficeType::ALL[(i % 7) as usize],
                office_name: format!("Office {}", i % 13),
                district: format!("District {}", i % 5),
                state: "West Bengal".into(),
                date: "2026-06-01".into(),
                sought: "FIR".into(),
                ratings: Ratings {
                    responsiveness: (i % 5) as u8 + 1,
                    dignity: (i % 3) as u8 + 1,
                    timeliness: 0,
                    outcome: 2,
                },
                outcome: Outcome::Pending,
                note: String::new(),
            }),
            _ => announcement(&format!("post {i}")),
        };
        let kind = body.kind();
        let (id, wire) = writers[who].sign(network, at, body);
        if kind == Kind::MentoringRequest {
            open.push((id, at, who));
            expected.requests += 1;
        }
        note(&mut expected, kind, writers[who].key.author());
        expected.newest = at;
        wires.push(wire);
    }
    for batch in wires.chunks(512) {
        for verdict in ledger.ingest_batch(batch, now_ms()).unwrap() {
            assert!(matches!(verdict, Verdict::Stored(_)), "{verdict:?}");
        }
    }
    ledger.store().flush().unwrap();
    // The founder's own messages: the founding and four admissions.
    *expected.by_author.entry(founder_key.author()).or_default() += 5;
    *expected.by_kind.entry(Kind::Genesis).or_default() += 1;
    *expected.by_kind.entry(Kind::Admit).or_default() += 4;
    expected.delays.sort_unstable();
    expected
}

#[test]
fn the_overview_counts_the_whole_history_of_20000_messages() {
    let node = TestNode::new("Forum");
    let expected = big_store(&node);
    let ledger = node.ledger();
    let now = now_ms();
    let overview = ledger.overview(now).unwrap();

    let by_kind: BTreeMap<String, u64> = expected
        .by_kind
        .iter()
        .map(|(kind, count)| (kind.name().to_string(), *count))
        .collect();
    assert_eq!(overview.messages, by_kind);
    assert!(
        overview.requests > 3_000,
        "far more than the app's 500 recent items"
    );
    assert_eq!(overview.requests, expected.requests);
    assert_eq!(overview.closed_requests, expected.closed);
    assert_eq!(overview.answered_requests, expected.answered);
    assert_eq!(
        overview.median_minutes_to_first_offer,
        expected.delays.get(expected.delays.len() / 2).copied()
    );
    // Every message of a charted kind falls in one of the chart's columns: it spans the whole
    // history, and the newest hour is its last column.
    assert_eq!(overview.bucket_hours, (30 * 24 + 1_u64).div_ceil(24));
    for (kind, columns) in &overview.activity {
        assert_eq!(columns.len(), ACTIVITY_BUCKETS);
        let held = by_kind.get(kind).copied().unwrap_or(0);
        assert_eq!(columns.iter().sum::<u64>(), held, "{kind}");
    }
    assert!(overview.activity["announcement"][ACTIVITY_BUCKETS - 1] > 0);
    // By state: each member's messages under its profile's state, the founder's as unknown.
    let mut by_state: BTreeMap<String, u64> = BTreeMap::new();
    let states = ["West Bengal", "Bihar", "Maharashtra"];
    for (i, state) in states.iter().enumerate() {
        let author = Keypair::from_secret_bytes(&[i as u8 + 40; 32]).author();
        by_state.insert(state.to_string(), expected.by_author[&author]);
    }
    let unknown_author = Keypair::from_secret_bytes(&[43; 32]).author();
    let founder = node.id;
    by_state.insert(
        "unknown".into(),
        expected.by_author[&unknown_author] + expected.by_author[&founder],
    );
    let shown: BTreeMap<String, u64> = overview.by_state.iter().cloned().collect();
    assert_eq!(shown, by_state);
    let counts: Vec<u64> = overview.by_state.iter().map(|(_, n)| *n).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first");

    // Search reaches the oldest message, far beyond the recent ones.
    let (found, more) = ledger.search("request 4", 10).unwrap();
    assert!(!found.is_empty() && more);
    let (oldest, _) = ledger.search("post 0", 5).unwrap();
    assert_eq!(oldest.len(), 1, "the first post, written 30 days ago");

    // The feed, page by page, reaches every message once.
    let mut seen = BTreeSet::new();
    let mut from = From::Newest;
    loop {
        let (page, more) = ledger.feed(None, None, 1000, from).unwrap();
        for item in &page {
            assert!(seen.insert(item.id), "{} twice", item.id);
        }
        match page.last() {
            Some(last) if more => from = From::Before(last.timestamp, last.id),
            _ => break,
        }
    }
    let total: u64 = expected.by_kind.values().sum();
    assert_eq!(seen.len() as u64, total);
}

#[test]
fn the_command_line_pages_exports_and_prints_score_cards() {
    let node = TestNode::new("Forum");
    let expected = big_store(&node);
    let total: u64 = expected.by_kind.values().sum();
    let sangam = |args: &[&str]| {
        let out = Command::new(sangam_bin())
            .arg("--data-dir")
            .arg(node.dir.root())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // More than one page, and it says how to read on.
    let (out, err) = sangam(&["feed", "--limit", "1500"]);
    assert_eq!(out.lines().count(), 1500);
    let next = err
        .split_whitespace()
        .skip_while(|word| *word != "--before")
        .nth(1)
        .unwrap_or_else(|| panic!("no cursor in {err:?}"));
    let (older, _) = sangam(&["feed", "--limit", "3", "--before", next]);
    assert_eq!(older.lines().count(), 3);
    let (everything, quiet) = sangam(&["feed", "--limit", "100000", "--kind", "audit"]);
    assert_eq!(
        everything.lines().count() as u64,
        expected.by_kind[&Kind::Audit]
    );
    assert!(quiet.is_empty(), "nothing more to say: {quiet}");

    // The export holds every message once, oldest first.
    let file = node.temp.path().join("everything.jsonl");
    let (said, _) = sangam(&["export", file.to_str().unwrap()]);
    assert!(
        said.contains(&format!("Wrote {total} message(s)")),
        "{said}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, total);
    let times: Vec<u64> = lines
        .iter()
        .map(|l| l["timestamp"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let ids: BTreeSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len() as u64, total);

    // Score cards: JSON, CSV and the report rest on the same audits.
    let (json, _) = sangam(&["scorecard", "--json"]);
    let card: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        card["total"]["audits"].as_u64(),
        Some(expected.by_kind[&Kind::Audit])
    );
    let (csv, _) = sangam(&["scorecard", "--csv", "--district", "district 3"]);
    assert!(csv.starts_with("state,district,office_type,office_name,audits"));
    assert!(csv.lines().skip(1).all(|row| row.contains("District 3")));
    let (report, _) = sangam(&["scorecard", "--report", "--office-type", "dlsa"]);
    assert!(report.contains("# Survivors' score card of public offices"));
    assert!(report.contains("## How to check this report"));
    let (text, _) = sangam(&["scorecard"]);
    assert!(text.contains("Worst-rated offices"), "{text}");
    // A mistake gets one plain sentence.
    let out = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(node.dir.root())
        .args(["scorecard", "--office-type", "bank"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("is not an office type; use one of: ahtu"),
        "{err}"
    );
}
