//! The control API between a running node and its clients (the `sangam` CLI, the terminal app).
//!
//! Transport: a Unix socket in the node's data folder, mode 0600. Each line is one JSON
//! [`Request`]; the node answers each with one JSON [`Response`] line. After `subscribe`, the node
//! keeps sending `event` responses on that connection.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::identity::AuthorId;
use crate::ids::{MessageId, NetworkId};
use crate::kinds::{Body, Kind, Role};
use crate::scorecard::{Scorecard, ScorecardFilter};

/// Longest request line a node reads.
pub const MAX_REQUEST_LINE: usize = 64 * 1024;
/// Most items one `feed` request returns.
pub const MAX_FEED_LIMIT: usize = 1000;

/// A request from a client.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    /// The node's state.
    Status,
    /// Known peers.
    Peers,
    /// Current members.
    Members,
    /// Newest-first messages.
    Feed {
        /// Only this kind.
        #[serde(default)]
        kind: Option<Kind>,
        /// Only this author.
        #[serde(default)]
        author: Option<AuthorId>,
        /// At most this many (default 50, at most [`MAX_FEED_LIMIT`]).
        #[serde(default)]
        limit: Option<usize>,
        /// Only items older than this cursor (an item's [`Item::cursor`]): the next page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
        /// Only items newer than this cursor, oldest first (for reading forward, as an export
        /// does). Ignored when `before` is given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
    },
    /// Newest-first messages whose words contain `text` (any case), over everything held.
    Search {
        /// What to look for.
        text: String,
        /// At most this many (default 50, at most [`MAX_FEED_LIMIT`]).
        #[serde(default)]
        limit: Option<usize>,
    },
    /// The score card of the audits `filter` covers.
    Scorecard {
        /// Which audits.
        #[serde(default)]
        filter: ScorecardFilter,
    },
    /// The forum's figures over the whole history.
    Overview,
    /// Write a bundle file (for a USB stick) of the messages another node probably lacks.
    ExportBundle {
        /// Where to write it (an absolute path on this computer).
        path: String,
        /// Everything written since this time (ms).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u64>,
        /// What these members lacked when their last bundle was read here.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        for_members: Vec<AuthorId>,
    },
    /// Write a bundle sealed to named collectives: only they (and this node) can read it.
    /// A separate request, so that an older node answers "not understood" instead of writing
    /// a plain bundle.
    ExportSealedBundle {
        /// Where to write it (an absolute path on this computer).
        path: String,
        /// Everything written since this time (ms); absent: what the readers lack.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u64>,
        /// Who may read it (1–8 members); also whose last known vector decides what goes in.
        for_members: Vec<AuthorId>,
    },
    /// Read a bundle file: store what is new, each message checked as sync checks it.
    ImportBundle {
        /// Where it is (an absolute path on this computer).
        path: String,
    },
    /// One message.
    Show {
        /// Its id.
        id: MessageId,
    },
    /// Publish a message written by this node.
    Post {
        /// What to publish.
        body: Body,
    },
    /// Publish an announcement, offer or resource sealed so only `to` (1–8 members) and this
    /// node can read it. A separate request, so an older node refuses instead of posting it
    /// in the clear.
    Seal {
        /// What to seal.
        body: Body,
        /// Who may read it.
        to: Vec<AuthorId>,
    },
    /// Admit a node (this node must be a steward); answers with an invite.
    Admit {
        /// The node's id.
        member: AuthorId,
        /// Its name.
        name: String,
        /// Its role.
        role: Role,
    },
    /// Revoke a member (this node must be a steward).
    Revoke {
        /// The member's id.
        member: AuthorId,
        /// Why.
        reason: String,
        /// Trust none of the member's messages dated at or after this (ms; a stolen laptop:
        /// when it was taken). Absent: trust everything this node holds from it.
        #[serde(default)]
        since: Option<u64>,
    },
    /// Vote to replace the founder's key (this node must be a steward other than the founder).
    ReplaceFounder {
        /// The key that is to become the founder.
        successor: AuthorId,
        /// Its name.
        name: String,
        /// Why.
        reason: String,
        /// Trust none of the old founder key's messages dated at or after this (ms).
        #[serde(default)]
        since: Option<u64>,
    },
    /// Name the recovery council: the stewards whose majority alone may replace the founder's
    /// key. The founder names the first; after that, each member of the council votes for the
    /// next one, which takes effect once more than half of the council named the same list.
    NameCouncil {
        /// The stewards on it (2 to 9, not the founder).
        members: Vec<AuthorId>,
    },
    /// Connect to a peer now (the daemon must be running).
    Connect {
        /// Its address, ending in `/p2p/<id>`.
        address: String,
    },
    /// Stream events on this connection from now on.
    Subscribe,
    /// This laptop is no longer safe: tell the network this node's key is compromised (a signed
    /// `key_compromised` notice), stop, and destroy the data folder.
    Wipe,
}

