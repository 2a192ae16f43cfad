//! Answers control-API requests: the one place every request is answered, for a running daemon
//! (which lends its live parts through [`Live`]) and for the command line when no daemon runs
//! ([`Offline`]), so a command behaves the same either way.

use sangam_protocol::api::{PeerView, Request, Response, Status};
use sangam_protocol::invite::Invite;
use sangam_protocol::kinds::{Admit, Council, ReplaceFounder, Revoke};
use sangam_protocol::{AuthorId, Body, Keypair, Message, Role};

use crate::clock::now_ms;
use crate::datadir::{DataDir, Settings};
use crate::error::{NodeError, Result};
use crate::ledger::store::From;
use crate::ledger::{Ledger, PeerRecord};

mod bundles;

/// Default number of feed items.
pub const DEFAULT_FEED_LIMIT: usize = 50;

/// A page's size: the default when none is asked, never more than the protocol's limit.
fn page_limit(limit: Option<usize>) -> usize {
    limit
        .unwrap_or(DEFAULT_FEED_LIMIT)
        .min(sangam_protocol::api::MAX_FEED_LIMIT)
}

/// A feed cursor, or the error a client can act on.
fn cursor_of(text: &str) -> Result<(u64, sangam_protocol::MessageId)> {
    sangam_protocol::api::parse_cursor(text).ok_or(NodeError::Protocol(
        sangam_protocol::Error::InvalidText {
            what: "feed cursor",
            detail: "it is written <timestamp>.<message id>, as a feed page gives it",
        },
    ))
}

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

/// What only a running node knows and does; [`NotRunning`] stands in when no daemon runs.
pub trait Live {
    /// Fills in the running node's part of the status (connections, counters, listen addresses).
    fn fill_status(&self, status: &mut Status);
    /// Peers connected or in the address book, without names (the service adds them).
    fn peers(&self) -> Vec<PeerView>;
    /// Dials `address` now; returns the address it dials.
    fn connect(&mut self, address: &str) -> Result<String>;
    /// Addresses peers can reach this node at (for invites), each ending in `/p2p/<id>`.
    fn addresses(&self) -> Vec<String>;
}

/// The live parts of a node that is not running: what its folder remembers.
pub struct NotRunning {
    addresses: Vec<String>,
    book: Vec<PeerView>,
}

impl NotRunning {
    /// What `ledger` remembers of the last run: its listen addresses and its address book.
    pub fn from_ledger(ledger: &Ledger) -> NotRunning {
        let book = ledger
            .peer_records::<PeerRecord>()
            .into_iter()
            .filter_map(|(peer, record)| {
                let peer = libp2p::PeerId::from_bytes(&peer).ok()?;
                Some(PeerView {
                    peer: peer.to_string(),
                    name: None,
                    connected: false,
                    relayed: false,
                    addresses: record.addresses,
                    last_seen: record.last_seen,
                    last_sync: record.last_sync,
                })
            })
            .collect();
        NotRunning {
            addresses: ledger.listen_addresses().unwrap_or_default(),
            book,
        }
    }
}

impl Live for NotRunning {
    fn fill_status(&self, _: &mut Status) {}

    fn peers(&self) -> Vec<PeerView> {
        self.book.clone()
    }

    fn connect(&mut self, _: &str) -> Result<String> {
        Err(NodeError::NotRunning)
    }

    fn addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }
}

/// A node's folder answering requests while no daemon runs.
pub struct Offline {
    ledger: Ledger,
    keypair: Keypair,
    settings: Settings,
}

impl Offline {
    /// Opens the folder's key, settings and store (fails if a daemon holds the store).
    pub fn open(dir: &DataDir) -> Result<Offline> {
        let keypair = dir.load_identity()?;
        let mut ledger = Ledger::open(dir.open_store()?)?;
        ledger.set_reader(&keypair);
        Ok(Offline {
            keypair,
            settings: dir.settings()?,
            ledger,
        })
    }

