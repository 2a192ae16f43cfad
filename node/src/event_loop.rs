//! The node's event loop: the one owner of the swarm and the ledger. It dispatches each event to
//! the machine it concerns ([`Peers`], [`Admission`], [`SyncDriver`], the gossip inbox, the
//! control API), and applies the [`Action`]s they return in one place. Everything else talks to
//! it through commands (control API) and events (broadcast to subscribers).

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId, Swarm, identify, kad, mdns, ping};
use sangam_protocol::api::Event;
use sangam_protocol::transport::gossip_topic;
use sangam_protocol::{AuthorId, Error as Rule, Keypair, NetworkId};
use tokio::sync::{broadcast, mpsc, watch};

use crate::api::ControlCall;
use crate::clock::now_ms;
use crate::datadir::Settings;
use crate::error::{NodeError, Result};
use crate::gate::MemberGate;
use crate::ledger::Ledger;
use crate::network::{Behaviour, BehaviourEvent, GossipMeter};

mod action;
mod address;
mod admission;
mod control;
mod flusher;
mod gossip;
mod hello;
mod lapse;
mod links;
mod own_posts;
mod paths;
mod peers;
mod relays;
mod sync;
mod sync_driver;
mod verdicts;

use action::Action;
use admission::Admission;
pub use admission::HELLO_TIMEOUT;
use flusher::Flusher;
use gossip::{GossipInbox, is_provably_invalid};
use own_posts::{OwnPost, Unflushed};
use peers::{BookEntry, Peers};
pub use peers::{MAX_PEERS, WANTED_PEERS};
use relays::Relays;
use sync_driver::SyncDriver;

/// How often housekeeping runs (hello deadlines, scheduled redials, reopened connections).
const HOUSEKEEPING: Duration = Duration::from_secs(1);

/// What the event loop is built from.
pub struct Parts {
    /// The libp2p swarm, listening already.
    pub swarm: Swarm<Behaviour>,
    /// Gossipsub's received-copies counters, reported in the status.
    pub meter: GossipMeter,
    /// The ledger over the node's store.
    pub ledger: Ledger,
    /// This collective's signing key.
    pub keypair: Keypair,
    /// This collective's settings.
    pub settings: Settings,
    /// Who may pass the gated protocols (shared with the swarm).
    pub gate: MemberGate,
    /// Control requests from the API socket.
    pub commands: mpsc::Receiver<ControlCall>,
    /// Events for the API's subscribers.
    pub events: broadcast::Sender<Event>,
    /// Where the listen addresses are published as they come up.
    pub listen_tx: watch::Sender<Vec<Multiaddr>>,
    /// How often to sync with a random peer.
    pub sync_interval: Duration,
    /// Added to the system clock (a simulated bad laptop clock; tests only).
    pub clock_skew_ms: i64,
    /// Member connections to keep up by dialling.
    pub wanted_peers: usize,
    /// Whether the node relays because it was told to (`--relay`), whatever AutoNAT finds.
    pub relay_by_hand: bool,
}

/// The event loop's state.
pub struct EventLoop {
    swarm: Swarm<Behaviour>,
    ledger: Ledger,
    keypair: Keypair,
    settings: Settings,
    topic: IdentTopic,
    network: NetworkId,
    commands: mpsc::Receiver<ControlCall>,
    events: broadcast::Sender<Event>,
    listen_tx: watch::Sender<Vec<Multiaddr>>,
    sync_interval: Duration,
    clock_skew_ms: i64,
    peers: Peers,
    admission: Admission,
    sync: SyncDriver,
    rejected: BTreeMap<String, u64>,
    gossip: GossipInbox,
    meter: GossipMeter,
    flusher: Flusher<OwnPost>,
    unflushed: Unflushed,
    relays: Relays,
    /// Whether this node's sealing key is known to be published (checked until it is).
    sealing_key_published: bool,
}

impl EventLoop {
    /// Assembles the loop; [`EventLoop::run`] drives it.
    pub fn new(parts: Parts) -> Result<EventLoop> {
        let Parts {
            swarm,
            meter,
            ledger,
            keypair,
            settings,
            gate,
            commands,
            events,
            listen_tx,
            sync_interval,
            clock_skew_ms,
            wanted_peers,
            relay_by_hand,
        } = parts;
        let flusher = Flusher::start(ledger.store().clone())
            .map_err(NodeError::io("start the thread that saves posts to disk"))?;
        let network = ledger.network().unwrap_or(NetworkId([0; 32]));
        let book = ledger
            .peer_records::<BookEntry>()
            .into_iter()
            .filter_map(|(key, entry)| Some((PeerId::from_bytes(&key).ok()?, entry)))
            .collect();
        let mut peers = Peers::new(gate, book);
        peers.set_wanted(wanted_peers);
        Ok(EventLoop {
            swarm,
            ledger,
            keypair,
            settings,
            topic: IdentTopic::new(gossip_topic(&network)),
            network,
            commands,
            events,
            listen_tx,
            sync_interval,
            clock_skew_ms,
            peers,
            admission: Admission::default(),
            sync: SyncDriver::from_entropy(),
            rejected: BTreeMap::new(),
            gossip: GossipInbox::default(),
            meter,
            flusher,
            unflushed: Unflushed::default(),
            relays: Relays::new(relay_by_hand),
            sealing_key_published: false,
        })
    }

