//! The libp2p side of a node: which protocols it speaks and how the swarm is built.
//!
//! Gossip, sync, Kademlia and identify sit behind the membership [`Gated`] wrapper; hello, ping
//! and mDNS do not (hello is how a member proves itself; ping reveals nothing of the
//! network's content).

use std::num::NonZeroU32;
use std::time::Duration;

use libp2p::gossipsub::{self, MessageAuthenticity, ValidationMode};
use libp2p::kad::{self, store::MemoryStore};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, behaviour::toggle::Toggle};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, autonat, connection_limits, dcutr, identify, mdns,
    noise, ping, relay, tcp, yamux,
};
use prometheus_client::registry::Registry;
use sangam_protocol::envelope::{Envelope, message_id_for};
use sangam_protocol::limits::MAX_MESSAGE_BYTES;
use sangam_protocol::sync::{SyncRequest, SyncResponse};
use sangam_protocol::transport::{Hello, HelloReply, ProtocolIds, gossip_topic};
use sangam_protocol::{Keypair, NetworkId};

use crate::codec::FrameCodec;
use crate::error::{NodeError, Result};
use crate::gate::{Gated, MemberGate};

/// How long a connection stays open with nothing happening on it. Gossip keeps its mesh
/// connections open for as long as they work; this closes the rest (Kademlia's lookups, spares),
/// which otherwise pile up until every node holds a connection to every other one.
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Most simultaneous connections, in and out, for a weak laptop.
pub const MAX_CONNECTIONS: u32 = 128;
/// Most connections to one peer: one, a relayed one while hole punching replaces it, and an
/// AutoNAT dial-back.
pub const MAX_CONNECTIONS_PER_PEER: u32 = 3;
/// How long a sync or hello request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The sync request-response behaviour.
pub type SyncBehaviour = request_response::Behaviour<FrameCodec<SyncRequest, SyncResponse>>;
/// The hello request-response behaviour.
pub type HelloBehaviour = request_response::Behaviour<FrameCodec<Hello, HelloReply>>;

/// Everything a Sangam node speaks.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// Connection limits come first so that refused connections reach nobody else.
    pub limits: connection_limits::Behaviour,
    /// Live push of new messages.
    pub gossip: Gated<gossipsub::Behaviour>,
    /// Catch-up sync.
    pub sync: Gated<SyncBehaviour>,
    /// Peer routing among members.
    pub kad: Gated<kad::Behaviour<MemoryStore>>,
    /// Membership proof on new connections.
    pub hello: HelloBehaviour,
    /// Learning peers' listen addresses.
    pub identify: Gated<identify::Behaviour>,
    /// Liveness.
    pub ping: ping::Behaviour,
    /// LAN discovery (off with `--no-mdns`).
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    /// Reaching and being reached through a member relay (reservations, relayed dials).
    pub relay_client: relay::client::Behaviour,
    /// Relaying for members (`--relay`): gated, so a stranger can neither reserve nor connect.
    pub relay: Toggle<Gated<relay::Behaviour>>,
    /// Turning a relayed connection into a direct one (hole punching).
    pub dcutr: dcutr::Behaviour,
    /// Learning whether others can dial this node (AutoNAT v2): members dial back the
    /// addresses other members see it at. Gated: a stranger learns none of those addresses.
    pub autonat: Toggle<Gated<autonat::v2::client::Behaviour>>,
    /// Dialling back members that ask whether they can be reached.
    pub autonat_server: Toggle<Gated<autonat::v2::server::Behaviour>>,
}

/// Limits of a member relay, for a weak laptop on a data bundle: sync and gossip must fit in a
/// circuit (libp2p's defaults, 2 minutes and 128 KiB, do not), but no member may take it all.
/// Every request is checked against `gate` as well: the gate already hides the relay from
/// strangers, and this refuses (and lets the node count) a request from a peer whose membership
/// ended while its connection stayed open.
pub fn relay_config(gate: &MemberGate) -> relay::Config {
    let member =
        |gate: MemberGate| move |peer: PeerId, _: &Multiaddr, _| -> bool { gate.allows(&peer) };
    let per_minute = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    relay::Config {
        max_reservations: 64,
        max_reservations_per_peer: 2,
        reservation_duration: Duration::from_secs(60 * 60),
        // Only members, and a burst of reservations (a restart) is fine. No limit per IP
        // address: many members on mobile data share one carrier-NAT address.
        reservation_rate_limiters: vec![Box::new(member(gate.clone()))],
        // A member may talk to every other member behind a NAT through the relay until hole
        // punching replaces those circuits; a circuit counts for both of its ends.
        max_circuits: 64,
        max_circuits_per_peer: 16,
        max_circuit_duration: Duration::from_secs(30 * 60),
        max_circuit_bytes: 64 * 1024 * 1024,
        circuit_src_rate_limiters: vec![Box::new(member(gate.clone()))],
    }
    .circuit_src_per_peer(per_minute(60), Duration::from_secs(1))
}

