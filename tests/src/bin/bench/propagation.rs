//! Live propagation on real swarms in this process: Sangam nodes (posting through the control API,
//! arrivals seen through each node's event stream) and, on the same topology, stock gossipsub.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use sangam_node::client::Client;
use sangam_protocol::MessageId;
use sangam_protocol::api::{Event, Request, Response};
use sangam_tests::{TestNode, announcement, network};
use serde_json::json;
use tokio::sync::mpsc;

use crate::stock::{self, StockNet};
use crate::{Row, cpu_time, row};

/// Something that can post message number `index` from node `origin`.
pub trait Publisher<K> {
    /// Posts; the future gives the message's key once the origin has accepted it. It borrows
    /// nothing, so posts can be in flight from several origins at once (an open-loop load).
    fn publish(&self, origin: usize, index: usize) -> BoxFuture<'static, Option<K>>;
}

/// An arrival: the message's key, the node it reached, and when.
pub type Arrival<K> = (K, usize, Instant);

/// What one run at one rate measured.
#[derive(Clone, Copy, Debug, Default)]
struct Phase {
    rate: f64,
    /// Posts accepted per second, from the first post's due time to the last acceptance.
    achieved: f64,
    p50_ms: f64,
    p99_ms: f64,
    complete_pct: f64,
    cpu_us: f64,
    /// Cores busy on average over the phase (the whole process: every node, plus the bench).
    cores: f64,
}

impl Phase {
    /// The saturation criterion of issue #5: p99 ≤ 50 ms with every message everywhere.
    fn keeps_up(&self) -> bool {
        self.p99_ms <= 50.0 && self.complete_pct >= 100.0
    }
}

/// A small deterministic generator, so both systems get the same topology and origins.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// A connected random graph: node i dials up to three earlier nodes.
fn links(count: usize) -> Vec<Vec<usize>> {
    let mut dice = Dice(0x5eed);
    (0..count)
        .map(|i| (0..3.min(i)).map(|_| dice.below(i)).collect())
        .collect()
}

/// Posts at `rate` for `seconds` from random nodes and waits (up to 10 s after the last post)
/// until each message has reached all `count` nodes. The load is open-loop: each post starts at
/// its due time whether or not earlier ones were accepted, and latency counts from that time.
async fn phase<K: Hash + Eq + Copy + Send + 'static>(
    count: usize,
    rate: f64,
    seconds: f64,
    first_index: &mut usize,
    net: &dyn Publisher<K>,
    seen: &mut mpsc::Receiver<Arrival<K>>,
) -> Phase {
    while seen.try_recv().is_ok() {} // late arrivals of an earlier phase
    let mut dice = Dice(0xfeed ^ *first_index as u64);
    let cpu_before = cpu_time();
    let total = (rate * seconds) as usize;
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let post = net.publish(dice.below(count), *first_index + i);
        posts.spawn(async move { post.await.map(|key| (key, due, Instant::now())) });
    }
    *first_index += total;
    let mut sent: HashMap<K, Instant> = HashMap::new();
    let mut last_accepted = started;
    while let Some(done) = posts.join_next().await {
        if let Ok(Some((key, due, accepted))) = done {
            sent.insert(key, due);
            last_accepted = last_accepted.max(accepted);
        }
    }
    let achieved = sent.len() as f64
        / last_accepted
            .duration_since(started)
            .as_secs_f64()
            .max(1e-3);
    // Reached: the distinct nodes each message arrived at, and when the last of them got it.
    let mut arrivals: HashMap<K, (HashSet<usize>, Instant)> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut everywhere = 0;
    while everywhere < sent.len()
        && let Ok(Some((key, node, at))) =
            tokio::time::timeout_at(deadline.into(), seen.recv()).await
    {
        let entry = arrivals.entry(key).or_insert((HashSet::new(), at));
        if entry.0.insert(node) {
            entry.1 = entry.1.max(at);
            if entry.0.len() == count && sent.contains_key(&key) {
                everywhere += 1;
            }
        }
    }
    let cpu = cpu_time().saturating_sub(cpu_before);
    let wall = started.elapsed().as_secs_f64().max(1e-3);
    let mut latencies: Vec<Duration> = Vec::new();
    let mut delivered = 0usize;
    for (key, at) in &sent {
        if let Some((nodes, last)) = arrivals.get(key) {
            delivered += nodes.len();
            if nodes.len() >= count {
                latencies.push(last.saturating_duration_since(*at));
            }
        }
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::INFINITY, |d| d.as_secs_f64() * 1e3)
    };
    Phase {
        rate,
        achieved,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        complete_pct: latencies.len() as f64 / total.max(1) as f64 * 100.0,
        cpu_us: cpu.as_secs_f64() * 1e6 / delivered.max(1) as f64,
        cores: cpu.as_secs_f64() / wall,
    }
}