    /// Runs until `shutdown` turns true; flushes the store before returning.
    pub async fn run(
        mut self,
        bootstrap: Vec<Multiaddr>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        self.refresh_gate();
        let first = self.peers.start(&bootstrap, self.now());
        self.apply(first);
        let mut housekeeping = tokio::time::interval(HOUSEKEEPING);
        let mut sync_timer = tokio::time::interval(self.sync_interval);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                Some(command) = self.commands.recv() => self.on_command(command),
                Some(flushed) = self.flusher.finished() => self.on_flushed(flushed),
                _ = housekeeping.tick() => self.housekeeping(),
                _ = sync_timer.tick() => self.sync_with_random_peer(),
                _ = shutdown.changed() => break,
            }
            // Take whatever else the swarm already has ready, so a burst of gossip is checked
            // in parallel and written together instead of one message at a time.
            while !self.gossip.is_full() {
                match self.swarm.next().now_or_never() {
                    Some(Some(event)) => self.on_swarm_event(event),
                    _ => break,
                }
            }
            let now = self.now();
            let actions = self.gossip.drain(&mut self.ledger, now);
            self.apply(actions);
        }
        // Posts already stored are answered once the flush thread has written them.
        self.flusher.close();
        while let Some(flushed) = self.flusher.finished().await {
            self.on_flushed(flushed);
        }
        self.ledger.flush()?;
        Ok(())
    }

    /// This node's clock, in ms: the system clock, plus any configured error (tests simulate
    /// laptops whose clocks are wrong).
    fn now(&self) -> u64 {
        now_ms().saturating_add_signed(self.clock_skew_ms)
    }

    // ---- dispatch ----

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => self.on_listening(address),
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } => self.on_connection(peer_id, connection_id, endpoint, num_established.get() == 1),
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => self.on_connection_closed(peer_id, connection_id, num_established == 0),
            SwarmEvent::ExternalAddrConfirmed { address } => self.on_confirmed(address),
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(?peer_id, "dial failed: {error}");
            }
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gossip(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            }) => self
                .gossip
                .push(propagation_source, message_id, message.data),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Hello(event) => self.on_hello_event(event),
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })
                if self.peers.is_member(&peer_id) =>
            {
                self.on_identified(peer_id, info);
            }
            // Members learn each other's addresses through Kademlia, so the mesh fills in beyond
            // the bootstrap peers and survives the loss of any one of them.
            BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, addresses, ..
            }) if self.peers.is_member(&peer) => {
                let actions = self.peers.on_addresses(peer, addresses.iter());
                self.apply(actions);
            }
            // A link that died without a goodbye (a cable pulled, a hotspot gone) leaves TCP
            // retrying for many minutes, and the peer would look connected all that time. A
            // failed ping closes the connection, so the node redials and syncs when it can.
            BehaviourEvent::Ping(ping::Event {
                peer,
                connection,
                result: Err(error),
            }) => {
                tracing::info!(%peer, "closing a connection that stopped answering: {error}");
                self.swarm.close_connection(connection);
            }
            BehaviourEvent::Relay(event) => self.on_relay_event(event),
            BehaviourEvent::Dcutr(event) => self.on_hole_punch(event),
            BehaviourEvent::Autonat(event) => self.on_reachability_test(event),
            BehaviourEvent::Mdns(mdns::Event::Discovered(found)) => {
                let actions = self.peers.on_discovered(found);
                self.apply(actions);
            }
            _ => {}
        }
    }

    fn housekeeping(&mut self) {
        let now = Instant::now();
        let peers = &self.peers;
        let mut actions = self.admission.tick(now, |peer| peers.is_member(peer));
        let mesh = self.swarm.behaviour().gossip.inner_ref();
        let busy: HashSet<PeerId> = mesh
            .mesh_peers(&self.topic.hash())
            .chain(self.sync.syncing())
            .copied()
            .collect();
        actions.extend(self.peers.tick(now, &busy));
        self.apply(actions);
        let now_ms = self.now();
        lapse::drop_expired_words(&mut self.ledger, now_ms);
        self.publish_sealing_key_if_due();
        let me = *self.swarm.local_peer_id();
        self.swarm.behaviour_mut().bound_lan_discovery(me);
    }

    // ---- the one place where decisions meet the world ----

    fn apply(&mut self, actions: Vec<Action>) {
        let mut queue = VecDeque::from(actions);
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Dial { peer, addresses } => {
                    let me = *self.swarm.local_peer_id();
                    let addresses = address::not_through(&me, addresses);
                    tracing::debug!(%peer, ?addresses, "dialling");
                    let opts = DialOpts::peer_id(peer)
                        .condition(PeerCondition::DisconnectedAndNotDialing)
                        .addresses(addresses)
                        .build();
                    let _ = self.swarm.dial(opts);
                }
                Action::DialOnLan { peer, address } => {
                    // By default libp2p dials from the listening port, so when two members dial
                    // each other at the same moment the two dials become one TCP connection on
                    // which both sides open the handshake, and both fail ("input error"). A
                    // fresh source port keeps the two dials apart.
                    let opts = DialOpts::peer_id(peer)
                        .condition(PeerCondition::DisconnectedAndNotDialing)
                        .addresses(vec![address])
                        .allocate_new_port()
                        .build();
                    let _ = self.swarm.dial(opts);
                }
                Action::Disconnect(peer) => {
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
                Action::SendHello(peer) => self.send_hello(peer),
                Action::StartSync(peer) => self.start_sync(peer),
                Action::Save(peer, entry) => {
                    if let Err(e) = self.ledger.save_peer_record(&peer.to_bytes(), &entry) {
                        tracing::warn!("could not save the address book: {e}");
                    }
                }
                Action::Forget(peer) => {
                    if let Err(e) = self.ledger.forget_peer_record(&peer.to_bytes()) {
                        tracing::warn!("could not update the address book: {e}");
                    }
                }
                Action::Count(reason) => {
                    *self.rejected.entry(reason.reason().into()).or_insert(0) += 1;
                }
                Action::LookForPeers => {
                    if self.swarm.behaviour_mut().kad.inner().bootstrap().is_err() {
                        // No one to ask yet: the next member that connects may be asked at once.
                        self.peers.lookup_failed();
                    }
                }
                Action::Tell(event) => self.emit(event),
                Action::Validate {
                    source,
                    id,
                    acceptance,
                } => {
                    self.swarm
                        .behaviour_mut()
                        .gossip
                        .inner()
                        .report_message_validation_result(&id, &source, acceptance);
                }
                Action::Stored(message) => self.stored(message),
                Action::Refused { rule, peer, author } => {
                    self.count_rejection_of(&rule, peer, author);
                }
                Action::Publish(wire) => {
                    let topic = self.topic.clone();
                    let gossip = self.swarm.behaviour_mut().gossip.inner();
                    if let Err(e) = gossip.publish(topic, wire) {
                        tracing::debug!("gossip publish: {e}");
                    }
                }
            }
        }
    }

    /// Books a newly stored message: event, and membership refresh if it changes membership.
    fn stored(&mut self, message: sangam_protocol::Message) {
        let changes_membership = message.header().kind.is_membership_act();
        // Building the item costs store reads; only do it when a client is listening.
        if self.events.receiver_count() > 0
            && let Ok(item) = self.ledger.item_of(&message)
        {
            self.emit(Event::MessageStored {
                item: Box::new(item),
            });
        }
        if changes_membership {
            self.refresh_gate();
        }
    }

    /// Recomputes who may pass the gate and hands the change to the peer machine; a membership
    /// change may also end a revoked key's grace period.
    fn refresh_gate(&mut self) {
        let me = self.keypair.author().peer_id();
        let members: HashSet<PeerId> = self
            .ledger
            .membership()
            .map(|m| {
                m.members()
                    .map(|(author, _)| author.peer_id())
                    .filter(|p| *p != me)
                    .collect()
            })
            .unwrap_or_default();
        let actions = self.peers.on_membership(&members);
        self.apply(actions);
        let now = self.now();
        lapse::drop_revoked_words(&mut self.ledger, now, &self.keypair.author());
    }

    fn emit(&self, event: Event) {
        // No subscribers is fine.
        let _ = self.events.send(event);
    }

    fn count_rejection(&mut self, rule: &Rule, peer: Option<PeerId>) {
        self.count_rejection_of(rule, peer, None);
    }

    /// Counts a refusal, naming the author it was about; a provably invalid message is a strike
    /// against the peer that sent it.
    fn count_rejection_of(&mut self, rule: &Rule, peer: Option<PeerId>, author: Option<AuthorId>) {
        tracing::info!(peer = ?peer, "refused a message: {rule}");
        *self.rejected.entry(rule.reason().to_string()).or_insert(0) += 1;
        self.emit(Event::Rejected {
            reason: rule.reason().into(),
            peer: peer.map(|p| p.to_string()),
            author,
        });
        if let Some(peer) = peer
            && is_provably_invalid(rule)
        {
            let actions = self.peers.strike(peer, Instant::now());
            self.apply(actions);
        }
    }
}
