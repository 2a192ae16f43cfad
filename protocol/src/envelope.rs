//! The signed envelope: a header that is signed as exact bytes, plus a body that can be dropped
//! while the header still verifies.
//!
//! Encode once, sign those bytes, ship `{header bytes, signature, body}`; a receiver verifies the
//! exact bytes it got before decoding anything it trusts, so nothing is ever re-encoded to check a
//! signature.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::identity::{AuthorId, Keypair};
use crate::ids::{ContentHash, MessageId, NetworkId};
use crate::kinds::{Body, Kind};
use crate::limits::MAX_MESSAGE_BYTES;

/// The header format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 4;
/// Prefix of every signed byte string, so a Sangam signature can never be replayed as a libp2p
/// (Noise, gossipsub) signature by the same key, or the other way round.
pub const SIGNING_CONTEXT: &[u8] = b"sangam-envelope-v1\0";
/// BLAKE3 `derive_key` context for network ids.
pub const NETWORK_ID_CONTEXT: &str = "sangam 2026-11 network id v1";

/// The signed part of a message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Header {
    /// Format version, [`FORMAT_VERSION`].
    pub version: u8,
    /// The network this message belongs to.
    pub network: NetworkId,
    /// Who wrote and signed it.
    pub author: AuthorId,
    /// Position in the author's feed: 1, 2, 3 …
    pub seq: u64,
    /// Id of the author's previous message; absent exactly when `seq` is 1.
    pub prev: Option<MessageId>,
    /// When it was written, in ms since the Unix epoch (the author's clock).
    pub timestamp: u64,
    /// When its body lapses (ms), if ever: every node drops the body then, and a copy without
    /// it is accepted from then on. Equal to the body's own `expires_at`.
    pub expires_at: Option<u64>,
    /// What kind of body it carries.
    pub kind: Kind,
    /// Length of the body in bytes.
    pub body_len: u32,
    /// BLAKE3 hash of the body.
    pub body_hash: ContentHash,
}

/// The framing of a message on the wire and on disk.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    header: &'a [u8],
    signature: &'a [u8],
    body: Option<&'a [u8]>,
}

/// The network id founded by `founder` with a genesis body of `genesis_body` bytes.
pub fn network_id_for(founder: &AuthorId, genesis_body: &[u8]) -> NetworkId {
    let mut hasher = blake3::Hasher::new_derive_key(NETWORK_ID_CONTEXT);
    hasher.update(founder.as_bytes());
    hasher.update(genesis_body);
    NetworkId(*hasher.finalize().as_bytes())
}

/// The message id of a header: BLAKE3 of its exact signed bytes.
pub fn message_id_for(header_bytes: &[u8]) -> MessageId {
    MessageId(*blake3::hash(header_bytes).as_bytes())
}

/// The bytes a signature covers: [`SIGNING_CONTEXT`] followed by the header bytes.
pub fn signed_bytes(header_bytes: &[u8]) -> Vec<u8> {
    [SIGNING_CONTEXT, header_bytes].concat()
}

/// A message whose framing has been read but whose signature has not been checked.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The exact header bytes that were signed.
    pub header_bytes: &'a [u8],
    /// The decoded header (not yet trusted).
    pub header: Header,
    /// The signature over [`signed_bytes`] of the header bytes.
    pub signature: [u8; 64],
    /// The body bytes, if the body was not dropped.
    pub body: Option<&'a [u8]>,
}

impl<'a> Envelope<'a> {
    /// Reads the framing and header of `wire`. Checks size and structure only: every byte must be
    /// used, the version must be known. Signatures are checked by
    /// [`crate::validate::validate_envelope`].
    pub fn parse(wire: &'a [u8]) -> Result<Envelope<'a>, Error> {
        if wire.len() > MAX_MESSAGE_BYTES {
            return Err(Error::Oversized {
                size: wire.len(),
                max: MAX_MESSAGE_BYTES,
            });
        }
        let framing = match postcard::take_from_bytes::<Wire<'a>>(wire) {
            Ok((framing, [])) => framing,
            Ok(_) => return Err(Error::Malformed("extra bytes after the message")),
            Err(_) => return Err(Error::Malformed("framing is cut short or invalid")),
        };
        let signature: [u8; 64] = framing
            .signature
            .try_into()
            .map_err(|_| Error::Malformed("signature is not 64 bytes"))?;
        match framing.header.first() {
            Some(&FORMAT_VERSION) => {}
            Some(&other) => return Err(Error::UnsupportedVersion(other)),
            None => return Err(Error::Malformed("header is empty")),
        }
        let header = match postcard::take_from_bytes::<Header>(framing.header) {
            Ok((header, [])) => header,
            Ok(_) => return Err(Error::Malformed("extra bytes after the header")),
            Err(_) => return Err(Error::Malformed("header is cut short or invalid")),
        };
        Ok(Envelope {
            header_bytes: framing.header,
            header,
            signature,
            body: framing.body,
        })
    }
}

/// Where `part` lies inside `whole` (both from the same buffer).
fn range_within(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// A message whose signature, framing and body hash have been verified. It keeps the exact bytes
/// it was received as, and is forwarded and stored as those bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Message {
    wire: Vec<u8>,
    header: Header,
    id: MessageId,
    signature: [u8; 64],
    header_range: Range<usize>,
    body_range: Option<Range<usize>>,
}

