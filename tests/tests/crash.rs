//! Crash safety: a real `sangam run` daemon is killed with SIGKILL at random moments while posts
//! stream in through its control socket, and a peer receives what it gossips. After every
//! restart the store opens and every post that was acknowledged is there; at the end the node's
//! whole feed has no reused sequence number, and the peer holds nothing the node lost (a post
//! gossiped and then lost would come back as a fork).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sangam_node::client::Client;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::envelope::{Envelope, message_id_for};
use sangam_protocol::kinds::Announcement;
use sangam_protocol::{AuthorId, Body, Kind, MessageId};
use sangam_tests::{TestNode, network, sangam_bin, time_limit};

/// Kill cycles; each kills the daemon once.
const CYCLES: usize = 50;

/// A small deterministic generator, seeded from the clock and printed, so a failure can be
/// replayed with `SANGAM_CRASH_SEED`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_posts_survive_fifty_sigkills() {
    let seed = std::env::var("SANGAM_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            now.as_nanos() as u64
        });
    eprintln!("crash test seed: {seed}");
    let mut random = Lcg(seed);
    let _limit = time_limit(Duration::from_secs(600));
    // The peer is the founder, in this process; the crashing node is a member in its own.
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let peer_address = nodes[0].addr().to_string();
    let dir = nodes[1].dir.root().to_path_buf();
    let socket = nodes[1].dir.socket_path();
    let author = nodes[1].id;

    let mut acknowledged: BTreeSet<MessageId> = BTreeSet::new();
    let mut last_cycle: Vec<MessageId> = Vec::new();
    let mut attempted = 0;
    // One start more than kills: the last start only checks.
    for cycle in 0..=CYCLES {
        let mut daemon = Command::new(sangam_bin())
            .arg("--data-dir")
            .arg(&dir)
            .args(["run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"])
            .args(["--bootstrap", &peer_address])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the control socket (the store opened, the daemon is up).
        let started = Instant::now();
        let mut client = loop {
            if let Ok(client) = Client::connect(&socket).await {
                break client;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "cycle {cycle}: the node did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // Every post acknowledged before the last kill is there (all of them, at the end).
        let check: Vec<MessageId> = if cycle == CYCLES {
            acknowledged.iter().copied().collect()
        } else {
            last_cycle.clone()
        };
        for id in check {
            let answer = client.request(&Request::Show { id }).await.unwrap();
            assert!(
                matches!(answer, Response::Item { .. }),
                "cycle {cycle}: acknowledged post {id} lost"
            );
        }
        if cycle == CYCLES {
            drop(client);
            daemon.kill().unwrap();
            daemon.wait().unwrap();
            break;
        }

        // Post continuously, then kill at a random moment (possibly mid-post).
        let kill_at = Instant::now() + Duration::from_millis(10 + random.next(120));
        let poster = tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut sent = 0;
            while Instant::now() < kill_at + Duration::from_millis(100) {
                let body = Body::Announcement(Announcement {
                    title: format!("cycle {cycle} post {sent}"),
                    body: String::new(),
                    tags: vec![],
                    expires_at: None,
                });
                sent += 1;
                match client.request(&Request::Post { body }).await {
                    Ok(Response::Posted { id }) => acked.push(id),
                    _ => break,
                }
            }
            (acked, sent)
        });
        tokio::time::sleep_until(kill_at.into()).await;
        daemon.kill().unwrap(); // SIGKILL
        daemon.wait().unwrap();
        let (acked, sent) = poster.await.unwrap();
        attempted += sent;
        acknowledged.extend(acked.iter().copied());
        last_cycle = acked;
    }
    // The whole feed, read from both stores once both are stopped.
    nodes[0].stop().await;
    let own = feed_of(&nodes[1], author);
    let seen_by_peer = feed_of(&nodes[0], author);
    let seqs: BTreeSet<u64> = own.keys().copied().collect();
    assert_eq!(
        seqs.len() as u64,
        own.keys().max().copied().unwrap_or(0),
        "the feed has a gap"
    );
    for id in &acknowledged {
        assert!(own.values().any(|v| v == id), "acknowledged post {id} lost");
    }
    for (seq, id) in &seen_by_peer {
        assert_eq!(
            own.get(seq),
            Some(id),
            "the peer holds seq {seq} as a post the node itself no longer has"
        );
    }
    let forks = nodes[0].ledger().store().forks().unwrap_or_default();
    assert!(forks.is_empty(), "the peer saw a fork: {forks:?}");
    eprintln!(
        "{CYCLES} SIGKILL cycles: {attempted} posts attempted, {} acknowledged, {} held (seq 1–{} \
         without a gap or a reuse), {} of them received by the peer, 0 lost",
        acknowledged.len(),
        own.len(),
        seqs.len(),
        seen_by_peer.len(),
    );
}

/// `author`'s messages in `node`'s store (the node must be stopped), by seq. Panics on two
/// messages with one seq.
fn feed_of(node: &TestNode, author: AuthorId) -> BTreeMap<u64, MessageId> {
    let mut feed = BTreeMap::new();
    let store = node.ledger().store().clone();
    // The posts, and the sealing key the node publishes of its own accord once it is a member.
    let posts = store.all_of_kind(Kind::Announcement).unwrap();
    let keys = store.all_of_kind(Kind::SealingKey).unwrap();
    for wire in posts.into_iter().chain(keys) {
        let envelope = Envelope::parse(&wire).unwrap();
        if envelope.header.author == author {
            let id = message_id_for(envelope.header_bytes);
            if let Some(other) = feed.insert(envelope.header.seq, id) {
                assert_eq!(other, id, "seq {} used twice", envelope.header.seq);
            }
        }
    }
    feed
}
