//! Keeping a node connected, but not too connected: hello deadlines, redials, topping up to
//! the wanted number of members and closing spares beyond [`MAX_PEERS`].

use std::collections::HashSet;
use std::time::Instant;

use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId};

use super::{EventLoop, MAX_PEERS, RECONNECT_EVERY};

impl EventLoop {
    pub(super) fn housekeeping(&mut self) {
        let now = Instant::now();
        let overdue: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, state)| state.hidden && state.hello_deadline.is_some_and(|d| d <= now))
            .map(|(peer, _)| *peer)
            .collect();
        for peer in overdue {
            tracing::info!(%peer, "dropping a peer that did not prove membership");
            *self
                .rejected
                .entry("outsider_connection".into())
                .or_insert(0) += 1;
            let _ = self.swarm.disconnect_peer_id(peer);
        }
        // Members whose connection opened while they were unknown, and which dialled us: close
        // it (our hello answer has had a second to go out) so they redial with the gate open.
        let reopen: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(peer, state)| {
                state.hidden && state.dialled.is_none() && self.gate.allows(peer)
            })
            .map(|(peer, _)| *peer)
            .collect();
        for peer in reopen {
            let _ = self.swarm.disconnect_peer_id(peer);
        }
        let due: Vec<(PeerId, Multiaddr)> = self
            .later
            .iter()
            .filter(|(_, (_, when))| *when <= now)
            .map(|(peer, (address, _))| (*peer, address.clone()))
            .collect();
        for (peer, address) in due {
            self.later.remove(&peer);
            self.dial_known(peer, vec![address]);
        }
        self.banned.retain(|_, until| *until > now);
        self.gate.set_looking(self.short_of_peers());
        self.rounds = self.rounds.wrapping_add(1);
        if self.rounds.is_multiple_of(RECONNECT_EVERY) {
            self.reconnect_known_members();
            self.bootstrap_routing();
            self.close_spare_connections();
            let short = self.short_of_peers();
            let bootstrap: Vec<(PeerId, Multiaddr)> = self
                .bootstrap
                .iter()
                .filter(|(peer, _)| {
                    (short || self.keeps_only_bootstrap(peer)) && !self.swarm.is_connected(peer)
                })
                .map(|(peer, address)| (*peer, address.clone()))
                .collect();
            for (peer, address) in bootstrap {
                self.dial_known(peer, vec![address]);
            }
        }
    }

    /// Dials a known peer at these addresses unless already connected or dialling.
    pub(super) fn dial_known(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        // A fresh source port: by default libp2p dials from the listening port, so when two
        // members dial each other at the same moment (both hear the same mDNS answer, or both
        // redial when a link returns) the two dials become one TCP connection on which both
        // sides open the handshake, and both fail ("input error").
        let opts = DialOpts::peer_id(peer)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .addresses(addresses)
            .allocate_new_port()
            .build();
        let _ = self.swarm.dial(opts);
    }

    /// Closes connections beyond [`MAX_PEERS`] that gossip and sync are not using: in a network
    /// of dozens, lookups would otherwise leave every node connected to every other, and each
    /// connection costs a weak laptop keep-alives, gossip metadata and scoring.
    fn close_spare_connections(&mut self) {
        let excess = self.member_peers().saturating_sub(MAX_PEERS);
        if excess == 0 {
            return;
        }
        let gossip = self.swarm.behaviour().gossip.inner_ref();
        let mesh: HashSet<&PeerId> = gossip.mesh_peers(&self.topic.hash()).collect();
        let spare: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(peer, state)| {
                !state.hidden
                    && self.gate.allows(peer)
                    && !mesh.contains(peer)
                    && !self.bootstrap.contains_key(*peer)
                    && !self.syncing.contains(*peer)
            })
            .map(|(peer, _)| *peer)
            .take(excess)
            .collect();
        for peer in spare {
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    /// Whether the node has fewer member connections than it wants.
    pub(super) fn short_of_peers(&self) -> bool {
        self.member_peers() < self.wanted_peers
    }

    /// Whether `peer` is a bootstrap peer of a node set to want no connections of its own
    /// (`wanted_peers` 0): such a node keeps exactly its bootstrap links up.
    pub(super) fn keeps_only_bootstrap(&self, peer: &PeerId) -> bool {
        self.wanted_peers == 0 && self.bootstrap.contains_key(peer)
    }

    /// Members connected to now (behind the gate or not).
    pub(super) fn member_peers(&self) -> usize {
        self.peers.keys().filter(|p| self.gate.allows(p)).count()
    }

    pub(super) fn reconnect_known_members(&mut self) {
        let room = self.wanted_peers.saturating_sub(self.member_peers());
        let targets: Vec<(PeerId, Vec<Multiaddr>)> = self
            .book
            .iter()
            .filter(|(peer, _)| {
                self.gate.allows(peer)
                    && !self.swarm.is_connected(peer)
                    && !self.banned.contains_key(*peer)
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
            .collect();
        for (peer, addresses) in targets {
            self.dial_known(peer, addresses);
        }
    }
}
