//! Peer policy: whom the node is connected to, whom it dials and when, whom it drops. Keeps a
//! node connected but not too connected: redials, topping up to the wanted number of members,
//! closing spares beyond [`MAX_PEERS`], strikes and bans, and the address book. Takes events and
//! the time, returns [`Action`]s; touches no socket.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use sangam_protocol::api::Event;

use super::action::Action;
use crate::error::PeerRefusal;
use crate::gate::MemberGate;
pub(super) use crate::ledger::PeerRecord as BookEntry;

/// Connections to members a node keeps up by dialling. Enough for a gossip mesh (3–4 peers)
/// plus spares for flaky links; members still accept whoever dials them. Every open connection
/// costs a weak laptop keep-alives, gossip metadata and scoring, so not everyone dials everyone.
pub const WANTED_PEERS: usize = 8;
/// Connections to members beyond which spares (not in the gossip mesh, not a bootstrap peer,
/// not syncing) are closed; others dial a node that has dropped them only when they are short.
pub const MAX_PEERS: usize = 12;
/// Reconnect to known members and bootstrap peers every this many housekeeping rounds.
const RECONNECT_EVERY: u32 = 10;
/// Wait before redialling a member or bootstrap peer that closed our connection.
const REDIAL_DELAY: Duration = Duration::from_secs(1);
/// Provably invalid messages a peer may send before it is disconnected.
const STRIKES_BEFORE_BAN: u32 = 5;
/// How long a disconnected misbehaving peer is refused; also how long strikes and a peer's
/// refusal of us are remembered.
const BAN_TIME: Duration = Duration::from_secs(600);
/// The shortest wait between two Kademlia lookups for more members.
const LOOKUP_EVERY: Duration = Duration::from_secs(60);
/// Most peers any per-peer table (strikes, bans, refusals, redials) holds: a stranger cycling
/// through identities cannot grow the node's memory without bound.
pub(super) const MAX_TRACKED: usize = 1024;
/// Address-book entries not seen for this long are forgotten (30 days).
pub const FORGET_AFTER_MS: u64 = 30 * 24 * 3_600_000;
/// Connections from peers not (yet) known as members held at once; more are closed at once, so
/// a flood of strangers can never take the connection slots members need.
pub const STRANGER_BUDGET: usize = 16;
/// Most addresses remembered per peer.
const MAX_ADDRESSES: usize = 8;

/// One connected peer.
#[derive(Debug, Default)]
struct Link {
    /// The address we dialled it at, if we dialled.
    dialled: Option<Multiaddr>,
    /// The address its first connection runs over (ours if we dialled, where it came from if
    /// it did): tells which of the addresses it claims can reach it.
    seen_at: Option<Multiaddr>,
    /// Whether its connection was opened before it was known as a member (so gated protocols
    /// are closed on it until it reconnects).
    hidden: bool,
}

/// Inserts into a per-peer table, first dropping the entry that expires soonest if it is full.
pub(super) fn insert_bounded<V>(
    table: &mut HashMap<PeerId, V>,
    peer: PeerId,
    value: V,
    expiry: impl Fn(&V) -> Instant,
) {
    if table.len() >= MAX_TRACKED
        && !table.contains_key(&peer)
        && let Some(oldest) = table.iter().min_by_key(|(_, v)| expiry(v)).map(|(p, _)| *p)
    {
        table.remove(&oldest);
    }
    table.insert(peer, value);
}

/// The peer-policy machine.
pub(super) struct Peers {
    gate: MemberGate,
    wanted: usize,
    links: HashMap<PeerId, Link>,
    book: HashMap<PeerId, BookEntry>,
    /// Bootstrap peers with every address given for each (an invite lists IPv4 and IPv6, TCP
    /// and QUIC; only some of them work from where this laptop is).
    bootstrap: HashMap<PeerId, Vec<Multiaddr>>,
    /// Redial as soon as the connection closes (it is being reopened on purpose).
    redial: HashMap<PeerId, Multiaddr>,
    /// Redial at the given time.
    later: HashMap<PeerId, (Multiaddr, Instant)>,
    /// Provably invalid messages, and when the first of them came.
    strikes: HashMap<PeerId, (u32, Instant)>,
    banned: HashMap<PeerId, Instant>,
    /// Peers that refused our hello, and until when we leave them alone.
    refused_us: HashMap<PeerId, Instant>,
    rounds: u32,
    last_lookup: Option<Instant>,
    /// Picks which spares to close: at random, so that no peer is always the one dropped.
    rng: StdRng,
    /// This node's own listen addresses.
    own: Vec<Multiaddr>,
    /// Open connections, direct or relayed.
    pub(super) paths: super::paths::Paths,
}

