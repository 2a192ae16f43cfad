//! Hostile peers: an outsider learns nothing; a member's forged, tampered, wrong-network and
//! oversized messages are refused by honest nodes over gossip and over sync, and counted.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::request_response;
use libp2p::swarm::SwarmEvent;
use libp2p::{PeerId, Swarm};
use sangam_node::event_loop::now_ms;
use sangam_node::gate::MemberGate;
use sangam_node::network::{Behaviour, BehaviourEvent, SwarmSettings, build_swarm};
use sangam_protocol::limits::MAX_MESSAGE_BYTES;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector};
use sangam_protocol::transport::gossip_topic;
use sangam_protocol::{Draft, Keypair, NetworkId};
use sangam_tests::{TestNode, announcement, eventually, network};

/// A raw swarm speaking Sangam's protocols with `keypair`, treating `target` as a member.
fn raw_swarm(keypair: &Keypair, network: &NetworkId, target: PeerId) -> Swarm<Behaviour> {
    let gate = MemberGate::default();
    gate.allow(target);
    build_swarm(keypair, network, &gate, &SwarmSettings { mdns: false })
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_that_connects_receives_nothing_and_is_dropped() {
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[1].start(vec![first]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    let target = nodes[0].id.peer_id();

    // The outsider even knows the network id (say, from a leaked invite) and tries everything.
    let outsider = Keypair::from_secret_bytes(&[0x66; 32]);
    let mut swarm = raw_swarm(&outsider, &network_id, target);
    swarm.dial(nodes[0].addr()).unwrap();
    let started = Instant::now();
    let mut asked = false;
    let mut received = 0;
    let mut sync_failed = false;
    let mut dropped = false;
    let mut posted = false;
    while started.elapsed() < Duration::from_secs(60) && !dropped {
        let event =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await;
        if !posted && started.elapsed() > Duration::from_secs(1) {
            nodes[1].announce("members only").await;
            posted = true;
        }
        let Ok(event) = event else { continue };
        match event {
            SwarmEvent::ConnectionEstablished { .. } if !asked => {
                let vector = VersionVector::new();
                let request = SyncRequest::Digest(vector.digest());
                swarm
                    .behaviour_mut()
                    .sync
                    .inner()
                    .send_request(&target, request);
                asked = true;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message { .. })) => {
                received += 1;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
                message: request_response::Message::Response { .. },
                ..
            })) => received += 1,
            SwarmEvent::Behaviour(BehaviourEvent::Sync(
                request_response::Event::OutboundFailure { .. },
            )) => sync_failed = true,
            SwarmEvent::ConnectionClosed {
                num_established: 0, ..
            } => dropped = true,
            _ => {}
        }
    }
    assert!(asked, "the outsider never connected");
    assert_eq!(received, 0, "the outsider received content");
    assert!(sync_failed, "the outsider's sync request was not refused");
    assert!(dropped, "the outsider was not disconnected");
    let rejected = nodes[0].status().await.rejected;
    assert!(
        rejected.get("outsider_connection").copied().unwrap_or(0) >= 1,
        "{rejected:?}"
    );
    for node in &mut nodes {
        node.stop().await;
    }
}

/// Messages a hostile member sends, each with the reason an honest node must give.
fn hostile_messages(
    member: &Keypair,
    network: NetworkId,
    round: u64,
) -> Vec<(Vec<u8>, &'static str)> {
    let sign = |network, title: &str| {
        Draft {
            network,
            seq: 1,
            prev: None,
            timestamp: now_ms(),
            body: announcement(title),
        }
        .sign(member)
        .unwrap()
        .into_wire()
    };
    let mut forged = sign(network, &format!("forged {round}"));
    let at = forged.len() - 70; // inside the signature
    forged[at] ^= 0x01;
    let mut tampered = sign(network, &format!("tampered {round}"));
    let last = tampered.len() - 1; // inside the body
    tampered[last] ^= 0x01;
    let elsewhere = sign(NetworkId([7; 32]), &format!("elsewhere {round}"));
    let oversized = vec![0u8; MAX_MESSAGE_BYTES + 100];
    vec![
        (forged, "bad_signature"),
        (tampered, "body_mismatch"),
        (elsewhere, "wrong_network"),
        (oversized, "oversized"),
    ]
}

