//! The node's event loop: the one owner of the swarm and the ledger. Everything else talks to it
//! through commands (control API) and events (broadcast to subscribers).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::{FutureExt, StreamExt};
use libp2p::core::ConnectedPoint;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundRequestId};
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::{Multiaddr, PeerId, Swarm, identify, kad, mdns, ping};
use sangam_protocol::api::{Event, Item, PeerView, Request, Response};
use sangam_protocol::rate::RateLimiter;
use sangam_protocol::sync::{Outcome, Step, SyncResponse, SyncSession, respond};
use sangam_protocol::transport::{Hello, HelloReply, gossip_topic};
use sangam_protocol::{AuthorId, Error as Rule, Keypair, Kind, Message, NetworkId};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

use crate::api::Command;
use crate::daemon::LISTEN_META;
use crate::datadir::Settings;
use crate::error::{NodeError, Result};
use crate::gate::MemberGate;
use crate::ledger::{Accepted, Ledger};
use crate::network::{Behaviour, BehaviourEvent, GossipMeter};
use crate::service::Service;

mod flusher;
mod gossip;
mod own_posts;
mod peers;

use flusher::Flusher;
use own_posts::{OwnPost, Unflushed};

/// How long a peer that is not a known member has to prove membership before it is dropped.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
/// How often housekeeping runs (hello deadlines, scheduled redials, reopened connections).
const HOUSEKEEPING: Duration = Duration::from_secs(1);
/// Reconnect to known members and bootstrap peers every this many housekeeping rounds.
const RECONNECT_EVERY: u32 = 10;
/// Wait before redialling a member or bootstrap peer that closed our connection.
const REDIAL_DELAY: Duration = Duration::from_secs(1);
/// Provably invalid messages a peer may send before it is disconnected.
const STRIKES_BEFORE_BAN: u32 = 5;
/// How long a disconnected misbehaving peer is refused.
const BAN_TIME: Duration = Duration::from_secs(600);
/// Connections to members a node keeps up by dialling. Enough for a gossip mesh (3–4 peers)
/// plus spares for flaky links; members still accept whoever dials them. Every open connection
/// costs a weak laptop keep-alives, gossip metadata and scoring, so not everyone dials everyone.
pub const WANTED_PEERS: usize = 8;
/// Connections to members beyond which spares (not in the gossip mesh, not a bootstrap peer,
/// not syncing) are closed; others dial a node that has dropped them only when they are short.
pub const MAX_PEERS: usize = 12;

/// The wall clock in ms; the node is the edge where time enters.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What the node remembers of a peer across restarts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct BookEntry {
    addresses: Vec<String>,
    last_seen: Option<u64>,
    last_sync: Option<u64>,
}

/// A connected peer.
#[derive(Debug, Default)]
struct Peer {
    /// The address we dialled it at, if we dialled.
    dialled: Option<Multiaddr>,
    /// Whether its connection was opened before it was known as a member (so gated protocols
    /// are closed on it until it reconnects).
    hidden: bool,
    /// When it must have proved membership.
    hello_deadline: Option<Instant>,
}

/// Whether a rejection proves the forwarding peer misbehaved (so gossip scoring punishes it), as
/// opposed to depending on what this node happens to know yet.
fn is_provably_invalid(rule: &Rule) -> bool {
    !matches!(
        rule,
        Rule::NotAMember
            | Rule::RoleNotAllowed { .. }
            | Rule::Fork { .. }
            | Rule::BadReference(_)
            | Rule::TimestampInFuture { .. }
            | Rule::SeqPrevMismatch(_)
            | Rule::RateLimited
    )
}

