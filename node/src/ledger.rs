//! The ledger: the store plus the network's membership, with every validation rule applied before
//! anything is written. Both the daemon and the offline CLI change the store only through it.

use sangam_protocol::envelope::found_network;
use sangam_protocol::kinds::Genesis;
use sangam_protocol::membership::{Act, AdmissionProof, Proven};
use sangam_protocol::validate::validate_envelope;
use sangam_protocol::{
    AuthorId, Body, Draft, Keypair, Kind, Membership, Message, MessageId, NetworkId, Role,
};

use crate::error::{NodeError, Result};

mod acts;
mod bundles;
mod fork_proofs;
mod forum;
mod ingest;
mod lapse;
mod sealing;
mod serving;
#[cfg(test)]
mod serving_tests;
pub mod store;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod trust_tests;
mod views;

pub use serving::REVOKED_BODIES_GRACE_MS;

pub use bundles::Imported;
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
    /// Every stored act, counted or held back (see `acts.rs`).
    acts: Vec<Act>,
    /// Keys whose messages could release a held-back act.
    waiting_on: std::collections::HashSet<AuthorId>,
}

impl Joined {
    /// The network of `genesis` with the membership its stored admissions and revocations give.
    fn load(store: &Store, genesis: Message) -> Result<Joined> {
        let mut membership = Membership::from_genesis(&genesis)?;
        let mut acts = Vec::new();
        let mut bodiless = 0_usize;
        for kind in Kind::MEMBERSHIP_ACTS {
            for wire in store.all_of_kind(kind)? {
                match Act::from_message(&Message::from_trusted_bytes(wire)?)? {
                    Some(act) => acts.push(act),
                    None => bodiless += 1,
                }
            }
        }
        if bodiless > 0 {
            // Nothing drops an act's body any more; one without it (a store written by an
            // older version) no longer counts, and membership may differ from other nodes'.
            tracing::error!(
                bodiless,
                "membership acts are stored without their words: membership here may be wrong; \
                 import a bundle from a steward or let sync restore them"
            );
        }
        let counted = acts::counted(store, &acts, &acts::InBatch::new())?;
        membership.apply(&counted.acts);
        Ok(Joined {
            genesis,
            membership,
            acts,
            waiting_on: counted.waiting_on,
        })
    }
}

/// The store, guarded by the protocol's rules.
pub struct Ledger {
    store: Store,
    joined: Option<Joined>,
    /// Membership acts held back until their author is known as a steward (see `ingest.rs`).
    parked: Vec<Message>,
    /// Forks found since the last [`Ledger::take_new_forks`] (author, seq).
    new_forks: Vec<(AuthorId, u64)>,
    /// This node's key for opening what was sealed for it, once set.
    reader: Option<sealing::Reader>,
    /// What score cards are computed from, once a card was asked for (see `forum.rs`).
    score_inputs: std::sync::Mutex<Option<forum::ScoreInputs>>,
}

