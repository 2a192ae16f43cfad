//! `sangam-bench`: measures Sangam on this machine and prints a table (and JSON with `--json`).
//!
//! Real signatures, the real sled store, real swarms over loopback TCP. `--quick` finishes in
//! about twenty seconds; the full run uses the sizes in BENCHMARKS.md. It reports; it never fails because a machine is slow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use sangam_node::event_loop::now_ms;
use sangam_node::ledger::Ledger;
use sangam_node::store::Store;
use sangam_protocol::kinds::Admit;
use sangam_protocol::sync::{Step, SyncResponse, SyncSession, VersionVector, respond};
use sangam_protocol::{Body, Draft, Keypair, MessageId, Role};
use sangam_tests::announcement;
use serde_json::{Value, json};

mod footprint;
mod propagation;
mod stock;

pub use propagation::Publisher;

/// One row of the results table.
pub struct Row {
    figure: String,
    value: String,
    target: String,
    raw: Value,
}

pub fn row(figure: &str, value: String, target: &str, raw: Value) -> Row {
    Row {
        figure: figure.into(),
        value,
        target: target.into(),
        raw,
    }
}

/// CPU time this process has used (user + system).
pub fn cpu_time() -> Duration {
    cpu_of("self")
}

/// CPU time process `pid` (or `self`) has used (user + system), from /proc.
pub fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10) // 100 ticks a second on Linux
}

/// A founded network in a fresh ledger, with `authors` members, and `per_author` signed
/// announcements by each (not stored).
fn corpus(dir: &std::path::Path, authors: usize, per_author: usize) -> (Ledger, Vec<Vec<u8>>) {
    let founder = Keypair::from_secret_bytes(&[200; 32]);
    let mut ledger = Ledger::open(Store::open(dir).unwrap()).unwrap();
    let genesis = ledger
        .found(&founder, "Bench", "Founder", now_ms())
        .unwrap();
    let network = genesis.header().network;
    let keys: Vec<Keypair> = (0..authors)
        .map(|i| Keypair::from_secret_bytes(&[i as u8 + 1; 32]))
        .collect();
    for key in &keys {
        let admit = Admit {
            member: key.author(),
            role: Role::Member,
            name: "m".into(),
        };
        ledger
            .publish(&founder, Body::Admit(admit), now_ms())
            .unwrap();
    }
    let mut wires = Vec::with_capacity(authors * per_author);
    for key in &keys {
        let mut prev: Option<MessageId> = None;
        for seq in 1..=per_author as u64 {
            let body = announcement(&format!("{:0>70}", seq)); // ~256-byte posts
            let message = Draft {
                network,
                seq,
                prev,
                timestamp: now_ms(),
                body,
            }
            .sign(key)
            .unwrap();
            prev = Some(message.id());
            wires.push(message.into_wire());
        }
    }
    (ledger, wires)
}

fn ingest(quick: bool) -> Vec<Row> {
    let (authors, per) = if quick { (20, 250) } else { (100, 500) };
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, wires) = corpus(temp.path(), authors, per);
    let started = Instant::now();
    for batch in wires.chunks(512) {
        for result in ledger.ingest_batch(batch, now_ms()) {
            result.unwrap();
        }
        ledger.store().flush().unwrap();
    }
    let rate = wires.len() as f64 / started.elapsed().as_secs_f64();
    let disk = ledger.store().size_on_disk().unwrap() as f64 / wires.len() as f64;
    vec![
        row(
            "ingest (verified and durably stored)",
            format!("{rate:.0} msg/s"),
            "≥ 10,000 msg/s",
            json!(rate),
        ),
        row(
            "disk per message",
            format!("{disk:.0} bytes"),
            "—",
            json!(disk),
        ),
    ]
}