async fn rejected(node: &TestNode, reason: &str) -> u64 {
    node.status()
        .await
        .rejected
        .get(reason)
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_bad_messages_are_refused_over_gossip_and_sync() {
    // nodes[1] is the hostile member: admitted, but it runs a raw swarm instead of a node.
    let mut nodes = network(2);
    let hostile = nodes[1].dir.load_identity().unwrap();
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[2].start(vec![first]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    let honest = nodes[0].id.peer_id();
    let mut swarm = raw_swarm(&hostile, &network_id, honest);
    swarm.dial(nodes[0].addr()).unwrap();
    let topic = IdentTopic::new(gossip_topic(&network_id));

    let started = Instant::now();
    let mut gossiped = false;
    let mut served_sync = false;
    while started.elapsed() < Duration::from_secs(60) && !(gossiped && served_sync) {
        let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
        else {
            continue;
        };
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Subscribed {
                ..
            })) if !gossiped => {
                for (wire, _) in hostile_messages(&hostile, network_id, 1) {
                    let _ = swarm
                        .behaviour_mut()
                        .gossip
                        .inner()
                        .publish(topic.clone(), wire);
                }
                gossiped = true;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            })) => {
                let response = match request {
                    SyncRequest::Digest(_) => {
                        let mut claim = VersionVector::new();
                        claim.set(hostile.author(), 5);
                        SyncResponse::Vector(claim)
                    }
                    SyncRequest::Want(_) => {
                        served_sync = true;
                        let messages = hostile_messages(&hostile, network_id, 2)
                            .into_iter()
                            .map(|(w, _)| w);
                        SyncResponse::Batch {
                            messages: messages.collect(),
                            complete: true,
                        }
                    }
                };
                let _ = swarm
                    .behaviour_mut()
                    .sync
                    .inner()
                    .send_response(channel, response);
            }
            _ => {}
        }
    }
    assert!(
        gossiped && served_sync,
        "the hostile member never got to send its messages"
    );
    // Keep the hostile connection alive while the honest node reports.
    let drive = tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
    // Sync is not scored, so every bad message it carried is refused and counted by reason.
    for reason in [
        "bad_signature",
        "body_mismatch",
        "wrong_network",
        "oversized",
    ] {
        eventually(&format!("a `{reason}` rejection"), || async {
            rejected(&nodes[0], reason).await >= 1
        })
        .await;
    }
    // Over gossip, the first invalid messages are refused and counted too; by then the hostile
    // peer's score is below gossipsub's greylist threshold and the rest are dropped unread.
    eventually("at least six rejections in all", || async {
        nodes[0].status().await.rejected.values().sum::<u64>() >= 6
    })
    .await;
    // Nothing of it was stored or passed on.
    for node in [&nodes[0], &nodes[2]] {
        let items = node.feed(None).await;
        assert!(
            items.iter().all(|item| item.author != hostile.author()),
            "{} stored it",
            node.name
        );
    }
    assert_eq!(
        rejected(&nodes[2], "bad_signature").await,
        0,
        "the honest node forwarded it"
    );
    drive.abort();
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_add_nothing_and_a_fork_is_kept_as_evidence() {
    let mut nodes = network(2);
    let hostile = nodes[1].dir.load_identity().unwrap();
    // The founder's admission of nodes[2], stored during set-up and never gossiped: no gossip
    // duplicate cache anywhere has seen it.
    let old_admit = {
        let ledger = nodes[0].ledger();
        let admits = ledger
            .store()
            .all_of_kind(sangam_protocol::Kind::Admit)
            .unwrap();
        admits.last().unwrap().clone()
    };
    nodes[0].start(vec![]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    let admits_before = nodes[0].count(sangam_protocol::Kind::Admit).await;
    let honest = nodes[0].id.peer_id();
    let mut swarm = raw_swarm(&hostile, &network_id, honest);
    swarm.dial(nodes[0].addr()).unwrap();
    let topic = IdentTopic::new(gossip_topic(&network_id));
    let sign = |title: &str| {
        Draft {
            network: network_id,
            seq: 1,
            prev: None,
            timestamp: now_ms(),
            body: announcement(title),
        }
        .sign(&hostile)
        .unwrap()
        .into_wire()
    };
    let (first, second) = (sign("my first post"), sign("my first post, rewritten"));
    let started = Instant::now();
    let mut sent = false;
    while started.elapsed() < Duration::from_secs(60) && !sent {
        let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
        else {
            continue;
        };
        if let SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Subscribed {
            ..
        })) = event
        {
            for wire in [old_admit.clone(), first.clone(), second.clone()] {
                let _ = swarm
                    .behaviour_mut()
                    .gossip
                    .inner()
                    .publish(topic.clone(), wire);
            }
            sent = true;
        }
    }
    assert!(sent);
    let drive = tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
    eventually("the fork to be recorded", || async {
        !nodes[0].status().await.forks.is_empty()
    })
    .await;
    let status = nodes[0].status().await;
    assert_eq!(status.forks.get(&hostile.author().to_string()), Some(&1));
    assert_eq!(status.rejected.get("fork"), Some(&1));
    assert_eq!(
        nodes[0].count(sangam_protocol::Kind::Admit).await,
        admits_before,
        "the replay added nothing"
    );
    assert!(
        !status.rejected.contains_key("misbehaving_peer"),
        "a replay is not misbehaviour"
    );
    drive.abort();
    nodes[0].stop().await;
}