/// The node's answer.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "response", rename_all = "snake_case")]
pub enum Response {
    /// See [`Status`].
    Status(Status),
    /// Known peers.
    Peers {
        /// The peers.
        peers: Vec<PeerView>,
    },
    /// Current and revoked members.
    Members {
        /// The members.
        members: Vec<MemberView>,
    },
    /// Messages, newest first (oldest first for a `feed` with `after`).
    Feed {
        /// The messages.
        items: Vec<Item>,
        /// Whether more match beyond the last one (ask again with its cursor). Older nodes
        /// omit it.
        #[serde(default)]
        more: bool,
    },
    /// A score card.
    Scorecard {
        /// The card.
        scorecard: Scorecard,
    },
    /// The forum's figures.
    Overview {
        /// The figures.
        overview: Overview,
    },
    /// A bundle was written.
    BundleWritten {
        /// Where.
        path: String,
        /// How many messages it holds.
        messages: u64,
        /// Its size.
        bytes: u64,
        /// Who can read it, when it is sealed (names where known).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sealed_for: Vec<String>,
    },
    /// A bundle was read.
    BundleImported {
        /// The node that wrote it.
        writer: AuthorId,
        /// Its member name, if known.
        writer_name: Option<String>,
        /// When it was written (ms).
        written_at: u64,
        /// Messages in it.
        messages: u64,
        /// Of them, new here and now stored.
        stored: u64,
        /// Of them, already held.
        already_held: u64,
        /// Of them, refused, by reason code.
        refused: BTreeMap<String, u64>,
        /// Whether it was sealed (and opened here).
        #[serde(default)]
        sealed: bool,
    },
    /// One message.
    Item {
        /// The message.
        item: Box<Item>,
    },
    /// A message was published and is durable.
    Posted {
        /// Its id.
        id: MessageId,
    },
    /// An invite for an admitted node.
    Invite {
        /// The one-line invite.
        invite: String,
    },
    /// The node is connecting to the address.
    Connecting {
        /// The address.
        address: String,
    },
    /// Events follow on this connection.
    Subscribed,
    /// The node told the network and is stopping; its data folder is destroyed once it stopped.
    Wiping {
        /// How many members were connected when the notice went out (they pass it on).
        told: usize,
    },
    /// Something happened (after `subscribe`).
    Event {
        /// What.
        event: Event,
    },
    /// The request failed; the message says why in plain words.
    Error {
        /// Why.
        message: String,
        /// A stable code for programs (`not_found`, `not_allowed`, `not_running`, a receiver
        /// rule's reason, …); absent (empty) from nodes older than the code.
        #[serde(default)]
        reason: String,
    },
}

/// A node's state, for `sangam status` and the forum's dashboard.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct Status {
    /// This node's id.
    pub id: Option<AuthorId>,
    /// This node's name.
    pub name: String,
    /// The network, once founded or joined.
    pub network: Option<NetworkId>,
    /// The network's name.
    pub network_name: Option<String>,
    /// This node's role in it.
    pub role: Option<Role>,
    /// Whether the daemon is running (false when read straight from the store).
    pub running: bool,
    /// Addresses the daemon listens on.
    pub listen: Vec<String>,
    /// Peers currently connected.
    pub connected: Vec<PeerView>,
    /// Messages held, by kind name.
    pub messages: BTreeMap<String, u64>,
    /// Messages refused since the daemon started, by reason code.
    pub rejected: BTreeMap<String, u64>,
    /// Members caught publishing two messages with the same seq, each with the seq where its
    /// feed split (its feed is frozen below it on every node).
    pub forks: BTreeMap<String, u64>,
    /// Bytes the store occupies on disk.
    pub store_bytes: u64,
    /// Whether the node is still learning its own earlier posts from peers (no posting until then).
    #[serde(default)]
    pub recovering_own_feed: bool,
    /// Whether the running node announces itself on the local network (mDNS): anyone on the same
    /// Wi-Fi can then see this laptop's id and address. Off unless turned on.
    #[serde(default)]
    pub announcing_on_lan: bool,
    /// Gossip messages received since the daemon started, duplicates included.
    #[serde(default)]
    pub gossip_copies: u64,
    /// Distinct gossip messages received since the daemon started.
    #[serde(default)]
    pub gossip_distinct: u64,
    /// Peers this node exchanges gossip with directly (its gossip mesh).
    #[serde(default)]
    pub gossip_mesh: u64,
    /// Whether the node listens on a public address others can dial directly.
    #[serde(default)]
    pub public_address: bool,
    /// Member relays this node can be reached through (PeerIds), when it holds reservations.
    #[serde(default)]
    pub relays: Vec<String>,
    /// Connected peers reached over a direct connection.
    #[serde(default)]
    pub connected_directly: u64,
    /// Connected peers reached only through a relay.
    #[serde(default)]
    pub connected_via_relay: u64,
    /// Whether this node relays for other members.
    #[serde(default)]
    pub relaying: bool,
    /// Members holding a reservation on this node's relay (reachable through it).
    #[serde(default)]
    pub relay_serving: u64,
    /// Circuits this node's relay opened between two members since it started. Older nodes
    /// omit it.
    #[serde(default)]
    pub relay_circuits: u64,
}