/// A derived protocol id as libp2p takes it.
fn protocol(id: &str) -> Result<StreamProtocol, std::io::Error> {
    StreamProtocol::try_from_owned(id.to_string())
        .map_err(|e| std::io::Error::other(format!("protocol id {id}: {e}")))
}

/// What identify says a node speaks: the value most libp2p nodes send, naming no Sangam.
pub const NEUTRAL_PROTOCOL_VERSION: &str = "/ipfs/0.1.0";
/// What identify says a node runs: nothing that tells Sangam apart.
pub const NEUTRAL_AGENT_VERSION: &str = "libp2p";

/// What the swarm needs to know to start.
pub struct SwarmSettings {
    /// Whether to discover peers on the LAN.
    pub mdns: bool,
    /// Whether to relay for other members whatever AutoNAT finds (`--relay`).
    pub relay: bool,
    /// Whether to find out (AutoNAT) if this node can be dialled from outside, and relay for
    /// members once it can. Off only in tests on one machine, where it can learn nothing.
    pub autonat: bool,
}

/// The gossipsub message id of a Sangam message: its own message id followed by `01` when the
/// body is present, `00` when not. Duplicates are dropped before any signature is checked, and
/// a copy without its body can never make the full copy look like a duplicate.
fn gossip_message_id(message: &gossipsub::Message) -> gossipsub::MessageId {
    let (id, has_body) = match Envelope::parse(&message.data) {
        Ok(envelope) => (
            message_id_for(envelope.header_bytes),
            envelope.body.is_some(),
        ),
        // Unparseable data still needs an id; validation rejects it right after.
        Err(_) => (message_id_for(&message.data), false),
    };
    let mut bytes = id.as_bytes().to_vec();
    bytes.push(u8::from(has_body));
    gossipsub::MessageId::from(bytes)
}

/// Scoring: peers that forward invalid messages lose score fast; quiet networks are not punished
/// (mesh-delivery penalties are off, since collectives may post only a few times a day).
fn peer_score(network: &NetworkId) -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
    let topic = gossipsub::IdentTopic::new(gossip_topic(network));
    let topic_params = gossipsub::TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.01,
        time_in_mesh_quantum: Duration::from_secs(1),
        time_in_mesh_cap: 100.0,
        first_message_deliveries_weight: 1.0,
        first_message_deliveries_decay: 0.9,
        first_message_deliveries_cap: 50.0,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: -20.0,
        invalid_message_deliveries_decay: 0.99,
        ..Default::default()
    };
    let mut params = gossipsub::PeerScoreParams::default();
    params.topics.insert(topic.hash(), topic_params);
    // No penalty for many peers on one IP address. Gossipsub's default punishes more than ten,
    // as a guard against Sybils; here every peer is an admitted member, and collectives meeting on
    // one network (or behind one NAT) share an address. With the penalty, a gathering of more
    // than ten collectives had no gossip mesh at all and got messages only by sync.
    params.ip_colocation_factor_weight = 0.0;
    (params, gossipsub::PeerScoreThresholds::default())
}

/// Messages at least this large are announced with IDONTWANT to mesh peers on arrival.
const IDONTWANT_FROM_BYTES: usize = 100;

/// Gossipsub's counters of messages received, kept to report duplicates.
pub struct GossipMeter {
    registry: Registry,
}

/// Gossip messages received on the network's topic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GossipTally {
    /// Every copy received, duplicates included.
    pub copies: u64,
    /// Distinct messages received.
    pub distinct: u64,
}

/// Most peers LAN discovery remembers. libp2p's mDNS keeps every answer it hears until its TTL
/// runs out, with no bound of its own, so a neighbour on the same Wi-Fi could make it grow by
/// answering as thousands of peers; past this many it starts afresh (members already found stay
/// in the address book, which has its own bound).
pub const MAX_LAN_DISCOVERED: usize = 64;

impl Behaviour {
    /// Starts LAN discovery afresh if it remembers more than [`MAX_LAN_DISCOVERED`] peers.
    /// Returns whether it did.
    pub fn bound_lan_discovery(&mut self, me: libp2p::PeerId) -> bool {
        let Some(mdns) = self.mdns.as_ref() else {
            return false;
        };
        if mdns.discovered_nodes().len() <= MAX_LAN_DISCOVERED {
            return false;
        }
        // Its connection handlers are dummies, so swapping it in a running swarm loses nothing.
        match mdns::tokio::Behaviour::new(mdns::Config::default(), me) {
            Ok(fresh) => self.mdns = Toggle::from(Some(fresh)),
            Err(error) => tracing::warn!("could not restart LAN discovery: {error}"),
        }
        true
    }
}

