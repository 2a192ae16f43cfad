//! Membership vectors: sets of membership acts and the membership every node must settle on from
//! them, whatever order they arrive in (PROTOCOL.md §8) — above all two groups of stewards that
//! both reach a majority for different new founders, where the spec and the code must pick the
//! same winner. `protocol/tests/vectors/membership.json` is committed; this test rebuilds every
//! case from fixed keys and checks the file byte for byte, then settles each case's committed
//! bytes, in the order listed and reversed, and checks the outcome it lists (both ways).
//! Regenerate (only for a deliberate rule change) with
//! `SANGAM_WRITE_VECTORS=1 cargo test -p sangam-protocol --test membership_vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::*;
use sangam_protocol::kinds::Council;
use sangam_protocol::membership::{Act, Membership};
use sangam_protocol::validate::validate_envelope;
use sangam_protocol::{Body, Message, Role};
use serde_json::{Value, json};

/// Later than every vector's timestamp, for validation.
const CHECK_NOW: u64 = NOW + 3_600_000;

/// The outcome every node must reach, in JSON: founder, members with roles, revoked keys with
/// their cut-offs, disputed keys and the council in force (ids as lowercase hex, sorted).
fn outcome(membership: &Membership) -> Value {
    let mut members: Vec<(String, &str)> = membership
        .members()
        .map(|(id, info)| (id.to_string(), info.role.name()))
        .collect();
    members.sort();
    let mut revoked: Vec<(String, u64)> = membership
        .revoked()
        .map(|(id, r)| (id.to_string(), r.trusted_seq))
        .collect();
    revoked.sort();
    let mut disputed: Vec<String> = membership.disputed().map(|id| id.to_string()).collect();
    disputed.sort();
    json!({
        "founder": membership.founder().to_string(),
        "members": members.iter().map(|(id, role)| json!({"id": id, "role": role})).collect::<Vec<_>>(),
        "revoked": revoked.iter().map(|(id, seq)| json!({"id": id, "trusted_seq": seq})).collect::<Vec<_>>(),
        "disputed": disputed,
        "council": membership.council().map(|c| json!({
            "term": c.term,
            "members": c.members.iter().map(|id| id.to_string()).collect::<Vec<_>>(),
        })),
    })
}

/// One case: its name, what it shows, the genesis, the acts (in the order a node might get
/// them), and the outcome computed here.
fn case(name: &str, why: &str, genesis: &Message, acts: &[Message]) -> Value {
    let settled = Membership::compute(genesis, &common::acts(acts)).unwrap();
    json!({
        "name": name,
        "why": why,
        "genesis_hex": hex::encode(genesis.wire()),
        "acts_hex": acts.iter().map(|m| hex::encode(m.wire())).collect::<Vec<_>>(),
        "settled": outcome(&settled),
    })
}

/// Two groups of two stewards (of three), one voting for key 10 trusting the founder up to an
/// early act of its feed, the other for key 11 up to a later one (or the same, `same_cut`).
/// With `council`, the founder names 2, 3 and 4 before admitting member 5, and the early act
/// is that naming (a cut-off below it would leave no council in force).
fn two_groups(council: bool, same_cut: bool) -> (Message, Vec<Message>) {
    let (genesis, mut founder) = network();
    let mut stewards: Vec<Feed> = (2..5).map(|n| Feed::new(key(n), founder.network)).collect();
    let mut acts: Vec<Message> = (2..5)
        .map(|n| founder.admit(&key(n), Role::Steward, NOW))
        .collect();
    if council {
        let mut members: Vec<_> = (2..5).map(|n| key(n).author()).collect();
        members.sort();
        acts.push(founder.post_at(Body::Council(Council { term: 1, members }), NOW));
    }
    acts.push(founder.admit(&key(5), Role::Member, NOW));
    let early = acts[acts.len() - 2].clone();
    let late = if same_cut {
        early.clone()
    } else {
        acts[acts.len() - 1].clone()
    };
    let (x, y) = (key(10), key(11));
    acts.push(stewards[0].replace_founder(&founder.key, &x, Some(&early), NOW + 2));
    acts.push(stewards[1].replace_founder(&founder.key, &x, Some(&early), NOW + 3));
    acts.push(stewards[1].replace_founder(&founder.key, &y, Some(&late), NOW + 4));
    acts.push(stewards[2].replace_founder(&founder.key, &y, Some(&late), NOW + 5));
    (genesis, acts)
}