fn catch_up(quick: bool) -> Vec<Row> {
    let (authors, per) = if quick { (20, 100) } else { (100, 100) };
    let temp = tempfile::tempdir().unwrap();
    let (mut full, wires) = corpus(&temp.path().join("full"), authors, per);
    for batch in wires.chunks(512) {
        full.ingest_batch(batch, now_ms());
    }
    // The empty side holds the genesis and every admission (as after joining).
    let mut empty = Ledger::open(Store::open(&temp.path().join("empty")).unwrap()).unwrap();
    let me = Keypair::from_secret_bytes(&[1; 32]).author();
    let proof = full.admission_proof(&me).unwrap();
    empty.join(&proof, &me, false, now_ms()).unwrap();
    let admits = full
        .store()
        .all_of_kind(sangam_protocol::Kind::Admit)
        .unwrap();
    empty.ingest_batch(&admits, now_ms());

    let own_size: usize = wires.iter().map(Vec::len).sum();
    let started = Instant::now();
    let (mut session, mut request) = SyncSession::start(&empty.vector().unwrap());
    let mut bytes = 0usize;
    loop {
        bytes += request.encode().len();
        let vector = full.vector().unwrap();
        let response = respond(&request, &vector, |a, s| full.servable(a, s));
        bytes += response.encode().len();
        let mut step = session.handle(response, &empty.vector().unwrap()).unwrap();
        if let Step::Ingest(messages) = step {
            empty.ingest_batch(&messages, now_ms());
            step = session.after_ingest(&empty.vector().unwrap()).unwrap();
        }
        match step {
            Step::Send(next) => request = next,
            _ => break,
        }
    }
    // Durable once, at the end, as the node does (it relies on sled's background flush).
    empty.store().flush().unwrap();
    let elapsed = started.elapsed();
    let count = wires.len();
    // Two sides in sync over 100,000 messages: 100 authors at 1,000 each.
    let mut vector = VersionVector::new();
    for i in 0..100u8 {
        vector.set(Keypair::from_secret_bytes(&[i; 32]).author(), 1000);
    }
    let (_, check) = SyncSession::start(&vector);
    let answer = respond(&check, &vector, |_, _| None);
    let check_bytes = check.encode().len() + answer.encode().len();
    assert_eq!(answer, SyncResponse::InSync);
    vec![
        row(
            &format!("catch-up of {count} messages ({authors} authors)"),
            format!(
                "{:.2} s, {} round trips",
                elapsed.as_secs_f64(),
                session.rounds()
            ),
            "≤ 1 s (10,000)",
            json!(elapsed.as_secs_f64()),
        ),
        row(
            "catch-up bytes / messages' own size",
            format!("{:.3}×", bytes as f64 / own_size as f64),
            "≤ 1.2×",
            json!(bytes as f64 / own_size as f64),
        ),
        row(
            "in-sync check, 100,000 messages",
            format!("1 round trip, {check_bytes} bytes"),
            "1 round trip, < 2 KB",
            json!(check_bytes),
        ),
    ]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let started = Instant::now();
    // `--only NAME` runs one part (ingest, catch-up, propagation), e.g. under a profiler.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let mut rows = Vec::new();
    if wanted("ingest") {
        rows.extend(ingest(quick));
    }
    if wanted("catch-up") {
        rows.extend(catch_up(quick));
    }
    if wanted("propagation") {
        // `--nodes N` sets the propagation network's size.
        let nodes = args
            .iter()
            .position(|a| a == "--nodes")
            .and_then(|i| args.get(i + 1)?.parse().ok());
        rows.extend(propagation::run(quick, nodes).await);
    }
    if wanted("footprint") {
        rows.extend(footprint::run(quick).await);
    }
    println!("{:<52} {:<28} target", "figure", "measured");
    for r in &rows {
        println!("{:<52} {:<28} {}", r.figure, r.value, r.target);
    }
    println!(
        "({} mode, {:.0} s)",
        if quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = json_path {
        let map: serde_json::Map<String, Value> = rows
            .iter()
            .map(|r| (r.figure.clone(), r.raw.clone()))
            .collect();
        std::fs::write(
            path,
            serde_json::to_string_pretty(&Value::Object(map)).unwrap(),
        )
        .unwrap();
    }
}