impl GossipMeter {
    /// Reads the counters.
    pub fn tally(&self) -> GossipTally {
        tally_of(&self.registry)
    }
}

/// Reads gossipsub's received-message counters from a registry it reports to (through their text
/// form: the registry offers no other reader).
pub fn tally_of(registry: &Registry) -> GossipTally {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, registry).is_err() {
        return GossipTally::default();
    }
    let sum = |name: &str| -> u64 {
        text.lines()
            .filter(|line| line.starts_with(name) && line[name.len()..].starts_with('{'))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    };
    GossipTally {
        copies: sum("topic_msg_recv_counts_unfiltered_total"),
        distinct: sum("topic_msg_recv_counts_total"),
    }
}

/// Sangam's gossip mesh settings (also applied to the benchmark's stock-gossipsub comparison, so
/// the two compare like with like).
pub fn mesh_settings(builder: &mut gossipsub::ConfigBuilder) -> &mut gossipsub::ConfigBuilder {
    builder
        .heartbeat_interval(Duration::from_millis(700))
        // Sangam does not need gossip's redundancy for completeness (sync fills every gap), so
        // a small mesh: each extra mesh peer is one more copy of every message to receive.
        .mesh_n(3)
        .mesh_n_low(2)
        .mesh_n_high(4)
        .mesh_outbound_min(1)
        .gossip_lazy(3)
        .flood_publish(false)
        // Ask mesh peers not to send what we already have, for all but tiny messages.
        .idontwant_message_size_threshold(IDONTWANT_FROM_BYTES)
}

fn gossip(
    keypair: &Keypair,
    network: &NetworkId,
    registry: &mut Registry,
) -> Result<gossipsub::Behaviour> {
    let mut builder = gossipsub::ConfigBuilder::default();
    builder
        .validation_mode(ValidationMode::Anonymous)
        .validate_messages()
        .message_id_fn(gossip_message_id)
        // Larger than any valid message, so oversized ones reach validation and are counted;
        // anything past this is dropped by gossipsub's own frame limit.
        .max_transmit_size(4 * MAX_MESSAGE_BYTES);
    let config = mesh_settings(&mut builder)
        .build()
        .map_err(|e| NodeError::Network(format!("gossip settings: {e}")))?;
    let _ = keypair;
    let mut behaviour = gossipsub::Behaviour::new(MessageAuthenticity::Anonymous, config)
        .map_err(|e| NodeError::Network(format!("gossip: {e}")))?
        .with_metrics(registry, gossipsub::MetricsConfig::default());
    let (params, thresholds) = peer_score(network);
    behaviour
        .with_peer_score(params, thresholds)
        .map_err(|e| NodeError::Network(format!("gossip scoring: {e}")))?;
    behaviour
        .subscribe(&gossipsub::IdentTopic::new(gossip_topic(network)))
        .map_err(|e| NodeError::Network(format!("gossip topic: {e:?}")))?;
    Ok(behaviour)
}

