//! Membership must come out the same on every node that holds the same messages, whatever order
//! they arrived in and however they were batched. The pure rules are tested for that in
//! protocol/tests/membership.rs; this checks it where it matters, after the ledger has decided
//! what to store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use sangam_node::ledger::Ledger;
use sangam_node::store::Store;
use sangam_protocol::kinds::{Admit, ReplaceFounder, Revoke};
use sangam_protocol::membership::{Act, Membership};
use sangam_protocol::{AuthorId, Body, Draft, Keypair, Kind, Message, MessageId, NetworkId, Role};

const T: u64 = 1_800_000_000_000;

fn key(n: u8) -> Keypair {
    Keypair::from_secret_bytes(&[n; 32])
}

/// A ledger founded by `key(1)` at `T`: the same genesis, byte for byte, in every copy.
fn founded(dir: &std::path::Path) -> (Ledger, Message) {
    let mut ledger = Ledger::open(Store::open(dir).unwrap()).unwrap();
    let genesis = ledger.found(&key(1), "Order test", "Founder", T).unwrap();
    (ledger, genesis)
}

/// One author's chain of messages.
struct Feed {
    key: Keypair,
    network: NetworkId,
    seq: u64,
    prev: Option<MessageId>,
}

impl Feed {
    fn new(n: u8, network: NetworkId) -> Feed {
        Feed {
            key: key(n),
            network,
            seq: 0,
            prev: None,
        }
    }

    fn sign(&mut self, at: u64, body: Body) -> Message {
        let message = Draft {
            network: self.network,
            seq: self.seq + 1,
            prev: self.prev,
            timestamp: at,
            body,
        }
        .sign(&self.key)
        .unwrap();
        self.seq += 1;
        self.prev = Some(message.id());
        message
    }

    fn admit(&mut self, n: u8, role: Role, at: u64) -> Message {
        let body = Body::Admit(Admit {
            member: key(n).author(),
            role,
            name: format!("Collective {n}"),
        });
        self.sign(at, body)
    }

    /// Revokes `n`, trusting its messages up to `trusted` (none if absent).
    fn revoke(&mut self, n: u8, trusted: Option<&Message>, at: u64) -> Message {
        let body = Body::Revoke(Revoke {
            member: key(n).author(),
            reason: "we fell out".into(),
            trusted_seq: trusted.map_or(0, |m| m.header().seq),
            trusted: trusted.map(Message::id),
        });
        self.sign(at, body)
    }

    fn replace_founder(&mut self, successor: u8, trusted: &Message, at: u64) -> Message {
        let body = Body::ReplaceFounder(ReplaceFounder {
            founder: key(1).author(),
            successor: key(successor).author(),
            name: "Forum, new laptop".into(),
            trusted_seq: trusted.header().seq,
            trusted: Some(trusted.id()),
            reason: "the founder's laptop was seized".into(),
        });
        self.sign(at, body)
    }
}

/// Founder 1; stewards 2–5 and 7 (and 6, admitted by 2); members 10–13; successor 20. Every kind of trouble at once:
/// - cascade: the founder revokes 2 trusting none of its acts, so 6 (admitted by 2) and 11
///   (admitted by 6) go too;
/// - blind mutual revocation: 3 and 4 revoke each other, neither having seen the other's act;
/// - a revoked steward's earlier revocation: 5 revokes 12, then the founder revokes 5 trusting
///   that act;
/// - backdating: 7 (a seized laptop) revokes 3, 4 and 5 dated just after its last honest act,
///   long before the others; the founder revokes 7 trusting that last honest act;
/// - founder replacement: the founder key is later seized (the thief promotes 13 and revokes
///   10); the stewards still standing, 8 and 9, vote for 20, trusting the founder up to its
///   revocation of 7.
fn history(genesis: &Message) -> Vec<Message> {
    let network = genesis.header().network;
    let mut founder = Feed::new(1, network);
    founder.seq = 1;
    founder.prev = Some(genesis.id());
    let mut feeds: Vec<Feed> = (0..=20).map(|n| Feed::new(n, network)).collect();
    let mut all = Vec::new();
    for n in [2, 3, 4, 5, 7] {
        all.push(founder.admit(n, Role::Steward, T + u64::from(n)));
    }
    all.push(founder.admit(10, Role::Member, T + 10));
    all.push(founder.admit(12, Role::Member, T + 12));
    all.push(feeds[2].admit(6, Role::Steward, T + 20));
    all.push(feeds[6].admit(11, Role::Member, T + 21));
    all.push(feeds[2].admit(10, Role::Observer, T + 22));
    all.push(founder.revoke(2, None, T + 30));
    all.push(feeds[3].revoke(4, None, T + 40));
    all.push(feeds[4].revoke(3, None, T + 41));
    let five_revokes = feeds[5].revoke(12, None, T + 50);
    all.push(five_revokes.clone());
    all.push(founder.revoke(5, Some(&five_revokes), T + 60));
    let last_honest = feeds[7].admit(13, Role::Member, T + 70);
    all.push(last_honest.clone());
    for n in [3, 4, 5] {
        all.push(feeds[7].revoke(n, None, T + 70));
    }
    // Two more stewards, so that some stand when the founder needs replacing: 3 and 4 are
    // disputed, 5 and 7 revoked, 6 gone with 2.
    all.push(founder.admit(8, Role::Steward, T + 900));
    all.push(founder.admit(9, Role::Steward, T + 901));
    let founder_trusted = founder.revoke(7, Some(&last_honest), T + 1000);
    all.push(founder_trusted.clone());
    // The founder's laptop is seized: the thief makes 13 a steward and revokes 10.
    all.push(founder.admit(13, Role::Steward, T + 1001));
    all.push(founder.revoke(10, None, T + 1002));
    all.push(feeds[8].replace_founder(20, &founder_trusted, T + 2000));
    all.push(feeds[9].replace_founder(20, &founder_trusted, T + 2001));
    all.push(feeds[20].admit(14, Role::Member, T + 3000));
    all
}

