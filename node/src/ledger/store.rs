//! The on-disk store: the one module that knows sled. Its writes are private to the ledger
//! (`pub(super)`): nothing else in the node can change what is stored.
//!
//! Trees (all keys big-endian so byte order is numeric order):
//! - `messages`: message id → exact wire bytes
//! - `feeds`: author ‖ seq → message id
//! - `by_time`: timestamp ‖ message id → kind (2 bytes)
//! - `by_kind`: kind ‖ timestamp ‖ message id → ()
//! - `vector`: author → highest contiguous seq held
//! - `forks`: author ‖ seq ‖ message id → wire bytes of the conflicting message (evidence)
//! - `replies`: item id ‖ reply id → reply kind (2 bytes) ‖ reply author (offers, closes)
//! - `counts`: kind → number of messages of that kind held
//! - `expiries`: expires_at ‖ message id → () for messages held with a body that will lapse
//! - `hourly`, `requests`, `first_offer`: the overview's indexes (see `store/activity.rs`)
//! - `arrived`: message id → when this node stored it (see `store/arrivals.rs`)
//! - `peers`: peer id bytes → JSON peer record
//! - `meta`: name → value (network id, genesis id, config)
//!
//! In a folder made with a passphrase, the values of `messages`, `forks`, `peers` and `meta` —
//! everything that holds words, names or addresses — are sealed with the folder's data key
//! ([`Vault`]), bound to their tree and key. The other trees hold ids, sequence numbers, times
//! and kinds only. A `sealed` entry in sled's default tree marks a sealed store, so it is never
//! opened (and written) without its key.

use std::collections::BTreeMap;
use std::path::Path;

use sangam_protocol::sync::VersionVector;
use sangam_protocol::{AuthorId, Kind, Message, MessageId};
use sled::Tree;

use crate::error::{NodeError, Result};
use crate::vault::Vault;

mod activity;
mod arrivals;
mod bodies;
mod paging;

pub use activity::hour_of;
pub use paging::From;
mod forks;
mod settings;

/// The entry in sled's default tree that marks a store whose values are sealed.
const SEALED_MARK: &[u8] = b"sealed";

/// sled's page cache: tens of MB, not its 1 GB default, for 2–4 GB laptops.
pub const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// How often sled writes what is not yet on disk by itself.
pub const BACKGROUND_FLUSH_MS: u64 = 30_000;

/// The node's message store.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    messages: Tree,
    feeds: Tree,
    by_time: Tree,
    by_kind: Tree,
    vector: Tree,
    forks: Tree,
    replies: Tree,
    counts: Tree,
    expiries: Tree,
    hourly: Tree,
    requests: Tree,
    first_offer: Tree,
    arrived: Tree,
    peers: Tree,
    meta: Tree,
    vault: Option<Vault>,
}

/// What inserting a message did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Inserted {
    /// It was new and is now stored.
    New,
    /// It was already stored; nothing changed.
    Duplicate,
}

fn feed_key(author: &AuthorId, seq: u64) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..32].copy_from_slice(author.as_bytes());
    key[32..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn time_key(timestamp: u64, id: &MessageId) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..8].copy_from_slice(&timestamp.to_be_bytes());
    key[8..].copy_from_slice(id.as_bytes());
    key
}

fn kind_key(kind: Kind, timestamp: u64, id: &MessageId) -> [u8; 42] {
    let mut key = [0u8; 42];
    key[..2].copy_from_slice(&kind.number().to_be_bytes());
    key[2..].copy_from_slice(&time_key(timestamp, id));
    key
}

fn id_from(bytes: &[u8]) -> Result<MessageId> {
    bytes
        .try_into()
        .map(MessageId)
        .map_err(|_| NodeError::Corrupt("a message id is not 32 bytes"))
}

fn u64_from(bytes: &[u8]) -> Result<u64> {
    bytes
        .try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| NodeError::Corrupt("a counter is not 8 bytes"))
}

/// How long opening waits for a store another handle is just letting go of.
const LOCK_PATIENCE_MS: u64 = 3_000;

/// Opens the sled database in `path`.
fn open_db(path: &Path) -> Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        .mode(sled::Mode::LowSpace)
        // Own posts are flushed before they are acknowledged; what arrives from peers can be
        // fetched again after a crash, so the background flush can be rare (each one wakes
        // sled's I/O threads and costs an fsync).
        .flush_every_ms(Some(BACKGROUND_FLUSH_MS))
        .open()
        .map_err(|e| match e {
            // sled reports a held lock as a plain I/O error whose text names the lock.
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock") =>
            {
                NodeError::FolderInUse
            }
            other => NodeError::Store(other),
        })
}

