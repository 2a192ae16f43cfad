//! A member flooding the network: its excess live posts are dropped and counted (they still
//! arrive later through sync), and honest posts keep flowing. Prints the latency figures.

use std::time::{Duration, Instant};

use sangam_node::api::ApiClient;
use sangam_protocol::api::{Event, Request, Response};
use sangam_tests::{TestNode, announcement, eventually, network};

/// Posts `count` announcements from `from`, one at a time, and returns how long each took to be
/// stored by the node whose events `watch` streams.
async fn latencies(
    from: &TestNode,
    watch: &mut ApiClient,
    count: usize,
    label: &str,
) -> Vec<Duration> {
    let mut out = Vec::new();
    for i in 0..count {
        let started = Instant::now();
        let id = from.announce(&format!("{label} {i}")).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let next = tokio::time::timeout_at(deadline.into(), watch.next()).await;
            match next {
                Ok(Ok(Response::Event {
                    event: Event::MessageStored { item },
                })) if item.id == id => break,
                Ok(Ok(_)) => continue,
                _ => panic!("{label} {i} never arrived"),
            }
        }
        out.push(started.elapsed());
    }
    out.sort();
    out
}

fn median(values: &[Duration]) -> Duration {
    values[values.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_member_is_rate_limited_and_honest_posts_keep_flowing() {
    let mut nodes = network(3);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start(vec![founder.clone()]).await;
    }
    let first = nodes[1].announce("hello").await;
    for node in &nodes {
        eventually("everyone connected", || node.holds(first)).await;
    }
    let mut watch = ApiClient::connect(&nodes[3].dir.socket_path())
        .await
        .unwrap();
    assert_eq!(
        watch.request(&Request::Subscribe).await.unwrap(),
        Response::Subscribed
    );
    let normal = latencies(&nodes[1], &mut watch, 30, "normal").await;

    // nodes[2] floods for as long as the measurement runs.
    let socket = nodes[2].dir.socket_path();
    let flood = tokio::spawn(async move {
        let mut client = ApiClient::connect(&socket).await.unwrap();
        let mut sent = 0u64;
        loop {
            let body = announcement(&format!("flood {sent}"));
            match client.request(&Request::Post { body }).await {
                Ok(Response::Posted { .. }) => sent += 1,
                _ => return sent,
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = latencies(&nodes[1], &mut watch, 30, "during the flood").await;
    flood.abort();
    let _ = flood.await;

    let rejected = nodes[3].status().await.rejected;
    let limited = rejected.get("rate_limited").copied().unwrap_or(0);
    assert!(limited > 0, "the flood was not rate-limited: {rejected:?}");
    let flooded = nodes[2].count(sangam_protocol::Kind::Announcement).await;
    eprintln!(
        "flood: {flooded} posts by one member; {limited} dropped from live gossip at one honest node; \
         honest latency median {:?} -> {:?} (ratio {:.2}), worst {:?} -> {:?}",
        median(&normal),
        median(&during),
        median(&during).as_secs_f64() / median(&normal).as_secs_f64(),
        normal.last().unwrap(),
        during.last().unwrap(),
    );
    for node in &mut nodes {
        node.stop().await;
    }
}
