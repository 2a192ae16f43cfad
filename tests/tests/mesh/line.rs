//! Gossip alone carries posts along a line: periodic sync off, each node connected only to its
//! neighbours, so every post has to be relayed hop by hop by gossip. Unknown kinds from newer
//! versions are relayed the same way.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::swarm::SwarmEvent;
use sangam_node::clock::now_ms;
use sangam_node::daemon::DaemonConfig;
use sangam_node::ledger::Verdict;
use sangam_node::network::BehaviourEvent;
use sangam_protocol::api::Event;
use sangam_protocol::transport::gossip_topic;
use sangam_protocol::{Body, Draft, Kind};
use sangam_tests::{
    NO_PERIODIC_SYNC, Recording, TEST_TIME_LIMIT, TestNode, eventually, keys_settled, network,
    raw_swarm, test_config, time_limit,
};

/// Starts `nodes` as a line: each dials only the one before it and nobody else (no member
/// lookups, no reconnect rounds), and never syncs on a timer. Every node first learns every
/// admission (as after a first sync), so the syncs on connecting have nothing to bring and a
/// post is never refused for an author a node has not heard of yet.
async fn start_line(nodes: &mut [TestNode]) {
    let admits = nodes[0].ledger().store().all_of_kind(Kind::Admit).unwrap();
    for node in nodes[1..].iter() {
        for verdict in node.ledger().ingest_batch(&admits, now_ms()).unwrap() {
            assert!(
                !matches!(verdict, Verdict::Refused(_)),
                "stored: {verdict:?}"
            );
        }
    }
    for i in 0..nodes.len() {
        let bootstrap = if i == 0 {
            vec![]
        } else {
            vec![nodes[i - 1].addr()]
        };
        nodes[i]
            .start_with(DaemonConfig {
                sync_interval: NO_PERIODIC_SYNC,
                wanted_peers: 0,
                ..test_config(bootstrap)
            })
            .await;
    }
    // The line is formed when every node is connected to exactly its neighbours, with a gossip
    // mesh to each.
    for i in 0..nodes.len() {
        let mut expected: Vec<String> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|j| *j < nodes.len())
            .map(|j| nodes[j].id.peer_id().to_string())
            .collect();
        expected.sort();
        let node = &nodes[i];
        eventually(
            &format!("{} to be linked to its neighbours", node.name),
            || {
                let expected = expected.clone();
                async move {
                    let status = node.status().await;
                    let mut connected: Vec<String> =
                        status.connected.iter().map(|p| p.peer.clone()).collect();
                    connected.sort();
                    connected == expected && status.gossip_mesh as usize == expected.len()
                }
            },
        )
        .await;
    }
}

/// Asserts that every node is still linked to its neighbours only (no shortcut appeared).
async fn assert_still_a_line(nodes: &[TestNode]) {
    let line: Vec<String> = nodes.iter().map(|n| n.id.peer_id().to_string()).collect();
    for (i, node) in nodes.iter().enumerate() {
        let linked = node
            .status()
            .await
            .connected
            .iter()
            .filter(|p| line.contains(&p.peer))
            .count();
        let neighbours = if i == 0 || i == nodes.len() - 1 { 1 } else { 2 };
        assert_eq!(linked, neighbours, "{} has a shortcut", node.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gossip_alone_carries_posts_along_a_line_of_eight() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(7);
    start_line(&mut nodes).await;
    // The sealing keys each node published on starting travel first (some by sync, before the
    // mesh formed); what is measured is the posts after them.
    keys_settled(&nodes).await;
    let mut recordings = Vec::new();
    for node in &nodes {
        recordings.push(Recording::start(node).await);
    }
    // From both ends and the middle.
    let mut posts = Vec::new();
    for i in [7, 0, 3] {
        for n in 0..3 {
            posts.push(
                nodes[i]
                    .announce(&format!("gossip {n} from node {i}"))
                    .await,
            );
        }
    }
    for node in &nodes {
        for id in &posts {
            eventually(&format!("{} to hold every post", node.name), || {
                node.holds(*id)
            })
            .await;
        }
    }
    assert_still_a_line(&nodes).await;
    // Nothing came by sync: any sync that ran (on a reconnect) brought nothing.
    for (node, recording) in nodes.iter().zip(recordings) {
        for event in recording.finish().await {
            if let Event::SyncDone { received, .. } = event {
                assert_eq!(received, 0, "{} got posts by sync", node.name);
            }
        }
    }
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_from_a_newer_version_is_relayed_across_three_nodes() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // nodes[0..3] form a line; nodes[3] is a member on a newer version, simulated by a raw
    // swarm that publishes a message of kind 42 to the line's first node (the founder).
    let mut nodes = network(3);
    let newer = nodes[3].dir.load_identity().unwrap();
    start_line(&mut nodes[..3]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    let message = Draft {
        network: network_id,
        seq: 1,
        prev: None,
        timestamp: now_ms(),
        body: Body::Unsupported {
            number: 42,
            bytes: b"a field this version does not know".to_vec(),
        },
    }
    .sign(&newer)
    .unwrap();
    let mut swarm = raw_swarm(&newer, &network_id, nodes[0].id.peer_id());
    swarm.dial(nodes[0].addr()).unwrap();
    let topic = IdentTopic::new(gossip_topic(&network_id));
    let started = Instant::now();
    let mut published = false;
    let mut subscribed = false;
    while started.elapsed() < Duration::from_secs(60) && !published {
        if let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
            && matches!(
                event,
                SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Subscribed { .. }))
            )
        {
            subscribed = true;
        }
        if subscribed {
            published = swarm
                .behaviour_mut()
                .gossip
                .inner()
                .publish(topic.clone(), message.wire().to_vec())
                .is_ok();
        }
    }
    assert!(published, "the newer member could not publish");
    let drive = tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
    // Counted through `status`: showing such an item through the API still fails on the
    // client side (issue #13 fixes that).
    for node in &nodes[..3] {
        eventually(&format!("{} to hold the new kind", node.name), || async {
            node.count(Kind::Unsupported(42)).await == 1
        })
        .await;
    }
    assert_still_a_line(&nodes[..3]).await;
    drive.abort();
    for node in &mut nodes {
        node.stop().await;
    }
}

/// What one node learns by sync it passes on within seconds, not at the next sync round: a node
/// that was away comes back holding a post made while it was offline; its neighbour pulls the
/// post by sync, and the next node along — connected all along, never syncing on a timer —
/// gets it from that neighbour straight away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_arrives_by_sync_is_passed_along_within_seconds() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(2);
    start_line(&mut nodes).await;
    nodes[0].stop().await;
    // Written while the node is stopped: straight into its folder.
    let offline = sangam_node::client::Client::open(&nodes[0].dir)
        .await
        .unwrap()
        .post(sangam_tests::announcement("Written while away"))
        .await
        .unwrap();
    let back = Instant::now();
    let bootstrap = vec![nodes[1].addr()];
    nodes[0]
        .start_with(DaemonConfig {
            sync_interval: NO_PERIODIC_SYNC,
            wanted_peers: 0,
            ..test_config(bootstrap)
        })
        .await;
    eventually("the neighbour to pull the post by sync", || {
        nodes[1].holds(offline)
    })
    .await;
    let neighbour = back.elapsed();
    eventually("the next node along to get it from the neighbour", || {
        nodes[2].holds(offline)
    })
    .await;
    println!(
        "back online → neighbour holds it: {neighbour:?}; → next node holds it: {:?}",
        back.elapsed()
    );
    assert_still_a_line(&nodes).await;
}