impl Peers {
    /// A machine that knows the address book saved on disk.
    pub(super) fn new(gate: MemberGate, book: HashMap<PeerId, BookEntry>) -> Peers {
        Peers {
            gate,
            wanted: WANTED_PEERS,
            links: HashMap::new(),
            book,
            bootstrap: HashMap::new(),
            redial: HashMap::new(),
            own: Vec::new(),
            paths: super::paths::Paths::default(),
            later: HashMap::new(),
            strikes: HashMap::new(),
            banned: HashMap::new(),
            refused_us: HashMap::new(),
            rounds: 0,
            last_lookup: None,
            rng: StdRng::from_entropy(),
        }
    }

    /// The same machine with its random choices drawn from `rng` (tests).
    #[cfg(test)]
    pub(super) fn with_rng(mut self, rng: StdRng) -> Peers {
        self.rng = rng;
        self
    }

    /// Keeps up `wanted` member connections by dialling (0: exactly the bootstrap links).
    pub(super) fn set_wanted(&mut self, wanted: usize) {
        self.wanted = wanted;
    }

    /// The first actions: forget addresses not seen for [`FORGET_AFTER_MS`], dial the bootstrap
    /// addresses and the members in the address book. `wall_ms`: the clock.
    pub(super) fn start(&mut self, bootstrap: &[Multiaddr], wall_ms: u64) -> Vec<Action> {
        let stale: Vec<PeerId> = self
            .book
            .iter()
            .filter(|(_, entry)| {
                entry
                    .last_seen
                    .is_some_and(|seen| wall_ms.saturating_sub(seen) > FORGET_AFTER_MS)
            })
            .map(|(peer, _)| *peer)
            .collect();
        let mut forgotten = Vec::new();
        for peer in stale {
            self.book.remove(&peer);
            forgotten.push(Action::Forget(peer));
        }
        for address in bootstrap {
            if let Some(Protocol::P2p(peer)) = address.iter().last() {
                let known = self.bootstrap.entry(peer).or_default();
                if !known.contains(address) {
                    known.push(address.clone());
                }
            }
        }
        self.gate.set_looking(self.short());
        let mut actions: Vec<Action> = self
            .bootstrap
            .iter()
            .map(|(peer, addresses)| Action::Dial {
                peer: *peer,
                addresses: addresses.clone(),
            })
            .collect();
        actions.extend(self.reconnect_known_members());
        forgotten.extend(actions);
        forgotten
    }

    /// Whether the node has fewer member connections than it wants.
    pub(super) fn short(&self) -> bool {
        self.member_links() < self.wanted
    }

    /// Whether any connection with `peer` is open.
    pub(super) fn is_connected(&self, peer: &PeerId) -> bool {
        self.links.contains_key(peer)
    }

    /// Whether `peer` is connected but behind the gate (not yet proven a member).
    pub(super) fn is_hidden(&self, peer: &PeerId) -> bool {
        self.links.get(peer).is_some_and(|l| l.hidden)
    }

    /// Connected members whose gated protocols are open.
    pub(super) fn open_members(&self) -> Vec<PeerId> {
        let mut open: Vec<PeerId> = self
            .links
            .iter()
            .filter(|(_, link)| !link.hidden)
            .map(|(peer, _)| *peer)
            .collect();
        open.sort();
        open
    }

    /// Everyone connected or in the address book, with what the book says of them.
    pub(super) fn known(&self) -> Vec<(PeerId, BookEntry, bool)> {
        let mut peers: Vec<PeerId> = self.book.keys().chain(self.links.keys()).copied().collect();
        peers.sort();
        peers.dedup();
        peers
            .into_iter()
            .map(|peer| {
                let entry = self.book.get(&peer).cloned().unwrap_or_default();
                (peer, entry, self.links.contains_key(&peer))
            })
            .collect()
    }

