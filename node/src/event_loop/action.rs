//! What the event loop's machines ask for. A machine decides; only [`super::EventLoop::apply`]
//! touches the swarm, the store or the subscribers.

use libp2p::gossipsub::{MessageAcceptance, MessageId as GossipId};
use libp2p::{Multiaddr, PeerId};
use sangam_protocol::api::Event;
use sangam_protocol::{AuthorId, Error as Rule, Message};

use crate::error::PeerRefusal;
use crate::ledger::PeerRecord;

/// One thing a machine wants done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Action {
    /// Dial a known peer at these addresses (unless already connected or dialling).
    Dial {
        /// Who.
        peer: PeerId,
        /// Where it may be.
        addresses: Vec<Multiaddr>,
    },
    /// Dial a member found on the LAN. Both ends hear the same mDNS answer at the same moment
    /// and dial each other at once, so this dial leaves from a fresh port (see `apply`).
    DialOnLan {
        /// Who.
        peer: PeerId,
        /// Where mDNS says it is.
        address: Multiaddr,
    },
    /// Close every connection with this peer.
    Disconnect(PeerId),
    /// Send our membership proof.
    SendHello(PeerId),
    /// Start (or queue) a sync with this peer.
    StartSync(PeerId),
    /// Save what we know of this peer in the address book on disk.
    Save(PeerId, PeerRecord),
    /// Delete this peer from the address book on disk (revoked, or not seen for long).
    Forget(PeerId),
    /// Count a refusal that has no message behind it (shown in `sangam status`).
    Count(PeerRefusal),
    /// Ask Kademlia to look for more members.
    LookForPeers,
    /// Tell the control API's subscribers.
    Tell(Event),
    /// Tell gossipsub whether to pass on a message `source` forwarded.
    Validate {
        /// Who forwarded it.
        source: PeerId,
        /// Gossipsub's id for it.
        id: GossipId,
        /// Pass it on, drop it quietly, or count it against the peer.
        acceptance: MessageAcceptance,
    },
    /// A message was stored: tell subscribers, and refresh the gate if it is a membership act.
    Stored(Message),
    /// Count a refused message (and strike the peer that sent it if the refusal proves it
    /// misbehaved).
    Refused {
        /// The rule it broke.
        rule: Rule,
        /// Who sent it, if a peer did.
        peer: Option<PeerId>,
        /// Who it claimed to be from, when that matters to the count.
        author: Option<AuthorId>,
    },
    /// Gossip these bytes to the network's topic.
    Publish(Vec<u8>),
}
