//! Member relays from both sides: the reservations this node holds on other members' relays
//! (only while it cannot be dialled directly), and the members holding one on this node's relay.

use std::collections::{HashMap, HashSet};

use libp2p::PeerId;
use libp2p::core::transport::ListenerId;

/// Most member relays a node keeps a reservation on.
pub(super) const MAX_RELAYS: usize = 2;

/// Reservations held and served.
#[derive(Debug, Default)]
pub(super) struct Relays {
    /// Whether this node was told it can be dialled and should relay (`--relay`).
    by_hand: bool,
    /// Relays this node asked for a reservation, with the listener that holds it.
    held: HashMap<PeerId, ListenerId>,
    /// Members holding a reservation on this node's relay.
    served: HashSet<PeerId>,
    /// Relays this node opened a second connection to, over its other transport.
    second: HashSet<PeerId>,
    /// Circuits this node's relay opened between two members since it started.
    circuits: u64,
}

impl Relays {
    /// No reservations yet; `by_hand` as `--relay` says.
    pub(super) fn new(by_hand: bool) -> Relays {
        Relays {
            by_hand,
            ..Relays::default()
        }
    }

    /// Whether this node relays because it was told to, whatever AutoNAT finds.
    pub(super) fn by_hand(&self) -> bool {
        self.by_hand
    }

    /// Whether to ask member relay `peer` for a reservation: only a node nobody can dial
    /// directly (`reachable` false: behind a NAT or a firewall, or listening nowhere) needs
    /// one, and two relays are enough.
    pub(super) fn wanted_on(&self, peer: &PeerId, reachable: bool) -> bool {
        !reachable && self.held.len() < MAX_RELAYS && !self.held.contains_key(peer)
    }

    /// A reservation on `peer` was asked for, held by `listener`.
    pub(super) fn asked(&mut self, peer: PeerId, listener: ListenerId) {
        self.held.insert(peer, listener);
    }

    /// The connection with `peer` closed: a reservation lives on its connection.
    pub(super) fn lost(&mut self, peer: &PeerId) {
        self.held.remove(peer);
        self.second.remove(peer);
    }

    /// Whether to open a second connection to relay `peer` over the other transport: once
    /// while connected.
    pub(super) fn second_path(&mut self, peer: PeerId) -> bool {
        self.second.insert(peer)
    }

    /// This node became directly reachable: the listeners of every reservation, to close.
    pub(super) fn release_all(&mut self) -> Vec<ListenerId> {
        self.held.drain().map(|(_, listener)| listener).collect()
    }

    /// A member got (or renewed) a reservation on this node's relay.
    pub(super) fn serving(&mut self, member: PeerId) {
        self.served.insert(member);
    }

    /// A member's reservation on this node's relay ended.
    pub(super) fn stopped_serving(&mut self, member: &PeerId) {
        self.served.remove(member);
    }

    /// This node's relay opened a circuit between two members.
    pub(super) fn circuit_opened(&mut self) {
        self.circuits = self.circuits.saturating_add(1);
    }

    /// How many circuits this node's relay opened since it started.
    pub(super) fn circuits(&self) -> u64 {
        self.circuits
    }

    /// How many members hold a reservation on this node's relay.
    pub(super) fn served(&self) -> u64 {
        self.served.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_holds_at_most_two_reservations_and_none_once_reachable() {
        let mut relays = Relays::default();
        let [a, b, c] = [PeerId::random(), PeerId::random(), PeerId::random()];
        assert!(
            !relays.wanted_on(&a, true),
            "a reachable node needs no relay"
        );
        assert!(relays.wanted_on(&a, false));
        relays.asked(a, ListenerId::next());
        assert!(!relays.wanted_on(&a, false), "one reservation per relay");
        relays.asked(b, ListenerId::next());
        assert!(!relays.wanted_on(&c, false), "two relays are enough");
        relays.lost(&a);
        assert!(relays.wanted_on(&c, false));
        assert_eq!(relays.release_all().len(), 1);
        assert!(relays.wanted_on(&a, false));
        assert!(relays.second_path(a), "a second transport once");
        assert!(!relays.second_path(a));
        relays.lost(&a);
        assert!(relays.second_path(a), "again after a reconnection");
    }
}