    /// Answers one request; a post is on disk before the answer says so.
    pub fn handle(&mut self, request: Request) -> Response {
        // A node used only from the command line (a district without internet) still publishes
        // its key for sealed messages before it writes anything, so that what it posts or
        // carries on a stick tells others how to write to it privately.
        let writes = matches!(
            request,
            Request::Post { .. }
                | Request::Seal { .. }
                | Request::ExportBundle { .. }
                | Request::ExportSealedBundle { .. }
        );
        if writes
            && let Ok(Some(key)) = self.ledger.sealing_key_due(&self.keypair)
            && let Err(error) = self.ledger.publish(&self.keypair, key, now_ms())
        {
            tracing::warn!("could not publish this node's sealing key: {error}");
        }
        let mut live = NotRunning::from_ledger(&self.ledger);
        let outcome = Service {
            ledger: &mut self.ledger,
            keypair: &self.keypair,
            settings: &self.settings,
            live: &mut live,
        }
        .handle(request, now_ms());
        if outcome.published.is_some()
            && let Err(error) = self.ledger.flush()
        {
            return error.to_response();
        }
        outcome.response
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
    /// What only a running node knows.
    pub live: &'a mut dyn Live,
}

impl Service<'_> {
    /// Answers `request`; failures become an `error` response with a reason code and a plain
    /// sentence.
    pub fn handle(&mut self, request: Request, now: u64) -> Outcome {
        match self.try_handle(request, now) {
            Ok(outcome) => outcome,
            Err(error) => Outcome::answer(error.to_response()),
        }
    }

    fn try_handle(&mut self, request: Request, now: u64) -> Result<Outcome> {
        Ok(match request {
            Request::Status => {
                let mut status = self.status()?;
                self.live.fill_status(&mut status);
                // Connected peers by their member names (the app's Network tab lists them).
                status.connected = self.named(std::mem::take(&mut status.connected));
                Outcome::answer(Response::Status(status))
            }
            Request::Peers => Outcome::answer(Response::Peers {
                peers: self.named(self.live.peers()),
            }),
            Request::Connect { address } => Outcome::answer(Response::Connecting {
                address: self.live.connect(&address)?,
            }),
            Request::Members => Outcome::answer(Response::Members {
                members: self.ledger.members()?,
            }),
            Request::Feed {
                kind,
                author,
                limit,
                before,
                after,
            } => {
                let from = match (before, after) {
                    (Some(cursor), _) => {
                        let (timestamp, id) = cursor_of(&cursor)?;
                        From::Before(timestamp, id)
                    }
                    (None, Some(cursor)) => {
                        let (timestamp, id) = cursor_of(&cursor)?;
                        From::After(timestamp, id)
                    }
                    (None, None) => From::Newest,
                };
                let (items, more) = self.ledger.feed(kind, author, page_limit(limit), from)?;
                Outcome::answer(Response::Feed { items, more })
            }
            Request::Search { text, limit } => {
                let (items, more) = self.ledger.search(&text, page_limit(limit))?;
                Outcome::answer(Response::Feed { items, more })
            }
            Request::Scorecard { filter } => Outcome::answer(Response::Scorecard {
                scorecard: self.ledger.scorecard(&filter)?,
            }),
            Request::Overview => Outcome::answer(Response::Overview {
                overview: self.ledger.overview(now)?,
            }),
            Request::ExportBundle {
                path,
                since,
                for_members,
            } => Outcome::answer(self.export_bundle(&path, since, &for_members, false, now)?),
            Request::ExportSealedBundle {
                path,
                since,
                for_members,
            } => Outcome::answer(self.export_bundle(&path, since, &for_members, true, now)?),
            Request::ImportBundle { path } => Outcome::answer(self.import_bundle(&path, now)?),
            Request::Show { id } => match self.ledger.item(&id)? {
                Some(item) => Outcome::answer(Response::Item {
                    item: Box::new(item),
                }),
                None => {
                    return Err(NodeError::NotFound(format!(
                        "no message with id {id} is held here"
                    )));
                }
            },
            Request::Post { body } => self.publish(body, now)?,
            Request::Seal { body, to } => {
                let sealed = self.ledger.seal_for(self.keypair, &body, &to)?;
                self.publish(sealed, now)?
            }
            Request::Admit { member, name, role } => {
                // An existing member (say, a reinstalled laptop) just gets a fresh invite.
                if self.ledger.role_of(&member).is_some() {
                    let proof = self.ledger.admission_proof(&member)?;
                    let invite = Invite {
                        proof,
                        addresses: self.live.addresses(),
                    }
                    .encode();
                    return Ok(Outcome::answer(Response::Invite { invite }));
                }
                let outcome = self.publish(Body::Admit(Admit { member, role, name }), now)?;
                let proof = self.ledger.admission_proof(&member)?;
                let invite = Invite {
                    proof,
                    addresses: self.live.addresses(),
                }
                .encode();
                Outcome {
                    response: Response::Invite { invite },
                    published: outcome.published,
                }
            }
            Request::Revoke {
                member,
                reason,
                since,
            } => {
                // A key revoked already (a thief that reported it compromised, say) may be
                // revoked again with an earlier cut-off: that is how a steward undoes what the
                // thief signed before it was caught.
                let membership = self.ledger.membership().ok_or(NodeError::NoNetwork)?;
                if !membership.was_ever_admitted(&member) {
                    return Err(NodeError::NotFound(format!(
                        "{member} was never admitted to this network"
                    )));
                }
                let held = membership.trusted_until(&member);
                let (trusted_seq, trusted) = self.ledger.trusted_point(&member, since)?;
                if held.is_some_and(|held| trusted_seq >= held) {
                    return Err(NodeError::NotAllowed(format!(
                        "{member} is already revoked from that point on; give --since a time \
                         before its messages stopped being trusted"
                    )));
                }
                let revoke = Revoke {
                    member,
                    reason,
                    trusted_seq,
                    trusted,
                };
                self.publish(Body::Revoke(revoke), now)?
            }
            Request::NameCouncil { members } => {
                let council = self.council_to_name(members)?;
                self.publish(Body::Council(council), now)?
            }
            Request::ReplaceFounder {
                successor,
                name,
                reason,
                since,
            } => {
                let founder = self
                    .ledger
                    .membership()
                    .map(|m| m.founder())
                    .ok_or(NodeError::NoNetwork)?;
                let (trusted_seq, trusted) = self.ledger.trusted_point(&founder, since)?;
                let vote = ReplaceFounder {
                    founder,
                    successor,
                    name,
                    trusted_seq,
                    trusted,
                    reason,
                };
                self.publish(Body::ReplaceFounder(vote), now)?
            }
            // A running node's socket streams events before a request gets here.
            Request::Subscribe | Request::Wipe => return Err(NodeError::NotRunning),
        })
    }