/// What a sealed value is bound to: its tree and its key.
fn context(tree: &str, key: &[u8]) -> Vec<u8> {
    let mut context = tree.as_bytes().to_vec();
    context.push(0);
    context.extend_from_slice(key);
    context
}

impl Store {
    /// Writes `value` under `key` in `tree` (named `name`), sealed if the store is.
    fn put(&self, tree: &Tree, name: &str, key: &[u8], value: &[u8]) -> Result<()> {
        match &self.vault {
            Some(vault) => tree.insert(key, vault.seal(&context(name, key), value)?)?,
            None => tree.insert(key, value)?,
        };
        Ok(())
    }

    /// Reads what [`Store::put`] wrote.
    fn take(&self, tree: &Tree, name: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match tree.get(key)? {
            Some(value) => self.opened(name, key, &value).map(Some),
            None => Ok(None),
        }
    }

    /// A value read from `tree`, opened if the store is sealed.
    fn opened(&self, name: &str, key: &[u8], value: &[u8]) -> Result<Vec<u8>> {
        match &self.vault {
            Some(vault) => vault.open(&context(name, key), value),
            None => Ok(value.to_vec()),
        }
    }

    /// Opens (or creates) a plain store in `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_sealed(path, None)
    }

    /// Opens (or creates) the store in `path`, its values sealed with `vault` if given. A store
    /// made sealed does not open without its key.
    pub fn open_sealed(path: &Path, vault: Option<Vault>) -> Result<Store> {
        // A store closed a moment ago (a node that just stopped, a command that just ended)
        // keeps its lock until sled's flush thread notices: wait for it briefly.
        let mut waited = 0;
        let db = loop {
            match open_db(path) {
                Err(NodeError::FolderInUse) if waited < LOCK_PATIENCE_MS => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    waited += 50;
                }
                other => break other?,
            }
        };
        match (db.contains_key(SEALED_MARK)?, &vault) {
            (true, None) => return Err(NodeError::Locked),
            (false, Some(_)) if db.open_tree("messages")?.is_empty() => {
                db.insert(SEALED_MARK, &b"xchacha20poly1305"[..])?;
            }
            (false, Some(_)) => {
                return Err(NodeError::Corrupt(
                    "the store was written without a passphrase but the key file has one",
                ));
            }
            _ => {}
        }
        let store = Store {
            vault,
            messages: db.open_tree("messages")?,
            feeds: db.open_tree("feeds")?,
            by_time: db.open_tree("by_time")?,
            by_kind: db.open_tree("by_kind")?,
            vector: db.open_tree("vector")?,
            forks: db.open_tree("forks")?,
            replies: db.open_tree("replies")?,
            counts: db.open_tree("counts")?,
            expiries: db.open_tree("expiries")?,
            hourly: db.open_tree("hourly")?,
            requests: db.open_tree("requests")?,
            first_offer: db.open_tree("first_offer")?,
            arrived: db.open_tree("arrived")?,
            peers: db.open_tree("peers")?,
            meta: db.open_tree("meta")?,
            db,
        };
        store.build_activity_indexes()?;
        Ok(store)
    }

    /// Whether a message with this id is stored.
    pub fn contains(&self, id: &MessageId) -> Result<bool> {
        Ok(self.messages.contains_key(id.as_bytes())?)
    }

    /// Whether a message with this id is stored, and if so whether with its body.
    pub fn held(&self, id: &MessageId) -> Result<Option<bool>> {
        match self.get(id)? {
            Some(wire) => Ok(Some(
                sangam_protocol::envelope::Envelope::parse(&wire)
                    .map_err(|_| NodeError::Corrupt("a stored message"))?
                    .body
                    .is_some(),
            )),
            None => Ok(None),
        }
    }

    /// The wire bytes of a stored message.
    pub fn get(&self, id: &MessageId) -> Result<Option<Vec<u8>>> {
        self.take(&self.messages, "messages", id.as_bytes())
    }

    /// The id stored at (author, seq). An index entry whose message is missing (a crash between
    /// the two writes, see [`Store::insert_many`]) counts as nothing stored.
    pub fn id_at(&self, author: &AuthorId, seq: u64) -> Result<Option<MessageId>> {
        match self.feeds.get(feed_key(author, seq))? {
            Some(value) => {
                let id = id_from(&value)?;
                Ok(self.contains(&id)?.then_some(id))
            }
            None => Ok(None),
        }
    }

    /// The wire bytes stored at (author, seq).
    pub fn get_at(&self, author: &AuthorId, seq: u64) -> Result<Option<Vec<u8>>> {
        match self.id_at(author, seq)? {
            Some(id) => self.get(&id),
            None => Ok(None),
        }
    }

    /// The author's highest stored seq and its id (not necessarily contiguous).
    pub fn latest(&self, author: &AuthorId) -> Result<Option<(u64, MessageId)>> {
        for entry in self.feeds.scan_prefix(author.as_bytes()).rev() {
            let (key, value) = entry?;
            let id = id_from(&value)?;
            if self.contains(&id)? {
                return Ok(Some((u64_from(&key[32..])?, id)));
            }
        }
        Ok(None)
    }

    /// Stores a verified message and its indexes (see [`Store::insert_many`]). Idempotent.
    /// `reply_to` is the item an offer or close refers to, if any; `now` is when it arrived.
    pub(super) fn insert(
        &self,
        message: &Message,
        reply_to: Option<MessageId>,
        now: u64,
    ) -> Result<Inserted> {
        let inserted = self.insert_many(&[(message.clone(), reply_to)], now)?;
        Ok(inserted.first().copied().unwrap_or(Inserted::Duplicate))
    }

    /// Stores verified messages and their indexes, arrived at `now`. Idempotent; returns what
    /// happened to each, in order.
    ///
    /// Plain writes, not a sled transaction: each transaction (and each `apply_batch`) makes
    /// sled seal its I/O buffer twice and wake its whole I/O thread pool, which cost a node more
    /// than everything else it does per message. Safety comes from order instead: the indexes
    /// are written before the message and the version vector after it, and sled recovers a
    /// prefix of its log after a crash, so a message that survives has its indexes, and an index
    /// left without its message is ignored by every reader and rewritten when the message is
    /// fetched again. Only the per-kind counts can fall behind, by one batch, after a crash.
    pub(super) fn insert_many(
        &self,
        batch: &[(Message, Option<MessageId>)],
        now: u64,
    ) -> Result<Vec<Inserted>> {
        let mut outcome = Vec::with_capacity(batch.len());
        let mut added: BTreeMap<[u8; 2], u64> = BTreeMap::new();
        let mut fresh: Vec<&AuthorId> = Vec::new();
        let mut written = std::collections::HashSet::new();
        let mut hourly = activity::HourlyCounts::default();
        for (message, reply_to) in batch {
            let header = message.header();
            let id = message.id();
            if !written.insert(id) || self.contains(&id)? {
                outcome.push(Inserted::Duplicate);
                continue;
            }
            let kind = header.kind.number().to_be_bytes();
            if let Some(target) = reply_to {
                let mut key = target.as_bytes().to_vec();
                key.extend_from_slice(id.as_bytes());
                let mut value = kind.to_vec();
                value.extend_from_slice(header.author.as_bytes());
                self.replies.insert(key, value)?;
            }
            self.feeds.insert(
                &feed_key(&header.author, header.seq)[..],
                &id.as_bytes()[..],
            )?;
            self.by_time
                .insert(&time_key(header.timestamp, &id)[..], &kind[..])?;
            self.by_kind
                .insert(&kind_key(header.kind, header.timestamp, &id)[..], &[][..])?;
            if let (Some(at), Some(_)) = (header.expires_at, message.body_bytes()) {
                self.expiries.insert(&time_key(at, &id)[..], &[][..])?;
            }
            self.note_activity(message, *reply_to, &mut hourly)?;
            self.note_arrival(&id, now)?;
            self.put(&self.messages, "messages", id.as_bytes(), message.wire())?;
            *added.entry(kind).or_default() += 1;
            fresh.push(&header.author);
            outcome.push(Inserted::New);
        }
        for (kind, more) in &added {
            let held = self
                .counts
                .get(&kind[..])?
                .map(|v| u64_from(&v))
                .transpose()?
                .unwrap_or(0);
            self.counts
                .insert(&kind[..], &(held + more).to_be_bytes()[..])?;
        }
        self.add_hourly(hourly)?;
        fresh.sort();
        fresh.dedup();
        for author in fresh {
            self.advance_vector(author)?;
        }
        Ok(outcome)
    }

    /// Moves the author's contiguous seq forward over every message now held.
    fn advance_vector(&self, author: &AuthorId) -> Result<()> {
        let mut seq = self.contiguous(author)?;
        let start = seq;
        while self.id_at(author, seq + 1)?.is_some() {
            seq += 1;
        }
        if seq != start {
            self.vector.insert(author.as_bytes(), &seq.to_be_bytes())?;
        }
        Ok(())
    }

    /// The author's highest seq held with every earlier one also held.
    pub fn contiguous(&self, author: &AuthorId) -> Result<u64> {
        self.vector
            .get(author.as_bytes())?
            .map(|v| u64_from(&v))
            .transpose()
            .map(|s| s.unwrap_or(0))
    }

    /// The version vector of everything held.
    pub fn vector(&self) -> Result<VersionVector> {
        let mut vector = VersionVector::new();
        for entry in self.vector.iter() {
            let (key, value) = entry?;
            let author: [u8; 32] = key
                .as_ref()
                .try_into()
                .map_err(|_| NodeError::Corrupt("author key length"))?;
            vector.set(AuthorId(author), u64_from(&value)?);
        }
        Ok(vector)
    }

    /// Every stored message of `kind`, oldest first, as wire bytes.
    pub fn all_of_kind(&self, kind: Kind) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for entry in self.by_kind.scan_prefix(kind.number().to_be_bytes()) {
            let (key, _) = entry?;
            if let Some(wire) = self.get(&id_from(&key[10..])?)? {
                out.push(wire);
            }
        }
        Ok(out)
    }

    /// Number of stored messages of each kind (kept as counters, not counted on each call).
    pub fn count_by_kind(&self) -> Result<BTreeMap<Kind, u64>> {
        let mut counts = BTreeMap::new();
        for entry in self.counts.iter() {
            let (kind, count) = entry?;
            let number: [u8; 2] = kind
                .as_ref()
                .try_into()
                .map_err(|_| NodeError::Corrupt("kind length"))?;
            counts.insert(
                Kind::from_number(u16::from_be_bytes(number)),
                u64_from(&count)?,
            );
        }
        Ok(counts)
    }

    /// The offers and closes that refer to `item`: (reply id, kind, author).
    pub fn replies(&self, item: &MessageId) -> Result<Vec<(MessageId, Kind, AuthorId)>> {
        let mut out = Vec::new();
        for entry in self.replies.scan_prefix(item.as_bytes()) {
            let (key, value) = entry?;
            if key.len() != 64 || value.len() != 34 {
                return Err(NodeError::Corrupt("a reply index entry has the wrong size"));
            }
            let kind = Kind::from_number(u16::from_be_bytes([value[0], value[1]]));
            let author: [u8; 32] = value[2..]
                .try_into()
                .map_err(|_| NodeError::Corrupt("reply author"))?;
            out.push((id_from(&key[32..])?, kind, AuthorId(author)));
        }
        Ok(out)
    }

    /// Number of stored messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether the store holds no messages.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Makes everything written so far durable (fsync). A post is acknowledged only after this.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangam_protocol::envelope::found_network;
    use sangam_protocol::kinds::{Announcement, Genesis};
    use sangam_protocol::{Body, Draft, Keypair};

    fn messages(count: u64) -> Vec<Message> {
        let key = Keypair::from_secret_bytes(&[7; 32]);
        let genesis = found_network(
            &key,
            Genesis {
                network_name: "n".into(),
                founder_name: "f".into(),
                founded_at: 1,
            },
            1,
        )
        .unwrap();
        let network = genesis.header().network;
        let mut out = vec![genesis];
        for seq in 2..=count {
            let body = Body::Announcement(Announcement {
                title: format!("post {seq}"),
                body: String::new(),
                tags: vec![],
                expires_at: None,
            });
            let prev = out.last().map(|m: &Message| m.id());
            out.push(
                Draft {
                    network,
                    seq,
                    prev,
                    timestamp: seq * 10,
                    body,
                }
                .sign(&key)
                .unwrap(),
            );
        }
        out
    }

    #[test]
    fn an_index_left_without_its_message_by_a_crash_counts_as_nothing() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::open(temp.path()).unwrap();
        let all = messages(4);
        let author = all[0].header().author;
        for message in &all[..3] {
            store.insert(message, None, 1_000).unwrap();
        }
        // What a crash between the index write and the message write leaves behind.
        store
            .feeds
            .insert(&feed_key(&author, 4)[..], &all[3].id().as_bytes()[..])
            .unwrap();
        assert_eq!(store.id_at(&author, 4).unwrap(), None);
        assert_eq!(store.latest(&author).unwrap(), Some((3, all[2].id())));
        assert_eq!(store.contiguous(&author).unwrap(), 3);
        assert_eq!(store.insert(&all[3], None, 1_000).unwrap(), Inserted::New);
        assert_eq!(store.latest(&author).unwrap(), Some((4, all[3].id())));
        assert_eq!(store.contiguous(&author).unwrap(), 4);
        assert_eq!(store.count_by_kind().unwrap().values().sum::<u64>(), 4);
    }

    #[test]
    fn a_full_copy_puts_back_the_body_a_held_copy_lacks() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::open(temp.path()).unwrap();
        let all = messages(2);
        let author = all[0].header().author;
        for message in &all {
            store.insert(message, None, 1_000).unwrap();
        }
        assert!(store.drop_body(&all[1].id(), &author).unwrap());
        assert_eq!(store.held(&all[1].id()).unwrap(), Some(false));
        // Restored as an answer to the first message: the body and the reply link are back.
        store.restore_body(&all[1], Some(all[0].id())).unwrap();
        assert_eq!(store.held(&all[1].id()).unwrap(), Some(true));
        let replies = store.replies(&all[0].id()).unwrap();
        assert_eq!(replies, vec![(all[1].id(), Kind::Announcement, author)]);
    }

    #[test]
    fn insert_is_idempotent_and_survives_reopening() {
        let temp = tempfile::tempdir().unwrap();
        let all = messages(5);
        {
            let store = Store::open(temp.path()).unwrap();
            for message in &all {
                assert_eq!(store.insert(message, None, 1_000).unwrap(), Inserted::New);
            }
            // Arriving again later changes nothing: it arrived when it was first stored.
            assert_eq!(
                store.insert(&all[2], None, 9_000).unwrap(),
                Inserted::Duplicate
            );
            assert_eq!(store.len(), 5);
            store.flush().unwrap();
        }
        let store = Store::open(temp.path()).unwrap();
        let author = all[0].header().author;
        assert_eq!(store.len(), 5);
        assert_eq!(store.contiguous(&author).unwrap(), 5);
        assert_eq!(store.latest(&author).unwrap(), Some((5, all[4].id())));
        assert_eq!(
            store.get_at(&author, 3).unwrap().as_deref(),
            Some(all[2].wire())
        );
        assert_eq!(store.arrived_at(&all[2].id()).unwrap(), Some(1_000));
    }

    #[test]
    fn the_vector_counts_only_contiguous_messages() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::open(temp.path()).unwrap();
        let all = messages(6);
        let author = all[0].header().author;
        for index in [0, 1, 3, 4] {
            store.insert(&all[index], None, 1_000).unwrap();
        }
        assert_eq!(store.contiguous(&author).unwrap(), 2);
        assert_eq!(store.vector().unwrap().get(&author), 2);
        store.insert(&all[2], None, 1_000).unwrap();
        assert_eq!(
            store.contiguous(&author).unwrap(),
            5,
            "filling the gap jumps ahead"
        );
    }

    #[test]
    fn pages_list_newest_first_and_filter_by_kind() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::open(temp.path()).unwrap();
        let all = messages(4);
        for message in &all {
            store.insert(message, None, 1_000).unwrap();
        }
        let recent = |kind: Option<Kind>, limit: usize| -> Vec<MessageId> {
            store
                .page(kind, From::Newest)
                .take(limit)
                .collect::<Result<_>>()
                .unwrap()
        };
        let ids = recent(None, 10);
        assert_eq!(
            ids,
            vec![all[3].id(), all[2].id(), all[1].id(), all[0].id()]
        );
        assert_eq!(
            recent(Some(Kind::Announcement), 2),
            vec![all[3].id(), all[2].id()]
        );
        assert_eq!(recent(Some(Kind::Genesis), 10), vec![all[0].id()]);
        let counts = store.count_by_kind().unwrap();
        assert_eq!(counts.get(&Kind::Announcement), Some(&3));
    }

    #[test]
    fn forks_are_kept_as_evidence() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::open(temp.path()).unwrap();
        let all = messages(2);
        store.record_fork(&all[1]).unwrap();
        let (author, seq) = (all[1].header().author, all[1].header().seq);
        assert_eq!(store.forks().unwrap().get(&author), Some(&seq));
        assert_eq!(store.fork_point(&author).unwrap(), Some(seq));
        assert_eq!(
            store.fork_evidence(&author, seq).unwrap(),
            vec![all[1].wire().to_vec()]
        );
    }
}