fn build() -> Value {
    let mut cases = Vec::new();
    let (genesis, acts) = two_groups(false, false);
    cases.push(case(
        "two_groups_without_a_council",
        "stewards 2 and 3 vote for key 10 trusting the founder up to its third admission, 3 and 4 \
         for key 11 up to its fourth: both are two of three stewards; the higher cut-off wins",
        &genesis,
        &acts,
    ));
    let (genesis, acts) = two_groups(true, false);
    cases.push(case(
        "two_groups_of_the_council",
        "the founder names 2, 3 and 4 its council, then admits member 5; 2 and 3 vote for key 10 \
         trusting it up to the council, 3 and 4 for key 11 up to member 5's admission: both are a \
         majority of the council; the higher cut-off wins",
        &genesis,
        &acts,
    ));
    let (genesis, acts) = two_groups(true, true);
    cases.push(case(
        "two_groups_at_one_cut_off",
        "as before, but both groups trust the founder up to the council: the lower successor key \
         wins",
        &genesis,
        &acts,
    ));
    let (genesis, founder, mut stewards, mut acts) = network_of_four();
    let own = acts[0].clone();
    acts.push(stewards[0].replace_founder(&founder.key, &key(9), Some(&own), NOW + 5));
    cases.push(case(
        "a_lone_stewards_vote",
        "steward 2 alone votes for key 9 trusting the founder only up to its own admission: \
         nothing changes",
        &genesis,
        &acts,
    ));
    json!({ "cases": cases })
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/membership.json")
}

#[test]
fn the_code_reproduces_the_committed_membership_vectors() {
    let text = serde_json::to_string_pretty(&build()).expect("json") + "\n";
    if std::env::var_os("SANGAM_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path()).expect("vectors file is committed");
    assert_eq!(
        committed, text,
        "the membership rules changed; see this file's header"
    );
}

#[test]
fn the_committed_acts_settle_as_listed_in_any_order() {
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(path()).expect("read")).expect("json");
    let cases = committed["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let bytes = |hex_text: &Value| hex::decode(hex_text.as_str().expect("hex")).expect("hex");
        let genesis_wire = bytes(&case["genesis_hex"]);
        let network = Message::from_trusted_bytes(genesis_wire.clone())
            .unwrap()
            .header()
            .network;
        let genesis = validate_envelope(&genesis_wire, &network, CHECK_NOW).unwrap();
        let mut acts: Vec<Act> = case["acts_hex"]
            .as_array()
            .expect("acts")
            .iter()
            .map(|hex_text| {
                let message = validate_envelope(&bytes(hex_text), &network, CHECK_NOW).unwrap();
                Act::from_message(&message)
                    .unwrap()
                    .expect("a membership act")
            })
            .collect();
        for _ in 0..2 {
            let settled = Membership::compute(&genesis, &acts).unwrap();
            assert_eq!(outcome(&settled), case["settled"], "{}", case["name"]);
            acts.reverse();
        }
    }
    // The winners the spec names (§8 rule 7), so a regenerated file cannot quietly change them.
    let founder_of = |i: usize| cases[i]["settled"]["founder"].as_str().unwrap().to_string();
    assert_eq!(founder_of(0), key(11).author().to_string());
    assert_eq!(founder_of(1), key(11).author().to_string());
    let lower = key(10).author().min(key(11).author());
    assert_eq!(founder_of(2), lower.to_string());
    assert_eq!(founder_of(3), key(1).author().to_string());
}
