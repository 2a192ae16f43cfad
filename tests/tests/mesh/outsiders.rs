//! Hostile peers: an outsider learns nothing; a member's forged, tampered, wrong-network and
//! oversized messages are refused by honest nodes over gossip and over sync, and counted.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::swarm::SwarmEvent;
use libp2p::{PeerId, identify, kad, request_response};
use sangam_node::daemon::DaemonConfig;
use sangam_node::event_loop::{HELLO_TIMEOUT, now_ms};
use sangam_node::network::BehaviourEvent;
use sangam_protocol::limits::MAX_MESSAGE_BYTES;
use sangam_protocol::sync::{SyncRequest, SyncResponse, VersionVector};
use sangam_protocol::transport::{Hello, gossip_topic};
use sangam_protocol::{Draft, Keypair, NetworkId};
use sangam_tests::{
    NO_PERIODIC_SYNC, TEST_TIME_LIMIT, TestNode, announcement, eventually, network, raw_swarm,
    test_config, time_limit,
};

const MINUTE: Duration = Duration::from_secs(60);

/// What an outsider saw of a member it dialled.
#[derive(Debug, Default)]
struct OutsiderView {
    connected: bool,
    /// Gossip messages and sync answers received.
    content: usize,
    /// How the outsider's sync request ended, if it did.
    sync_failure: Option<String>,
    /// The answer to a hello without a proof, or how the request failed.
    hello: Option<String>,
    /// Peers the outsider's Kademlia lookup found.
    kad_found: Vec<PeerId>,
    /// Whether its Kademlia lookup finished.
    kad_done: bool,
    /// What identify told it.
    identify: Option<identify::Info>,
    /// How long until the member closed the connection.
    dropped_after: Option<Duration>,
}

/// An outsider with `keypair`, knowing the network id, dials `nodes[0]`, asks for everything
/// (sync, hello without a proof, a Kademlia lookup of `nodes[1]`, identify) while `nodes[1]`
/// posts, and reports what it got.
async fn outsider_visit(nodes: &[TestNode], keypair: &Keypair) -> OutsiderView {
    let network_id = nodes[0].status().await.network.unwrap();
    let target = nodes[0].id.peer_id();
    let mut swarm = raw_swarm(keypair, &network_id, target);
    swarm
        .behaviour_mut()
        .kad
        .inner()
        .add_address(&target, nodes[0].addr());
    swarm.dial(nodes[0].addr()).unwrap();
    let mut view = OutsiderView::default();
    let started = Instant::now();
    let mut posted = false;
    let mut connected_at = None;
    while started.elapsed() < Duration::from_secs(60) && view.dropped_after.is_none() {
        let event =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await;
        if !posted && started.elapsed() > Duration::from_secs(1) {
            nodes[1].announce("members only").await;
            posted = true;
        }
        let Ok(event) = event else { continue };
        match event {
            SwarmEvent::ConnectionEstablished { .. } if !view.connected => {
                view.connected = true;
                connected_at = Some(Instant::now());
                let behaviour = swarm.behaviour_mut();
                let request = SyncRequest::Digest(VersionVector::new().digest());
                behaviour.sync.inner().send_request(&target, request);
                behaviour.hello.send_request(
                    &target,
                    Hello {
                        network: network_id,
                        proof: None,
                    },
                );
                let _ = behaviour
                    .kad
                    .inner()
                    .get_closest_peers(nodes[1].id.peer_id());
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(gossipsub::Event::Message { .. })) => {
                view.content += 1;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
                message: request_response::Message::Response { .. },
                ..
            })) => view.content += 1,
            SwarmEvent::Behaviour(BehaviourEvent::Sync(
                request_response::Event::OutboundFailure { error, .. },
            )) => view.sync_failure = Some(format!("{error:?}")),
            SwarmEvent::Behaviour(BehaviourEvent::Hello(request_response::Event::Message {
                message: request_response::Message::Response { response, .. },
                ..
            })) => view.hello = Some(format!("{response:?}")),
            SwarmEvent::Behaviour(BehaviourEvent::Hello(
                request_response::Event::OutboundFailure { error, .. },
            )) => view.hello = Some(format!("failed: {error:?}")),
            SwarmEvent::Behaviour(BehaviourEvent::Kad(kad::Event::OutboundQueryProgressed {
                result: kad::QueryResult::GetClosestPeers(result),
                ..
            })) => {
                view.kad_done = true;
                if let Ok(ok) = result {
                    view.kad_found.extend(ok.peers.iter().map(|p| p.peer_id));
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, ..
            })) if peer != target => view.kad_found.push(peer),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                info,
                ..
            })) => view.identify = Some(info),
            SwarmEvent::ConnectionClosed {
                num_established: 0, ..
            } => view.dropped_after = connected_at.map(|at| at.elapsed()),
            _ => {}
        }
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_that_connects_receives_nothing_and_is_dropped() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[1].start(vec![first]).await;
    eventually("the member to connect to the founder", || async {
        nodes[1].status().await.connected.len() == 1
    })
    .await;

    // The outsider even knows the network id (say, from a leaked invite) and tries everything.
    let outsider = Keypair::from_secret_bytes(&[0x66; 32]);
    let view = outsider_visit(&nodes, &outsider).await;
    assert!(view.connected, "the outsider never connected");
    assert_eq!(view.content, 0, "the outsider received content");
    assert_eq!(
        view.sync_failure.as_deref(),
        Some("UnsupportedProtocols"),
        "sync must not even be offered to an outsider"
    );
    let hello = view.hello.as_deref().unwrap_or("no answer at all");
    assert!(
        !hello.contains("Welcome") && !hello.contains("Admitted"),
        "a hello without a proof was accepted: {hello}"
    );
    let member = nodes[1].id.peer_id();
    assert!(
        !view.kad_found.contains(&member),
        "Kademlia told the outsider about a member: {:?}",
        view.kad_found
    );
    // Identify answers strangers today (issue #14 gates it), but it must not name other members.
    if let Some(info) = &view.identify {
        let member_ports: Vec<String> = nodes[1]
            .addrs
            .iter()
            .map(|a| a.to_string().split("/p2p/").next().unwrap().to_string())
            .collect();
        for address in &info.listen_addrs {
            let text = address.to_string();
            assert!(
                !member_ports.iter().any(|m| text.starts_with(m.as_str()))
                    && !text.contains(&member.to_string()),
                "identify gave the outsider a member's address: {text}"
            );
        }
    }
    let dropped = view
        .dropped_after
        .expect("the outsider was not disconnected");
    assert!(
        dropped <= HELLO_TIMEOUT + Duration::from_secs(5),
        "the outsider stayed connected for {dropped:?}"
    );
    let rejected = nodes[0].status().await.rejected;
    assert!(
        rejected.get("outsider_connection").copied().unwrap_or(0) >= 1,
        "{rejected:?}"
    );
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fails until issue #14 gates identify: today identify answers strangers with `/sangam/id/1` and the node's listen addresses"]
async fn an_outsider_learns_no_protocol_name_and_no_address() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[1].start(vec![first]).await;
    let view = outsider_visit(&nodes, &Keypair::from_secret_bytes(&[0x67; 32])).await;
    if let Some(info) = &view.identify {
        let said = format!(
            "{} {} {:?}",
            info.protocol_version, info.agent_version, info.protocols
        );
        assert!(
            !said.to_lowercase().contains("sangam"),
            "identify said: {said}"
        );
        assert!(
            info.listen_addrs.is_empty(),
            "identify listed {:?}",
            info.listen_addrs
        );
    }
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