impl Message {
    /// Wraps wire bytes whose envelope has already been verified.
    pub(crate) fn from_verified(wire: Vec<u8>, envelope_header: Header) -> Result<Message, Error> {
        let (header_range, body_range, signature) = {
            let envelope = Envelope::parse(&wire)?;
            (
                range_within(&wire, envelope.header_bytes),
                envelope.body.map(|body| range_within(&wire, body)),
                envelope.signature,
            )
        };
        let id = message_id_for(&wire[header_range.clone()]);
        Ok(Message {
            wire,
            header: envelope_header,
            id,
            signature,
            header_range,
            body_range,
        })
    }

    /// Reads bytes that this node verified before it stored them, without checking the signature
    /// again. Never use it for bytes from the network: use [`crate::validate::validate_envelope`].
    pub fn from_trusted_bytes(wire: Vec<u8>) -> Result<Message, Error> {
        let header = Envelope::parse(&wire)?.header;
        Message::from_verified(wire, header)
    }

    /// The message id.
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The exact bytes to store and forward.
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// Consumes the message, returning its wire bytes.
    pub fn into_wire(self) -> Vec<u8> {
        self.wire
    }

    /// The signature over the header.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// The exact signed header bytes.
    pub fn header_bytes(&self) -> &[u8] {
        &self.wire[self.header_range.clone()]
    }

    /// The body bytes, unless the body was dropped.
    pub fn body_bytes(&self) -> Option<&[u8]> {
        self.body_range.clone().map(|range| &self.wire[range])
    }

    /// The decoded body, unless it was dropped. Field bounds are checked too.
    pub fn body(&self) -> Result<Option<Body>, Error> {
        self.body_bytes()
            .map(|bytes| {
                let body = Body::decode(self.header.kind, bytes)?;
                body.check_fields()?;
                Ok(body)
            })
            .transpose()
    }

    /// The same message with its body dropped: the header and signature still verify, so the
    /// author's chain stays whole.
    pub fn without_body(&self) -> Message {
        let wire = encode_wire(self.header_bytes(), &self.signature, None);
        let start = wire.len() - self.header_range.len() - SIGNATURE_TAIL;
        let header_range = start..start + self.header_range.len();
        Message {
            wire,
            header: self.header.clone(),
            id: self.id,
            signature: self.signature,
            header_range,
            body_range: None,
        }
    }
}

/// Bytes after the header in a body-less frame: signature length (1) + signature (64) + `None`
/// tag (1).
const SIGNATURE_TAIL: usize = 1 + 64 + 1;

fn encode_wire(header: &[u8], signature: &[u8; 64], body: Option<&[u8]>) -> Vec<u8> {
    let framing = Wire {
        header,
        signature: &signature[..],
        body,
    };
    // Writing to a growable Vec cannot fail.
    postcard::to_stdvec(&framing).unwrap_or_default()
}

/// A message about to be written: everything but the author, who signs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Draft {
    /// The network it is for.
    pub network: NetworkId,
    /// The author's next sequence number.
    pub seq: u64,
    /// The author's previous message (absent exactly when `seq` is 1).
    pub prev: Option<MessageId>,
    /// Now, in ms since the Unix epoch.
    pub timestamp: u64,
    /// The body.
    pub body: Body,
}

impl Draft {
    /// Signs the draft. Fails if a field is out of bounds, `seq`/`prev` disagree, or the result
    /// would be larger than [`MAX_MESSAGE_BYTES`]: a node never creates a message others reject.
    pub fn sign(&self, keypair: &Keypair) -> Result<Message, Error> {
        self.body.check_fields()?;
        match (self.seq, self.prev) {
            (0, _) => return Err(Error::SeqPrevMismatch("sequence numbers start at 1")),
            (1, Some(_)) => {
                return Err(Error::SeqPrevMismatch("the first message has no previous"));
            }
            (2.., None) => return Err(Error::SeqPrevMismatch("a later message needs a previous")),
            _ => {}
        }
        let body = self.body.encode();
        let body_len = u32::try_from(body.len()).map_err(|_| Error::Oversized {
            size: body.len(),
            max: MAX_MESSAGE_BYTES,
        })?;
        let header = Header {
            version: FORMAT_VERSION,
            network: self.network,
            author: keypair.author(),
            seq: self.seq,
            prev: self.prev,
            timestamp: self.timestamp,
            expires_at: self.body.expires_at(),
            kind: self.body.kind(),
            body_len,
            body_hash: ContentHash::of(&body),
        };
        let header_bytes = postcard::to_stdvec(&header)
            .map_err(|_| Error::Malformed("header could not be encoded"))?;
        let signature = keypair.sign(&signed_bytes(&header_bytes));
        let wire = encode_wire(&header_bytes, &signature, Some(&body));
        if wire.len() > MAX_MESSAGE_BYTES {
            return Err(Error::Oversized {
                size: wire.len(),
                max: MAX_MESSAGE_BYTES,
            });
        }
        Message::from_verified(wire, header)
    }
}

/// Founds a network: the founder's first message, whose network id is derived from the founder's
/// key and the genesis body.
pub fn found_network(
    keypair: &Keypair,
    genesis: crate::kinds::Genesis,
    now_ms: u64,
) -> Result<Message, Error> {
    let body = Body::Genesis(genesis);
    let network = network_id_for(&keypair.author(), &body.encode());
    Draft {
        network,
        seq: 1,
        prev: None,
        timestamp: now_ms,
        body,
    }
    .sign(keypair)
}
