//! Crash safety: a real `sangam run` daemon is killed with SIGKILL at random moments while posts
//! stream in through its control socket. After every restart the store opens, every post that
//! was acknowledged is there, and the node's feed has no reused sequence number.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sangam_node::api::ApiClient;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::kinds::Announcement;
use sangam_protocol::{Body, Kind, MessageId};
use sangam_tests::sangam_bin;

/// Kill cycles; each kills the daemon once.
const CYCLES: usize = 50;

fn sangam(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

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
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("node");
    sangam(&dir, &["init", "--name", "Crash test"]);
    sangam(&dir, &["network", "create", "--name", "Crash"]);
    let socket = dir.join("control.sock");

    let mut acknowledged: BTreeSet<MessageId> = BTreeSet::new();
    let mut last_cycle: Vec<MessageId> = Vec::new();
    let mut attempted = 0;
    // One start more than kills: the last start only checks.
    for cycle in 0..=CYCLES {
        let mut daemon = Command::new(sangam_bin())
            .arg("--data-dir")
            .arg(&dir)
            .args(["run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the control socket (the store opened, the daemon is up).
        let started = Instant::now();
        let mut client = loop {
            if let Ok(client) = ApiClient::connect(&socket).await {
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
        let held = match client
            .request(&Request::Feed {
                kind: Some(Kind::Announcement),
                author: None,
                limit: Some(1000),
            })
            .await
            .unwrap()
        {
            Response::Feed { items } => items,
            other => panic!("{other:?}"),
        };
        let mut seqs: Vec<u64> = held.iter().map(|i| i.seq).collect();
        seqs.sort_unstable();
        let unique: BTreeSet<u64> = seqs.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seqs.len(),
            "cycle {cycle}: a sequence number was reused"
        );
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
    // A last start to check the final state, and the store's integrity through the CLI.
    let status: serde_json::Value =
        serde_json::from_str(&sangam(&dir, &["status", "--json"])).unwrap();
    assert_eq!(status["forks"], serde_json::json!({}));
    let held = status["messages"]["announcement"].as_u64().unwrap() as usize;
    assert!(held >= acknowledged.len());
    eprintln!(
        "{CYCLES} SIGKILL cycles: {attempted} posts attempted, {} acknowledged, {held} held, 0 lost",
        acknowledged.len()
    );
}