    /// A connection opened (`first`: the only one with this peer). `wall_ms` is the wall clock.
    pub(super) fn on_connected(
        &mut self,
        peer: PeerId,
        dialled: Option<Multiaddr>,
        first: bool,
        now: Instant,
        wall_ms: u64,
    ) -> Vec<Action> {
        if self.banned.get(&peer).is_some_and(|until| *until > now) {
            return vec![Action::Disconnect(peer)];
        }
        let allowed = self.gate.allows(&peer);
        let link = self.links.entry(peer).or_default();
        if dialled.is_some() {
            link.dialled.clone_from(&dialled);
        }
        if !first {
            return Vec::new();
        }
        link.hidden = !allowed;
        if !allowed && !self.bootstrap.contains_key(&peer) {
            let strangers = self.links.values().filter(|l| l.hidden).count();
            if strangers > STRANGER_BUDGET {
                tracing::debug!(%peer, "too many strangers connected; closing this one");
                return vec![
                    Action::Count(PeerRefusal::StrangerOverBudget),
                    Action::Disconnect(peer),
                ];
            }
        }
        let mut actions = vec![Action::Tell(Event::PeerConnected {
            peer: peer.to_string(),
        })];
        if allowed {
            let save = self.remember(peer, |entry| {
                if let Some(address) = dialled.map(|a| a.to_string())
                    && !entry.addresses.contains(&address)
                {
                    entry.addresses.insert(0, address);
                    entry.addresses.truncate(MAX_ADDRESSES);
                }
                entry.last_seen = Some(wall_ms);
            });
            actions.extend([save, Action::SendHello(peer), Action::StartSync(peer)]);
        }
        actions
    }

    /// The last connection with `peer` closed.
    pub(super) fn on_closed(&mut self, peer: PeerId, now: Instant) -> Vec<Action> {
        let link = self.links.remove(&peer).unwrap_or_default();
        let mut actions = vec![Action::Tell(Event::PeerDisconnected {
            peer: peer.to_string(),
        })];
        if let Some(address) = self.redial.remove(&peer) {
            actions.push(Action::Dial {
                peer,
                addresses: vec![address],
            });
        } else if let Some(address) = link.dialled {
            let wanted = self.gate.allows(&peer) || self.bootstrap.contains_key(&peer);
            let banned = self.banned.get(&peer).is_some_and(|until| *until > now);
            let refused = self.refused_us.get(&peer).is_some_and(|until| *until > now);
            let short = self.short() || self.keeps_only_bootstrap(&peer);
            if wanted && short && !banned && !refused {
                let when = now + REDIAL_DELAY;
                insert_bounded(&mut self.later, peer, (address, when), |(_, at)| *at);
            }
        }
        actions
    }

    /// The peer accepted our proof of membership just now: the connection opened while it did
    /// not know us, so its gated protocols are closed. Only the side that dialled reopens it.
    pub(super) fn on_admitted_by(&mut self, peer: PeerId) -> Vec<Action> {
        match self.links.get(&peer).and_then(|l| l.dialled.clone()) {
            Some(address) => {
                insert_bounded(&mut self.redial, peer, address, |_| Instant::now());
                vec![Action::Disconnect(peer)]
            }
            None => Vec::new(),
        }
    }

    /// The peer does not accept us as a member: leave it alone for a while.
    pub(super) fn on_refused_by(&mut self, peer: PeerId, now: Instant) {
        insert_bounded(&mut self.refused_us, peer, now + BAN_TIME, |until| *until);
        // A redial already planned (the connection dropped before the answer came) is off too.
        self.later.remove(&peer);
        self.redial.remove(&peer);
    }

    /// Membership changed: drop peers no longer members, reopen connections of peers that became
    /// members while connected behind the gate.
    pub(super) fn on_membership(&mut self, members: &HashSet<PeerId>) -> Vec<Action> {
        self.gate.set(members.iter().copied());
        // A revoked member's addresses are not kept: a seized laptop must not list them.
        let revoked: Vec<PeerId> = self
            .book
            .keys()
            .filter(|peer| !members.contains(peer))
            .copied()
            .collect();
        let mut actions = Vec::new();
        for peer in revoked {
            self.book.remove(&peer);
            actions.push(Action::Forget(peer));
        }
        for (peer, link) in &self.links {
            let member = members.contains(peer);
            if !member && !link.hidden {
                actions.push(Action::Disconnect(*peer));
            } else if member && link.hidden {
                // Gated protocols open only on a fresh connection. The dialler redials at once;
                // the other side closes the connection once its hello answer is out (see
                // `tick`), and the dialler then redials.
                if let Some(address) = &link.dialled {
                    self.redial.insert(*peer, address.clone());
                    actions.push(Action::Disconnect(*peer));
                }
            }
        }
        actions
    }