/// The event loop's state.
pub struct EventLoop {
    swarm: Swarm<Behaviour>,
    ledger: Ledger,
    keypair: Keypair,
    settings: Settings,
    gate: MemberGate,
    topic: IdentTopic,
    network: NetworkId,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<Event>,
    listen_tx: watch::Sender<Vec<Multiaddr>>,
    sync_interval: Duration,
    peers: HashMap<PeerId, Peer>,
    book: HashMap<PeerId, BookEntry>,
    sessions: HashMap<OutboundRequestId, (PeerId, SyncSession)>,
    syncing: HashSet<PeerId>,
    resync: HashSet<PeerId>,
    redial: HashMap<PeerId, Multiaddr>,
    later: HashMap<PeerId, (Multiaddr, Instant)>,
    bootstrap: HashMap<PeerId, Multiaddr>,
    refused_us: HashSet<PeerId>,
    rejected: BTreeMap<String, u64>,
    limiter: RateLimiter,
    clock_skew_ms: i64,
    wanted_peers: usize,
    last_bootstrap: Option<Instant>,
    strikes: HashMap<PeerId, u32>,
    banned: HashMap<PeerId, Instant>,
    rounds: u32,
    inbox: Vec<gossip::Arrival>,
    meter: Option<GossipMeter>,
    flusher: Flusher<OwnPost>,
    unflushed: Unflushed,
}

