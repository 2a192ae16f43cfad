//! Catch-up sync, as a pure state machine.
//!
//! A session is pull-only: the initiator asks, the responder answers. Both sides of a new
//! connection start one, so each ends with what the other had.
//!
//! 1. Initiator → `Digest` of its version vector. If the responder's digest is equal, it answers
//!    `InSync` and the session ends: one round trip, a few dozen bytes.
//! 2. Otherwise the responder answers with its `Vector`. The initiator computes, per author, from
//!    which seq it is behind and sends `Want`.
//! 3. The responder answers with a `Batch` of messages in ascending seq per author, bounded in
//!    count and bytes; `complete` says whether it sent everything wanted. The initiator ingests
//!    the batch and, if it is not complete, asks again from its new vector.
//!
//! Bytes sent are proportional to the number of authors that differ plus the missing messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::identity::AuthorId;
use crate::limits::{
    MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_SYNC_FRAME_BYTES, MAX_VECTOR_AUTHORS,
};

/// BLAKE3 `derive_key` context for version-vector digests.
const DIGEST_CONTEXT: &str = "sangam 2026-11 version vector digest v1";

/// Per author, the highest seq held with every earlier seq also held.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct VersionVector(BTreeMap<AuthorId, u64>);

impl VersionVector {
    /// An empty vector.
    pub fn new() -> VersionVector {
        VersionVector::default()
    }

    /// The highest contiguous seq held of `author` (0 if none).
    pub fn get(&self, author: &AuthorId) -> u64 {
        self.0.get(author).copied().unwrap_or(0)
    }

    /// Records that everything of `author` up to `seq` is held. Zero removes the author.
    pub fn set(&mut self, author: AuthorId, seq: u64) {
        if seq == 0 {
            self.0.remove(&author);
        } else {
            self.0.insert(author, seq);
        }
    }

    /// Number of authors listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no author is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Total number of messages the vector accounts for.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Authors and their highest contiguous seq.
    pub fn iter(&self) -> impl Iterator<Item = (&AuthorId, &u64)> {
        self.0.iter()
    }

    /// A 32-byte digest: equal digests mean equal vectors.
    pub fn digest(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new_derive_key(DIGEST_CONTEXT);
        for (author, seq) in &self.0 {
            hasher.update(author.as_bytes());
            hasher.update(&seq.to_be_bytes());
        }
        *hasher.finalize().as_bytes()
    }

    /// What this side lacks of `remote`: for each author where `remote` is ahead, the seq this
    /// side already has up to.
    pub fn wants_from(&self, remote: &VersionVector) -> Vec<Want> {
        remote
            .iter()
            .filter(|&(author, &seq)| seq > self.get(author))
            .map(|(author, _)| Want {
                author: *author,
                after: self.get(author),
            })
            .collect()
    }
}

/// "Send me `author`'s messages after seq `after`."
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Want {
    /// Whose messages.
    pub author: AuthorId,
    /// The highest seq already held.
    pub after: u64,
}

/// What an initiator sends.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum SyncRequest {
    /// "This is the digest of what I hold" (wire tag 0).
    Digest([u8; 32]),
    /// "Send me these" (wire tag 1).
    Want(Vec<Want>),
}

/// What a responder answers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum SyncResponse {
    /// "I hold exactly the same" (wire tag 0).
    InSync,
    /// "This is what I hold" (wire tag 1).
    Vector(VersionVector),
    /// Messages, as exact wire bytes, and whether everything wanted was sent (wire tag 2).
    Batch {
        /// The messages, ascending seq per author.
        messages: Vec<Vec<u8>>,
        /// Whether every wanted message was sent.
        complete: bool,
    },
    /// "This is what I hold, and these members' feeds forked" (wire tag 3): a [`Self::Vector`]
    /// answer from a responder that knows of forks, with both headers of each fork (messages
    /// without bodies), so that a peer that saw only one branch learns of it by sync too.
    VectorWithForks {
        /// What the responder holds (forked feeds counted below their fork point).
        vector: VersionVector,
        /// The fork proofs: for each fork, the two conflicting messages, without bodies.
        proofs: Vec<Vec<u8>>,
    },
}

fn encode_frame<T: Serialize>(value: &T) -> Vec<u8> {
    // Writing to a growable Vec cannot fail.
    postcard::to_stdvec(value).unwrap_or_default()
}

fn decode_frame<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Error> {
    if bytes.len() > MAX_SYNC_FRAME_BYTES {
        return Err(Error::Oversized {
            size: bytes.len(),
            max: MAX_SYNC_FRAME_BYTES,
        });
    }
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        Ok(_) => Err(Error::InvalidSync("extra bytes after the message")),
        Err(_) => Err(Error::InvalidSync("it is cut short or malformed")),
    }
}

