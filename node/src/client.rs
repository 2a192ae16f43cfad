//! The one client of a node's control API, used by the command line, the terminal app, the demo,
//! the tests and the benchmark. Typed methods (`status()`, `feed(..)`, `post(..)`, …) send one
//! request each and turn the answer into a value or an error that carries the node's reason code.
//!
//! A client talks to a running node over its control socket; with the `daemon` feature it can
//! also answer from the data folder itself when no node runs ([`Client::open`]), through the very
//! same request handler the daemon uses.

use std::path::Path;

use sangam_protocol::api::{
    Event, Item, MemberView, Overview, PeerView, Request, Response, Status,
};
use sangam_protocol::scorecard::{Scorecard, ScorecardFilter};
use sangam_protocol::{AuthorId, Body, Kind, MessageId, Role};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

use crate::error::{NodeError, Result};

/// Which messages a feed request asks for (every field optional).
#[derive(Clone, Debug, Default)]
pub struct FeedQuery {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this author.
    pub author: Option<AuthorId>,
    /// At most this many (the node's default is 50, its maximum 1,000).
    pub limit: Option<usize>,
    /// Only older than this cursor ([`Item::cursor`]): the next page back.
    pub before: Option<String>,
    /// Only newer than this cursor, oldest first.
    pub after: Option<String>,
}

/// One page of a feed.
#[derive(Clone, Debug, Default)]
pub struct FeedPage {
    /// The items.
    pub items: Vec<Item>,
    /// Whether more match beyond the last one.
    pub more: bool,
}

/// How the client reaches the node.
enum Link {
    /// A running node's control socket.
    Socket {
        reader: BufReader<OwnedReadHalf>,
        writer: OwnedWriteHalf,
    },
    /// No node runs: requests are answered from the data folder.
    #[cfg(feature = "daemon")]
    Offline(Box<crate::service::Offline>),
}

/// A connection to a node.
pub struct Client {
    link: Link,
}

/// What a written bundle holds (see [`Client::export_bundle`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BundleWritten {
    /// How many messages.
    pub messages: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// Who can read it, when sealed (empty: anyone who gets the file).
    pub sealed_for: Vec<String>,
}

/// What a bundle read held and what became of it (see [`Client::import_bundle`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BundleRead {
    /// The node that wrote it.
    pub writer: AuthorId,
    /// Its member name, if known here.
    pub writer_name: Option<String>,
    /// When it was written (ms).
    pub written_at: u64,
    /// How many messages it held.
    pub messages: u64,
    /// How many were new here and stored.
    pub stored: u64,
    /// How many this node held already.
    pub already_held: u64,
    /// How many were refused, by reason code.
    pub refused: std::collections::BTreeMap<String, u64>,
    /// Whether it was sealed.
    pub sealed: bool,
}

impl Client {
    /// Connects to a running node's control socket at `path`.
    pub async fn connect(path: &Path) -> std::io::Result<Client> {
        let (reader, writer) = UnixStream::connect(path).await?.into_split();
        Ok(Client {
            link: Link::Socket {
                reader: BufReader::new(reader),
                writer,
            },
        })
    }

    /// Connects to the node of `dir` if it runs, else answers from the folder itself (commands
    /// then behave the same whether or not the daemon is running).
    #[cfg(feature = "daemon")]
    pub async fn open(dir: &crate::datadir::DataDir) -> Result<Client> {
        match Client::connect(&dir.socket_path()).await {
            Ok(client) => Ok(client),
            Err(_) => Ok(Client {
                link: Link::Offline(Box::new(crate::service::Offline::open(dir)?)),
            }),
        }
    }

    /// Sends one request and returns the node's answer as it came (an `error` answer included).
    pub async fn request(&mut self, request: &Request) -> Result<Response> {
        match &mut self.link {
            Link::Socket { writer, .. } => {
                let mut line = serde_json::to_vec(request).map_err(|e| {
                    NodeError::Api(format!("the request could not be encoded: {e}"))
                })?;
                line.push(b'\n');
                writer
                    .write_all(&line)
                    .await
                    .map_err(NodeError::io("sending to the node"))?;
                self.next().await
            }
            #[cfg(feature = "daemon")]
            Link::Offline(node) => Ok(node.handle(request.clone())),
        }
    }