impl EventLoop {
    /// Assembles the loop; [`EventLoop::run`] drives it.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        swarm: Swarm<Behaviour>,
        ledger: Ledger,
        keypair: Keypair,
        settings: Settings,
        gate: MemberGate,
        commands: mpsc::Receiver<Command>,
        events: broadcast::Sender<Event>,
        listen_tx: watch::Sender<Vec<Multiaddr>>,
        sync_interval: Duration,
    ) -> Result<EventLoop> {
        let flusher = Flusher::start(ledger.store().clone())
            .map_err(NodeError::io("start the thread that saves posts to disk"))?;
        let network = ledger.network().unwrap_or(NetworkId([0; 32]));
        let mut book = HashMap::new();
        for (key, value) in ledger.store().peers().unwrap_or_default() {
            if let (Ok(peer), Ok(entry)) = (
                PeerId::from_bytes(&key),
                serde_json::from_slice::<BookEntry>(&value),
            ) {
                book.insert(peer, entry);
            }
        }
        Ok(EventLoop {
            swarm,
            ledger,
            keypair,
            settings,
            gate,
            topic: IdentTopic::new(gossip_topic(&network)),
            network,
            commands,
            events,
            listen_tx,
            sync_interval,
            peers: HashMap::new(),
            book,
            sessions: HashMap::new(),
            syncing: HashSet::new(),
            resync: HashSet::new(),
            redial: HashMap::new(),
            later: HashMap::new(),
            bootstrap: HashMap::new(),
            refused_us: HashSet::new(),
            rejected: BTreeMap::new(),
            limiter: RateLimiter::default(),
            clock_skew_ms: 0,
            wanted_peers: WANTED_PEERS,
            last_bootstrap: None,
            strikes: HashMap::new(),
            banned: HashMap::new(),
            rounds: 0,
            inbox: Vec::new(),
            meter: None,
            flusher,
            unflushed: Unflushed::default(),
        })
    }

    /// Makes this node's clock wrong by `skew_ms` (a simulated bad laptop clock).
    pub fn with_clock_skew(mut self, skew_ms: i64) -> EventLoop {
        self.clock_skew_ms = skew_ms;
        self
    }

    /// Keeps up `wanted` member connections by dialling instead of [`WANTED_PEERS`].
    pub fn with_wanted_peers(mut self, wanted: usize) -> EventLoop {
        self.wanted_peers = wanted;
        self
    }

    /// Reports gossipsub's received-copies counters in the status.
    pub fn with_gossip_meter(mut self, meter: GossipMeter) -> EventLoop {
        self.meter = Some(meter);
        self
    }

    /// Runs until `shutdown` turns true; flushes the store before returning.
    pub async fn run(
        mut self,
        bootstrap: Vec<Multiaddr>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        self.refresh_gate();
        self.gate.set_looking(self.short_of_peers());
        for address in bootstrap {
            if let Some(Protocol::P2p(peer)) = address.iter().last() {
                self.bootstrap.insert(peer, address.clone());
            }
            if let Err(e) = self.swarm.dial(address.clone()) {
                tracing::warn!(%address, "cannot dial bootstrap address: {e}");
            }
        }
        self.reconnect_known_members();
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
            // in parallel and written in one transaction instead of one message at a time.
            while !self.inbox_full() {
                match self.swarm.next().now_or_never() {
                    Some(Some(event)) => self.on_swarm_event(event),
                    _ => break,
                }
            }
            self.drain_gossip();
        }
        // Posts already stored are answered once the flush thread has written them.
        self.flusher.close();
        while let Some(flushed) = self.flusher.finished().await {
            self.on_flushed(flushed);
        }
        self.ledger.store().flush()?;
        Ok(())
    }

    /// This node's clock, in ms: the system clock, plus any configured error (tests simulate
    /// laptops whose clocks are wrong).
    fn now(&self) -> u64 {
        now_ms().saturating_add_signed(self.clock_skew_ms)
    }

    fn emit(&self, event: Event) {
        // No subscribers is fine.
        let _ = self.events.send(event);
    }

    fn count_rejection(&mut self, rule: &Rule, peer: Option<PeerId>) {
        self.count_rejection_of(rule, peer, None);
    }

    /// Counts a refusal as [`EventLoop::count_rejection`] does, naming the author it was about.
    fn count_rejection_of(&mut self, rule: &Rule, peer: Option<PeerId>, author: Option<AuthorId>) {
        tracing::info!(peer = ?peer, "refused a message: {rule}");
        *self.rejected.entry(rule.reason().to_string()).or_insert(0) += 1;
        if let Some(peer) = peer
            && is_provably_invalid(rule)
        {
            self.strike(peer);
        }
        self.emit(Event::Rejected {
            reason: rule.reason().into(),
            peer: peer.map(|p| p.to_string()),
            author,
        });
    }

    fn item_of(&self, message: &Message) -> Option<Item> {
        self.ledger.item(&message.id()).ok().flatten()
    }

    /// Books a newly stored message: event, and membership refresh if it changes membership.
    fn stored(&mut self, message: &Message) {
        // Building the item costs store reads; only do it when a client is listening.
        if self.events.receiver_count() > 0
            && let Some(item) = self.item_of(message)
        {
            self.emit(Event::MessageStored {
                item: Box::new(item),
            });
        }
        if matches!(message.header().kind, Kind::Admit | Kind::Revoke) {
            self.refresh_gate();
        }
    }

    // ---- membership gate ----

    /// Recomputes who may pass the gate, drops revoked peers, and reopens connections of peers
    /// that became members while connected behind the gate.
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
        self.gate.set(members.iter().copied());
        let mut drop = Vec::new();
        for (peer, state) in &mut self.peers {
            let member = members.contains(peer);
            if !member && !state.hidden {
                drop.push(*peer);
            } else if member && state.hidden {
                // Gated protocols open only on a fresh connection. The dialler redials at once;
                // the other side closes the connection once its hello answer is out (see
                // housekeeping), and the dialler then redials.
                state.hello_deadline = None;
                if let Some(address) = &state.dialled {
                    self.redial.insert(*peer, address.clone());
                    drop.push(*peer);
                }
            }
        }
        for peer in drop {
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn send_hello(&mut self, peer: PeerId) {
        let me = self.keypair.author();
        let proof = match self.ledger.membership() {
            Some(m) if m.founder() == me => None,
            _ => self.ledger.admission_proof(&me).ok(),
        };
        let hello = Hello {
            network: self.network,
            proof,
        };
        self.swarm.behaviour_mut().hello.send_request(&peer, hello);
    }

    fn on_hello(&mut self, peer: PeerId, hello: Hello) -> HelloReply {
        if hello.network != self.network {
            return HelloReply::Refused;
        }
        if self.gate.allows(&peer) && !self.peers.get(&peer).is_some_and(|p| p.hidden) {
            return HelloReply::Welcome;
        }
        let (Some(author), Some(proof)) = (AuthorId::from_peer_id(&peer), hello.proof) else {
            return HelloReply::Refused;
        };
        let now = self.now();
        match proof.verify(&author, now) {
            Ok(proven) if proven.network == self.network => {
                for result in self.ledger.ingest_batch(&proof.admits, now) {
                    if let Ok(Accepted::New(message)) = result {
                        self.stored(&message);
                    }
                }
                if self.ledger.role_of(&author).is_some() {
                    self.refresh_gate();
                    HelloReply::Admitted
                } else {
                    HelloReply::Refused
                }
            }
            Ok(_) => HelloReply::Refused,
            Err(rule) => {
                self.count_rejection(&rule, Some(peer));
                HelloReply::Refused
            }
        }
    }

    // ---- swarm events ----

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address.with(Protocol::P2p(*self.swarm.local_peer_id()));
                self.listen_tx.send_modify(|addrs| addrs.push(full));
                let saved: Vec<String> = self
                    .listen_tx
                    .borrow()
                    .iter()
                    .map(|a| a.to_string())
                    .collect();
                if let Ok(json) = serde_json::to_vec(&saved) {
                    let _ = self.ledger.store().set_meta(LISTEN_META, &json);
                }
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                self.on_connected(peer_id, &endpoint, num_established.get());
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                let state = self.peers.remove(&peer_id).unwrap_or_default();
                self.syncing.remove(&peer_id);
                self.emit(Event::PeerDisconnected {
                    peer: peer_id.to_string(),
                });
                if let Some(address) = self.redial.remove(&peer_id) {
                    let _ = self
                        .swarm
                        .dial(DialOpts::peer_id(peer_id).addresses(vec![address]).build());
                } else if let Some(address) = state.dialled {
                    let wanted =
                        self.gate.allows(&peer_id) || self.bootstrap.contains_key(&peer_id);
                    let banned = self.banned.contains_key(&peer_id);
                    let short = self.short_of_peers() || self.keeps_only_bootstrap(&peer_id);
                    if wanted && short && !banned && !self.refused_us.contains(&peer_id) {
                        self.later
                            .insert(peer_id, (address, Instant::now() + REDIAL_DELAY));
                    }
                }
            }
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(?peer_id, "dial failed: {error}");
            }
            _ => {}
        }
    }

    /// Counts a provably invalid message against the peer that sent it; at
    /// [`STRIKES_BEFORE_BAN`] the peer is disconnected and refused for [`BAN_TIME`].
    fn strike(&mut self, peer: PeerId) {
        let strikes = self.strikes.entry(peer).or_insert(0);
        *strikes += 1;
        if *strikes >= STRIKES_BEFORE_BAN {
            self.strikes.remove(&peer);
            tracing::warn!(%peer, "disconnecting a peer that keeps sending invalid messages");
            *self.rejected.entry("misbehaving_peer".into()).or_insert(0) += 1;
            self.banned.insert(peer, Instant::now() + BAN_TIME);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn on_connected(&mut self, peer: PeerId, endpoint: &ConnectedPoint, established: u32) {
        if self
            .banned
            .get(&peer)
            .is_some_and(|until| *until > Instant::now())
        {
            let _ = self.swarm.disconnect_peer_id(peer);
            return;
        }
        let allowed = self.gate.allows(&peer);
        let state = self.peers.entry(peer).or_default();
        if let ConnectedPoint::Dialer { address, .. } = endpoint {
            state.dialled = Some(address.clone());
        }
        if established > 1 {
            return;
        }
        state.hidden = !allowed;
        self.emit(Event::PeerConnected {
            peer: peer.to_string(),
        });
        let dialled = matches!(endpoint, ConnectedPoint::Dialer { .. });
        if allowed {
            if let ConnectedPoint::Dialer { address, .. } = endpoint {
                self.remember(peer, |entry| {
                    let address = address.to_string();
                    if !entry.addresses.contains(&address) {
                        entry.addresses.insert(0, address);
                        entry.addresses.truncate(8);
                    }
                });
            }
            let now = self.now();
            self.remember(peer, |entry| entry.last_seen = Some(now));
            self.send_hello(peer);
            self.start_sync(peer);
        } else {
            if let Some(state) = self.peers.get_mut(&peer) {
                state.hello_deadline = Some(Instant::now() + HELLO_TIMEOUT);
            }
            // A peer we chose to dial (a bootstrap address, an invite's inviter) gets our proof
            // even before we know it; peers that dialled us must prove themselves first.
            if dialled {
                self.send_hello(peer);
            }
        }
    }

    /// Adds addresses a member can be reached at to the address book.
    fn remember_addresses<'a>(
        &mut self,
        peer: PeerId,
        addresses: impl Iterator<Item = &'a Multiaddr>,
    ) {
        let fresh: Vec<String> = addresses
            .filter(|a| {
                !a.iter()
                    .any(|p| matches!(p, Protocol::Ip4(ip) if ip.is_unspecified()))
            })
            .map(|a| a.to_string())
            .collect();
        let known = self
            .book
            .get(&peer)
            .map(|e| e.addresses.clone())
            .unwrap_or_default();
        if fresh.iter().all(|a| known.contains(a)) {
            return;
        }
        self.remember(peer, |entry| {
            for address in fresh {
                if !entry.addresses.contains(&address) {
                    entry.addresses.push(address);
                }
            }
            entry.addresses.truncate(8);
        });
    }

    /// Asks Kademlia to look for more members, at most once a minute.
    fn bootstrap_routing(&mut self) {
        if !self.short_of_peers() {
            return;
        }
        self.gate.set_looking(true);
        let due = self
            .last_bootstrap
            .is_none_or(|at| at.elapsed() > Duration::from_secs(60));
        if due && self.swarm.behaviour_mut().kad.inner().bootstrap().is_ok() {
            self.last_bootstrap = Some(Instant::now());
        }
    }

    fn remember(&mut self, peer: PeerId, change: impl FnOnce(&mut BookEntry)) {
        let entry = self.book.entry(peer).or_default();
        change(entry);
        if let Ok(json) = serde_json::to_vec(entry) {
            let _ = self.ledger.store().set_peer(&peer.to_bytes(), &json);
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gossip(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            }) => self.on_gossip(propagation_source, message_id, message),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Hello(event) => self.on_hello_event(event),
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })
                if self.gate.allows(&peer_id) =>
            {
                for address in &info.listen_addrs {
                    self.swarm
                        .behaviour_mut()
                        .kad
                        .inner()
                        .add_address(&peer_id, address.clone());
                }
                self.remember_addresses(peer_id, info.listen_addrs.iter());
                self.bootstrap_routing();
            }
            // Members learn each other's addresses through Kademlia, so the mesh fills in beyond
            // the bootstrap peers and survives the loss of any one of them.
            BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, addresses, ..
            }) if self.gate.allows(&peer) => {
                self.remember_addresses(peer, addresses.iter());
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
            BehaviourEvent::Mdns(mdns::Event::Discovered(found)) => {
                for (peer, address) in found {
                    if self.gate.allows(&peer)
                        && !self.swarm.is_connected(&peer)
                        && self.short_of_peers()
                    {
                        self.dial_known(peer, vec![address]);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_hello_event(&mut self, event: request_response::Event<Hello, HelloReply>) {
        use request_response::{Event as E, Message as M};
        match event {
            E::Message {
                peer,
                message: M::Request {
                    request, channel, ..
                },
                ..
            } => {
                let reply = self.on_hello(peer, request);
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .hello
                    .send_response(channel, reply);
                if reply == HelloReply::Refused {
                    *self
                        .rejected
                        .entry("outsider_connection".into())
                        .or_insert(0) += 1;
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
            }
            E::Message {
                peer,
                message:
                    M::Response {
                        response: HelloReply::Admitted,
                        ..
                    },
                ..
            } => {
                // The peer just learned of us: reopen our connection so its gated protocols
                // open too. Only the side that dialled redials.
                if let Some(address) = self.peers.get(&peer).and_then(|p| p.dialled.clone()) {
                    self.redial.insert(peer, address);
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
            }
            E::Message {
                peer,
                message:
                    M::Response {
                        response: HelloReply::Refused,
                        ..
                    },
                ..
            } => {
                tracing::warn!(%peer, "a peer does not accept this node as a member");
                self.refused_us.insert(peer);
            }
            _ => {}
        }
    }

    // ---- sync ----

    fn start_sync(&mut self, peer: PeerId) {
        if !self.gate.allows(&peer) || self.peers.get(&peer).is_some_and(|p| p.hidden) {
            return;
        }
        if self.syncing.contains(&peer) {
            self.resync.insert(peer);
            return;
        }
        let Ok(vector) = self.ledger.vector() else {
            return;
        };
        let (session, request) = SyncSession::start(&vector);
        let id = self
            .swarm
            .behaviour_mut()
            .sync
            .inner()
            .send_request(&peer, request);
        self.sessions.insert(id, (peer, session));
        self.syncing.insert(peer);
    }

    fn sync_with_random_peer(&mut self) {
        let candidates: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(peer, state)| !state.hidden && !self.syncing.contains(*peer))
            .map(|(peer, _)| *peer)
            .collect();
        if candidates.is_empty() {
            return;
        }
        let pick = (now_ms() as usize / 7) % candidates.len();
        self.start_sync(candidates[pick]);
    }

    fn on_sync_event(
        &mut self,
        event: request_response::Event<sangam_protocol::sync::SyncRequest, SyncResponse>,
    ) {
        use request_response::{Event as E, Message as M};
        match event {
            E::Message {
                message: M::Request {
                    request, channel, ..
                },
                ..
            } => {
                let vector = self.ledger.vector().unwrap_or_default();
                let vector = self.unflushed.offerable(&self.keypair.author(), vector);
                let ledger = &self.ledger;
                let response = respond(&request, &vector, |author, seq| {
                    ledger.servable(author, seq)
                });
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .inner()
                    .send_response(channel, response);
            }
            E::Message {
                peer,
                message:
                    M::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                self.on_sync_response(peer, request_id, response);
            }
            E::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, "sync failed: {error}");
                self.sessions.remove(&request_id);
                self.syncing.remove(&peer);
            }
            _ => {}
        }
    }

    fn on_sync_response(
        &mut self,
        peer: PeerId,
        request_id: OutboundRequestId,
        response: SyncResponse,
    ) {
        let Some((_, mut session)) = self.sessions.remove(&request_id) else {
            return;
        };
        let vector = self.ledger.vector().unwrap_or_default();
        let mut step = session.handle(response, &vector);
        if let Ok(Step::Ingest(messages)) = step {
            let now = self.now();
            for result in self.ledger.ingest_batch(&messages, now) {
                match result {
                    Ok(Accepted::New(message)) => self.stored(&message),
                    Ok(Accepted::Duplicate) => {}
                    Err(NodeError::Protocol(rule)) => self.count_rejection(&rule, Some(peer)),
                    Err(error) => tracing::warn!("could not store a synced message: {error}"),
                }
            }
            step = session.after_ingest(&self.ledger.vector().unwrap_or_default());
        }
        match step {
            Ok(Step::Send(request)) => {
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .inner()
                    .send_request(&peer, request);
                self.sessions.insert(id, (peer, session));
            }
            Ok(Step::Done(outcome)) => self.finish_sync(peer, outcome, session.received()),
            Ok(Step::Ingest(_)) => self.finish_sync(peer, Outcome::Stalled, session.received()),
            Err(rule) => {
                self.count_rejection(&rule, Some(peer));
                self.syncing.remove(&peer);
            }
        }
    }

    fn finish_sync(&mut self, peer: PeerId, outcome: Outcome, received: u64) {
        tracing::debug!(%peer, ?outcome, received, "sync finished");
        if outcome != Outcome::Stalled && self.ledger.own_feed_pending().unwrap_or(false) {
            match self.ledger.confirm_own_feed() {
                Ok(()) => {
                    tracing::info!(%peer, "learned this node's earlier posts; posting is open")
                }
                Err(e) => tracing::warn!("could not record the own-feed check: {e}"),
            }
        }
        self.syncing.remove(&peer);
        let now = self.now();
        self.remember(peer, |entry| entry.last_sync = Some(now));
        self.emit(Event::SyncDone {
            peer: peer.to_string(),
            received,
        });
        if self.resync.remove(&peer) {
            self.start_sync(peer);
        }
    }

    // ---- control API ----

    fn invite_addresses(&self) -> Vec<String> {
        self.listen_tx
            .borrow()
            .iter()
            .map(|a| a.to_string())
            .collect()
    }

    fn peer_views(&self) -> Vec<PeerView> {
        let membership = self.ledger.membership();
        let name = |peer: &PeerId| {
            let author = AuthorId::from_peer_id(peer)?;
            membership
                .and_then(|m| m.member(&author))
                .map(|info| info.name.clone())
        };
        let mut peers: Vec<PeerId> = self.book.keys().chain(self.peers.keys()).copied().collect();
        peers.sort();
        peers.dedup();
        peers
            .into_iter()
            .map(|peer| {
                let entry = self.book.get(&peer).cloned().unwrap_or_default();
                PeerView {
                    peer: peer.to_string(),
                    name: name(&peer),
                    connected: self.swarm.is_connected(&peer),
                    addresses: entry.addresses,
                    last_seen: entry.last_seen,
                    last_sync: entry.last_sync,
                }
            })
            .collect()
    }

    fn on_command(&mut self, command: Command) {
        let Command { request, reply } = command;
        if let Request::Connect { address } = &request {
            let response = match address.parse::<Multiaddr>() {
                Ok(multiaddr) => match self.swarm.dial(multiaddr) {
                    Ok(()) => Response::Connecting {
                        address: address.clone(),
                    },
                    Err(e) => Response::Error {
                        message: format!("cannot connect to {address}: {e}"),
                    },
                },
                Err(_) => Response::Error {
                    message: format!(
                        "`{address}` is not a network address like /ip4/1.2.3.4/tcp/7117/p2p/12D3KooW…"
                    ),
                },
            };
            let _ = reply.send(response);
            return;
        }
        let addresses = self.invite_addresses();
        let now = self.now();
        let mut service = Service {
            ledger: &mut self.ledger,
            keypair: &self.keypair,
            settings: &self.settings,
            addresses,
        };
        let is_status = request == Request::Status;
        let is_peers = request == Request::Peers;
        let outcome = service.handle(request, now);
        let response = match outcome.response {
            Response::Status(mut status) if is_status => {
                status.running = true;
                status.listen = self.invite_addresses();
                status.connected = self
                    .peer_views()
                    .into_iter()
                    .filter(|p| p.connected)
                    .collect();
                status.rejected = self.rejected.clone();
                status.gossip_mesh = self
                    .swarm
                    .behaviour()
                    .gossip
                    .inner_ref()
                    .mesh_peers(&self.topic.hash())
                    .count() as u64;
                if let Some(tally) = self.meter.as_ref().map(GossipMeter::tally) {
                    status.gossip_copies = tally.copies;
                    status.gossip_distinct = tally.distinct;
                }
                Response::Status(status)
            }
            _ if is_peers => Response::Peers {
                peers: self.peer_views(),
            },
            other => other,
        };
        match outcome.published {
            Some(message) => self.await_flush(OwnPost {
                message,
                response,
                reply,
            }),
            None => {
                let _ = reply.send(response);
            }
        }
    }
}
