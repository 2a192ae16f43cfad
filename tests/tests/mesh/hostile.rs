//! Hostile members: a member's forged, tampered, wrong-network and oversized messages are refused
//! over sync and gossip, counted, and get it banned; replays add nothing; a fork is kept as
//! evidence.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::request_response;
use libp2p::swarm::SwarmEvent;
use sangam_node::clock::now_ms;
use sangam_node::daemon::DaemonConfig;
use sangam_node::network::BehaviourEvent;
use sangam_protocol::limits::MAX_MESSAGE_BYTES;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector};
use sangam_protocol::transport::gossip_topic;
use sangam_protocol::{Draft, Keypair, NetworkId};
use sangam_tests::{
    NO_PERIODIC_SYNC, TEST_TIME_LIMIT, announcement, eventually, network, publish_from, raw_swarm,
    test_config, time_limit,
};

const MINUTE: Duration = Duration::from_secs(60);

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

/// Drives `swarm` until `done` says so or `limit` passes, answering the honest node's sync requests
/// with `serve` (a claim of five messages, then a batch); returns whether `done` was reached.
async fn drive_until(
    swarm: &mut libp2p::Swarm<sangam_node::network::Behaviour>,
    serve: &dyn Fn() -> Vec<Vec<u8>>,
    claimed: sangam_protocol::AuthorId,
    limit: Duration,
    mut done: impl FnMut(&SwarmEvent<BehaviourEvent>) -> bool,
) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
        else {
            continue;
        };
        let finished = done(&event);
        if let SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
            message:
                request_response::Message::Request {
                    request, channel, ..
                },
            ..
        })) = event
        {
            let response = match request {
                SyncRequest::Digest(_) => {
                    let mut claim = VersionVector::new();
                    claim.set(claimed, 5);
                    SyncResponse::Vector(claim)
                }
                SyncRequest::Want(_) => SyncResponse::Batch {
                    messages: serve(),
                    complete: true,
                },
            };
            let _ = swarm
                .behaviour_mut()
                .sync
                .inner()
                .send_response(channel, response);
        }
        if finished {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_bad_messages_are_refused_over_sync_and_gossip_and_it_is_banned() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // nodes[1] is the hostile member: admitted, but it runs a raw swarm instead of a node.
    // No periodic sync: the honest node syncs with the hostile one exactly once, on connecting.
    let mut nodes = network(2);
    let hostile = nodes[1].dir.load_identity().unwrap();
    nodes[0]
        .start_with(DaemonConfig {
            sync_interval: NO_PERIODIC_SYNC,
            ..test_config(vec![])
        })
        .await;
    let first = nodes[0].addr();
    nodes[2].start(vec![first]).await;
    let network_id = nodes[0].status().await.network.unwrap();
    let honest = nodes[0].id.peer_id();
    let mut swarm = raw_swarm(&hostile, &network_id, honest);
    swarm.dial(nodes[0].addr()).unwrap();
    let serve = || {
        hostile_messages(&hostile, network_id, 2)
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    };

    // 1. Over sync: four bad messages, each refused and counted once by its reason. Four
    //    strikes: still connected.
    let mut subscribed = false;
    let served = drive_until(&mut swarm, &serve, hostile.author(), MINUTE, |event| {
        if matches!(
            event,
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Subscribed { .. }))
        ) {
            subscribed = true;
        }
        matches!(
            event,
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
                message: request_response::Message::Request {
                    request: SyncRequest::Want(_),
                    ..
                },
                ..
            }))
        )
    })
    .await;
    assert!(
        served,
        "the honest node never asked the hostile member for its messages"
    );
    let reasons = [
        "bad_signature",
        "body_mismatch",
        "wrong_network",
        "oversized",
    ];
    eventually("four refusals by reason", || async {
        let rejected = nodes[0].status().await.rejected;
        reasons.iter().all(|r| rejected.get(*r) == Some(&1))
    })
    .await;
    let rejected = nodes[0].status().await.rejected;
    assert_eq!(rejected.values().sum::<u64>(), 4, "{rejected:?}");
    assert!(
        swarm.is_connected(&honest),
        "banned before the fifth strike"
    );

    // 2. Over gossip: one more forged message is the fifth strike. The honest node bans the
    //    peer (disconnects it) and refuses it when it comes back.
    if !subscribed {
        drive_until(&mut swarm, &serve, hostile.author(), MINUTE, |event| {
            matches!(
                event,
                SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Subscribed { .. }))
            )
        })
        .await;
    }
    let topic = IdentTopic::new(gossip_topic(&network_id));
    let (forged, _) = hostile_messages(&hostile, network_id, 3).remove(0);
    // Gossipsub publishes only once it has a mesh peer; keep the swarm going until it does.
    let mut published = false;
    for _ in 0..60 {
        let sent = swarm
            .behaviour_mut()
            .gossip
            .inner()
            .publish(topic.clone(), forged.clone());
        if sent.is_ok() {
            published = true;
            break;
        }
        let half_second = Duration::from_millis(500);
        drive_until(&mut swarm, &serve, hostile.author(), half_second, |_| false).await;
    }
    assert!(published, "the hostile member could not publish");
    let banned = drive_until(&mut swarm, &serve, hostile.author(), MINUTE, |event| {
        matches!(
            event,
            SwarmEvent::ConnectionClosed {
                num_established: 0,
                ..
            }
        )
    })
    .await;
    assert!(banned, "the hostile member was not disconnected");
    let rejected = nodes[0].status().await.rejected;
    assert_eq!(rejected.get("bad_signature"), Some(&2), "{rejected:?}");
    assert_eq!(rejected.get("misbehaving_peer"), Some(&1), "{rejected:?}");
    // It comes back at once: the connection is closed again, and nothing is exchanged.
    swarm.dial(nodes[0].addr()).unwrap();
    let mut reconnected = false;
    let closed_again = drive_until(&mut swarm, &serve, hostile.author(), MINUTE, |event| {
        if matches!(event, SwarmEvent::ConnectionEstablished { .. }) {
            reconnected = true;
        }
        matches!(
            event,
            SwarmEvent::ConnectionClosed { .. } | SwarmEvent::OutgoingConnectionError { .. }
        )
    })
    .await;
    assert!(closed_again, "a banned peer was let back in");
    let _ = reconnected;
    // Nothing of it was stored or passed on.
    for node in [&nodes[0], &nodes[2]] {
        let items = node.feed(None).await;
        assert!(
            items.iter().all(|item| item.author != hostile.author()),
            "{} stored it",
            node.name
        );
    }
    assert!(
        nodes[2].status().await.rejected.is_empty(),
        "the honest node forwarded something bad"
    );
    drop(swarm);
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_add_nothing_and_a_fork_is_kept_as_evidence() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
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
    let drive = publish_from(swarm, &network_id, vec![old_admit, first, second]).await;
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