    /// Counts a provably invalid message against `peer`; at [`STRIKES_BEFORE_BAN`] the peer is
    /// disconnected and refused for [`BAN_TIME`].
    pub(super) fn strike(&mut self, peer: PeerId, now: Instant) -> Vec<Action> {
        let (count, since) = self.strikes.get(&peer).copied().unwrap_or((0, now));
        let count = if now.duration_since(since) > BAN_TIME {
            1
        } else {
            count + 1
        };
        if count < STRIKES_BEFORE_BAN {
            insert_bounded(&mut self.strikes, peer, (count, since), |(_, at)| *at);
            return Vec::new();
        }
        self.strikes.remove(&peer);
        tracing::warn!(%peer, "disconnecting a peer that keeps sending invalid messages");
        insert_bounded(&mut self.banned, peer, now + BAN_TIME, |until| *until);
        vec![
            Action::Count(PeerRefusal::MisbehavingPeer),
            Action::Disconnect(peer),
        ]
    }

    /// LAN discovery found peers: dial the members among them if short.
    pub(super) fn on_discovered(&mut self, found: Vec<(PeerId, Multiaddr)>) -> Vec<Action> {
        found
            .into_iter()
            .filter(|(peer, _)| self.gate.allows(peer) && !self.is_connected(peer) && self.short())
            .map(|(peer, address)| Action::DialOnLan { peer, address })
            .collect()
    }

    /// The address this node dialled `peer` at, ending in its id (for a circuit through it).
    pub(super) fn dialled_at(&self, peer: PeerId) -> Option<Multiaddr> {
        use libp2p::multiaddr::Protocol;
        let mut via = self.links.get(&peer)?.dialled.clone()?;
        if !matches!(via.iter().last(), Some(Protocol::P2p(_))) {
            via.push(Protocol::P2p(peer));
        }
        Some(via)
    }

    /// This node's own listen addresses (never dialled).
    pub(super) fn set_own(&mut self, own: Vec<Multiaddr>) {
        self.own = own;
    }

    /// The address a connection with `peer` runs over (the first one counts).
    pub(super) fn note_remote(&mut self, peer: PeerId, remote: Multiaddr) {
        let link = self.links.entry(peer).or_default();
        link.seen_at.get_or_insert(remote);
    }

    /// Whether `address`, which `peer` claims, would reach it from here (see [`super::address`]).
    pub(super) fn worth_dialling(&self, peer: &PeerId, address: &Multiaddr) -> bool {
        let seen_at = self.links.get(peer).and_then(|l| l.seen_at.as_ref());
        super::address::worth_dialling(address, seen_at, &self.own)
    }

