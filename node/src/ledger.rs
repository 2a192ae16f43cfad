//! The ledger: the store plus the network's membership, with every validation rule applied before
//! anything is written. Both the daemon and the offline CLI change the store only through it.

use std::collections::HashMap;

use sangam_protocol::api::{Item, MemberView};
use sangam_protocol::envelope::found_network;
use sangam_protocol::kinds::Genesis;
use sangam_protocol::membership::{Act, AdmissionProof, Proven};
use sangam_protocol::sync::VersionVector;
use sangam_protocol::validate::validate_envelope;
use sangam_protocol::{
    AuthorId, Body, Draft, Keypair, Kind, Membership, Message, MessageId, NetworkId, Role,
};

use crate::error::{NodeError, Result};

mod ingest;
pub mod store;

pub use ingest::Verdict;
use store::Store;

const GENESIS_KEY: &str = "genesis";
/// Set while a node that joined has not yet learned its own earlier posts from a peer.
const OWN_FEED_PENDING: &str = "own_feed_pending";
/// The addresses the daemon last listened on (for invites made offline).
const LISTEN_KEY: &str = "listen";
/// Bootstrap addresses remembered from an invite.
const BOOTSTRAP_KEY: &str = "bootstrap";

/// What the node remembers of a peer across restarts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PeerRecord {
    /// Where it was reached or said it listens, newest dial first.
    pub addresses: Vec<String>,
    /// When it last connected (ms since the epoch).
    pub last_seen: Option<u64>,
    /// When a sync with it last finished (ms since the epoch).
    pub last_sync: Option<u64>,
}

/// The network this node belongs to.
struct Joined {
    genesis: Message,
    membership: Membership,
    acts: Vec<Act>,
}

impl Joined {
    /// The network of `genesis` with the membership its stored admissions and revocations give.
    fn load(store: &Store, genesis: Message) -> Result<Joined> {
        let mut membership = Membership::from_genesis(&genesis)?;
        let mut acts = Vec::new();
        for kind in [Kind::Admit, Kind::Revoke] {
            for wire in store.all_of_kind(kind)? {
                if let Some(act) = Act::from_message(&Message::from_trusted_bytes(wire)?)? {
                    acts.push(act);
                }
            }
        }
        membership.apply(&acts);
        Ok(Joined {
            genesis,
            membership,
            acts,
        })
    }
}

/// The store, guarded by the protocol's rules.
pub struct Ledger {
    store: Store,
    joined: Option<Joined>,
}

impl Ledger {
    /// Opens the ledger over a store, reloading the network and its membership if any.
    pub fn open(store: Store) -> Result<Ledger> {
        let mut ledger = Ledger {
            store,
            joined: None,
        };
        if let Some(id) = ledger.store.meta(GENESIS_KEY)? {
            let id = MessageId(
                id.try_into()
                    .map_err(|_| NodeError::Corrupt("genesis id"))?,
            );
            let wire = ledger
                .store
                .get(&id)?
                .ok_or(NodeError::Corrupt("genesis is missing"))?;
            let genesis = Message::from_trusted_bytes(wire)?;
            ledger.joined = Some(Joined::load(&ledger.store, genesis)?);
        }
        Ok(ledger)
    }