fn acts_of(messages: &[Message]) -> Vec<Act> {
    messages
        .iter()
        .filter_map(|m| Act::from_message(m).unwrap())
        .collect()
}

/// The membership acts a ledger stored, by id.
fn stored_acts(ledger: &Ledger) -> BTreeSet<MessageId> {
    let mut ids = BTreeSet::new();
    for kind in [Kind::Admit, Kind::Revoke, Kind::ReplaceFounder] {
        for wire in ledger.store().all_of_kind(kind).unwrap() {
            ids.insert(Message::from_trusted_bytes(wire).unwrap().id());
        }
    }
    ids
}

/// A seeded shuffle and split into batches of 1 to 5.
fn arrange(messages: &[Message], mut state: u64) -> Vec<Vec<Vec<u8>>> {
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut wires: Vec<Vec<u8>> = messages.iter().map(|m| m.wire().to_vec()).collect();
    for i in (1..wires.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        wires.swap(i, j);
    }
    let mut batches = Vec::new();
    while !wires.is_empty() {
        let size = (1 + next() % 5).min(wires.len() as u64) as usize;
        batches.push(wires.drain(..size).collect());
    }
    batches
}

#[test]
fn the_history_settles_as_the_rules_say() {
    let temp = tempfile::tempdir().unwrap();
    let (_, genesis) = founded(temp.path());
    let membership = Membership::compute(&genesis, &acts_of(&history(&genesis))).unwrap();
    let role = |n: u8| membership.role_of(&key(n).author());
    assert_eq!(
        membership.founder(),
        key(20).author(),
        "replaced by majority"
    );
    assert!(membership.is_revoked(&key(1).author()));
    assert_eq!(role(2), None, "revoked, trusting nothing");
    assert_eq!(role(6), None, "admitted by 2 only: cascade");
    assert_eq!(role(11), None, "admitted by 6 only: cascade");
    assert_eq!(role(3), Some(Role::Member), "disputed with 4");
    assert_eq!(role(4), Some(Role::Member), "disputed with 3");
    assert_eq!(role(5), None, "revoked by the founder");
    assert!(
        membership.is_revoked(&key(12).author()),
        "5's earlier revocation holds"
    );
    assert_eq!(role(7), None);
    assert_eq!(
        role(13),
        Some(Role::Member),
        "7's last honest act holds; the thief's promotion does not"
    );
    assert_eq!(
        role(10),
        Some(Role::Member),
        "the thief's revocation is void"
    );
    assert_eq!(role(8), Some(Role::Steward));
    assert_eq!(role(14), Some(Role::Member), "admitted by the new founder");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_ledger_stores_and_settles_the_same_whatever_the_order(
        seeds in prop::array::uniform3(1..u64::MAX)
    ) {
        let temp = tempfile::tempdir().unwrap();
        let (_, genesis) = founded(&temp.path().join("origin"));
        let history = history(&genesis);
        let expected = Membership::compute(&genesis, &acts_of(&history)).unwrap();
        let everything: BTreeSet<MessageId> = history.iter().map(Message::id).collect();
        for (i, seed) in seeds.into_iter().enumerate() {
            let (mut ledger, _) = founded(&temp.path().join(i.to_string()));
            for batch in arrange(&history, seed) {
                ledger.ingest_batch(&batch, T + 10_000).unwrap();
            }
            prop_assert_eq!(&stored_acts(&ledger), &everything, "ledger {} stored a different set", i);
            prop_assert_eq!(ledger.membership().unwrap(), &expected, "ledger {} settled differently", i);
        }
    }
}

#[test]
fn two_stewards_revoking_each_other_leave_every_ledger_with_the_same_members() {
    let temp = tempfile::tempdir().unwrap();
    let (mut origin, genesis) = founded(&temp.path().join("origin"));
    let network = genesis.header().network;
    for n in [2u8, 3] {
        let admit = Body::Admit(Admit {
            member: key(n).author(),
            role: Role::Steward,
            name: format!("Steward {n}"),
        });
        origin.publish(&key(1), admit, T + u64::from(n)).unwrap();
    }
    let admits = origin.store().all_of_kind(Kind::Admit).unwrap();
    let one_way = Feed::new(2, network).revoke(3, None, T + 10).into_wire();
    let other_way = Feed::new(3, network).revoke(2, None, T + 11).into_wire();

    // Two nodes hear of the falling-out in opposite orders, in separate batches.
    let mut ledgers = Vec::new();
    for (name, order) in [
        ("a", [one_way.clone(), other_way.clone()]),
        ("b", [other_way.clone(), one_way.clone()]),
    ] {
        let (mut ledger, _) = founded(&temp.path().join(name));
        ledger.ingest_batch(&admits, T + 100).unwrap();
        for wire in order {
            ledger.ingest_batch(&[wire], T + 100).unwrap();
        }
        ledgers.push(ledger);
    }
    assert_eq!(stored_acts(&ledgers[0]), stored_acts(&ledgers[1]));
    assert_eq!(ledgers[0].membership(), ledgers[1].membership());
    let disputed: Vec<AuthorId> = ledgers[0]
        .membership()
        .unwrap()
        .disputed()
        .copied()
        .collect();
    assert_eq!(
        disputed.len(),
        2,
        "neither keeps steward rights until the founder decides"
    );
}
