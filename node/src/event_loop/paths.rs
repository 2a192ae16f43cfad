//! Which connections each peer has open, and whether each runs through a relay. A peer counts as
//! reached directly once any of its connections is direct; once a direct connection is open
//! (hole punching worked, or the peer became dialable), its relayed ones are closed, so the
//! relay's limited circuits and bytes go to members that still need them.

use std::collections::HashMap;

use libp2p::multiaddr::Protocol;
use libp2p::swarm::ConnectionId;
use libp2p::{Multiaddr, PeerId};

/// Open connections per peer: (connection, whether it is relayed).
#[derive(Debug, Default)]
pub(super) struct Paths {
    open: HashMap<PeerId, Vec<(ConnectionId, bool)>>,
}

/// Whether a connection whose remote end is `address` runs through a relay.
pub(super) fn is_relayed(address: &Multiaddr) -> bool {
    address.iter().any(|p| matches!(p, Protocol::P2pCircuit))
}

impl Paths {
    /// A connection opened; returns the relayed connections to the same peer that a direct one
    /// now makes unnecessary.
    pub(super) fn opened(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        relayed: bool,
    ) -> Vec<ConnectionId> {
        let open = self.open.entry(peer).or_default();
        open.push((connection, relayed));
        if relayed && !open.iter().any(|(_, r)| !r) {
            return Vec::new();
        }
        open.iter().filter(|(_, r)| *r).map(|(c, _)| *c).collect()
    }

    /// A connection closed.
    pub(super) fn closed(&mut self, peer: PeerId, connection: ConnectionId) {
        if let Some(open) = self.open.get_mut(&peer) {
            open.retain(|(c, _)| *c != connection);
            if open.is_empty() {
                self.open.remove(&peer);
            }
        }
    }

    /// Whether `peer` is connected through relays only.
    pub(super) fn only_relayed(&self, peer: &PeerId) -> bool {
        self.open
            .get(peer)
            .is_some_and(|open| open.iter().all(|(_, relayed)| *relayed))
    }

    /// Connected peers: (reached directly, reached only through a relay).
    pub(super) fn kinds(&self) -> (u64, u64) {
        let via_relay = self.open.keys().filter(|p| self.only_relayed(p)).count() as u64;
        (self.open.len() as u64 - via_relay, via_relay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_direct_connection_retires_the_relayed_ones_and_counts_as_direct() {
        let mut paths = Paths::default();
        let peer = PeerId::random();
        let (relayed, direct) = (
            ConnectionId::new_unchecked(1),
            ConnectionId::new_unchecked(2),
        );
        assert!(paths.opened(peer, relayed, true).is_empty());
        assert_eq!(paths.kinds(), (0, 1));
        assert!(paths.only_relayed(&peer));
        assert_eq!(paths.opened(peer, direct, false), vec![relayed]);
        assert_eq!(paths.kinds(), (1, 0));
        paths.closed(peer, relayed);
        assert_eq!(paths.kinds(), (1, 0));
        // A second relayed connection while a direct one is open is retired at once.
        let late = ConnectionId::new_unchecked(3);
        assert_eq!(paths.opened(peer, late, true), vec![late]);
        paths.closed(peer, late);
        paths.closed(peer, direct);
        assert_eq!(paths.kinds(), (0, 0));
        assert!(!paths.only_relayed(&peer));
    }
}