    /// A member says (identify) or is said (Kademlia) to listen at these addresses. Only those
    /// worth dialling from here are kept.
    pub(super) fn on_addresses<'a>(
        &mut self,
        peer: PeerId,
        addresses: impl Iterator<Item = &'a Multiaddr>,
    ) -> Vec<Action> {
        let fresh: Vec<String> = addresses
            .filter(|a| self.worth_dialling(&peer, a))
            .map(|a| a.to_string())
            .collect();
        let known = self.book.get(&peer).map(|e| &e.addresses);
        if fresh.iter().all(|a| known.is_some_and(|k| k.contains(a))) {
            return Vec::new();
        }
        vec![self.remember(peer, |entry| {
            for address in fresh {
                if !entry.addresses.contains(&address) {
                    entry.addresses.push(address);
                }
            }
            entry.addresses.truncate(MAX_ADDRESSES);
        })]
    }

    /// A sync with `peer` finished at wall-clock `wall_ms`.
    pub(super) fn on_synced(&mut self, peer: PeerId, wall_ms: u64) -> Vec<Action> {
        vec![self.remember(peer, |entry| entry.last_sync = Some(wall_ms))]
    }

    /// Housekeeping, once a second: redials that are due, connections to reopen, and every
    /// [`RECONNECT_EVERY`] rounds topping up, looking for members and closing spares. `busy`
    /// peers (in the gossip mesh or syncing) are never closed as spares.
    pub(super) fn tick(&mut self, now: Instant, busy: &HashSet<PeerId>) -> Vec<Action> {
        let mut actions = Vec::new();
        // Members whose connection opened while they were unknown, and which dialled us: close
        // it (our hello answer has had a second to go out) so they redial with the gate open.
        for (peer, link) in &self.links {
            if link.hidden && link.dialled.is_none() && self.gate.allows(peer) {
                actions.push(Action::Disconnect(*peer));
            }
        }
        let due: Vec<PeerId> = self
            .later
            .iter()
            .filter(|(_, (_, when))| *when <= now)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in due {
            if let Some((address, _)) = self.later.remove(&peer)
                && !self.refused_us.contains_key(&peer)
            {
                actions.push(Action::Dial {
                    peer,
                    addresses: vec![address],
                });
            }
        }
        self.banned.retain(|_, until| *until > now);
        self.refused_us.retain(|_, until| *until > now);
        self.strikes
            .retain(|_, (_, since)| now.duration_since(*since) <= BAN_TIME);
        self.gate.set_looking(self.short());
        self.rounds = self.rounds.wrapping_add(1);
        if self.rounds.is_multiple_of(RECONNECT_EVERY) {
            actions.extend(self.reconnect_known_members());
            actions.extend(self.look_for_members(now));
            actions.extend(self.close_spares(busy));
            let short = self.short();
            for (peer, addresses) in &self.bootstrap {
                if (short || self.keeps_only_bootstrap(peer))
                    && !self.is_connected(peer)
                    && !self.refused_us.contains_key(peer)
                {
                    actions.push(Action::Dial {
                        peer: *peer,
                        addresses: addresses.clone(),
                    });
                }
            }
        }
        actions
    }

    /// Asks for a Kademlia lookup when short of members, at most once per [`LOOKUP_EVERY`].
    pub(super) fn look_for_members(&mut self, now: Instant) -> Vec<Action> {
        if !self.short() {
            return Vec::new();
        }
        self.gate.set_looking(true);
        let due = self
            .last_lookup
            .is_none_or(|at| now.duration_since(at) > LOOKUP_EVERY);
        if !due {
            return Vec::new();
        }
        self.last_lookup = Some(now);
        vec![Action::LookForPeers]
    }

    /// The lookup could not start (no member known to ask): allow the next one at once.
    pub(super) fn lookup_failed(&mut self) {
        self.last_lookup = None;
    }

    /// Whether `peer` is a known member (may pass the gate).
    pub(super) fn is_member(&self, peer: &PeerId) -> bool {
        self.gate.allows(peer)
    }

    fn reconnect_known_members(&self) -> Vec<Action> {
        let room = self.wanted.saturating_sub(self.member_links());
        self.book
            .iter()
            .filter(|(peer, _)| {
                self.gate.allows(peer)
                    && !self.is_connected(peer)
                    && !self.banned.contains_key(*peer)
                    && !self.refused_us.contains_key(*peer)
            })
            .map(|(peer, entry)| {
                let addresses: Vec<Multiaddr> = entry
                    .addresses
                    .iter()
                    .filter_map(|a| a.parse().ok())
                    .collect();
                (*peer, addresses)
            })
            .filter(|(_, addresses)| !addresses.is_empty())
            .take(room)
            .map(|(peer, addresses)| Action::Dial { peer, addresses })
            .collect()
    }

    /// Closes connections beyond [`MAX_PEERS`] that gossip and sync are not using: in a network
    /// of dozens, lookups would otherwise leave every node connected to every other, and each
    /// connection costs a weak laptop keep-alives, gossip metadata and scoring.
    fn close_spares(&mut self, busy: &HashSet<PeerId>) -> Vec<Action> {
        let excess = self.member_links().saturating_sub(MAX_PEERS);
        let mut spare: Vec<PeerId> = self
            .links
            .iter()
            .filter(|(peer, link)| {
                !link.hidden
                    && self.gate.allows(peer)
                    && !busy.contains(*peer)
                    && !self.bootstrap.contains_key(*peer)
            })
            .map(|(peer, _)| *peer)
            .collect();
        // Sorted first so that the random pick depends on the RNG alone (tests seed it). A
        // fixed order would drop the same peers in every node every round: those would churn
        // for ever, and messages passing through them would wait for gossip's repair.
        spare.sort();
        spare.shuffle(&mut self.rng);
        spare
            .into_iter()
            .take(excess)
            .map(Action::Disconnect)
            .collect()
    }

    /// Whether `peer` is a bootstrap peer of a node set to want no connections of its own
    /// (`wanted` 0): such a node keeps exactly its bootstrap links up.
    fn keeps_only_bootstrap(&self, peer: &PeerId) -> bool {
        self.wanted == 0 && self.bootstrap.contains_key(peer)
    }

    /// Members connected to now (behind the gate or not).
    fn member_links(&self) -> usize {
        self.links.keys().filter(|p| self.gate.allows(p)).count()
    }

    fn remember(&mut self, peer: PeerId, change: impl FnOnce(&mut BookEntry)) -> Action {
        let entry = self.book.entry(peer).or_default();
        change(entry);
        Action::Save(peer, entry.clone())
    }
}

#[cfg(test)]
#[path = "peers_tests.rs"]
mod tests;
