//! Members that nobody can dial (behind a NAT, or here: listening nowhere) are still reached:
//! each holds a reservation on a member relay, the relayed addresses spread among members, and
//! they connect to each other through the relay, so gossip and sync run as on any other
//! connection.

use std::time::Duration;

use sangam_node::daemon::DaemonConfig;
use sangam_tests::{eventually, network, test_config, time_limit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_nobody_can_dial_is_reached_through_a_member_relay() {
    let _limit = time_limit(Duration::from_secs(40));
    let mut nodes = network(2);
    nodes[0]
        .start_with(DaemonConfig {
            relay: true,
            ..test_config(vec![])
        })
        .await;
    let relay = vec![nodes[0].addr()];
    // Neither member has a listener of its own (each returns once it listens through the
    // relay), so the only way between them is a circuit through the relay.
    for node in &mut nodes[1..] {
        node.start_with(DaemonConfig {
            listen: vec![],
            ..test_config(relay.clone())
        })
        .await;
    }
    let hidden = nodes[2].addrs.clone();
    assert!(
        hidden.iter().all(|a| a.to_string().contains("p2p-circuit")),
        "{hidden:?}"
    );
    let hidden_peer = nodes[2].id.peer_id().to_string();
    eventually(
        "the other member to connect to it through the relay",
        || async {
            nodes[1]
                .status()
                .await
                .connected
                .iter()
                .any(|p| p.peer == hidden_peer)
        },
    )
    .await;
    // Status says how it can be reached, and how its peers are connected.
    let status = nodes[2].status().await;
    assert!(!status.public_address);
    assert_eq!(status.relays, vec![nodes[0].id.peer_id().to_string()]);
    let other = nodes[1].status().await;
    assert_eq!(
        other.connected_directly + other.connected_via_relay,
        other.connected.len() as u64
    );
    // (Hole punching may still turn the circuit into a direct connection later, on one host:
    // how many are relayed at the end is not asserted, only that a circuit carried them.)
    let from_hidden = nodes[2].announce("From behind the relay").await;
    let to_hidden = nodes[1].announce("To the member behind the relay").await;
    eventually("the post from behind the relay to arrive", || {
        nodes[1].holds(from_hidden)
    })
    .await;
    eventually("the post to the member behind the relay to arrive", || {
        nodes[2].holds(to_hidden)
    })
    .await;
    // The relay really carried them: neither member listens anywhere, so their first
    // connection, where hello and the first sync ran, was a circuit the relay opened.
    eventually("the relay to count the circuit it opened", || async {
        nodes[0].status().await.relay_circuits >= 1
    })
    .await;
}

/// Asks the relay at `relay_addr` for a reservation from a raw swarm with `key`; returns the
/// relayed address on success, why not otherwise.
async fn reserve(
    key: &sangam_protocol::Keypair,
    network_id: &sangam_protocol::NetworkId,
    relay_peer: libp2p::PeerId,
    relay_addr: libp2p::Multiaddr,
) -> Result<libp2p::Multiaddr, String> {
    use futures::StreamExt;
    use libp2p::multiaddr::Protocol;
    use libp2p::swarm::SwarmEvent;
    let mut swarm = sangam_tests::raw_swarm(key, network_id, relay_peer);
    let mut circuit = relay_addr;
    if !matches!(circuit.iter().last(), Some(Protocol::P2p(_))) {
        circuit.push(Protocol::P2p(relay_peer));
    }
    swarm.dial(circuit.clone()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match swarm.select_next_some().await {
                // Asked once connected, as a node does.
                SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == relay_peer => {
                    swarm
                        .listen_on(circuit.clone().with(Protocol::P2pCircuit))
                        .unwrap();
                }
                SwarmEvent::NewListenAddr { address, .. } => return Ok(address),
                SwarmEvent::ListenerClosed { reason, .. } => return Err(format!("{reason:?}")),
                SwarmEvent::ListenerError { error, .. } => return Err(error.to_string()),
                _ => {}
            }
        }
    })
    .await
    .expect("the relay answers a reservation one way or the other within a minute")
}

/// A stranger that knows the relay's address and the network id asks it for a reservation:
/// refused (the relay service is behind the membership gate, like gossip and sync), while a
/// member asking the same way gets one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_relay_refuses_a_strangers_reservation() {
    let _limit = time_limit(Duration::from_secs(120));
    let mut nodes = network(1);
    nodes[0]
        .start_with(DaemonConfig {
            relay: true,
            ..test_config(vec![])
        })
        .await;
    let network_id = nodes[0].status().await.network.unwrap();
    let relay_peer = nodes[0].id.peer_id();
    let stranger = sangam_protocol::Keypair::from_secret_bytes(&[77; 32]);
    let refused = reserve(&stranger, &network_id, relay_peer, nodes[0].addr()).await;
    println!("the stranger's reservation: {refused:?}");
    assert!(
        refused.is_err(),
        "a stranger got a reservation: {refused:?}"
    );
    let member = nodes[1].dir.load_identity().unwrap();
    let granted = reserve(&member, &network_id, relay_peer, nodes[0].addr()).await;
    assert!(
        granted.is_ok(),
        "a member was refused a reservation: {granted:?}"
    );
}