impl Ledger {
    /// Opens the ledger over a store, reloading the network and its membership if any.
    pub fn open(store: Store) -> Result<Ledger> {
        let mut ledger = Ledger {
            store,
            joined: None,
            parked: Vec::new(),
            new_forks: Vec::new(),
            reader: None,
            score_inputs: std::sync::Mutex::new(None),
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

    /// The highest seq of `author` held with nothing missing below it (below its fork point,
    /// if its feed forked: a forked feed is frozen there on every node).
    /// A revoked key's feed counts up to its revocation's cut-off.
    pub fn contiguous(&self, author: &AuthorId) -> Result<u64> {
        let mut held = self.store.contiguous(author)?;
        if let Some(fork) = self.store.fork_point(author)? {
            held = held.min(fork - 1);
        }
        if let Some(cut) = self.membership().and_then(|m| m.trusted_until(author)) {
            held = held.min(cut);
        }
        Ok(held)
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

    /// Deletes a peer's record from the address book.
    pub fn forget_peer_record(&self, peer: &[u8]) -> Result<()> {
        self.store.remove_peer(peer)
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
        self.start(genesis.clone(), now)?;
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
        self.start(genesis, now)?;
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

    fn start(&mut self, genesis: Message, now: u64) -> Result<()> {
        let membership = Membership::from_genesis(&genesis)?;
        self.store.insert(&genesis, None, now)?;
        self.store.set_meta(GENESIS_KEY, genesis.id().as_bytes())?;
        self.store.flush()?;
        self.joined = Some(Joined {
            genesis,
            membership,
            acts: Vec::new(),
            waiting_on: std::collections::HashSet::new(),
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
            return Err(NodeError::OwnFeedPending);
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
        let (seq, prev, not_before) = match self.store.latest(&me)? {
            Some((seq, id)) => {
                let previous = self
                    .store
                    .get(&id)?
                    .ok_or(NodeError::Corrupt("this node's last post is missing"))?;
                let previous = Message::from_trusted_bytes(previous)?.header().timestamp;
                (seq + 1, Some(id), previous)
            }
            None => (1, None, 0),
        };
        // Timestamps never go back along a feed: a clock that was set back (or corrected)
        // stamps the next post with the previous post's time instead.
        let now = now.max(not_before);
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

    /// The last message of `key` this node trusts: the newest it holds with nothing missing
    /// before it, or, given `since`, the newest of those this node stored before `since` (by
    /// its own arrival times: a thief holding the key dates its forgeries as it likes; a message
    /// stored before arrivals were recorded goes by its date). (0, none) if none.
    pub fn trusted_point(
        &self,
        key: &AuthorId,
        since: Option<u64>,
    ) -> Result<(u64, Option<MessageId>)> {
        let mut seq = self.store.contiguous(key)?;
        while seq > 0 {
            let Some(wire) = self.store.get_at(key, seq)? else {
                break;
            };
            let message = Message::from_trusted_bytes(wire)?;
            let when = match since {
                Some(_) => self
                    .store
                    .arrived_at(&message.id())?
                    .unwrap_or(message.header().timestamp),
                None => 0,
            };
            if since.is_none_or(|since| when < since) {
                return Ok((seq, Some(message.id())));
            }
            seq -= 1;
        }
        Ok((0, None))
    }

    /// Whether this node still has to learn its own earlier posts before it may post.
    pub fn own_feed_pending(&self) -> Result<bool> {
        Ok(self.store.meta(OWN_FEED_PENDING)?.is_some())
    }

    /// Records that `peer` (a member) has told this node everything it knew of the node's own
    /// feed. Posting reopens once two members have (or every other member, in a network of
    /// fewer): one peer that happens to lack the node's posts must not be enough, or the next
    /// post would reuse a seq and fork the feed. Returns whether posting is now open.
    pub fn own_feed_reported_by(&mut self, peer: &AuthorId) -> Result<bool> {
        let Some(reported) = self.store.meta(OWN_FEED_PENDING)? else {
            return Ok(true);
        };
        // The value is 1 (the flag) followed by the 32-byte ids of members that reported.
        let mut reporters: Vec<[u8; 32]> = reported
            .get(1..)
            .unwrap_or_default()
            .chunks_exact(32)
            .filter_map(|chunk| chunk.try_into().ok())
            .collect();
        if !reporters.contains(peer.as_bytes()) {
            reporters.push(*peer.as_bytes());
        }
        // Members other than this node (which is one of them).
        let others = self
            .membership()
            .map_or(0, |m| m.members().count().saturating_sub(1));
        let needed = others.clamp(1, 2);
        if reporters.len() >= needed {
            self.store.remove_meta(OWN_FEED_PENDING)?;
        } else {
            let mut value = vec![1];
            for reporter in &reporters {
                value.extend_from_slice(reporter);
            }
            self.store.set_meta(OWN_FEED_PENDING, &value)?;
        }
        self.store.flush()?;
        Ok(reporters.len() >= needed)
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

    /// Forks found since this was last asked (author, seq), to pass their proof on.
    pub fn take_new_forks(&mut self) -> Vec<(AuthorId, u64)> {
        std::mem::take(&mut self.new_forks)
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
        // The founder trusts the member's first post, not what comes after.
        let (trusted_seq, trusted) = ledger.trusted_point(&member.author(), None).unwrap();
        assert_eq!((trusted_seq, trusted), (1, Some(first.id())));
        let revoke = Body::Revoke(Revoke {
            member: member.author(),
            reason: "seized".into(),
            trusted_seq,
            trusted,
        });
        ledger.publish(&founder, revoke, NOW + 1).unwrap();
        let second = post(2, Some(first.id()));
        assert!(matches!(
            ledger.ingest(second.wire(), NOW),
            Ok(Verdict::Refused(sangam_protocol::Error::NotAMember))
        ));
        // What it wrote while trusted still travels, so its feed stays whole, but its words do
        // not: peers get the header and signature only.
        let served = ledger.servable(&member.author(), 1).unwrap();
        let served = Message::from_trusted_bytes(served).unwrap();
        assert_eq!(served.id(), first.id());
        assert_eq!(served.body_bytes(), None, "revoked content is not served");
        assert_eq!(ledger.servable(&member.author(), 2), None);
        assert_eq!(ledger.vector().unwrap().get(&member.author()), 1);
        // A node that never held the post takes it from sync without its body, never with it.
        let other = tempfile::tempdir().unwrap();
        let mut later = ledger_with_all_acts_of(&ledger, other.path());
        assert!(matches!(
            later.ingest(first.wire(), NOW + 2),
            Ok(Verdict::Stored(m)) if m.body_bytes().is_none()
        ));
    }

    #[test]
    fn a_revoked_members_held_words_are_dropped_after_the_grace_period() {
        let temp = tempfile::tempdir().unwrap();
        let (mut ledger, founder, member) = founded_with_member(temp.path());
        let network = ledger.network().unwrap();
        let post = Draft {
            network,
            seq: 1,
            prev: None,
            timestamp: NOW,
            body: announcement("Our address is …"),
        }
        .sign(&member)
        .unwrap();
        ledger.ingest(post.wire(), NOW).unwrap();
        let (trusted_seq, trusted) = ledger.trusted_point(&member.author(), None).unwrap();
        let revoke = Body::Revoke(Revoke {
            member: member.author(),
            reason: "left".into(),
            trusted_seq,
            trusted,
        });
        ledger.publish(&founder, revoke, NOW + 1).unwrap();
        let body_held = |ledger: &Ledger| {
            let wire = ledger.store().get(&post.id()).unwrap().unwrap();
            Message::from_trusted_bytes(wire)
                .unwrap()
                .body_bytes()
                .is_some()
        };
        assert_eq!(
            ledger
                .drop_revoked_bodies(NOW + REVOKED_BODIES_GRACE_MS, &founder.author())
                .unwrap(),
            0
        );
        assert!(body_held(&ledger), "kept during the grace period");
        let after = NOW + 1 + REVOKED_BODIES_GRACE_MS;
        assert_eq!(
            ledger
                .drop_revoked_bodies(after, &founder.author())
                .unwrap(),
            1
        );
        assert!(!body_held(&ledger), "dropped after it");
        assert_eq!(ledger.item(&post.id()).unwrap().unwrap().body, None);
        assert_eq!(
            ledger
                .drop_revoked_bodies(after + 1, &founder.author())
                .unwrap(),
            0,
            "once"
        );
        // Its feed is still whole: the header is held and counted.
        assert_eq!(ledger.vector().unwrap().get(&member.author()), 1);
    }

    /// A second ledger of the same network holding every membership act of `ledger`.
    fn ledger_with_all_acts_of(ledger: &Ledger, dir: &std::path::Path) -> Ledger {
        let mut copy = super::Ledger::open(Store::open(dir).unwrap()).unwrap();
        let genesis = ledger.joined().unwrap().genesis.clone();
        copy.start(genesis, NOW).unwrap();
        let mut acts = Vec::new();
        for kind in [Kind::Admit, Kind::Revoke] {
            acts.extend(ledger.store().all_of_kind(kind).unwrap());
        }
        copy.ingest_batch(&acts, NOW + 2).unwrap();
        copy
    }

    #[test]
    fn a_stripped_copy_never_shadows_the_full_message() {
        let temp = tempfile::tempdir().unwrap();
        let (mut ledger, _founder, member) = founded_with_member(temp.path());
        let network = ledger.network().unwrap();
        let full = Draft {
            network,
            seq: 1,
            prev: None,
            timestamp: NOW,
            body: announcement("Workshop"),
        }
        .sign(&member)
        .unwrap();
        // The stripped copy comes first (a hostile relay): refused, so it cannot stand for the
        // real one (the version vector would count it as held, and sync never fetch the rest).
        assert!(matches!(
            ledger.ingest(full.without_body().wire(), NOW),
            Ok(Verdict::Refused(
                sangam_protocol::Error::BodyRequired { .. }
            ))
        ));
        assert_eq!(ledger.vector().unwrap().get(&member.author()), 0);
        assert!(matches!(
            ledger.ingest(full.wire(), NOW),
            Ok(Verdict::Stored(m)) if m.body_bytes().is_some()
        ));
        let held = ledger.store().get(&full.id()).unwrap().unwrap();
        assert_eq!(held, full.wire());
        // And a stripped copy after the full one changes nothing.
        assert_eq!(
            ledger.ingest(full.without_body().wire(), NOW).unwrap(),
            Verdict::Duplicate
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
            Some(&2),
            "the feed split at seq 2"
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
