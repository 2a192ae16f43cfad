//! Footprint of a real `sangam run` process: RSS and CPU while idle with ten connected peers,
//! and RSS once its store holds many messages; disk bytes per message.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sangam_node::clock::now_ms;
use sangam_node::ledger::Verdict;
use sangam_protocol::api::Request;
use sangam_protocol::kinds::Admit;
use sangam_protocol::{Body, Draft, Keypair, MessageId, Role};
use sangam_tests::{TestNode, announcement, network, sangam_bin};
use serde_json::json;

use crate::{Row, cpu_of, row};

/// Resident memory of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// CPU time a process has used (user + system).
fn cpu(pid: u32) -> Duration {
    cpu_of(&pid.to_string())
}

/// A `sangam run` daemon on `node`'s data folder, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn daemon(node: &TestNode, bootstrap: &[String]) -> Daemon {
    let mut command = Command::new(sangam_bin());
    command.arg("--data-dir").arg(node.dir.root()).args([
        "run",
        "--listen",
        "/ip4/127.0.0.1/tcp/0",
        "--no-mdns",
    ]);
    for address in bootstrap {
        command.args(["--bootstrap", address]);
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sangam runs");
    let ready_by = Instant::now() + Duration::from_secs(60);
    while !node.dir.socket_path().exists() && Instant::now() < ready_by {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Daemon(child)
}

/// RSS and CPU % over `window` of a daemon with ten connected peers.
async fn idle_with_peers(window: Duration) -> (u64, f64, usize) {
    let mut nodes = network(10);
    let measured = nodes.remove(1); // a member, run as its own process
    for i in 0..nodes.len() {
        let bootstrap = if i == 0 {
            vec![]
        } else {
            vec![nodes[0].addr()]
        };
        nodes[i].start(bootstrap).await;
    }
    let bootstrap: Vec<String> = nodes.iter().map(|n| n.addr().to_string()).collect();
    let process = daemon(&measured, &bootstrap).await;
    let pid = process.0.id();
    let ready_by = Instant::now() + Duration::from_secs(90);
    let mut peers = 0;
    while Instant::now() < ready_by {
        peers = measured.status().await.connected.len();
        if peers >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await; // let start-up work finish
    let before = cpu(pid);
    tokio::time::sleep(window).await;
    let used = cpu(pid).saturating_sub(before);
    let memory = rss(pid);
    drop(process);
    for node in &mut nodes {
        node.stop().await;
    }
    (
        memory,
        used.as_secs_f64() / window.as_secs_f64() * 100.0,
        peers,
    )
}

/// RSS of a daemon whose store holds `count` messages (100 authors), and disk bytes per message.
async fn holding(count: usize) -> (u64, f64) {
    let founder = network(0).remove(0);
    let key = founder.dir.load_identity().unwrap();
    {
        let mut ledger = founder.ledger();
        let network = ledger.network().unwrap();
        let authors: Vec<Keypair> = (0..100u8)
            .map(|i| Keypair::from_secret_bytes(&[i.wrapping_add(7); 32]))
            .collect();
        for author in &authors {
            let admit = Body::Admit(Admit {
                member: author.author(),
                role: Role::Member,
                name: "m".into(),
            });
            ledger.publish(&key, admit, now_ms()).unwrap();
        }
        let mut prev: Vec<Option<MessageId>> = vec![None; authors.len()];
        let per_author = count / authors.len();
        for round in (1..=per_author as u64).collect::<Vec<_>>().chunks(10) {
            let mut batch = Vec::with_capacity(1000);
            for seq in round {
                for (i, author) in authors.iter().enumerate() {
                    let message = Draft {
                        network,
                        seq: *seq,
                        prev: prev[i],
                        timestamp: now_ms(),
                        body: announcement(&format!("{seq:0>70}")),
                    }
                    .sign(author)
                    .unwrap();
                    prev[i] = Some(message.id());
                    batch.push(message.into_wire());
                }
            }
            for verdict in ledger.ingest_batch(&batch, now_ms()).unwrap() {
                assert!(
                    !matches!(verdict, Verdict::Refused(_)),
                    "stored: {verdict:?}"
                );
            }
        }
        ledger.store().flush().unwrap();
    }
    let process = daemon(&founder, &[]).await;
    let disk = founder.status().await.store_bytes;
    // A client asks for the newest items, as the app does on start.
    founder
        .api(Request::Feed {
            kind: None,
            author: None,
            limit: Some(100),
            before: None,
            after: None,
        })
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let memory = rss(process.0.id());
    (memory, disk as f64 / count as f64)
}

/// The footprint rows.
pub async fn run(quick: bool) -> Vec<Row> {
    let window = Duration::from_secs(if quick { 5 } else { 60 });
    let (idle_rss, idle_cpu, peers) = idle_with_peers(window).await;
    let count = if quick { 20_000 } else { 1_000_000 };
    let (held_rss, disk) = holding(count).await;
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    vec![
        row(
            &format!("idle daemon, {peers} peers: RSS / CPU"),
            format!("{:.1} MB / {idle_cpu:.2} %", mb(idle_rss)),
            "≤ 30 MB / ≤ 0.5 %",
            json!({"rss_mb": mb(idle_rss), "cpu_pct": idle_cpu, "peers": peers}),
        ),
        row(
            &format!("daemon holding {count} messages: RSS"),
            format!("{:.1} MB", mb(held_rss)),
            "≤ 60 MB (1,000,000)",
            json!(mb(held_rss)),
        ),
        row(
            "disk per message stored",
            format!("{disk:.0} bytes"),
            "—",
            json!(disk),
        ),
    ]
}
