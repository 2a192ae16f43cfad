//! Membership gating for libp2p behaviours.
//!
//! [`Gated`] wraps a behaviour (gossipsub, Kademlia, sync) so that on a connection with a peer
//! that is not a known member, the wrapped behaviour gets a handler that speaks no protocol at all
//! and never hears of the connection: an outsider who connects can negotiate nothing, so it
//! receives nothing. When a peer proves membership later (the hello exchange), the connection is
//! replaced by a fresh one, which the wrapped behaviour then sees.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::swarm::behaviour::ConnectionEstablished;
use libp2p::swarm::derive_prelude::Either;
use libp2p::swarm::{
    ConnectionClosed, ConnectionDenied, ConnectionHandler, ConnectionId, FromSwarm,
    NetworkBehaviour, NotifyHandler, THandler, THandlerInEvent, THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId};

/// The set of peers allowed past the gate, shared by every gated behaviour and the event loop.
#[derive(Clone, Default)]
pub struct MemberGate {
    allowed: Arc<RwLock<HashSet<PeerId>>>,
    /// Whether the node is looking for more members (so lookups may dial).
    looking: Arc<AtomicBool>,
}

impl MemberGate {
    /// Whether `peer` may use gated protocols.
    pub fn allows(&self, peer: &PeerId) -> bool {
        self.allowed
            .read()
            .map(|set| set.contains(peer))
            .unwrap_or(false)
    }

    /// Replaces the allowed set.
    pub fn set(&self, peers: impl IntoIterator<Item = PeerId>) {
        if let Ok(mut set) = self.allowed.write() {
            *set = peers.into_iter().collect();
        }
    }

    /// Allows one more peer.
    pub fn allow(&self, peer: PeerId) {
        if let Ok(mut set) = self.allowed.write() {
            set.insert(peer);
        }
    }

    /// Says whether the node is short of members and wants lookups to connect to more.
    pub fn set_looking(&self, looking: bool) {
        self.looking.store(looking, Ordering::Relaxed);
    }

    /// Whether lookups may dial.
    pub fn looking(&self) -> bool {
        self.looking.load(Ordering::Relaxed)
    }
}

/// A behaviour that only members can reach.
pub struct Gated<B> {
    inner: B,
    gate: MemberGate,
    /// Connections the inner behaviour never saw.
    hidden: HashSet<ConnectionId>,
    /// Per peer, the connections the inner behaviour saw.
    visible: HashMap<PeerId, Vec<ConnectionId>>,
    /// Whether the inner behaviour may dial only while the node is looking for members.
    dials_only_when_looking: bool,
}

impl<B> Gated<B> {
    /// Wraps `inner` behind `gate`.
    pub fn new(inner: B, gate: MemberGate) -> Self {
        Gated {
            inner,
            gate,
            hidden: HashSet::new(),
            visible: HashMap::new(),
            dials_only_when_looking: false,
        }
    }

    /// Lets the inner behaviour dial only while the node is short of members (see
    /// [`MemberGate::set_looking`]). For Kademlia, whose lookups (including the ones it starts
    /// by itself whenever its routing table is small) dial every peer they query: otherwise a
    /// small network ends up with every node connected to every other.
    pub fn dialling_only_when_looking(mut self) -> Self {
        self.dials_only_when_looking = true;
        self
    }

    /// The wrapped behaviour.
    pub fn inner(&mut self) -> &mut B {
        &mut self.inner
    }

    /// The wrapped behaviour, to read.
    pub fn inner_ref(&self) -> &B {
        &self.inner
    }
}

type GatedHandler<B> = Either<THandler<B>, dummy::ConnectionHandler>;