impl Status {
    /// The member name of connected peer `peer` (a libp2p peer id), if known.
    pub fn name_of_peer(&self, peer: &str) -> Option<&str> {
        self.connected
            .iter()
            .find(|p| p.peer == peer)
            .and_then(|p| p.name.as_deref())
    }
}

/// A peer as the node sees it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PeerView {
    /// Its libp2p peer id.
    pub peer: String,
    /// Its member name, if it is a member.
    pub name: Option<String>,
    /// Whether it is connected now.
    pub connected: bool,
    /// Whether it is connected only through a member relay (no direct connection yet).
    #[serde(default)]
    pub relayed: bool,
    /// Addresses it was reached at.
    pub addresses: Vec<String>,
    /// When it was last seen (ms).
    pub last_seen: Option<u64>,
    /// When a sync with it last completed (ms).
    pub last_sync: Option<u64>,
}

/// A member as the node sees it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MemberView {
    /// Its id.
    pub id: AuthorId,
    /// Its name.
    pub name: String,
    /// Its role (absent once revoked).
    pub role: Option<Role>,
    /// Who admitted it.
    pub admitted_by: Option<AuthorId>,
    /// When (ms).
    pub admitted_at: Option<u64>,
    /// Whether it has been revoked.
    pub revoked: bool,
    /// Whether its steward rights are suspended by a conflicting revocation (two stewards who
    /// revoked each other) until the founder or another steward decides. Older nodes omit it.
    #[serde(default)]
    pub disputed: bool,
    /// Its profile's state, if it published one.
    pub state: Option<String>,
    /// Its profile's district, if it published one.
    pub district: Option<String>,
    /// Whether it published a key for sealed messages, so it can be written to privately.
    /// Older nodes omit it.
    #[serde(default)]
    pub seals: bool,
    /// Whether it sits on the recovery council in force. Older nodes omit it.
    #[serde(default)]
    pub council: bool,
}

/// A message as clients see it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Item {
    /// Its id.
    pub id: MessageId,
    /// Its author.
    pub author: AuthorId,
    /// The author's member name, if known.
    pub author_name: Option<String>,
    /// Position in the author's feed.
    pub seq: u64,
    /// Its kind (snake_case name in JSON).
    pub kind: Kind,
    /// When it was written (ms).
    pub timestamp: u64,
    /// When this node first stored it (ms): later than `timestamp` for a message that came
    /// late, by sync after days offline or on a USB stick. Absent from nodes before this field
    /// and for messages they stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_at: Option<u64>,
    /// Its body, unless dropped. In JSON: an object with `kind` and the kind's fields. A body
    /// this version cannot read (a newer kind) reads as absent instead of failing the answer.
    #[serde(deserialize_with = "lenient_body")]
    pub body: Option<Body>,
    /// Whether its author closed it.
    #[serde(default)]
    pub closed: bool,
    /// For a request: how many offers answer it.
    #[serde(default)]
    pub offers: u64,
    /// Whether its author withdrew it (its body is then gone everywhere).
    #[serde(default)]
    pub withdrawn: bool,
    /// When its body lapses (ms), if ever (from the signed header).
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// For an audit: how many other collectives endorsed it.
    #[serde(default)]
    pub endorsements: u64,
    /// For a sealed item: who can read it, and its words when this node is one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedView>,
}