/// What [`measure`] found.
struct Measured {
    /// Runs well below saturation (10 and 20 msg/s), where latency is steady.
    calm: Vec<Phase>,
    /// The headline run.
    headline: Phase,
    /// The highest rate that kept up.
    best: Option<Phase>,
}

/// Runs at calm rates, the headline run at `rate`, then rising rates until p99 passes 50 ms or
/// delivery drops.
async fn measure<K: Hash + Eq + Copy + Send + 'static>(
    count: usize,
    quick: bool,
    net: &dyn Publisher<K>,
    seen: &mut mpsc::Receiver<Arrival<K>>,
) -> Measured {
    let (calm_rates, calm_seconds) = if quick {
        (&[10.0][..], 3.0)
    } else {
        (&[10.0, 20.0][..], 20.0)
    };
    let mut index = 0;
    let mut calm = Vec::new();
    for rate in calm_rates {
        calm.push(phase(count, *rate, calm_seconds, &mut index, net, seen).await);
    }
    let (rate, seconds, search, step_seconds) = if quick {
        (20.0, 5.0, &[40.0, 80.0][..], 3.0)
    } else {
        (
            40.0,
            30.0,
            &[60.0, 80.0, 100.0, 150.0, 200.0, 300.0][..],
            10.0,
        )
    };
    let headline = phase(count, rate, seconds, &mut index, net, seen).await;
    let mut best = headline.keeps_up().then_some(headline);
    if best.is_some() {
        for rate in search {
            let result = phase(count, *rate, step_seconds, &mut index, net, seen).await;
            if !result.keeps_up() {
                break;
            }
            best = Some(result);
        }
    } else {
        // Overloaded at the headline rate: find how much less it does keep up with.
        for rate in [rate / 2.0, rate / 4.0] {
            let result = phase(count, rate, step_seconds, &mut index, net, seen).await;
            if result.keeps_up() {
                best = Some(result);
                break;
            }
        }
    }
    Measured {
        calm,
        headline,
        best,
    }
}

/// Sangam nodes driven through their control API, one client per node (posts to one node wait
/// their turn, as a user's would; posts to different nodes run at once).
struct SangamNet {
    clients: Vec<Arc<tokio::sync::Mutex<Client>>>,
    acks: Arc<std::sync::Mutex<Vec<Duration>>>,
}

impl Publisher<MessageId> for SangamNet {
    fn publish(&self, origin: usize, index: usize) -> BoxFuture<'static, Option<MessageId>> {
        let client = self.clients[origin].clone();
        let acks = self.acks.clone();
        Box::pin(async move {
            let body = announcement(&format!("{index:0>70}")); // a ~256-byte post
            let asked = Instant::now();
            let answer = client.lock().await.request(&Request::Post { body }).await;
            if let Ok(mut acks) = acks.lock() {
                acks.push(asked.elapsed());
            }
            match answer {
                Ok(Response::Posted { id }) => Some(id),
                _ => None,
            }
        })
    }
}

/// Gossip copies and distinct gossip messages received, summed over `nodes`.
async fn sangam_tally(nodes: &[TestNode]) -> (u64, u64) {
    let mut sum = (0, 0);
    for node in nodes {
        let status = node.status().await;
        sum.0 += status.gossip_copies;
        sum.1 += status.gossip_distinct;
    }
    sum
}

/// The bench's watchers of each node's event stream; aborting them ends the observation.
type Watchers = Vec<tokio::task::JoinHandle<()>>;