    /// The next line from the node (after [`Client::subscribe`]: the next event).
    pub async fn next(&mut self) -> Result<Response> {
        let reader = match &mut self.link {
            Link::Socket { reader, .. } => reader,
            #[cfg(feature = "daemon")]
            Link::Offline(_) => return Err(NodeError::NotRunning),
        };
        let mut line = String::new();
        let read = reader
            .read_line(&mut line)
            .await
            .map_err(NodeError::io("reading from the node"))?;
        if read == 0 {
            return Err(NodeError::Api("the node closed the connection".into()));
        }
        serde_json::from_str(&line)
            .map_err(|e| NodeError::Api(format!("the node sent something unreadable: {e}")))
    }

    /// Sends `request` and takes the answer `pick` expects; an `error` answer becomes
    /// [`NodeError::Refused`] with the node's reason code.
    async fn ask<T>(
        &mut self,
        request: Request,
        pick: impl FnOnce(Response) -> Option<T>,
    ) -> Result<T> {
        let response = self.request(&request).await?;
        expect(response, pick)
    }

    /// The node's state.
    pub async fn status(&mut self) -> Result<Status> {
        self.ask(Request::Status, |r| match r {
            Response::Status(status) => Some(status),
            _ => None,
        })
        .await
    }

    /// Known peers.
    pub async fn peers(&mut self) -> Result<Vec<PeerView>> {
        self.ask(Request::Peers, |r| match r {
            Response::Peers { peers } => Some(peers),
            _ => None,
        })
        .await
    }

    /// Current and revoked members.
    pub async fn members(&mut self) -> Result<Vec<MemberView>> {
        self.ask(Request::Members, |r| match r {
            Response::Members { members } => Some(members),
            _ => None,
        })
        .await
    }

    /// Newest-first messages matching `query` (one page; see [`Client::feed_page`]).
    pub async fn feed(&mut self, query: FeedQuery) -> Result<Vec<Item>> {
        Ok(self.feed_page(query).await?.items)
    }

    /// One page of messages matching `query`, and whether more follow.
    pub async fn feed_page(&mut self, query: FeedQuery) -> Result<FeedPage> {
        let FeedQuery {
            kind,
            author,
            limit,
            before,
            after,
        } = query;
        let request = Request::Feed {
            kind,
            author,
            limit,
            before,
            after,
        };
        self.ask(request, |r| match r {
            Response::Feed { items, more } => Some(FeedPage { items, more }),
            _ => None,
        })
        .await
    }

    /// Newest-first messages whose words contain `text`, over everything held.
    pub async fn search(&mut self, text: &str, limit: usize) -> Result<FeedPage> {
        let request = Request::Search {
            text: text.to_string(),
            limit: Some(limit),
        };
        self.ask(request, |r| match r {
            Response::Feed { items, more } => Some(FeedPage { items, more }),
            _ => None,
        })
        .await
    }

    /// The score card of the audits `filter` covers.
    pub async fn scorecard(&mut self, filter: ScorecardFilter) -> Result<Scorecard> {
        self.ask(Request::Scorecard { filter }, |r| match r {
            Response::Scorecard { scorecard } => Some(scorecard),
            _ => None,
        })
        .await
    }

    /// Writes a bundle file at `path` (absolute) of what was written since `since` (ms;
    /// everything without), for carrying to `for_members` (names the "since" default by what
    /// they lack); `sealed`: only they (and this node) can read it. Says what was written.
    pub async fn export_bundle(
        &mut self,
        path: String,
        since: Option<u64>,
        for_members: Vec<AuthorId>,
        sealed: bool,
    ) -> Result<BundleWritten> {
        let request = if sealed {
            Request::ExportSealedBundle {
                path,
                since,
                for_members,
            }
        } else {
            Request::ExportBundle {
                path,
                since,
                for_members,
            }
        };
        self.ask(request, |r| match r {
            Response::BundleWritten {
                messages,
                bytes,
                sealed_for,
                ..
            } => Some(BundleWritten {
                messages,
                bytes,
                sealed_for,
            }),
            _ => None,
        })
        .await
    }

