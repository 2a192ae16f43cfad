//! `sangam-bench`: measures Sangam on this machine and prints a table (and JSON with `--json`).
//!
//! Real signatures, the real sled store, real swarms over loopback TCP. `--quick` finishes in
//! about twenty seconds; the full run uses the sizes in BENCHMARKS.md. It reports; it never fails because a machine is slow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use sangam_node::clock::now_ms;
use sangam_node::ledger::{Ledger, Verdict};
use sangam_node::store::Store;
use sangam_protocol::kinds::Admit;
use sangam_protocol::sync::{Step, SyncSession, respond};
use sangam_protocol::{Body, Draft, Keypair, MessageId, Role};
use sangam_tests::announcement;
use serde_json::{Value, json};

mod bundle;
mod footprint;
mod forum;
mod membership;
mod propagation;
mod stock;

pub use propagation::Publisher;

/// What went wrong in this run: a figure that could not be verified. The run still prints its
/// table, then exits with a failure.
static FAILURES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Records that this run failed, and why.
pub fn fail(why: &str) {
    eprintln!("FAILED: {why}");
    if let Ok(mut failures) = FAILURES.lock() {
        failures.push(why.to_string());
    }
}

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
    corpus_in(dir, None, authors, per_author)
}

/// [`corpus`] in a store sealed with `vault` (a folder made with a passphrase) if given.
fn corpus_in(
    dir: &std::path::Path,
    vault: Option<sangam_node::vault::Vault>,
    authors: usize,
    per_author: usize,
) -> (Ledger, Vec<Vec<u8>>) {
    let founder = Keypair::from_secret_bytes(&[200; 32]);
    let mut ledger = Ledger::open(Store::open_sealed(dir, vault).unwrap()).unwrap();
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
    let (rate, disk) = ingest_into(quick, None);
    let vault = sangam_node::vault::Vault::new(&[9; 32]);
    let (sealed, sealed_disk) = ingest_into(quick, Some(vault));
    vec![
        row(
            "ingest (verified and durably stored)",
            format!("{rate:.0} msg/s"),
            "≥ 10,000 msg/s",
            json!(rate),
        ),
        row(
            "ingest into a folder with a passphrase (sealed store)",
            format!("{sealed:.0} msg/s ({:.2}× plain)", sealed / rate),
            "≥ 10,000 msg/s",
            json!(sealed),
        ),
        row(
            "disk per message (plain / sealed)",
            format!("{disk:.0} / {sealed_disk:.0} bytes"),
            "—",
            json!([disk, sealed_disk]),
        ),
    ]
}

/// Messages a second stored, and disk bytes per message, into a store sealed with `vault` if
/// given.
fn ingest_into(quick: bool, vault: Option<sangam_node::vault::Vault>) -> (f64, f64) {
    let (authors, per) = if quick { (20, 250) } else { (100, 500) };
    let temp = tempfile::tempdir().unwrap();
    let (mut ledger, wires) = corpus_in(temp.path(), vault, authors, per);
    let started = Instant::now();
    for batch in wires.chunks(512) {
        for verdict in ledger.ingest_batch(batch, now_ms()).unwrap() {
            assert!(
                !matches!(verdict, Verdict::Refused(_)),
                "stored: {verdict:?}"
            );
        }
        ledger.store().flush().unwrap();
    }
    let rate = wires.len() as f64 / started.elapsed().as_secs_f64();
    let disk = ledger.store().size_on_disk().unwrap() as f64 / wires.len() as f64;
    (rate, disk)
}

/// Runs a whole sync from `from` into `into`, as two nodes would; returns round trips and bytes
/// on the wire. Every message `into` is sent must be stored: a refusal fails the benchmark.
fn sync_into(into: &mut Ledger, from: &Ledger) -> (u32, usize) {
    let (mut session, mut request) = SyncSession::start(&into.vector().unwrap());
    let mut bytes = 0usize;
    loop {
        bytes += request.encode().len();
        let vector = from.vector().unwrap();
        let response = respond(&request, &vector, Vec::new, |a, s| from.servable(a, s));
        bytes += response.encode().len();
        let mut step = session.handle(response, &into.vector().unwrap()).unwrap();
        if let Step::Ingest(messages) = step {
            for verdict in into.ingest_batch(&messages, now_ms()).unwrap() {
                assert!(
                    !matches!(verdict, Verdict::Refused(_)),
                    "every synced message is stored: {verdict:?}"
                );
            }
            step = session.after_ingest(&into.vector().unwrap()).unwrap();
        }
        match step {
            Step::Send(next) => request = next,
            _ => break,
        }
    }
    (session.rounds(), bytes)
}