    /// The underlying store, to read (its writes are the ledger's alone).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Makes everything stored so far durable.
    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }

    /// The highest seq of `author` held with nothing missing below it.
    pub fn contiguous(&self, author: &AuthorId) -> Result<u64> {
        self.store.contiguous(author)
    }

    /// The addresses the daemon last listened on.
    pub fn listen_addresses(&self) -> Result<Vec<String>> {
        self.strings(LISTEN_KEY)
    }

    /// Remembers the addresses the daemon listens on (invites made offline use them).
    pub fn save_listen_addresses(&self, addresses: &[String]) -> Result<()> {
        self.save_strings(LISTEN_KEY, addresses)
    }

    /// The bootstrap addresses remembered from an invite.
    pub fn bootstrap_addresses(&self) -> Result<Vec<String>> {
        self.strings(BOOTSTRAP_KEY)
    }

    /// Remembers bootstrap addresses (from an invite) and makes them durable.
    pub fn save_bootstrap_addresses(&self, addresses: &[String]) -> Result<()> {
        self.save_strings(BOOTSTRAP_KEY, addresses)?;
        self.store.flush()
    }

    /// Saves what the node knows of a peer (the address book).
    pub fn save_peer_record<T: serde::Serialize>(&self, peer: &[u8], record: &T) -> Result<()> {
        let json =
            serde_json::to_vec(record).map_err(|_| NodeError::Corrupt("an address-book entry"))?;
        self.store.set_peer(peer, &json)
    }

    /// Every saved peer record that still reads as a `T` (others are skipped).
    pub fn peer_records<T: serde::de::DeserializeOwned>(&self) -> Vec<(Vec<u8>, T)> {
        self.store
            .peers()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(peer, json)| Some((peer, serde_json::from_slice(&json).ok()?)))
            .collect()
    }

    fn strings(&self, key: &str) -> Result<Vec<String>> {
        Ok(match self.store.meta(key)? {
            Some(json) => serde_json::from_slice(&json).unwrap_or_default(),
            None => Vec::new(),
        })
    }

    fn save_strings(&self, key: &str, values: &[String]) -> Result<()> {
        let json = serde_json::to_vec(values).map_err(|_| NodeError::Corrupt("a saved setting"))?;
        self.store.set_meta(key, &json)
    }

    /// The network id, once founded or joined.
    pub fn network(&self) -> Option<NetworkId> {
        self.joined.as_ref().map(|j| j.genesis.header().network)
    }

    /// The current membership, once founded or joined.
    pub fn membership(&self) -> Option<&Membership> {
        self.joined.as_ref().map(|j| &j.membership)
    }

    fn joined(&self) -> Result<&Joined> {
        self.joined.as_ref().ok_or(NodeError::NoNetwork)
    }

    fn refuse_if_joined(&self) -> Result<()> {
        match self.network() {
            Some(network) => Err(NodeError::AlreadyInNetwork(network.to_string())),
            None => Ok(()),
        }
    }

    /// Founds a new network with this node as founder and first steward.
    pub fn found(
        &mut self,
        keypair: &Keypair,
        name: &str,
        founder: &str,
        now: u64,
    ) -> Result<Message> {
        self.refuse_if_joined()?;
        let genesis = found_network(
            keypair,
            Genesis {
                network_name: name.into(),
                founder_name: founder.into(),
                founded_at: now,
            },
            now,
        )?;
        self.start(genesis.clone())?;
        Ok(genesis)
    }

    /// Joins the network an admission proof leads to, if it admits `me`. A key that `may_have_posted`
    /// (restored from a backup) may not post until a peer has told it its earlier posts.
    pub fn join(
        &mut self,
        proof: &AdmissionProof,
        me: &AuthorId,
        may_have_posted: bool,
        now: u64,
    ) -> Result<Proven> {
        self.refuse_if_joined()?;
        let proven = proof.verify(me, now)?;
        let genesis = validate_envelope(&proof.genesis, &proven.network, now)?;
        self.start(genesis)?;
        // A restored key may have posted before (a reinstalled laptop): until a peer has told us
        // what we already published, a new post could reuse a sequence number and fork our feed.
        if may_have_posted {
            self.store.set_meta(OWN_FEED_PENDING, &[1])?;
        }
        for verdict in self.ingest_batch(&proof.admits, now)? {
            if let Verdict::Refused(rule) = verdict {
                return Err(rule.into());
            }
        }
        self.store.flush()?;
        Ok(proven)
    }

    fn start(&mut self, genesis: Message) -> Result<()> {
        let membership = Membership::from_genesis(&genesis)?;
        self.store.insert(&genesis, None)?;
        self.store.set_meta(GENESIS_KEY, genesis.id().as_bytes())?;
        self.store.flush()?;
        self.joined = Some(Joined {
            genesis,
            membership,
            acts: Vec::new(),
        });
        Ok(())
    }

    /// Publishes a message by this node: next seq, signed, validated like any other, stored and
    /// flushed to disk before it returns.
    pub fn publish(&mut self, keypair: &Keypair, body: Body, now: u64) -> Result<Message> {
        let message = self.publish_staged(keypair, body, now)?;
        self.store.flush()?;
        Ok(message)
    }

    /// Like [`Ledger::publish`] but without waiting for the disk: the caller must flush the
    /// store before acknowledging or sending the message, or a crash could reuse its seq.
    pub fn publish_staged(&mut self, keypair: &Keypair, body: Body, now: u64) -> Result<Message> {
        if self.own_feed_pending()? {
            return Err(NodeError::NotAllowed(
                "this node is still fetching its own earlier posts from the network; start it \
                 with `sangam run` and post once it has connected to a peer"
                    .into(),
            ));
        }
        let joined = self.joined()?;
        let me = keypair.author();
        match joined.membership.role_of(&me) {
            None => {
                return Err(NodeError::NotAllowed(
                    "this node is not a member of its network (it may have been revoked)".into(),
                ));
            }
            Some(role) if !role.may_publish(body.kind()) => {
                return Err(NodeError::NotAllowed(format!(
                    "this node is a {role} and may not publish {} messages",
                    body.kind().name().replace('_', " ")
                )));
            }
            Some(_) => {}
        }
        let (seq, prev) = match self.store.latest(&me)? {
            Some((seq, id)) => (seq + 1, Some(id)),
            None => (1, None),
        };
        let network = joined.genesis.header().network;
        let message = Draft {
            network,
            seq,
            prev,
            timestamp: now,
            body,
        }
        .sign(keypair)?;
        match self.intake_own(message)? {
            Verdict::Stored(message) => Ok(message),
            Verdict::Refused(rule) => Err(rule.into()),
            Verdict::Duplicate => Err(NodeError::Corrupt("a new post was already stored")),
        }
    }

    /// Whether this node still has to learn its own earlier posts before it may post.
    pub fn own_feed_pending(&self) -> Result<bool> {
        Ok(self.store.meta(OWN_FEED_PENDING)?.is_some())
    }

    /// Records that a peer has told this node everything it knew of the node's own feed.
    pub fn confirm_own_feed(&mut self) -> Result<()> {
        self.store.remove_meta(OWN_FEED_PENDING)?;
        self.store.flush()
    }

    /// The admission proof for `member`: the genesis and the chain of admissions to it.
    pub fn admission_proof(&self, member: &AuthorId) -> Result<AdmissionProof> {
        let joined = self.joined()?;
        let chain = joined
            .membership
            .admission_chain(member)
            .ok_or_else(|| NodeError::NotFound(format!("{member} is not a member")))?;
        let mut admits = Vec::with_capacity(chain.len());
        for id in chain {
            admits.push(
                self.store
                    .get(&id)?
                    .ok_or(NodeError::Corrupt("an admission is missing"))?,
            );
        }
        Ok(AdmissionProof {
            genesis: joined.genesis.wire().to_vec(),
            admits,
        })
    }

    /// What this node holds, as a version vector.
    pub fn vector(&self) -> Result<VersionVector> {
        self.store.vector()
    }

    /// A stored message, if its author is still a member (what may be served to peers).
    pub fn servable(&self, author: &AuthorId, seq: u64) -> Option<Vec<u8>> {
        let membership = self.membership()?;
        membership.role_of(author)?;
        self.store.get_at(author, seq).ok().flatten()
    }

    /// A stored message as clients see it.
    pub fn item(&self, id: &MessageId) -> Result<Option<Item>> {
        match self.store.get(id)? {
            Some(wire) => Ok(Some(self.item_of(&Message::from_trusted_bytes(wire)?)?)),
            None => Ok(None),
        }
    }

    /// Newest-first items, filtered.
    pub fn feed(
        &self,
        kind: Option<Kind>,
        author: Option<AuthorId>,
        limit: usize,
    ) -> Result<Vec<Item>> {
        // Scan more than asked when filtering by author; the store indexes kind and time only.
        let scan = if author.is_some() {
            limit.saturating_mul(20).max(1000)
        } else {
            limit
        };
        let mut items = Vec::new();
        for id in self.store.recent(kind, scan)? {
            if items.len() >= limit {
                break;
            }
            if let Some(item) = self.item(&id)?
                && author.is_none_or(|a| a == item.author)
            {
                items.push(item);
            }
        }
        Ok(items)
    }

    /// A message as clients see it (its replies counted from the store).
    pub fn item_of(&self, message: &Message) -> Result<Item> {
        let header = message.header();
        let author_name = self.membership().and_then(|m| {
            m.member(&header.author)
                .map(|info| info.name.clone())
                .or_else(|| {
                    m.revoked()
                        .find(|(id, _)| **id == header.author)
                        .map(|_| "(revoked)".to_string())
                })
        });
        let body = message.body().unwrap_or(None);
        let (closed, offers) = self.replies_to(message)?;
        Ok(Item {
            id: message.id(),
            author: header.author,
            author_name,
            seq: header.seq,
            kind: header.kind,
            timestamp: header.timestamp,
            body,
            closed,
            offers,
        })
    }

    /// Whether an item was closed by its author, and how many offers answer it.
    fn replies_to(&self, message: &Message) -> Result<(bool, u64)> {
        if !matches!(
            message.header().kind,
            Kind::MentoringRequest | Kind::Announcement | Kind::Resource | Kind::Offer
        ) {
            return Ok((false, 0));
        }
        let (mut closed, mut offers) = (false, 0);
        for (_, kind, author) in self.store.replies(&message.id())? {
            match kind {
                Kind::Close if author == message.header().author => closed = true,
                Kind::Offer if message.header().kind == Kind::MentoringRequest => offers += 1,
                _ => {}
            }
        }
        Ok((closed, offers))
    }

    /// Every member, current and revoked, with profile details where known.
    pub fn members(&self) -> Result<Vec<MemberView>> {
        let Some(membership) = self.membership() else {
            return Ok(Vec::new());
        };
        let mut profiles = HashMap::new();
        for wire in self.store.all_of_kind(Kind::Profile)? {
            let message = Message::from_trusted_bytes(wire)?;
            if let Ok(Some(Body::Profile(profile))) = message.body() {
                profiles.insert(message.header().author, profile);
            }
        }
        let mut views: Vec<MemberView> = membership
            .members()
            .map(|(id, info)| MemberView {
                id: *id,
                name: info.name.clone(),
                role: Some(info.role),
                admitted_by: info.admitted_by,
                admitted_at: Some(info.admitted_at),
                revoked: false,
                state: profiles.get(id).map(|p| p.state.clone()),
                district: profiles.get(id).map(|p| p.district.clone()),
            })
            .collect();
        views.extend(membership.revoked().map(|(id, _)| MemberView {
            id: *id,
            name: "(revoked)".into(),
            role: None,
            admitted_by: None,
            admitted_at: None,
            revoked: true,
            state: None,
            district: None,
        }));
        Ok(views)
    }

    /// This node's role, if it is a member.
    pub fn role_of(&self, author: &AuthorId) -> Option<Role> {
        self.membership().and_then(|m| m.role_of(author))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangam_protocol::kinds::{Admit, Announcement, Revoke};

    const NOW: u64 = 1_780_000_000_000;

    fn announcement(title: &str) -> Body {
        Body::Announcement(Announcement {
            title: title.into(),
            body: String::new(),
            tags: vec![],
            expires_at: None,
        })
    }

    fn ledger(dir: &std::path::Path) -> Ledger {
        Ledger::open(Store::open(dir).unwrap()).unwrap()
    }

    /// A network founded by key 1 in `dir`, with key 2 admitted as a member.
    fn founded_with_member(dir: &std::path::Path) -> (Ledger, Keypair, Keypair) {
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let member = Keypair::from_secret_bytes(&[2; 32]);
        let mut ledger = ledger(dir);
        ledger.found(&founder, "Sangam", "Forum", NOW).unwrap();
        let admit = Body::Admit(Admit {
            member: member.author(),
            role: Role::Member,
            name: "A".into(),
        });
        ledger.publish(&founder, admit, NOW).unwrap();
        (ledger, founder, member)
    }

    #[test]
    fn a_founded_network_survives_a_restart() {
        let temp = tempfile::tempdir().unwrap();
        let (network, member) = {
            let (ledger, _, member) = founded_with_member(temp.path());
            (ledger.network().unwrap(), member)
        };
        let ledger = ledger(temp.path());
        assert_eq!(ledger.network(), Some(network));
        assert_eq!(ledger.role_of(&member.author()), Some(Role::Member));
    }

    #[test]
    fn posts_continue_the_feed_and_outsiders_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = ledger(temp.path());
        ledger.found(&founder, "Sangam", "Forum", NOW).unwrap();
        let first = ledger.publish(&founder, announcement("one"), NOW).unwrap();
        let second = ledger.publish(&founder, announcement("two"), NOW).unwrap();
        assert_eq!((first.header().seq, second.header().seq), (2, 3));
        assert_eq!(second.header().prev, Some(first.id()));
        assert_eq!(
            ledger.ingest(first.wire(), NOW).unwrap(),
            Verdict::Duplicate
        );

        let outsider = Keypair::from_secret_bytes(&[9; 32]);
        let forged = Draft {
            network: ledger.network().unwrap(),
            seq: 1,
            prev: None,
            timestamp: NOW,
            body: announcement("spam"),
        }
        .sign(&outsider)
        .unwrap();
        assert!(matches!(
            ledger.ingest(forged.wire(), NOW),
            Ok(Verdict::Refused(sangam_protocol::Error::NotAMember))
        ));
        assert!(matches!(
            ledger.publish(&outsider, announcement("x"), NOW),
            Err(NodeError::NotAllowed(_))
        ));
    }

    #[test]
    fn a_revoked_member_cannot_post_any_more() {
        let temp = tempfile::tempdir().unwrap();
        let (mut ledger, founder, member) = founded_with_member(temp.path());
        let network = ledger.network().unwrap();
        let post = |seq, prev| {
            Draft {
                network,
                seq,
                prev,
                timestamp: NOW,
                body: announcement("hi"),
            }
            .sign(&member)
            .unwrap()
        };
        let first = post(1, None);
        assert!(matches!(
            ledger.ingest(first.wire(), NOW),
            Ok(Verdict::Stored(_))
        ));
        let revoke = Body::Revoke(Revoke {
            member: member.author(),
            reason: "seized".into(),
        });
        ledger.publish(&founder, revoke, NOW + 1).unwrap();
        let second = post(2, Some(first.id()));
        assert!(matches!(
            ledger.ingest(second.wire(), NOW),
            Ok(Verdict::Refused(sangam_protocol::Error::NotAMember))
        ));
        assert_eq!(
            ledger.servable(&member.author(), 1),
            None,
            "revoked content is not served"
        );
    }

    #[test]
    fn a_fork_is_refused_and_kept_as_evidence() {
        let temp = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = ledger(temp.path());
        let genesis = ledger.found(&founder, "Sangam", "Forum", NOW).unwrap();
        ledger.publish(&founder, announcement("one"), NOW).unwrap();
        let twin = Draft {
            network: genesis.header().network,
            seq: 2,
            prev: Some(genesis.id()),
            timestamp: NOW,
            body: announcement("one, rewritten"),
        }
        .sign(&founder)
        .unwrap();
        assert!(matches!(
            ledger.ingest(twin.wire(), NOW),
            Ok(Verdict::Refused(sangam_protocol::Error::Fork { seq: 2 }))
        ));
        assert_eq!(
            ledger.store().forks().unwrap().get(&founder.author()),
            Some(&1)
        );
    }

    #[test]
    fn joining_with_a_proof_admits_this_node() {
        let founder_dir = tempfile::tempdir().unwrap();
        let member_dir = tempfile::tempdir().unwrap();
        let (founding, _, member) = founded_with_member(founder_dir.path());
        let proof = founding.admission_proof(&member.author()).unwrap();

        let mut joining = ledger(member_dir.path());
        let stranger = Keypair::from_secret_bytes(&[3; 32]);
        assert!(
            joining
                .join(&proof, &stranger.author(), false, NOW)
                .is_err()
        );
        let proven = joining.join(&proof, &member.author(), false, NOW).unwrap();
        assert_eq!(proven.role, Role::Member);
        assert_eq!(joining.network(), founding.network());
        assert!(joining.publish(&member, announcement("hello"), NOW).is_ok());
        assert!(matches!(
            joining.join(&proof, &member.author(), false, NOW),
            Err(NodeError::AlreadyInNetwork(_))
        ));
    }
}