async fn start_sangam(
    count: usize,
) -> (Vec<TestNode>, mpsc::Receiver<Arrival<MessageId>>, Watchers) {
    let mut nodes: Vec<TestNode> = network(count - 1);
    for (i, targets) in links(count).iter().enumerate() {
        let bootstrap = targets.iter().map(|t| nodes[*t].addr()).collect();
        nodes[i].start(bootstrap).await;
    }
    // Ready when every node knows every member and has a peer; then let the gossip mesh form.
    let ready_by = Instant::now() + Duration::from_secs(120);
    for node in &nodes {
        while Instant::now() < ready_by {
            let members = match node.api(Request::Members).await {
                Response::Members { members } => members.len(),
                _ => 0,
            };
            if members >= count && !node.status().await.connected.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // Lookups while joining connect nodes to many others; measure once each node has closed
    // its spare connections (every ten seconds), as a running network would have.
    let settled_by = Instant::now() + Duration::from_secs(90);
    for node in &nodes {
        while Instant::now() < settled_by
            && node.status().await.connected.len() > sangam_node::daemon::MAX_PEERS
        {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (seen_tx, seen) = mpsc::channel(1 << 16);
    let mut watchers = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        let mut client = Client::connect(&node.dir.socket_path()).await.unwrap();
        assert_eq!(
            client.request(&Request::Subscribe).await.unwrap(),
            Response::Subscribed
        );
        let seen_tx = seen_tx.clone();
        watchers.push(tokio::spawn(async move {
            // Other events (peers, syncs) come on the same stream: skip them, don't stop.
            while let Ok(response) = client.next().await {
                if let Response::Event {
                    event: Event::MessageStored { item },
                } = response
                    && seen_tx
                        .send((item.id, index, Instant::now()))
                        .await
                        .is_err()
                {
                    return;
                }
            }
        }));
    }
    (nodes, seen, watchers)
}

/// CPU per delivery over a fixed window: posts at `rate` for `seconds`, then 2 s for the last
/// posts to spread, all inside the window, so a run with the bench's event streams open and one
/// with them closed compare like for like. Checks through each node's message counts that every
/// post reached every node (the streams may be closed, so arrivals are not seen).
async fn fixed_window(
    nodes: &[TestNode],
    rate: f64,
    seconds: f64,
    first_index: &mut usize,
    net: &SangamNet,
) -> f64 {
    let count = nodes.len();
    let held = |status: &sangam_protocol::api::Status| {
        status.messages.get("announcement").copied().unwrap_or(0)
    };
    let mut before = Vec::with_capacity(count);
    for node in nodes {
        before.push(held(&node.status().await));
    }
    let mut dice = Dice(0xb1d ^ *first_index as u64);
    let total = (rate * seconds) as usize;
    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        posts.spawn(net.publish(dice.below(count), *first_index + i));
    }
    *first_index += total;
    while posts.join_next().await.is_some() {}
    let window_end = started + Duration::from_secs_f64(seconds + 2.0);
    tokio::time::sleep_until(window_end.into()).await;
    let cpu = cpu_time().saturating_sub(cpu_before).as_secs_f64();
    // Delivery is checked after the window, with patience (a slow debug build may take longer
    // than the window for the last post): the window measures CPU, not delivery.
    let patient_until = Instant::now() + Duration::from_secs(15);
    for (node, before) in nodes.iter().zip(before) {
        let mut gained = held(&node.status().await).saturating_sub(before);
        while gained < total as u64 && Instant::now() < patient_until {
            tokio::time::sleep(Duration::from_millis(200)).await;
            gained = held(&node.status().await).saturating_sub(before);
        }
        if gained < total as u64 {
            crate::fail(&format!(
                "fixed-window run: {} got {gained} of {total} posts",
                node.name
            ));
        }
    }
    cpu * 1e6 / (total * count) as f64
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 && ours.is_finite() && theirs.is_finite() {
        format!("{:.2}×", ours / theirs)
    } else {
        "—".into()
    }
}

/// A row with Sangam's figure, stock gossipsub's, and their ratio.
fn compared(
    figure: &str,
    target: &str,
    (ours, theirs): (f64, f64),
    show: fn(f64) -> String,
) -> Row {
    row(
        figure,
        format!(
            "{} | stock {} | {}",
            show(ours),
            show(theirs),
            ratio(ours, theirs)
        ),
        target,
        json!({"sangam": ours, "stock": theirs}),
    )
}

/// Runs both systems and returns the rows (Sangam, stock, ratio in each).
pub async fn run(quick: bool, nodes: Option<usize>) -> Vec<Row> {
    let count = nodes.unwrap_or(if quick { 10 } else { 50 });
    let (mut nodes, mut seen, watchers) = start_sangam(count).await;
    let mut clients = Vec::new();
    for node in &nodes {
        let client = Client::connect(&node.dir.socket_path()).await.unwrap();
        clients.push(Arc::new(tokio::sync::Mutex::new(client)));
    }
    let sangam = SangamNet {
        clients,
        acks: Arc::default(),
    };
    let tally_before = sangam_tally(&nodes).await;
    let Measured {
        calm: our_calm,
        headline: ours,
        best: our_best,
    } = measure(count, quick, &sangam, &mut seen).await;
    let tally_after = sangam_tally(&nodes).await;
    // CPU per delivery over identical windows with the bench's event streams open, then closed:
    // what observing costs, and Sangam's CPU like for like with stock (whose arrivals are seen
    // in-process, at almost no cost).
    // Quick mode's small network has few authors: more windows would push some of them past a
    // member's posting allowance (60 at once, 30 a minute), and receivers would rightly refuse.
    let window_rates: Vec<f64> = if quick {
        vec![our_calm.first().map_or(10.0, |p| p.rate)]
    } else {
        our_calm.iter().map(|p| p.rate).chain([ours.rate]).collect()
    };
    let window = if quick { 3.0 } else { 15.0 };
    let mut window_index = 1_000_000;
    let mut watched = Vec::new();
    for rate in &window_rates {
        watched.push(fixed_window(&nodes, *rate, window, &mut window_index, &sangam).await);
        while seen.try_recv().is_ok() {}
    }
    for watcher in watchers {
        watcher.abort();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut blind = Vec::new();
    for rate in &window_rates {
        blind.push(fixed_window(&nodes, *rate, window, &mut window_index, &sangam).await);
    }
    if std::env::var_os("SANGAM_BENCH_DEBUG").is_some() {
        for node in &nodes {
            let status = node.status().await;
            eprintln!(
                "{}: {} peers, {} in gossip mesh, gossip {}/{}, refused {:?}",
                node.name,
                status.connected.len(),
                status.gossip_mesh,
                status.gossip_copies,
                status.gossip_distinct,
                status.rejected
            );
        }
    }
    let our_copies =
        (tally_after.0 - tally_before.0) as f64 / (tally_after.1 - tally_before.1).max(1) as f64;
    if std::env::var_os("SANGAM_BENCH_DEBUG").is_some() {
        let mut acks = sangam.acks.lock().map(|a| a.clone()).unwrap_or_default();
        acks.sort();
        let median = acks.get(acks.len() / 2).copied().unwrap_or_default();
        eprintln!("post acknowledged after (median): {median:?}");
    }
    drop(sangam);
    for node in &mut nodes {
        node.stop().await;
    }
    drop(nodes);

    let (stock_tx, mut stock_seen) = mpsc::channel(1 << 16);
    let stock = StockNet::start(&links(count), stock::Settings::Default, stock_tx).await;
    let tally_before = stock.tally().await;
    let Measured {
        calm: their_calm,
        headline: theirs,
        best: their_best,
    } = measure(count, quick, &stock, &mut stock_seen).await;
    let tally_after = stock.tally().await;
    let their_copies =
        (tally_after.0 - tally_before.0) as f64 / (tally_after.1 - tally_before.1).max(1) as f64;
    stock.stop();

    // Stock gossipsub again with Sangam's mesh settings: the like-for-like copies figure.
    let (tuned_tx, mut tuned_seen) = mpsc::channel(1 << 16);
    let tuned = StockNet::start(&links(count), stock::Settings::SangamMesh, tuned_tx).await;
    let tally_before = tuned.tally().await;
    let mut index = 0;
    let (rate, seconds) = if quick { (20.0, 5.0) } else { (40.0, 30.0) };
    let tuned_phase = phase(count, rate, seconds, &mut index, &tuned, &mut tuned_seen).await;
    let tally_after = tuned.tally().await;
    let tuned_copies =
        (tally_after.0 - tally_before.0) as f64 / (tally_after.1 - tally_before.1).max(1) as f64;
    tuned.stop();

    if ours.complete_pct < 100.0 {
        crate::fail(&format!(
            "only {:.1} % of Sangam's posts reached every node",
            ours.complete_pct
        ));
    }
    let best_rate = |best: Option<Phase>| best.map_or(0.0, |p| p.rate);
    let rate_text = |best: Option<Phase>| match best {
        Some(p) => format!("{:.0} msg/s", p.rate),
        None => "below a quarter of the headline rate".into(),
    };
    let vs = |ours: String, theirs: String, r: String| format!("{ours} | stock {theirs} | {r}");
    let mut rows = Vec::new();
    for (ours, theirs) in our_calm.iter().zip(&their_calm) {
        rows.push(row(
            &format!(
                "{count} nodes, {} msg/s (calm): p50 / p99, CPU per delivery, CPU per node",
                ours.rate
            ),
            vs(
                format!(
                    "{:.1} / {:.1} ms, {:.0} µs, {:.1} %",
                    ours.p50_ms,
                    ours.p99_ms,
                    ours.cpu_us,
                    ours.cores / count as f64 * 100.0
                ),
                format!(
                    "{:.1} / {:.1} ms, {:.0} µs, {:.1} %",
                    theirs.p50_ms,
                    theirs.p99_ms,
                    theirs.cpu_us,
                    theirs.cores / count as f64 * 100.0
                ),
                ratio(ours.p99_ms, theirs.p99_ms),
            ),
            "—",
            json!({"rate": ours.rate,
                   "sangam": {"p50_ms": ours.p50_ms, "p99_ms": ours.p99_ms, "cpu_us": ours.cpu_us,
                              "cores": ours.cores, "complete_pct": ours.complete_pct},
                   "stock": {"p50_ms": theirs.p50_ms, "p99_ms": theirs.p99_ms,
                             "cpu_us": theirs.cpu_us, "cores": theirs.cores,
                             "complete_pct": theirs.complete_pct}}),
        ));
    }
    let stock_phases: Vec<&Phase> = their_calm.iter().chain([&theirs]).collect();
    for ((rate, watched_us), blind_us) in window_rates.iter().zip(&watched).zip(&blind) {
        let stock_us = stock_phases
            .iter()
            .find(|p| p.rate == *rate)
            .map_or(f64::NAN, |p| p.cpu_us);
        rows.push(row(
            &format!("{rate} msg/s, CPU per delivery: streams open / closed; stock"),
            format!(
                "{watched_us:.0} / {blind_us:.0} µs (streams {:.0} %) | stock {stock_us:.0} µs | {}",
                (1.0 - blind_us / watched_us.max(1e-9)) * 100.0,
                ratio(*blind_us, stock_us),
            ),
            "closed ≤ stock",
            json!({"rate": rate, "sangam_streams_open_us": watched_us,
                   "sangam_streams_closed_us": blind_us, "stock_us": stock_us}),
        ));
    }
    rows.push(compared(
        "cores busy during the headline run (whole process)",
        "—",
        (ours.cores, theirs.cores),
        |v| format!("{v:.2}"),
    ));
    rows.extend([
        row(
            &format!(
                "{count} nodes, {} msg/s: p50 / p99 to every node",
                ours.rate
            ),
            vs(
                format!("{:.1} / {:.1} ms", ours.p50_ms, ours.p99_ms),
                format!("{:.1} / {:.1} ms", theirs.p50_ms, theirs.p99_ms),
                ratio(ours.p99_ms, theirs.p99_ms),
            ),
            "≤ 2 / ≤ 8 ms, 50 nodes at 40 msg/s",
            json!({"sangam": {"p50_ms": ours.p50_ms, "p99_ms": ours.p99_ms},
                   "stock": {"p50_ms": theirs.p50_ms, "p99_ms": theirs.p99_ms}}),
        ),
        compared(
            "messages delivered to every node",
            "100 %",
            (ours.complete_pct, theirs.complete_pct),
            |v| format!("{v:.1} %"),
        ),
        compared(
            "CPU per delivered message",
            "≤ 150 µs",
            (ours.cpu_us, theirs.cpu_us),
            |v| format!("{v:.0} µs"),
        ),
        compared(
            "gossip copies per node per message (stock: defaults)",
            "≤ 1.5",
            (our_copies, their_copies),
            |v| format!("{v:.2}"),
        ),
        compared(
            "gossip copies per node per message (stock: Sangam's mesh)",
            "≤ 1.5",
            (our_copies, tuned_copies),
            |v| format!("{v:.2}"),
        ),
        row(
            "stock with Sangam's mesh: p50 / p99, delivered",
            format!(
                "{:.1} / {:.1} ms, {:.1} %",
                tuned_phase.p50_ms, tuned_phase.p99_ms, tuned_phase.complete_pct
            ),
            "—",
            json!({"p50_ms": tuned_phase.p50_ms, "p99_ms": tuned_phase.p99_ms,
                   "complete_pct": tuned_phase.complete_pct}),
        ),
        compared(
            "posts accepted per second (open-loop, nominal rate above)",
            "= nominal",
            (ours.achieved, theirs.achieved),
            |v| format!("{v:.1}"),
        ),
        row(
            "saturation: highest rate with p99 ≤ 50 ms, 100 %",
            vs(
                rate_text(our_best),
                rate_text(their_best),
                ratio(best_rate(our_best), best_rate(their_best)),
            ),
            "≥ 150 msg/s",
            json!({"sangam": best_rate(our_best), "stock": best_rate(their_best)}),
        ),
    ]);
    rows
}
