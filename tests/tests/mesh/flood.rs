//! A member flooding the network: its excess live posts are dropped and counted (they still
//! arrive later through sync), and honest posts keep flowing. Prints the latency figures.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::IdentTopic;
use sangam_node::client::Client;
use sangam_node::clock::now_ms;
use sangam_protocol::api::{Event, Request, Response};
use sangam_protocol::transport::gossip_topic;
use sangam_protocol::{AuthorId, Draft, Keypair, NetworkId};
use sangam_tests::{
    Recording, TEST_TIME_LIMIT, TestNode, announcement, eventually, keys_settled, network,
    raw_swarm, time_limit,
};

/// Posts the flooder sends at the least: far past the burst allowance (60) plus what the refill
/// (30 a minute) adds in the time even a slow machine takes to send them.
const FLOOD_POSTS: u64 = 150;

/// Posts `count` announcements from `from`, one at a time, and returns how long each took to be
/// stored by the node whose events `watch` streams.
async fn latencies(
    from: &TestNode,
    watch: &mut Client,
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

/// Every `rate_limited` refusal in `events`, by the author it named.
fn limited_authors(events: &[Event]) -> Vec<Option<AuthorId>> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Rejected { reason, author, .. } if reason == "rate_limited" => Some(*author),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_member_is_rate_limited_and_honest_posts_keep_flowing() {
    let _limit = time_limit(TEST_TIME_LIMIT);
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
    let mut watch = Client::connect(&nodes[3].dir.socket_path()).await.unwrap();
    assert_eq!(
        watch.request(&Request::Subscribe).await.unwrap(),
        Response::Subscribed
    );
    let recording = Recording::start(&nodes[3]).await;
    // The honest member stays within its burst allowance (1 + 20 + 20 < 60 posts), so none of
    // its posts may be rate-limited; the flooder goes far beyond it.
    let normal = latencies(&nodes[1], &mut watch, 20, "normal").await;

    // nodes[2] floods for as long as the measurement runs.
    let socket = nodes[2].dir.socket_path();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let flood = tokio::spawn(async move {
        let mut client = Client::connect(&socket).await.unwrap();
        let mut sent = 0u64;
        // At least FLOOD_POSTS however slow the machine, and on for as long as the
        // measurement runs.
        while sent < FLOOD_POSTS || !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            let body = announcement(&format!("flood {sent}"));
            match client.request(&Request::Post { body }).await {
                Ok(Response::Posted { .. }) => sent += 1,
                _ => break,
            }
        }
        sent
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = latencies(&nodes[1], &mut watch, 20, "during the flood").await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let flooded = flood.await.unwrap();

    let events = recording.finish().await;
    // Every excess post of the flood still arrives, later, through sync: once the watching node
    // syncs with the flooder (here on reconnecting to it), it holds every announcement the
    // flooder holds (its own and the honest ones).
    let everything = nodes[2].count(sangam_protocol::Kind::Announcement).await;
    assert_eq!(
        everything,
        flooded + 41,
        "the flooder holds its posts and the honest ones"
    );
    nodes[3].stop().await;
    let flooder = nodes[2].addr();
    nodes[3].start(vec![flooder]).await;
    eventually("the flood to arrive in full through sync", || async {
        nodes[3].count(sangam_protocol::Kind::Announcement).await == everything
    })
    .await;
    let limited = limited_authors(&events);
    assert!(
        !limited.is_empty(),
        "the flood ({flooded} posts) was not rate-limited"
    );
    assert!(
        limited.iter().all(|author| *author == Some(nodes[2].id)),
        "someone other than the flooder was rate-limited: {limited:?}"
    );
    eprintln!(
        "flood: {flooded} posts by one member; {} dropped from live gossip at one honest node; \
         honest latency median {:?} -> {:?} (ratio {:.2}), worst {:?} -> {:?}",
        limited.len(),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forging_a_members_name_uses_up_none_of_its_allowance() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // nodes[1] is honest; nodes[2] is a hostile member running a raw swarm that signs messages
    // in nodes[1]'s name with its own key (so the signatures fail).
    let mut nodes = network(2);
    let forger = nodes[2].dir.load_identity().unwrap();
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    // The victim's own sealing key goes out once it runs: let it arrive first, so the only
    // messages in its name during the test are the forger's and its own posts.
    keys_settled(&nodes[..2]).await;
    let recording = Recording::start(&nodes[0]).await;

    let mut swarm = raw_swarm(&forger, &network_id, nodes[0].id.peer_id());
    swarm.dial(founder).unwrap();
    let topic = IdentTopic::new(gossip_topic(&network_id));
    let victim = nodes[1].id;
    let forged: Vec<Vec<u8>> = (1..=40u64)
        .map(|seq| forged_in_the_name_of(&forger, victim, network_id, seq))
        .collect();
    let mut sent = 0;
    let started = Instant::now();
    let founder_peer = nodes[0].id.peer_id();
    // Until all are out, or the node has banned the forger (it disconnects after five strikes).
    while sent < forged.len()
        && started.elapsed() < Duration::from_secs(60)
        && (sent == 0 || swarm.is_connected(&founder_peer))
    {
        let publish = swarm
            .behaviour_mut()
            .gossip
            .inner()
            .publish(topic.clone(), forged[sent].clone());
        if publish.is_ok() {
            sent += 1;
        }
        let _ = tokio::time::timeout(Duration::from_millis(20), swarm.select_next_some()).await;
    }
    // Gossipsub greylists the forger after a few invalid messages and the node bans it after
    // five; the rest never reach validation. Either way, some were refused as forged.
    eventually("forged messages to be refused", || async {
        nodes[0]
            .status()
            .await
            .rejected
            .get("bad_signature")
            .is_some_and(|n| *n >= 2)
    })
    .await;
    drop(swarm);

    // The victim now uses its whole burst allowance (less the token its sealing key took, should
    // it have come within the last refill): every post passes the live rate limit. Had the
    // forgeries taken tokens, the up to 40 of them would leave far fewer.
    let burst = sangam_protocol::limits::RATE_BURST as usize - 1;
    let mut posted = Vec::new();
    for i in 0..burst {
        posted.push(nodes[1].announce(&format!("my own post {i}")).await);
    }
    for id in &posted {
        eventually("the founder to hold every post", || nodes[0].holds(*id)).await;
    }
    let events = recording.finish().await;
    let limited = limited_authors(&events);
    assert!(
        !limited.contains(&Some(victim)),
        "forged messages used up the victim's allowance: {} of its posts were rate-limited",
        limited.iter().filter(|a| **a == Some(victim)).count()
    );
    for node in &mut nodes {
        node.stop().await;
    }
}

/// A message claiming `victim` as author, signed with `forger`'s key: its signature fails.
fn forged_in_the_name_of(
    forger: &Keypair,
    victim: AuthorId,
    network: NetworkId,
    seq: u64,
) -> Vec<u8> {
    let genuine = Draft {
        network,
        seq: 1,
        prev: None,
        timestamp: now_ms(),
        body: announcement(&format!("forged {seq}")),
    }
    .sign(forger)
    .unwrap()
    .into_wire();
    // The author field is the forger's key inside the signed header; put the victim's there.
    let forger_bytes = forger.author().0;
    let at = genuine
        .windows(32)
        .position(|w| w == forger_bytes)
        .expect("the author is in the header");
    let mut forged = genuine;
    forged[at..at + 32].copy_from_slice(&victim.0);
    forged
}
