//! Score cards agree across the network: audits posted on three nodes, endorsed by others,
//! give byte-identical `sangam scorecard --json` on every node — including one that was
//! offline while they were posted and caught up afterwards.

use sangam_node::NodeError;
use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings};
use sangam_protocol::{Body, Kind, MessageId};
use sangam_tests::{TestNode, eventually, network, sangam_bin};

fn audit(office: &str, district: &str, state: &str, date: &str, rating: u8) -> Body {
    Body::Audit(Audit {
        office_type: if office.starts_with("AHTU") {
            OfficeType::Ahtu
        } else {
            OfficeType::PoliceStation
        },
        office_name: office.into(),
        district: district.into(),
        state: state.into(),
        date: date.into(),
        sought: "FIR".into(),
        ratings: Ratings {
            responsiveness: rating,
            dignity: rating.saturating_sub(1).max(1),
            timeliness: 0,
            outcome: rating,
        },
        outcome: Outcome::Pending,
        note: String::new(),
    })
}

async fn post(node: &TestNode, body: Body) -> MessageId {
    node.client().await.post(body).await.unwrap()
}

/// `sangam scorecard --json ARGS` on `node`'s folder, as its stdout bytes.
fn scorecard_json(node: &TestNode, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(node.dir.root())
        .args(["scorecard", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        node.name,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_computes_the_same_score_card_byte_for_byte() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(3);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start(vec![founder.clone()]).await;
    }
    // The last collective goes offline before any audit is written.
    nodes[3].stop().await;

    let places = [
        ("AHTU South 24 Parganas", "South 24 Parganas", "West Bengal"),
        ("Canning Police Station", "South 24 Parganas", "West Bengal"),
        ("AHTU Patna", "Patna", "Bihar"),
        ("Kotwali Police Station", "Patna", "Bihar"),
    ];
    let mut audits = Vec::new();
    for (n, author) in [0usize, 1, 2].into_iter().enumerate() {
        for (i, (office, district, state)) in places.iter().enumerate() {
            let date = format!("2026-{:02}-1{}", 2 + 3 * i, n);
            let rating = ((n + i) % 5 + 1) as u8;
            let body = audit(office, district, state, &date, rating);
            audits.push((author, post(&nodes[author], body).await));
        }
    }
    // Endorsements by collectives that were there too; one's own audit cannot be endorsed.
    let endorse = |audit: MessageId| {
        Body::Endorsement(Endorsement {
            audit,
            note: "we were there".into(),
        })
    };
    post(&nodes[1], endorse(audits[0].1)).await;
    post(&nodes[2], endorse(audits[0].1)).await;
    post(&nodes[0], endorse(audits[5].1)).await;
    let own = nodes[0].client().await.post(endorse(audits[0].1)).await;
    assert!(
        matches!(&own, Err(NodeError::Refused { reason, .. }) if reason == "bad_reference"),
        "{own:?}"
    );

    for node in &nodes[..3] {
        eventually(
            &format!("{} to hold 12 audits and 3 endorsements", node.name),
            || async {
                node.count(Kind::Audit).await == 12 && node.count(Kind::Endorsement).await == 3
            },
        )
        .await;
    }
    nodes[3].start(vec![founder]).await;
    eventually("the returning collective to hold everything", || async {
        nodes[3].count(Kind::Audit).await == 12 && nodes[3].count(Kind::Endorsement).await == 3
    })
    .await;

    // Connected peers are listed by their names (the app's Network tab shows them).
    let connected = nodes[1].status().await.connected;
    assert!(
        connected
            .iter()
            .any(|p| p.name.as_deref() == Some("Founder")),
        "{connected:?}"
    );

    let cards: Vec<Vec<u8>> = nodes.iter().map(|node| scorecard_json(node, &[])).collect();
    for (node, card) in nodes.iter().zip(&cards) {
        assert_eq!(card, &cards[0], "{} computed a different card", node.name);
    }
    let card: serde_json::Value = serde_json::from_slice(&cards[0]).unwrap();
    assert_eq!(card["total"]["audits"], 12);
    assert_eq!(card["total"]["endorsed_audits"], 2);
    assert_eq!(card["total"]["endorsing_collectives"], 3);
    assert_eq!(card["offices"].as_array().unwrap().len(), 4);
    assert_eq!(card["message_ids"].as_array().unwrap().len(), 15);
    // A filtered card agrees too.
    let bihar: Vec<Vec<u8>> = nodes
        .iter()
        .map(|node| scorecard_json(node, &["--state", "bihar", "--since", "2026-06-01"]))
        .collect();
    assert!(bihar.iter().all(|card| card == &bihar[0]));
    let bihar: serde_json::Value = serde_json::from_slice(&bihar[0]).unwrap();
    assert_eq!(bihar["total"]["audits"], 6);

    for node in &mut nodes {
        node.stop().await;
    }
}