/// A ledger holding everything in `wires` (checked: every message stored).
fn filled(dir: &std::path::Path, authors: usize, per: usize) -> (Ledger, Vec<Vec<u8>>) {
    let (mut ledger, wires) = corpus(dir, authors, per);
    for batch in wires.chunks(512) {
        for verdict in ledger.ingest_batch(batch, now_ms()).unwrap() {
            assert!(
                !matches!(verdict, Verdict::Refused(_)),
                "the corpus is valid: {verdict:?}"
            );
        }
    }
    (ledger, wires)
}

/// A ledger that joined `full`'s network holding only the genesis and the admissions.
fn joined_empty(dir: &std::path::Path, full: &Ledger) -> Ledger {
    let mut empty = Ledger::open(Store::open(dir).unwrap()).unwrap();
    let me = Keypair::from_secret_bytes(&[1; 32]).author();
    let proof = full.admission_proof(&me).unwrap();
    empty.join(&proof, &me, false, now_ms()).unwrap();
    let admits = full
        .store()
        .all_of_kind(sangam_protocol::Kind::Admit)
        .unwrap();
    for verdict in empty.ingest_batch(&admits, now_ms()).unwrap() {
        assert!(
            !matches!(verdict, Verdict::Refused(_)),
            "admissions are stored: {verdict:?}"
        );
    }
    empty
}

fn catch_up(quick: bool) -> Vec<Row> {
    let (authors, per) = if quick { (20, 100) } else { (100, 100) };
    let temp = tempfile::tempdir().unwrap();
    let (full, wires) = filled(&temp.path().join("full"), authors, per);
    // The empty side holds the genesis and every admission (as after joining).
    let mut empty = joined_empty(&temp.path().join("empty"), &full);

    let own_size: usize = wires.iter().map(Vec::len).sum();
    let started = Instant::now();
    let (rounds, bytes) = sync_into(&mut empty, &full);
    // Durable once, at the end, as the node does (it relies on sled's background flush).
    empty.store().flush().unwrap();
    let elapsed = started.elapsed();
    // Verified: the caught-up side holds exactly what the full side holds.
    assert_eq!(
        empty.vector().unwrap(),
        full.vector().unwrap(),
        "catch-up did not catch up"
    );
    let count = wires.len();

    // Two real stores that hold the same messages: how much does finding that out cost?
    let (in_sync_authors, in_sync_per) = if quick { (20, 250) } else { (100, 1000) };
    let (left, _) = filled(&temp.path().join("left"), in_sync_authors, in_sync_per);
    let mut right = joined_empty(&temp.path().join("right"), &left);
    sync_into(&mut right, &left);
    assert_eq!(right.vector().unwrap(), left.vector().unwrap());
    let held = in_sync_authors * in_sync_per;
    let (check_rounds, check_bytes) = sync_into(&mut right, &left);
    vec![
        row(
            &format!("catch-up of {count} messages ({authors} authors), verified"),
            format!("{:.2} s, {rounds} round trips", elapsed.as_secs_f64()),
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
            &format!("in-sync check, two stores of {held} messages"),
            format!("{check_rounds} round trip(s), {check_bytes} bytes"),
            "1 round trip, < 2 KB (100,000)",
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
    // `--only NAME` runs one part (ingest, catch-up, membership, propagation, footprint, forum, bundle), e.g. under a profiler.
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
    if wanted("membership") {
        rows.extend(membership::run(quick));
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
    if wanted("forum") {
        rows.extend(forum::run(quick));
    }
    if wanted("bundle") {
        rows.extend(bundle::run(quick));
    }
    println!("{:<60} {:<28} target", "figure", "measured");
    for r in &rows {
        println!("{:<60} {:<28} {}", r.figure, r.value, r.target);
    }
    println!(
        "({} mode, {:.0} s)",
        if quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64()
    );
    let failures = FAILURES.lock().map(|f| f.clone()).unwrap_or_default();
    if !failures.is_empty() {
        eprintln!("the benchmark failed: {}", failures.join("; "));
        std::process::exit(1);
    }
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
