//! What the forum's views cost over a big history: the score card of 100,000 audits (issue
//! #16: under 1 s on this machine), a filtered one, and the overview, with the extra memory
//! each takes at its peak.

use std::time::{Duration, Instant};

use sangam_node::clock::now_ms;
use sangam_node::ledger::{Ledger, Verdict};
use sangam_node::store::Store;
use sangam_protocol::audit::{Audit, Endorsement, OfficeType, Outcome, Ratings};
use sangam_protocol::kinds::{Admit, Close, MentoringRequest, Offer, Urgency};
use sangam_protocol::scorecard::ScorecardFilter;
use sangam_protocol::{Body, Draft, Keypair, MessageId, Role};
use serde_json::json;

use crate::{Row, row};

const STATES: [&str; 6] = [
    "West Bengal",
    "Bihar",
    "Maharashtra",
    "Jharkhand",
    "Andhra Pradesh",
    "Odisha",
];

/// A field of this process's /proc status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Runs `work` three times; its median time and the most memory it added at its peak (the
/// kernel's high-water mark is reset before each run).
fn measure<T>(work: impl FnMut() -> T) -> (Duration, u64, T) {
    measure_runs(3, work)
}

/// [`measure`] over `runs` runs (the median; one run for what only the first call does).
fn measure_runs<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, u64, T) {
    let mut times = Vec::new();
    let mut peak = 0;
    let mut last = None;
    for _ in 0..runs {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = status_bytes("VmRSS:");
        let started = Instant::now();
        let out = work();
        times.push(started.elapsed());
        peak = peak.max(status_bytes("VmHWM:").saturating_sub(before));
        last = Some(out);
    }
    times.sort();
    (
        times[times.len() / 2],
        peak,
        last.expect("ran at least once"),
    )
}

/// A ledger holding `audits` audits from 24 collectives over 600 offices in 60 districts of
/// six states, a tenth of them endorsed by a second collective, and a tenth as many requests.
fn audited(dir: &std::path::Path, audits: usize) -> Ledger {
    let founder = Keypair::from_secret_bytes(&[210; 32]);
    let mut ledger = Ledger::open(Store::open(dir).unwrap()).unwrap();
    let network = ledger
        .found(&founder, "Bench", "Forum", now_ms())
        .unwrap()
        .header()
        .network;
    let keys: Vec<Keypair> = (0..24u8)
        .map(|i| Keypair::from_secret_bytes(&[i + 100; 32]))
        .collect();
    for key in &keys {
        let admit = Body::Admit(Admit {
            member: key.author(),
            role: Role::Member,
            name: "collective".into(),
        });
        ledger.publish(&founder, admit, now_ms()).unwrap();
    }
    let mut chains: Vec<(u64, Option<MessageId>)> = vec![(0, None); keys.len()];
    let mut wires = Vec::new();
    let mut sign = |who: usize, body: Body, wires: &mut Vec<Vec<u8>>| {
        let (seq, prev) = chains[who];
        let message = Draft {
            network,
            seq: seq + 1,
            prev,
            timestamp: now_ms(),
            body,
        }
        .sign(&keys[who])
        .unwrap();
        let id = message.id();
        chains[who] = (seq + 1, Some(id));
        wires.push(message.into_wire());
        id
    };
    for i in 0..audits {
        let office = i % 600;
        let district = office % 60;
        let rating = |salt: usize| ((i * 7 + salt * 3) % 6) as u8;
        let body = Body::Audit(Audit {
            office_type: OfficeType::ALL[office % 10],
            office_name: format!("Office {office}"),
            district: format!("District {district}"),
            state: STATES[district % 6].into(),
            date: format!("202{}-{:02}-15", 4 + i % 3, 1 + i % 12),
            sought: "FIR".into(),
            ratings: Ratings {
                responsiveness: rating(1),
                dignity: rating(2),
                timeliness: rating(3),
                outcome: rating(4),
            },
            outcome: Outcome::ALL[i % 4],
            note: "Waited three hours; the statement was taken in the corridor.".into(),
        });
        let id = sign(i % 24, body, &mut wires);
        if i % 10 == 0 {
            let endorsement = Body::Endorsement(Endorsement {
                audit: id,
                note: String::new(),
            });
            sign((i + 1) % 24, endorsement, &mut wires);
        }
    }
    // And as many requests as a tenth of the audits, each answered by an offer, every third
    // closed: what the overview reads one by one.
    for i in 0..audits / 10 {
        let request = Body::MentoringRequest(MentoringRequest {
            topic: "legal_aid".into(),
            title: format!("request {i}"),
            description: String::new(),
            region: String::new(),
            language: String::new(),
            urgency: Urgency::Normal,
            expires_at: None,
        });
        let id = sign(i % 24, request, &mut wires);
        let offer = Body::Offer(Offer {
            request: id,
            body: "we can help".into(),
        });
        sign((i + 5) % 24, offer, &mut wires);
        if i % 3 == 0 {
            let close = Body::Close(Close {
                item: id,
                note: String::new(),
            });
            sign(i % 24, close, &mut wires);
        }
    }
    for batch in wires.chunks(512) {
        for verdict in ledger.ingest_batch(batch, now_ms()).unwrap() {
            assert!(matches!(verdict, Verdict::Stored(_)), "{verdict:?}");
        }
    }
    ledger.store().flush().unwrap();
    ledger
}