impl<B: NetworkBehaviour> NetworkBehaviour for Gated<B>
where
    B::ConnectionHandler: ConnectionHandler,
{
    type ConnectionHandler = GatedHandler<B>;
    type ToSwarm = B::ToSwarm;

    fn handle_pending_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.inner
            .handle_pending_inbound_connection(connection_id, local_addr, remote_addr)
    }

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        if !self.gate.allows(&peer) {
            self.hidden.insert(connection_id);
            return Ok(Either::Right(dummy::ConnectionHandler));
        }
        self.inner
            .handle_established_inbound_connection(connection_id, peer, local_addr, remote_addr)
            .map(Either::Left)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        addresses: &[Multiaddr],
        effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        self.inner.handle_pending_outbound_connection(
            connection_id,
            maybe_peer,
            addresses,
            effective_role,
        )
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role_override: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        if !self.gate.allows(&peer) {
            self.hidden.insert(connection_id);
            return Ok(Either::Right(dummy::ConnectionHandler));
        }
        self.inner
            .handle_established_outbound_connection(
                connection_id,
                peer,
                addr,
                role_override,
                port_use,
            )
            .map(Either::Left)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(established) => {
                if self.hidden.contains(&established.connection_id) {
                    return;
                }
                let seen = self.visible.entry(established.peer_id).or_default();
                let other_established = seen.len();
                seen.push(established.connection_id);
                self.inner.on_swarm_event(FromSwarm::ConnectionEstablished(
                    ConnectionEstablished {
                        other_established,
                        ..established
                    },
                ));
            }
            FromSwarm::ConnectionClosed(closed) => {
                if self.hidden.remove(&closed.connection_id) {
                    return;
                }
                let remaining_established = match self.visible.get_mut(&closed.peer_id) {
                    Some(seen) => {
                        seen.retain(|c| *c != closed.connection_id);
                        seen.len()
                    }
                    None => 0,
                };
                if remaining_established == 0 {
                    self.visible.remove(&closed.peer_id);
                }
                self.inner
                    .on_swarm_event(FromSwarm::ConnectionClosed(ConnectionClosed {
                        remaining_established,
                        ..closed
                    }));
            }
            FromSwarm::AddressChange(change) if self.hidden.contains(&change.connection_id) => {}
            FromSwarm::DialFailure(failure) if self.hidden.remove(&failure.connection_id) => {}
            FromSwarm::ListenFailure(failure) if self.hidden.remove(&failure.connection_id) => {}
            other => self.inner.on_swarm_event(other),
        }
    }

    fn on_connection_handler_event(
        &mut self,
        peer_id: PeerId,
        connection_id: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {
            Either::Left(event) => {
                self.inner
                    .on_connection_handler_event(peer_id, connection_id, event)
            }
            // The dummy handler emits no events.
            Either::Right(never) => match never {},
        }
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        loop {
            match self.inner.poll(cx) {
                Poll::Ready(ToSwarm::NotifyHandler {
                    peer_id,
                    handler,
                    event,
                }) => {
                    // Only ever to a connection the inner behaviour knows: "any connection" could
                    // otherwise be a hidden one whose handler speaks nothing (and the swarm would
                    // hand the event to the wrong side of the `Either`, which panics).
                    match self.visible_target(&peer_id, handler) {
                        Some(connection) => {
                            return Poll::Ready(ToSwarm::NotifyHandler {
                                peer_id,
                                handler: NotifyHandler::One(connection),
                                event: Either::Left(event),
                            });
                        }
                        // No connection that speaks the protocol: dropped, as if the connection
                        // had closed (request-response reports a failure in time).
                        None => continue,
                    }
                }
                // A lookup's dial while the node has the members it wants: not made. The lookup
                // then simply does not reach that peer (it times out for it).
                Poll::Ready(ToSwarm::Dial { .. })
                    if self.dials_only_when_looking && !self.gate.looking() =>
                {
                    continue;
                }
                Poll::Ready(action) => return Poll::Ready(action.map_in(Either::Left)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<B> Gated<B> {
    /// The visible connection an event for `peer` addressed to `handler` goes to, if any.
    /// An event for one named connection goes there whatever peer it names: libp2p's relay
    /// tells the destination's connection about a circuit under the *source's* peer id.
    fn visible_target(&self, peer: &PeerId, handler: NotifyHandler) -> Option<ConnectionId> {
        match handler {
            NotifyHandler::One(connection) => self
                .visible
                .values()
                .any(|seen| seen.contains(&connection))
                .then_some(connection),
            NotifyHandler::Any => self.visible.get(peer)?.first().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gated behaviour that has seen `visible` connections of `peer` (its inner behaviour is
    /// irrelevant to where events go).
    fn gated_with(peer: PeerId, visible: &[usize], hidden: &[usize]) -> Gated<dummy::Behaviour> {
        let mut gated = Gated::new(dummy::Behaviour, MemberGate::default());
        gated.visible.insert(
            peer,
            visible
                .iter()
                .map(|n| ConnectionId::new_unchecked(*n))
                .collect(),
        );
        gated
            .hidden
            .extend(hidden.iter().map(|n| ConnectionId::new_unchecked(*n)));
        gated
    }

    #[test]
    fn events_for_a_peer_go_only_to_connections_the_inner_behaviour_saw() {
        let peer = PeerId::random();
        // Connection 1 opened while the peer was unknown (hidden); 2 after it proved membership.
        let gated = gated_with(peer, &[2], &[1]);
        let (hidden, visible) = (
            ConnectionId::new_unchecked(1),
            ConnectionId::new_unchecked(2),
        );
        assert_eq!(
            gated.visible_target(&peer, NotifyHandler::Any),
            Some(visible)
        );
        assert_eq!(
            gated.visible_target(&peer, NotifyHandler::One(visible)),
            Some(visible)
        );
        assert_eq!(
            gated.visible_target(&peer, NotifyHandler::One(hidden)),
            None
        );
        // A peer with only hidden connections gets nothing at all.
        let stranger = PeerId::random();
        assert_eq!(gated.visible_target(&stranger, NotifyHandler::Any), None);
        // An event naming another peer but one visible connection still reaches it (the relay
        // asks a circuit's destination under the source's id), a hidden one never.
        assert_eq!(
            gated.visible_target(&stranger, NotifyHandler::One(visible)),
            Some(visible)
        );
        assert_eq!(
            gated.visible_target(&stranger, NotifyHandler::One(hidden)),
            None
        );
    }
}
