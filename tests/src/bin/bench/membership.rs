//! What settling the membership costs. The ledger settles it from every act whenever an act
//! arrives (issue #13: cut-offs, the revocation fixpoint, founder votes), so a big network's
//! first sync pays it once per act.

use std::time::Instant;

use sangam_node::clock::now_ms;
use sangam_node::ledger::{Ledger, Verdict};
use sangam_node::store::Store;
use sangam_protocol::kinds::{Admit, Revoke};
use sangam_protocol::membership::{Act, Membership};
use sangam_protocol::{Body, Draft, Keypair, Message, MessageId, NetworkId, Role};
use serde_json::json;

use crate::{Row, row};

/// One author's chain of membership acts.
struct Feed {
    key: Keypair,
    seq: u64,
    prev: Option<MessageId>,
}

impl Feed {
    fn sign(&mut self, network: NetworkId, at: u64, body: Body) -> Message {
        let message = Draft {
            network,
            seq: self.seq + 1,
            prev: self.prev,
            timestamp: at,
            body,
        }
        .sign(&self.key)
        .expect("valid act");
        self.seq += 1;
        self.prev = Some(message.id());
        message
    }
}

fn key(n: u32) -> Keypair {
    let mut seed = [7u8; 32];
    seed[..4].copy_from_slice(&n.to_be_bytes());
    Keypair::from_secret_bytes(&seed)
}

/// A network of `stewards` stewards (admitted by the founder) and `members` members (admitted
/// by the stewards in turn), with a revocation for every tenth member and one blind mutual
/// revocation between two stewards: the genesis and every act, in order.
fn history(ledger: &mut Ledger, stewards: u32, members: u32) -> (Message, Vec<Message>) {
    let founder = key(0);
    let t = now_ms() - 3_600_000;
    let genesis = ledger.found(&founder, "Bench", "Forum", t).expect("found");
    let network = genesis.header().network;
    let mut founder_feed = Feed {
        key: founder,
        seq: 1,
        prev: Some(genesis.id()),
    };
    let mut feeds: Vec<Feed> = (1..=stewards)
        .map(|n| Feed {
            key: key(n),
            seq: 0,
            prev: None,
        })
        .collect();
    let mut acts = Vec::new();
    let admit = |n: u32, role| {
        Body::Admit(Admit {
            member: key(n).author(),
            role,
            name: format!("Collective {n}"),
        })
    };
    for n in 1..=stewards {
        acts.push(founder_feed.sign(network, t + 1, admit(n, Role::Steward)));
    }
    for m in 0..members {
        let n = 1000 + m;
        let by = (m % stewards) as usize;
        let at = t + 10 + u64::from(m) * 2;
        acts.push(feeds[by].sign(network, at, admit(n, Role::Member)));
        if m % 10 == 9 {
            let revoke = Body::Revoke(Revoke {
                member: key(n).author(),
                reason: "left".into(),
                trusted_seq: 0,
                trusted: None,
            });
            acts.push(feeds[(by + 1) % stewards as usize].sign(network, at + 1, revoke));
        }
    }
    for (a, b) in [(0usize, 1u32), (1, 0)] {
        let revoke = Body::Revoke(Revoke {
            member: key(b + 1).author(),
            reason: "we fell out".into(),
            trusted_seq: 0,
            trusted: None,
        });
        acts.push(feeds[a].sign(network, t + 100_000, revoke));
    }
    (genesis, acts)
}

/// Settling time for one recompute, and the first sync of every act into a fresh ledger.
pub fn run(quick: bool) -> Vec<Row> {
    let (stewards, members) = if quick { (10, 100) } else { (20, 400) };
    let temp = tempfile::tempdir().expect("temp dir");
    let mut origin =
        Ledger::open(Store::open(&temp.path().join("origin")).expect("store")).expect("ledger");
    let (genesis, acts) = history(&mut origin, stewards, members);
    let parsed: Vec<Act> = acts
        .iter()
        .filter_map(|m| Act::from_message(m).ok().flatten())
        .collect();
    let rounds = if quick { 20 } else { 50 };
    let started = Instant::now();
    let mut settled = None;
    for _ in 0..rounds {
        settled = Some(Membership::compute(&genesis, &parsed).expect("settles"));
    }
    let per_settle = started.elapsed().as_secs_f64() / f64::from(rounds);
    let members_now = settled.map_or(0, |m| m.members().count());

    let wires: Vec<Vec<u8>> = acts.iter().map(|m| m.wire().to_vec()).collect();
    origin
        .ingest_batch(&wires, now_ms())
        .expect("origin ingests");
    let mut joining =
        Ledger::open(Store::open(&temp.path().join("joining")).expect("store")).expect("ledger");
    let newcomer = key(3).author();
    let proof = origin.admission_proof(&newcomer).expect("proof");
    joining
        .join(&proof, &newcomer, false, now_ms())
        .expect("join");
    let started = Instant::now();
    let verdicts = joining.ingest_batch(&wires, now_ms()).expect("ingest");
    let first_sync = started.elapsed().as_secs_f64();
    let refused = verdicts
        .iter()
        .filter(|v| matches!(v, Verdict::Refused(_)))
        .count();
    if refused > 0 {
        crate::fail(&format!(
            "{refused} membership acts refused in the first sync"
        ));
    }
    let count = acts.len();
    vec![
        row(
            &format!("membership settle, {count} acts, {members_now} members"),
            format!("{:.2} ms", per_settle * 1000.0),
            "≤ 10 ms",
            json!(per_settle),
        ),
        row(
            &format!("first sync of {count} membership acts (one batch)"),
            format!("{:.2} s", first_sync),
            "≤ 5 s",
            json!(first_sync),
        ),
    ]
}