    /// `peers` with the names the membership gives them.
    fn named(&self, mut peers: Vec<PeerView>) -> Vec<PeerView> {
        let membership = self.ledger.membership();
        for view in &mut peers {
            view.name = view
                .peer
                .parse::<libp2p::PeerId>()
                .ok()
                .and_then(|peer| sangam_protocol::AuthorId::from_peer_id(&peer))
                .and_then(|author| membership.and_then(|m| m.member(&author)))
                .map(|info| info.name.clone());
        }
        peers
    }

    /// The council act this node may sign naming `members`: the first term if it is the founder
    /// and none was named, else the next term if it sits on the council in force.
    fn council_to_name(&self, mut members: Vec<AuthorId>) -> Result<Council> {
        let membership = self.ledger.membership().ok_or(NodeError::NoNetwork)?;
        let me = self.keypair.author();
        let term = match membership.council() {
            None if membership.founder() == me => 1,
            None => {
                return Err(NodeError::NotAllowed(
                    "only the founder names the first recovery council".into(),
                ));
            }
            Some(council) if council.members.contains(&me) => council.term.saturating_add(1),
            Some(_) => {
                return Err(NodeError::NotAllowed(
                    "only a member of the recovery council can propose a new one".into(),
                ));
            }
        };
        members.sort();
        members.dedup();
        for member in &members {
            if *member == membership.founder() {
                return Err(NodeError::NotAllowed(
                    "the founder cannot sit on the council that may replace it".into(),
                ));
            }
            if membership.role_of(member) != Some(Role::Steward) {
                return Err(NodeError::NotAllowed(format!(
                    "{member} is not a steward: the council is made of stewards"
                )));
            }
        }
        Ok(Council { term, members })
    }

    fn publish(&mut self, body: Body, now: u64) -> Result<Outcome> {
        let message = self.ledger.publish_staged(self.keypair, body, now)?;
        Ok(Outcome {
            response: Response::Posted { id: message.id() },
            published: Some(message),
        })
    }

    /// The part of the status the ledger knows; [`Live::fill_status`] adds the rest.
    fn status(&self) -> Result<Status> {
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
            announcing_on_lan: false,
            gossip_copies: 0,
            gossip_distinct: 0,
            gossip_mesh: 0,
            public_address: false,
            relays: Vec::new(),
            connected_directly: 0,
            connected_via_relay: 0,
            relaying: false,
            relay_serving: 0,
            relay_circuits: 0,
        })
    }
}