/// Reads the unsigned LEB128 varint at the start of `bytes`: (value, bytes used).
fn peek_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().take(10).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The variant number of an encoded enum and the count of the list that follows it, read
/// before anything is decoded, so a frame that announces too many entries costs nothing.
fn peek_count(bytes: &[u8]) -> Option<(u64, u64)> {
    let (variant, used) = peek_varint(bytes)?;
    let (count, _) = peek_varint(bytes.get(used..)?)?;
    Some((variant, count))
}

impl SyncRequest {
    /// Wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode_frame(self)
    }

    /// Reads and bounds-checks a request (the count of a `Want` before its entries).
    pub fn decode(bytes: &[u8]) -> Result<SyncRequest, Error> {
        if let Some((1, count)) = peek_count(bytes)
            && count > MAX_VECTOR_AUTHORS as u64
        {
            return Err(Error::InvalidSync("it wants too many authors at once"));
        }
        let request: SyncRequest = decode_frame(bytes)?;
        if let SyncRequest::Want(wants) = &request
            && wants.len() > MAX_VECTOR_AUTHORS
        {
            return Err(Error::InvalidSync("it wants too many authors at once"));
        }
        Ok(request)
    }
}

impl SyncResponse {
    /// Wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode_frame(self)
    }

    /// Reads and bounds-checks a response. A vector's or a batch's count is checked before its
    /// entries are decoded.
    pub fn decode(bytes: &[u8]) -> Result<SyncResponse, Error> {
        match peek_count(bytes) {
            Some((1 | 3, count)) if count > MAX_VECTOR_AUTHORS as u64 => {
                return Err(Error::InvalidSync(
                    "its version vector lists too many authors",
                ));
            }
            Some((2, count)) if count > MAX_BATCH_MESSAGES as u64 => {
                return Err(Error::InvalidSync("its batch holds too many messages"));
            }
            _ => {}
        }
        let response: SyncResponse = decode_frame(bytes)?;
        match &response {
            SyncResponse::Vector(vector) if vector.len() > MAX_VECTOR_AUTHORS => Err(
                Error::InvalidSync("its version vector lists too many authors"),
            ),
            SyncResponse::Batch { messages, .. } if messages.len() > MAX_BATCH_MESSAGES => {
                Err(Error::InvalidSync("its batch holds too many messages"))
            }
            SyncResponse::VectorWithForks { vector, proofs }
                if vector.len() > MAX_VECTOR_AUTHORS || proofs.len() > MAX_FORK_PROOFS =>
            {
                Err(Error::InvalidSync("it lists too many authors or forks"))
            }
            _ => Ok(response),
        }
    }
}

/// Most messages of fork proofs one answer carries (two per fork).
pub const MAX_FORK_PROOFS: usize = 128;

/// The responder's side: answers one request from what it holds. `fetch(author, seq)` returns
/// the stored wire bytes of that message; `fork_proofs` are the proofs of the forks it knows
/// (sent with its vector when the digests differ). Only messages up to the responder's
/// contiguous seq are sent; a batch stops at [`MAX_BATCH_MESSAGES`] or once it passes
/// [`MAX_BATCH_BYTES`].
pub fn respond(
    request: &SyncRequest,
    local: &VersionVector,
    fork_proofs: impl FnOnce() -> Vec<Vec<u8>>,
    fetch: impl FnMut(&AuthorId, u64) -> Option<Vec<u8>>,
) -> SyncResponse {
    respond_with(request, local, fork_proofs, Vec::new, fetch)
}

/// Most membership acts held above a gap that one batch carries.
pub const MAX_GAP_ACTS: usize = 64;

/// [`respond`], where the batch that completes an answer also carries `acts_above_gaps()` (at
/// most [`MAX_GAP_ACTS`]): the membership acts the responder counts that lie above a gap in
/// their author's feed. No version vector names them, so without this a node that joined later
/// would never hold an act the nodes online when it was gossiped count — and membership would
/// differ between them.
pub fn respond_with(
    request: &SyncRequest,
    local: &VersionVector,
    fork_proofs: impl FnOnce() -> Vec<Vec<u8>>,
    acts_above_gaps: impl FnOnce() -> Vec<Vec<u8>>,
    mut fetch: impl FnMut(&AuthorId, u64) -> Option<Vec<u8>>,
) -> SyncResponse {
    match request {
        SyncRequest::Digest(digest) if *digest == local.digest() => SyncResponse::InSync,
        SyncRequest::Digest(_) => {
            let mut proofs = fork_proofs();
            proofs.truncate(MAX_FORK_PROOFS);
            if proofs.is_empty() {
                SyncResponse::Vector(local.clone())
            } else {
                SyncResponse::VectorWithForks {
                    vector: local.clone(),
                    proofs,
                }
            }
        }
        SyncRequest::Want(wants) => {
            let mut messages = Vec::new();
            let mut bytes = 0usize;
            for want in wants {
                for seq in want.after.saturating_add(1)..=local.get(&want.author) {
                    if messages.len() >= MAX_BATCH_MESSAGES || bytes >= MAX_BATCH_BYTES {
                        return SyncResponse::Batch {
                            messages,
                            complete: false,
                        };
                    }
                    if let Some(wire) = fetch(&want.author, seq) {
                        bytes += wire.len();
                        messages.push(wire);
                    }
                }
            }
            let room = MAX_BATCH_MESSAGES.saturating_sub(messages.len());
            messages.extend(acts_above_gaps().into_iter().take(MAX_GAP_ACTS.min(room)));
            SyncResponse::Batch {
                messages,
                complete: true,
            }
        }
    }
}

