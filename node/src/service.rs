//! Answers control-API requests from the ledger. The daemon and the offline command line share
//! it, so a command behaves the same whether or not the daemon is running.

use sangam_protocol::api::{Request, Response, Status};
use sangam_protocol::invite::Invite;
use sangam_protocol::kinds::{Admit, Revoke};
use sangam_protocol::{Body, Keypair, Message};

use crate::datadir::Settings;
use crate::error::{NodeError, Result};
use crate::ledger::Ledger;

/// Default number of feed items.
pub const DEFAULT_FEED_LIMIT: usize = 50;

/// What answering a request did.
pub struct Outcome {
    /// The answer.
    pub response: Response,
    /// A message this node published while answering. It is stored but not yet flushed: the
    /// caller flushes the store before it sends the response or pushes the message to peers.
    pub published: Option<Message>,
}

impl Outcome {
    fn answer(response: Response) -> Outcome {
        Outcome {
            response,
            published: None,
        }
    }
}

/// The node's identity and state, borrowed for one request.
pub struct Service<'a> {
    /// The ledger.
    pub ledger: &'a mut Ledger,
    /// This node's key.
    pub keypair: &'a Keypair,
    /// This node's settings.
    pub settings: &'a Settings,
    /// Addresses peers can reach this node at (for invites), each ending in `/p2p/<id>`.
    pub addresses: Vec<String>,
}

impl Service<'_> {
    /// Answers `request`; failures become an `error` response with a plain sentence.
    pub fn handle(&mut self, request: Request, now: u64) -> Outcome {
        match self.try_handle(request, now) {
            Ok(outcome) => outcome,
            Err(error) => Outcome::answer(Response::Error {
                message: error.to_string(),
            }),
        }
    }

    fn try_handle(&mut self, request: Request, now: u64) -> Result<Outcome> {
        Ok(match request {
            Request::Status => Outcome::answer(Response::Status(self.status()?)),
            Request::Peers => Outcome::answer(Response::Peers { peers: Vec::new() }),
            Request::Members => Outcome::answer(Response::Members {
                members: self.ledger.members()?,
            }),
            Request::Feed {
                kind,
                author,
                limit,
            } => {
                let limit = limit
                    .unwrap_or(DEFAULT_FEED_LIMIT)
                    .min(sangam_protocol::api::MAX_FEED_LIMIT);
                Outcome::answer(Response::Feed {
                    items: self.ledger.feed(kind, author, limit)?,
                })
            }
            Request::Show { id } => match self.ledger.item(&id)? {
                Some(item) => Outcome::answer(Response::Item { item }),
                None => {
                    return Err(NodeError::NotFound(format!(
                        "no message with id {id} is held here"
                    )));
                }
            },
            Request::Post { body } => self.publish(body, now)?,
            Request::Admit { member, name, role } => {
                // An existing member (say, a reinstalled laptop) just gets a fresh invite.
                if self.ledger.role_of(&member).is_some() {
                    let proof = self.ledger.admission_proof(&member)?;
                    let invite = Invite {
                        proof,
                        addresses: self.addresses.clone(),
                    }
                    .encode();
                    return Ok(Outcome::answer(Response::Invite { invite }));
                }
                let outcome = self.publish(Body::Admit(Admit { member, role, name }), now)?;
                let proof = self.ledger.admission_proof(&member)?;
                let invite = Invite {
                    proof,
                    addresses: self.addresses.clone(),
                }
                .encode();
                Outcome {
                    response: Response::Invite { invite },
                    published: outcome.published,
                }
            }
            Request::Revoke { member, reason } => {
                if self.ledger.role_of(&member).is_none() {
                    return Err(NodeError::NotFound(format!(
                        "{member} is not a current member"
                    )));
                }
                self.publish(Body::Revoke(Revoke { member, reason }), now)?
            }
            Request::Subscribe | Request::Connect { .. } => {
                return Err(NodeError::NotAllowed(
                    "this needs the node to be running: start it with `sangam run`".into(),
                ));
            }
        })
    }

    fn publish(&mut self, body: Body, now: u64) -> Result<Outcome> {
        let message = self.ledger.publish_staged(self.keypair, body, now)?;
        Ok(Outcome {
            response: Response::Posted { id: message.id() },
            published: Some(message),
        })
    }

    /// The part of the status the ledger knows; the daemon adds the live parts.
    pub fn status(&self) -> Result<Status> {
        let store = self.ledger.store();
        let me = self.keypair.author();
        let membership = self.ledger.membership();
        Ok(Status {
            id: Some(me),
            name: self.settings.name.clone(),
            network: self.ledger.network(),
            network_name: membership.map(|m| m.network_name().to_string()),
            role: self.ledger.role_of(&me),
            running: false,
            listen: Vec::new(),
            connected: Vec::new(),
            messages: store
                .count_by_kind()?
                .into_iter()
                .map(|(kind, count)| (kind.name().to_string(), count))
                .collect(),
            rejected: Default::default(),
            forks: store
                .forks()?
                .into_iter()
                .map(|(a, n)| (a.to_string(), n))
                .collect(),
            store_bytes: store.size_on_disk()?,
            recovering_own_feed: self.ledger.own_feed_pending()?,
            gossip_copies: 0,
            gossip_distinct: 0,
            gossip_mesh: 0,
        })
    }
}
