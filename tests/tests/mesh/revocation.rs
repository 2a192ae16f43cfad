//! Revocation cuts a member off everywhere: every node drops it, nothing it posts afterwards is
//! stored or relayed by anyone, and its old admission proof no longer opens any door.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::IdentTopic;
use libp2p::request_response;
use libp2p::swarm::SwarmEvent;
use sangam_node::network::BehaviourEvent;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::transport::{Hello, gossip_topic};
use sangam_tests::{
    TEST_TIME_LIMIT, TestNode, announcement, eventually, network, raw_swarm, time_limit,
};

/// Whether `node` is connected to `other` now.
async fn connected_to(node: &TestNode, other: &TestNode) -> bool {
    let peer = other.id.peer_id().to_string();
    node.status().await.connected.iter().any(|p| p.peer == peer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_member_is_cut_off_by_every_node() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, two honest members, and X (nodes[3]), which will be revoked.
    let mut nodes = network(3);
    let x_key = nodes[3].dir.load_identity().unwrap();
    let old_proof = nodes[0].ledger().admission_proof(&nodes[3].id).unwrap();
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;
    let first = nodes[1].addr();
    nodes[2].start(vec![first.clone()]).await;
    nodes[3].start(vec![first]).await;
    // Before: X is connected to every other node and its posts reach all of them.
    let hello = nodes[3].announce("X, still a member").await;
    for i in 0..3 {
        eventually("X's post to reach everyone", || nodes[i].holds(hello)).await;
        eventually("X to be connected to every node", || {
            connected_to(&nodes[i], &nodes[3])
        })
        .await;
    }
    // A copy of X's disk as it is now (a thief's copy, or a laptop that was off): it will not
    // hear of the revocation, so it really posts afterwards.
    nodes[3].stop().await;
    let mut copy = copy_of(&nodes[3]);
    let first = nodes[1].addr();
    nodes[3].start(vec![first]).await;
    eventually("X to be connected again", || {
        connected_to(&nodes[1], &nodes[3])
    })
    .await;

    let revoked = nodes[0]
        .api(Request::Revoke {
            member: nodes[3].id,
            reason: "the laptop was taken".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoked, Response::Posted { .. }), "{revoked:?}");

    // Every honest node learns of it and drops X, and X stays out.
    for i in 0..3 {
        eventually(&format!("{} to drop X", nodes[i].name), || async {
            !connected_to(&nodes[i], &nodes[3]).await
        })
        .await;
        let members = match nodes[i].api(Request::Members).await {
            Response::Members { members } => members,
            other => panic!("{other:?}"),
        };
        assert!(
            members.iter().any(|m| m.id == nodes[3].id && m.revoked),
            "{} does not list X as revoked",
            nodes[i].name
        );
    }

    // The copy of X's disk, which never heard of the revocation, posts and dials in; no honest
    // node stores the post, now or later. It redials every few seconds: watch for long enough
    // that several attempts happen.
    nodes[3].stop().await;
    let first = nodes[1].addr();
    copy.start(vec![first]).await;
    let after = match copy
        .api(Request::Post {
            body: announcement("X, after revocation"),
        })
        .await
    {
        Response::Posted { id } => id,
        other => panic!("the copy of X's disk did not post: {other:?}"),
    };
    let watch_until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < watch_until {
        for node in &nodes[..3] {
            assert!(!node.holds(after).await, "{} stored X's post", node.name);
            assert!(
                !connected_to(node, &copy).await || {
                    // A redial may be open for the moment it takes to refuse it; it must not last.
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    !connected_to(node, &copy).await
                },
                "{} let X back in",
                node.name
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    copy.stop().await;

    // X's key in a raw swarm: its old proof is refused in hello, and its gossip goes nowhere.
    let network_id = nodes[0].status().await.network.unwrap();
    let target = nodes[2].id.peer_id();
    let mut swarm = raw_swarm(&x_key, &network_id, target);
    swarm.dial(nodes[2].addr()).unwrap();
    let refusals_before = nodes[2]
        .status()
        .await
        .rejected
        .get("outsider_connection")
        .copied()
        .unwrap_or(0);
    let forged_on = sangam_protocol::Draft {
        network: network_id,
        seq: 2,
        prev: Some(hello),
        timestamp: sangam_node::clock::now_ms(),
        body: announcement("X, through a raw swarm"),
    }
    .sign(&x_key)
    .unwrap();
    let raw_post = forged_on.id();
    let topic = IdentTopic::new(gossip_topic(&network_id));
    let started = Instant::now();
    let mut answer = None;
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(30) && !closed {
        let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
        else {
            continue;
        };
        match event {
            SwarmEvent::ConnectionEstablished { .. } => {
                swarm.behaviour_mut().hello.send_request(
                    &target,
                    Hello {
                        network: network_id,
                        proof: Some(old_proof.clone()),
                    },
                );
                let _ = swarm
                    .behaviour_mut()
                    .gossip
                    .inner()
                    .publish(topic.clone(), forged_on.wire().to_vec());
            }
            SwarmEvent::Behaviour(BehaviourEvent::Hello(request_response::Event::Message {
                message: request_response::Message::Response { response, .. },
                ..
            })) => answer = Some(format!("{response:?}")),
            SwarmEvent::Behaviour(BehaviourEvent::Hello(
                request_response::Event::OutboundFailure { error, .. },
            )) => answer = Some(format!("failed: {error:?}")),
            SwarmEvent::ConnectionClosed {
                num_established: 0, ..
            } => closed = true,
            _ => {}
        }
    }
    assert!(closed, "the node kept X's connection open");
    let answer = answer.unwrap_or_else(|| "no answer".into());
    assert!(
        !answer.contains("Welcome") && !answer.contains("Admitted"),
        "X's old proof was accepted: {answer}"
    );
    eventually("the refused hello to be counted", || async {
        nodes[2]
            .status()
            .await
            .rejected
            .get("outsider_connection")
            .copied()
            .unwrap_or(0)
            > refusals_before
    })
    .await;
    for node in &nodes[..3] {
        assert!(!node.holds(raw_post).await, "{} stored it", node.name);
    }
    drop(swarm);
    for node in &mut nodes {
        node.stop().await;
    }
}

/// A stopped node's data folder copied to a new place, as a node of its own (same key).
fn copy_of(node: &TestNode) -> TestNode {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("node");
    copy(node.dir.root(), &root);
    TestNode {
        name: format!("{} (copy)", node.name),
        temp,
        dir: sangam_node::datadir::DataDir::open(&root).unwrap(),
        id: node.id,
        running: None,
        addrs: vec![],
    }
}