    /// Reads a bundle file at `path` (absolute); what it held and what became of it.
    pub async fn import_bundle(&mut self, path: String) -> Result<BundleRead> {
        self.ask(Request::ImportBundle { path }, |r| match r {
            Response::BundleImported {
                writer,
                writer_name,
                written_at,
                messages,
                stored,
                already_held,
                refused,
                sealed,
            } => Some(BundleRead {
                writer,
                writer_name,
                written_at,
                messages,
                stored,
                already_held,
                refused,
                sealed,
            }),
            _ => None,
        })
        .await
    }

    /// The forum's figures over the whole history.
    pub async fn overview(&mut self) -> Result<Overview> {
        self.ask(Request::Overview, |r| match r {
            Response::Overview { overview } => Some(overview),
            _ => None,
        })
        .await
    }

    /// One message.
    pub async fn show(&mut self, id: MessageId) -> Result<Item> {
        self.ask(Request::Show { id }, |r| match r {
            Response::Item { item } => Some(*item),
            _ => None,
        })
        .await
    }

    /// Publishes `body` as this node; returns once it is on disk.
    pub async fn post(&mut self, body: Body) -> Result<MessageId> {
        self.ask(Request::Post { body }, posted).await
    }

    /// Publishes `body` sealed so only `to` (and this node) can read it; its id once durable.
    pub async fn seal(&mut self, body: Body, to: Vec<AuthorId>) -> Result<MessageId> {
        self.ask(Request::Seal { body, to }, posted).await
    }

    /// Admits a collective (this node must be a steward); returns the invite to send it.
    pub async fn admit(&mut self, member: AuthorId, name: String, role: Role) -> Result<String> {
        self.ask(Request::Admit { member, name, role }, |r| match r {
            Response::Invite { invite } => Some(invite),
            _ => None,
        })
        .await
    }

    /// Revokes a member (this node must be a steward).
    pub async fn revoke(
        &mut self,
        member: AuthorId,
        reason: String,
        since: Option<u64>,
    ) -> Result<MessageId> {
        let request = Request::Revoke {
            member,
            reason,
            since,
        };
        self.ask(request, posted).await
    }

    /// Names the recovery council (the founder's first, or this seat's vote for the next).
    pub async fn name_council(&mut self, members: Vec<AuthorId>) -> Result<MessageId> {
        self.ask(Request::NameCouncil { members }, posted).await
    }

    /// Votes for `successor` (named `name`) to replace the founder's key, trusting the old key
    /// up to what this node stored before `since` (ms; everything held without), because
    /// `reason`; the vote's id.
    pub async fn replace_founder(
        &mut self,
        successor: AuthorId,
        name: String,
        reason: String,
        since: Option<u64>,
    ) -> Result<MessageId> {
        let request = Request::ReplaceFounder {
            successor,
            name,
            reason,
            since,
        };
        self.ask(request, posted).await
    }

    /// Asks the running node to connect to `address` now.
    pub async fn connect_to(&mut self, address: String) -> Result<String> {
        self.ask(Request::Connect { address }, |r| match r {
            Response::Connecting { address } => Some(address),
            _ => None,
        })
        .await
    }

    /// Turns this connection into a stream of events ([`Client::next_event`]).
    pub async fn subscribe(&mut self) -> Result<()> {
        self.ask(Request::Subscribe, |r| match r {
            Response::Subscribed => Some(()),
            _ => None,
        })
        .await
    }

    /// The next event after [`Client::subscribe`].
    pub async fn next_event(&mut self) -> Result<Event> {
        let response = self.next().await?;
        expect(response, |r| match r {
            Response::Event { event } => Some(event),
            _ => None,
        })
    }
}

fn posted(response: Response) -> Option<MessageId> {
    match response {
        Response::Posted { id } => Some(id),
        _ => None,
    }
}

/// The answer `pick` expects, or the node's refusal, or a plain complaint.
fn expect<T>(response: Response, pick: impl FnOnce(Response) -> Option<T>) -> Result<T> {
    match response {
        Response::Error { message, reason } => Err(NodeError::Refused { reason, message }),
        other => {
            let shown = format!("{other:?}");
            pick(other).ok_or_else(|| {
                NodeError::Api(format!(
                    "the node answered something unexpected: {}",
                    shown.chars().take(120).collect::<String>()
                ))
            })
        }
    }
}
