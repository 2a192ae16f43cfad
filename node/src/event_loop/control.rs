//! Control requests from the API socket, as the event loop answers them: the running node's
//! part (connections, listen addresses, refusal counters) added to what [`Service`] answers
//! from the ledger.

use libp2p::Multiaddr;
use sangam_protocol::AuthorId;
use sangam_protocol::api::{PeerView, Request, Response};

use super::EventLoop;
use super::own_posts::OwnPost;
use crate::api::Command;
use crate::service::Service;

impl EventLoop {
    pub(super) fn invite_addresses(&self) -> Vec<String> {
        self.listen_tx
            .borrow()
            .iter()
            .map(|a| a.to_string())
            .collect()
    }

    fn peer_views(&self) -> Vec<PeerView> {
        let membership = self.ledger.membership();
        let name = |peer: &libp2p::PeerId| {
            let author = AuthorId::from_peer_id(peer)?;
            membership
                .and_then(|m| m.member(&author))
                .map(|info| info.name.clone())
        };
        self.peers
            .known()
            .into_iter()
            .map(|(peer, entry, connected)| PeerView {
                peer: peer.to_string(),
                name: name(&peer),
                connected,
                addresses: entry.addresses,
                last_seen: entry.last_seen,
                last_sync: entry.last_sync,
            })
            .collect()
    }

    pub(super) fn on_command(&mut self, command: Command) {
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
                let tally = self.meter.tally();
                status.gossip_copies = tally.copies;
                status.gossip_distinct = tally.distinct;
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