pub fn run(quick: bool) -> Vec<Row> {
    let audits = if quick { 10_000 } else { 100_000 };
    let dir = tempfile::tempdir().unwrap();
    let ledger = audited(dir.path(), audits);
    let everything = ScorecardFilter::default();
    // The first card reads every audit from the store.
    let (whole, whole_peak, card) = measure_runs(1, || ledger.scorecard(&everything).unwrap());
    let json_bytes = serde_json::to_vec(&card).map(|j| j.len()).unwrap_or(0);
    if card.total.audits != audits as u64 {
        crate::fail(&format!(
            "the score card counted {} audits of {audits}",
            card.total.audits
        ));
    }
    // Once read, the audits stay in memory and arrive there as they are stored.
    let (kept, _, _) = measure(|| ledger.scorecard(&everything).unwrap());
    let one_state = ScorecardFilter {
        state: Some("Bihar".into()),
        ..ScorecardFilter::default()
    };
    let (state, state_peak, _) = measure(|| ledger.scorecard(&one_state).unwrap());
    let (overview, overview_peak, _) = measure(|| ledger.overview(now_ms()).unwrap());
    let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
    let label = if quick { "10,000" } else { "100,000" };
    vec![
        row(
            &format!("score card of {label} audits (600 offices, 10% endorsed)"),
            format!(
                "{:.2} s, +{:.0} MB peak, {:.1} MB JSON",
                whole.as_secs_f64(),
                mb(whole_peak),
                mb(json_bytes as u64)
            ),
            "< 1 s at 100,000",
            json!({"seconds": whole.as_secs_f64(), "peak_bytes": whole_peak, "json_bytes": json_bytes}),
        ),
        row(
            &format!("score card of {label} audits, once read (kept in memory)"),
            format!("{:.0} ms", kept.as_secs_f64() * 1000.0),
            "< 50 ms at 100,000",
            json!({"seconds": kept.as_secs_f64()}),
        ),
        row(
            &format!("score card of one state, of {label} audits"),
            format!(
                "{:.2} s, +{:.0} MB peak",
                state.as_secs_f64(),
                mb(state_peak)
            ),
            "—",
            json!({"seconds": state.as_secs_f64(), "peak_bytes": state_peak}),
        ),
        row(
            &format!("forum overview: {label} audits, a tenth as many requests"),
            format!(
                "{:.3} s, +{:.0} MB peak",
                overview.as_secs_f64(),
                mb(overview_peak)
            ),
            "—",
            json!({"seconds": overview.as_secs_f64(), "peak_bytes": overview_peak}),
        ),
    ]
}