/// Builds the swarm for `keypair` in `network`, with `gate` deciding who is a member.
pub fn build_swarm(
    keypair: &Keypair,
    network: &NetworkId,
    gate: &MemberGate,
    settings: &SwarmSettings,
) -> Result<(Swarm<Behaviour>, GossipMeter)> {
    let mut registry = Registry::default();
    let gossip = gossip(keypair, network, &mut registry)?;
    let ids = ProtocolIds::of(network);
    let network_error = |e: &dyn std::fmt::Display| NodeError::Network(e.to_string());
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair.to_libp2p())
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| network_error(&e))?
        .with_quic()
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| network_error(&e))?
        .with_behaviour(|key, relay_client| {
            let peer_id = key.public().to_peer_id();
            let request_config = request_response::Config::default()
                .with_request_timeout(REQUEST_TIMEOUT)
                .with_max_concurrent_streams(16);
            let sync = SyncBehaviour::with_codec(
                FrameCodec::default(),
                [(protocol(&ids.sync)?, ProtocolSupport::Full)],
                request_config.clone(),
            );
            let hello = HelloBehaviour::with_codec(
                FrameCodec::default(),
                [(protocol(&ids.hello)?, ProtocolSupport::Full)],
                request_config,
            );
            let mut kad = kad::Behaviour::with_config(
                peer_id,
                MemoryStore::new(peer_id),
                // The event loop looks members up when it is short of peers, not on a timer.
                kad::Config::new(protocol(&ids.kad)?)
                    .set_periodic_bootstrap_interval(None)
                    // Sangam keeps no records in the DHT: a peer's PUT is never stored.
                    .set_record_filtering(kad::StoreInserts::FilterBoth)
                    .clone(),
            );
            kad.set_mode(Some(kad::Mode::Server));
            let mdns = if settings.mdns {
                Some(mdns::tokio::Behaviour::new(
                    mdns::Config::default(),
                    peer_id,
                )?)
            } else {
                None
            };
            let limits = connection_limits::ConnectionLimits::default()
                .with_max_established(Some(MAX_CONNECTIONS))
                .with_max_established_per_peer(Some(MAX_CONNECTIONS_PER_PEER))
                .with_max_pending_incoming(Some(32));
            Ok(Behaviour {
                limits: connection_limits::Behaviour::new(limits),
                gossip: Gated::new(gossip, gate.clone()),
                sync: Gated::new(sync, gate.clone()),
                kad: Gated::new(kad, gate.clone()).dialling_only_when_looking(),
                hello,
                // Gated like gossip and sync: a stranger learns neither a protocol name nor an
                // address. The values are the common ones, so even a member's answer names no
                // Sangam.
                identify: Gated::new(
                    identify::Behaviour::new(
                        identify::Config::new(NEUTRAL_PROTOCOL_VERSION.into(), key.public())
                            .with_agent_version(NEUTRAL_AGENT_VERSION.into())
                            // Identify would otherwise add every address a peer claims (its
                            // loopback and home-network ones too) to each dial of that peer;
                            // the event loop keeps only those worth dialling.
                            .with_cache_size(0)
                            // A relayed address appears after the first exchange (once a
                            // reservation is granted); members must hear of it then.
                            .with_push_listen_addr_updates(true),
                    ),
                    gate.clone(),
                ),
                ping: ping::Behaviour::default(),
                mdns: Toggle::from(mdns),
                relay_client,
                // libp2p's relay offers itself only on confirmed external addresses: given by
                // hand with `--relay`, or found reachable by AutoNAT.
                relay: Toggle::from((settings.relay || settings.autonat).then(|| {
                    Gated::new(
                        relay::Behaviour::new(peer_id, relay_config(gate)),
                        gate.clone(),
                    )
                })),
                dcutr: dcutr::Behaviour::new(peer_id),
                autonat: Toggle::from(
                    settings
                        .autonat
                        .then(|| Gated::new(Default::default(), gate.clone())),
                ),
                autonat_server: Toggle::from(
                    settings
                        .autonat
                        .then(|| Gated::new(Default::default(), gate.clone())),
                ),
            })
        })
        .map_err(|e| network_error(&e))?
        .with_swarm_config(|config| config.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    Ok((swarm, GossipMeter { registry }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sangam_protocol::kinds::Announcement;
    use sangam_protocol::{Body, Draft};

    use super::*;

    fn gossiped(data: Vec<u8>) -> gossipsub::Message {
        gossipsub::Message {
            source: None,
            data,
            sequence_number: None,
            topic: gossipsub::TopicHash::from_raw("t"),
        }
    }

    #[test]
    fn the_relay_takes_reservations_and_circuits_from_members_only() {
        // A second lock behind the gate around the relay behaviour: even a stranger's stream
        // that reached the relay gets neither a reservation nor a circuit.
        let gate = MemberGate::default();
        let member = PeerId::random();
        let stranger = PeerId::random();
        gate.allow(member);
        let mut config = relay_config(&gate);
        let address: Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().unwrap();
        let now = std::time::Instant::now();
        for limiters in [
            &mut config.reservation_rate_limiters,
            &mut config.circuit_src_rate_limiters,
        ] {
            let first = &mut limiters[0];
            assert!(first.try_next(member, &address, now));
            assert!(!first.try_next(stranger, &address, now));
        }
    }

    #[test]
    fn a_copy_without_its_body_never_shares_the_full_copys_gossip_id() {
        let key = Keypair::from_secret_bytes(&[5; 32]);
        let message = Draft {
            network: NetworkId([1; 32]),
            seq: 1,
            prev: None,
            timestamp: 1,
            body: Body::Announcement(Announcement {
                title: "Revocation".into(),
                body: String::new(),
                tags: Vec::new(),
                expires_at: None,
            }),
        }
        .sign(&key)
        .unwrap();
        let full = gossip_message_id(&gossiped(message.wire().to_vec()));
        let stripped = gossip_message_id(&gossiped(message.without_body().into_wire()));
        // Else gossip's duplicate cache would drop the full copy after a stripped one.
        assert_ne!(full, stripped);
        assert!(full.0.starts_with(message.id().as_bytes()));
        assert!(stripped.0.starts_with(message.id().as_bytes()));
    }
}