/// How a session ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SessionEnd {
    /// Both sides held the same.
    InSync,
    /// The initiator now holds everything the responder offered.
    CaughtUp,
    /// The responder kept sending nothing new; the session stopped to avoid looping.
    Stalled,
}

/// What the initiator does next.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Step {
    /// Send this request.
    Send(SyncRequest),
    /// Ingest these messages, then call [`SyncSession::after_ingest`].
    Ingest(Vec<Vec<u8>>),
    /// Check and record these fork proofs (pairs of conflicting messages, without bodies),
    /// then call [`SyncSession::after_ingest`].
    Proofs(Vec<Vec<u8>>),
    /// The session is over.
    Done(SessionEnd),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum State {
    AwaitingDigestReply,
    /// The fork proofs that came with the vector are being ingested, last (so that the
    /// admissions the session brought are known by then); then the session is over.
    IngestingProofs(SessionEnd),
    AwaitingBatch {
        remote: VersionVector,
        before: VersionVector,
        complete: Option<bool>,
    },
    Finished,
}

/// The initiator's side of one sync session.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SyncSession {
    state: State,
    received: u64,
    rounds: u32,
    /// Fork proofs the responder sent with its vector, ingested when the session ends.
    proofs: Vec<Vec<u8>>,
}

impl SyncSession {
    /// Starts a session from what this side holds; send the returned request.
    pub fn start(local: &VersionVector) -> (SyncSession, SyncRequest) {
        let session = SyncSession {
            state: State::AwaitingDigestReply,
            received: 0,
            rounds: 1,
            proofs: Vec::new(),
        };
        (session, SyncRequest::Digest(local.digest()))
    }

    /// Messages received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Request/response round trips so far.
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    /// Handles the responder's answer.
    pub fn handle(&mut self, response: SyncResponse, local: &VersionVector) -> Result<Step, Error> {
        match (&mut self.state, response) {
            (State::AwaitingDigestReply, SyncResponse::InSync) => {
                self.state = State::Finished;
                Ok(Step::Done(SessionEnd::InSync))
            }
            (State::AwaitingDigestReply, SyncResponse::Vector(remote)) => {
                Ok(self.ask(remote, local))
            }
            (State::AwaitingDigestReply, SyncResponse::VectorWithForks { vector, proofs }) => {
                self.proofs = proofs;
                Ok(self.ask(vector, local))
            }
            (
                State::AwaitingBatch {
                    complete: slot @ None,
                    ..
                },
                SyncResponse::Batch { messages, complete },
            ) => {
                *slot = Some(complete);
                self.received += messages.len() as u64;
                Ok(Step::Ingest(messages))
            }
            _ => {
                self.state = State::Finished;
                Err(Error::InvalidSync("the answer does not fit the question"))
            }
        }
    }

    /// Continues after the last batch was ingested; `local` is what this side holds now.
    pub fn after_ingest(&mut self, local: &VersionVector) -> Result<Step, Error> {
        if let State::IngestingProofs(outcome) = self.state {
            self.state = State::Finished;
            return Ok(Step::Done(outcome));
        }
        let State::AwaitingBatch {
            remote,
            before,
            complete: Some(complete),
        } = &self.state
        else {
            return Err(Error::InvalidSync(
                "there is no batch waiting to be ingested",
            ));
        };
        let progressed = remote
            .iter()
            .any(|(author, _)| local.get(author) > before.get(author));
        let remote = remote.clone();
        if *complete {
            return Ok(self.finish(SessionEnd::CaughtUp));
        }
        if !progressed {
            return Ok(self.finish(SessionEnd::Stalled));
        }
        Ok(self.ask(remote, local))
    }

    /// Ends the session, after ingesting any fork proofs that came with the vector.
    fn finish(&mut self, outcome: SessionEnd) -> Step {
        if self.proofs.is_empty() {
            self.state = State::Finished;
            Step::Done(outcome)
        } else {
            self.state = State::IngestingProofs(outcome);
            Step::Proofs(std::mem::take(&mut self.proofs))
        }
    }

    fn ask(&mut self, remote: VersionVector, local: &VersionVector) -> Step {
        let wants = local.wants_from(&remote);
        if wants.is_empty() {
            return self.finish(SessionEnd::CaughtUp);
        }
        self.rounds += 1;
        self.state = State::AwaitingBatch {
            remote,
            before: local.clone(),
            complete: None,
        };
        Step::Send(SyncRequest::Want(wants))
    }
}