/// A sealed item as this node sees it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SealedView {
    /// Who can read it (member names where known, else short ids): the recipients, then the
    /// author.
    pub readers: Vec<String>,
    /// Whether this node is one of them.
    pub for_me: bool,
    /// Its words, opened with this node's key (only when `for_me`). A body this version cannot
    /// read reads as absent.
    #[serde(default, deserialize_with = "lenient_body")]
    pub opened: Option<Body>,
    /// Why it could not be opened although it is for this node (altered, damaged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Item {
    /// The words to show: the opened body of a sealed item, else the body.
    pub fn shown_body(&self) -> Option<&Body> {
        match &self.sealed {
            Some(sealed) => sealed.opened.as_ref(),
            None => self.body.as_ref(),
        }
    }

    /// A sealed item as its reader sees it: the same item with its opened words as the body
    /// (none when this node cannot open it).
    pub fn opened(&self) -> Option<Item> {
        let words = self.sealed.as_ref()?.opened.clone()?;
        Some(Item {
            body: Some(words),
            sealed: None,
            ..self.clone()
        })
    }

    /// The request an offer answers, sealed or not.
    pub fn answers(&self) -> Option<MessageId> {
        match &self.body {
            Some(Body::Offer(offer)) => Some(offer.request),
            Some(Body::Sealed(sealed)) => sealed.reference,
            _ => None,
        }
    }
}

impl Item {
    /// Where it stands in the feed, for paging: `<timestamp>.<id>`.
    pub fn cursor(&self) -> String {
        format!("{}.{}", self.timestamp, self.id)
    }
}

/// Reads a feed cursor (`<timestamp>.<id>`, as [`Item::cursor`] writes it).
pub fn parse_cursor(text: &str) -> Option<(u64, MessageId)> {
    let (timestamp, id) = text.split_once('.')?;
    Some((timestamp.parse().ok()?, id.parse().ok()?))
}

/// Hours in one column of the overview's activity chart, at least.
pub const MIN_BUCKET_HOURS: u64 = 1;
/// Columns of the overview's activity chart.
pub const ACTIVITY_BUCKETS: usize = 24;

/// The forum's figures, over every message held (from the store's counters and indexes).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Overview {
    /// Messages held, by kind name.
    pub messages: BTreeMap<String, u64>,
    /// Messages by kind over time: [`ACTIVITY_BUCKETS`] columns, oldest first, the last one
    /// ending with the current hour.
    pub activity: BTreeMap<String, Vec<u64>>,
    /// Hours in one column of `activity`.
    pub bucket_hours: u64,
    /// Mentoring requests held.
    pub requests: u64,
    /// Of them, closed by their authors.
    pub closed_requests: u64,
    /// Of them, answered by at least one offer.
    pub answered_requests: u64,
    /// The median minutes from a request to its first offer, over answered requests.
    pub median_minutes_to_first_offer: Option<u64>,
    /// Messages by the state in their author's profile, most first ("unknown": no profile).
    pub by_state: Vec<(String, u64)>,
}
fn lenient_body<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Body>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|value| serde_json::from_value(value).ok()))
}

/// Something that happened in the node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A message was stored (from this node or a peer).
    MessageStored {
        /// The message.
        item: Box<Item>,
    },
    /// A peer connected.
    PeerConnected {
        /// Its peer id.
        peer: String,
    },
    /// A peer disconnected.
    PeerDisconnected {
        /// Its peer id.
        peer: String,
    },
    /// A sync session with a peer ended.
    SyncDone {
        /// The peer.
        peer: String,
        /// Messages received.
        received: u64,
    },
    /// A message from a peer was refused.
    Rejected {
        /// Reason code (as in `status`).
        reason: String,
        /// The peer it came from, if any.
        peer: Option<String>,
        /// The author the message claimed, where the refusal is about that author (a rate
        /// limit); absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        author: Option<AuthorId>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Announcement;

    #[test]
    fn requests_read_as_plain_json() {
        let request: Request =
            serde_json::from_str(r#"{"request":"feed","kind":"announcement","limit":5}"#).unwrap();
        assert_eq!(
            request,
            Request::Feed {
                kind: Some(Kind::Announcement),
                author: None,
                limit: Some(5),
                before: None,
                after: None,
            }
        );
        let post = Request::Post {
            body: Body::Announcement(Announcement {
                title: "Workshop".into(),
                body: "Saturday".into(),
                tags: vec![],
                expires_at: None,
            }),
        };
        let text = serde_json::to_string(&post).unwrap();
        assert!(text.contains(r#""kind":"announcement""#));
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), post);
        assert!(serde_json::from_str::<Request>(r#"{"request":"explode"}"#).is_err());
    }
}
