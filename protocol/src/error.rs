//! The one error type of the protocol crate: every way a message, body, proof or sync exchange
//! can be wrong, in words a person can act on.

use crate::kind::{Kind, Role};

/// What is wrong with a message, a body, an admission proof or a sync exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The encoded message is larger than the protocol allows.
    #[error("message is {size} bytes, more than the {max}-byte limit")]
    Oversized {
        /// Size of what was received.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes do not follow the wire format.
    #[error("message could not be read: {0}")]
    Malformed(&'static str),
    /// The header's format version is not one this code understands.
    #[error("message uses format version {0}, which this node does not understand")]
    UnsupportedVersion(u8),
    /// The message was made for a different network.
    #[error("message belongs to a different network")]
    WrongNetwork,
    /// The author field is not a usable ed25519 public key.
    #[error("author is not a valid ed25519 public key")]
    BadAuthorKey,
    /// The signature does not verify against the author's key.
    #[error("signature does not match the author's key")]
    BadSignature,
    /// The body does not match the length or hash promised by the signed header.
    #[error("body does not match the length and hash its header promises")]
    BodyMismatch,
    /// `seq` and `prev` are inconsistent, with each other or with the author's earlier message.
    #[error("sequence number and link to the previous message do not fit: {0}")]
    SeqPrevMismatch(&'static str),
    /// The timestamp is further in the future than the allowed clock skew.
    #[error("timestamp is {ahead_ms} ms in the future, more than the allowed {max_ms} ms")]
    TimestampInFuture {
        /// How far ahead of the receiver's clock the message claims to be.
        ahead_ms: u64,
        /// The allowed skew.
        max_ms: u64,
    },
    /// A text field is longer than its bound.
    #[error("{field} is {len} characters long; the limit is {max}")]
    FieldTooLong {
        /// Which field.
        field: &'static str,
        /// Its length (characters, or entries for lists).
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A list field has more entries than allowed.
    #[error("{field} has {len} entries; the limit is {max}")]
    TooManyEntries {
        /// Which field.
        field: &'static str,
        /// How many entries it has.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A required field is empty.
    #[error("{field} must not be empty")]
    FieldEmpty {
        /// Which field.
        field: &'static str,
    },
    /// A text field holds control characters (which could rewrite a reader's terminal).
    #[error("{field} contains control characters")]
    ControlCharacters {
        /// Which field.
        field: &'static str,
    },
    /// A text field holds bidi controls or zero-width characters (which could make one name
    /// display as another).
    #[error("{field} contains invisible or direction-changing characters")]
    InvisibleCharacters {
        /// Which field.
        field: &'static str,
    },
    /// A field's value is not one the protocol allows (a date that does not exist, a rating
    /// above 5).
    #[error("{field} is not valid: {detail}")]
    InvalidField {
        /// Which field.
        field: &'static str,
        /// What a valid value looks like.
        detail: &'static str,
    },
    /// The body bytes do not decode as the kind the header names.
    #[error("the body of this {kind} message could not be read")]
    MalformedBody {
        /// The kind named by the header.
        kind: Kind,
    },
    /// The author is not a current member of the network.
    #[error("author is not a member of this network")]
    NotAMember,
    /// The author's role does not allow this kind of message.
    #[error("a {role} may not publish {kind} messages")]
    RoleNotAllowed {
        /// The author's role.
        role: Role,
        /// The kind it tried to publish.
        kind: Kind,
    },
    /// The author published two different messages with the same sequence number.
    #[error("author published two different messages with sequence number {seq}")]
    Fork {
        /// The sequence number used twice.
        seq: u64,
    },
    /// A kind others act on arrived without its body (a copy that would shadow the real one).
    #[error("a {kind} message must carry its body")]
    BodyRequired {
        /// The message's kind.
        kind: Kind,
    },
    /// The header's `expires_at` is not the body's.
    #[error("the message's expiry in its header differs from the one in its body")]
    ExpiryMismatch,
    /// The timestamp is earlier than the author's previous message's (or later than its next).
    #[error("timestamp goes back along the author's chain of messages")]
    TimestampWentBack,
    /// The author's feed forked below this seq; nothing of it past the fork is accepted.
    #[error(
        "the author's messages split in two at sequence number {seq}; its later messages wait until stewards decide"
    )]
    Forked {
        /// Where the feed forked.
        seq: u64,
    },
    /// The author sent more live messages than the rate limit allows.
    #[error("the author is sending messages faster than the network allows")]
    RateLimited,
    /// A message refers to an item in a way its rules forbid (closing someone else's item …).
    #[error("{0}")]
    BadReference(&'static str),
    /// The genesis message does not found the network it claims to.
    #[error("network founding message is invalid: {0}")]
    InvalidGenesis(&'static str),
    /// An admission proof does not lead from the founder to the key.
    #[error("admission proof is invalid: {0}")]
    InvalidProof(&'static str),
    /// A sync message breaks the sync protocol's rules or limits.
    #[error("sync message is invalid: {0}")]
    InvalidSync(&'static str),
    /// A bundle file is not one this node can read: cut short, damaged, foreign.
    #[error("the bundle cannot be read: {0}")]
    InvalidBundle(&'static str),
    /// A sealed message or bundle cannot be opened here (not a reader, or altered).
    #[error("this cannot be opened here: {0}")]
    CannotOpen(&'static str),
    /// Something could not be sealed (no key for a recipient, a kind that is never sealed).
    #[error("this cannot be sealed: {0}")]
    CannotSeal(&'static str),
    /// Text that should name a member, message or network could not be parsed.
    #[error("{what} is not valid: {detail}")]
    InvalidText {
        /// What was being parsed ("member id", "message id" …).
        what: &'static str,
        /// Why it failed.
        detail: &'static str,
    },
}

impl Error {
    /// A short, stable, snake_case code for counting rejections by reason (shown in `status`).
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Oversized { .. } => "oversized",
            Error::Malformed(_) => "malformed",
            Error::UnsupportedVersion(_) => "unsupported_version",
            Error::WrongNetwork => "wrong_network",
            Error::BadAuthorKey => "bad_author_key",
            Error::BadSignature => "bad_signature",
            Error::BodyMismatch => "body_mismatch",
            Error::SeqPrevMismatch(_) => "seq_prev_mismatch",
            Error::TimestampInFuture { .. } => "timestamp_in_future",
            Error::FieldTooLong { .. } => "field_too_long",
            Error::TooManyEntries { .. } => "too_many_entries",
            Error::FieldEmpty { .. } => "field_empty",
            Error::ControlCharacters { .. } => "control_characters",
            Error::InvisibleCharacters { .. } => "invisible_characters",
            Error::InvalidField { .. } => "invalid_field",
            Error::MalformedBody { .. } => "malformed_body",
            Error::NotAMember => "not_a_member",
            Error::RoleNotAllowed { .. } => "role_not_allowed",
            Error::Fork { .. } => "fork",
            Error::BodyRequired { .. } => "body_required",
            Error::TimestampWentBack => "timestamp_went_back",
            Error::ExpiryMismatch => "expiry_mismatch",
            Error::Forked { .. } => "forked",
            Error::RateLimited => "rate_limited",
            Error::BadReference(_) => "bad_reference",
            Error::InvalidGenesis(_) => "invalid_genesis",
            Error::InvalidProof(_) => "invalid_proof",
            Error::InvalidSync(_) => "invalid_sync",
            Error::InvalidBundle(_) => "invalid_bundle",
            Error::CannotOpen(_) => "cannot_open",
            Error::CannotSeal(_) => "cannot_seal",
            Error::InvalidText { .. } => "invalid_text",
        }
    }
}
