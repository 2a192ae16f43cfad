//! Outsiders: a stranger who dials a member (even one that knows the network id) learns nothing
//! and is dropped.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::gossipsub;
use libp2p::swarm::SwarmEvent;
use libp2p::{PeerId, identify, kad, request_response};
use sangam_node::daemon::HELLO_TIMEOUT;
use sangam_node::network::BehaviourEvent;
use sangam_protocol::Keypair;
use sangam_protocol::sync::{SyncRequest, VersionVector};
use sangam_protocol::transport::Hello;
use sangam_tests::{TEST_TIME_LIMIT, TestNode, eventually, network, raw_swarm, time_limit};

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
    // §9: the answer is `Refused`, sent before the connection closes (not a closed stream).
    assert_eq!(
        view.hello.as_deref(),
        Some("Refused"),
        "a hello without a proof must get the answer Refused"
    );
    let member = nodes[1].id.peer_id();
    assert!(
        !view.kad_found.contains(&member),
        "Kademlia told the outsider about a member: {:?}",
        view.kad_found
    );
    // Identify is gated (issue #14); were it to answer, it must not name other members.
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
async fn an_outsider_learns_no_protocol_name_and_no_address() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[1].start(vec![first]).await;
    let view = outsider_visit(&nodes, &Keypair::from_secret_bytes(&[0x67; 32])).await;
    assert!(view.connected, "the outsider never connected");
    // Identify is not even offered to a stranger: no protocol name, no address, no agent.
    if let Some(info) = &view.identify {
        panic!(
            "identify answered a stranger: {} {} {:?} {:?}",
            info.protocol_version, info.agent_version, info.protocols, info.listen_addrs
        );
    }
    for node in &mut nodes {
        node.stop().await;
    }
}

/// A bare libp2p peer (TCP, Noise, Yamux, no protocols) that keeps its connections open: one
/// stranger of a flood.
fn bare_stranger() -> libp2p::Swarm<libp2p::swarm::dummy::Behaviour> {
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|_| libp2p::swarm::dummy::Behaviour)
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_strangers_does_not_push_members_out() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(2);
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[1].start(vec![first.clone()]).await;
    nodes[2].start(vec![first.clone()]).await;
    for node in &nodes[1..] {
        eventually("the members to connect to the founder", || async {
            !node.status().await.connected.is_empty()
        })
        .await;
    }
    // 200 strangers connect to the founder at once and stay as long as they are let.
    let target = first.clone();
    let flood = tokio::spawn(async move {
        let mut swarms: Vec<_> = (0..200).map(|_| bare_stranger()).collect();
        for swarm in &mut swarms {
            let _ = swarm.dial(target.clone());
        }
        let mut streams = futures::stream::select_all(swarms.into_iter().map(|s| s.boxed()));
        while streams.next().await.is_some() {}
    });
    // During the flood the members keep their connections and their posts get through.
    eventually("the founder to turn strangers away", || async {
        nodes[0]
            .status()
            .await
            .rejected
            .get("stranger_over_budget")
            .copied()
            .unwrap_or(0)
            > 0
    })
    .await;
    let during = nodes[1].announce("posted during the flood").await;
    for node in [&nodes[0], &nodes[2]] {
        eventually("the post to arrive during the flood", || node.holds(during)).await;
    }
    let member_ids: Vec<String> = nodes[1..]
        .iter()
        .map(|n| n.id.peer_id().to_string())
        .collect();
    let connected: Vec<String> = nodes[0]
        .status()
        .await
        .connected
        .into_iter()
        .map(|p| p.peer)
        .collect();
    for id in &member_ids {
        assert!(
            connected.contains(id),
            "a member was pushed out: {connected:?}"
        );
    }
    flood.abort();
    for node in &mut nodes {
        node.stop().await;
    }
}
