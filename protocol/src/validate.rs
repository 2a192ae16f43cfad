//! Validation rules. Each `validate_*` function checks one layer and says which rules in its doc
//! comment; all return the crate's one [`Error`] whose variants say what is wrong.
//!
//! A receiving node applies them in this order: [`validate_envelope`] (cheap structure and
//! signature), [`validate_body`], [`crate::membership::validate_permission`] (needs the membership view), then
//! [`validate_chain`] and [`validate_reference`] (need the author's earlier messages and the
//! referenced item, when the store has them).

use crate::envelope::{Envelope, Header, Message, network_id_for, signed_bytes};
use crate::error::Error;
use crate::identity::AuthorId;
use crate::ids::{ContentHash, MessageId, NetworkId};
use crate::kinds::{Body, Kind};
use crate::limits::MAX_FUTURE_SKEW_MS;

/// Checks a received message's envelope and returns it verified.
///
/// Rules: at most [`crate::limits::MAX_MESSAGE_BYTES`]; framing and header decode using every
/// byte; known format version; `network` matches; the author is a valid ed25519 key; the
/// signature verifies (strictly) over [`signed_bytes`] of the exact header bytes; a present body
/// has the header's length and BLAKE3 hash; `seq` ≥ 1 and `prev` is absent exactly when `seq` is
/// 1; the timestamp is at most [`MAX_FUTURE_SKEW_MS`] ahead of `now_ms`.
pub fn validate_envelope(wire: &[u8], network: &NetworkId, now_ms: u64) -> Result<Message, Error> {
    check_envelope(wire, Envelope::parse(wire)?, network, now_ms)
}

/// [`validate_envelope`] for an envelope already parsed from `wire` (a receiver that parsed it to
/// find its id and author does not parse it again).
pub fn check_envelope(
    wire: &[u8],
    envelope: Envelope<'_>,
    network: &NetworkId,
    now_ms: u64,
) -> Result<Message, Error> {
    let header = &envelope.header;
    if header.network != *network {
        return Err(Error::WrongNetwork);
    }
    envelope
        .header
        .author
        .verify(&signed_bytes(envelope.header_bytes), &envelope.signature)?;
    if let Some(body) = envelope.body {
        let len_matches = u32::try_from(body.len()).is_ok_and(|len| len == header.body_len);
        if !len_matches || ContentHash::of(body) != header.body_hash {
            return Err(Error::BodyMismatch);
        }
    }
    validate_seq_shape(header)?;
    let ahead_ms = header.timestamp.saturating_sub(now_ms);
    if ahead_ms > MAX_FUTURE_SKEW_MS {
        return Err(Error::TimestampInFuture {
            ahead_ms,
            max_ms: MAX_FUTURE_SKEW_MS,
        });
    }
    let header = envelope.header;
    Message::from_verified(wire.to_vec(), header)
}

/// Rules: `seq` ≥ 1; `prev` is absent exactly when `seq` is 1; a genesis is always `seq` 1.
fn validate_seq_shape(header: &Header) -> Result<(), Error> {
    match (header.seq, header.prev) {
        (0, _) => Err(Error::SeqPrevMismatch("sequence numbers start at 1")),
        (1, Some(_)) => Err(Error::SeqPrevMismatch(
            "the first message cannot have a previous",
        )),
        (2.., None) => Err(Error::SeqPrevMismatch(
            "a later message must name its previous",
        )),
        (2.., Some(_)) if header.kind == Kind::Genesis => Err(Error::InvalidGenesis(
            "founding must be the founder's first message",
        )),
        _ => Ok(()),
    }
}

/// Decodes and checks a verified message's body, if it has one.
///
/// Rules: the body decodes as the header's kind using every byte (unknown kinds are kept raw);
/// every field is within its bound, required fields are not empty, text has no control
/// characters; a genesis body derives exactly the header's network id; the header's
/// `expires_at` is the body's.
pub fn validate_body(message: &Message) -> Result<Option<Body>, Error> {
    let body = message.body()?;
    if let Some(body) = &body
        && !matches!(body, Body::Unsupported { .. })
        && body.expires_at() != message.header().expires_at
    {
        return Err(Error::ExpiryMismatch);
    }
    if let (Some(Body::Genesis(_)), Some(bytes)) = (&body, message.body_bytes()) {
        let header = message.header();
        if network_id_for(&header.author, bytes) != header.network {
            return Err(Error::InvalidGenesis(
                "it does not found the network it names",
            ));
        }
    }
    Ok(body)
}

/// What the store already holds of a message's author's feed around the message's seq.
#[derive(Clone, Copy, Debug, Default)]
pub struct Neighbours<'a> {
    /// The id stored at this (author, seq), if any.
    pub existing: Option<MessageId>,
    /// The message stored at `seq - 1`, if any.
    pub previous: Option<&'a Message>,
    /// The message stored at `seq + 1`, if any.
    pub next: Option<&'a Message>,
    /// The lowest seq at which the author's feed is known to have forked, if any.
    pub forked_at: Option<u64>,
}

/// Checks a message against what the store already holds of its author's feed.
///
/// Rules: nothing at or past a known fork point is accepted; a different message already at
/// this (author, seq) is a fork (the caller keeps both headers as evidence); a known message at
/// `seq - 1` is the one `prev` names and is not dated later; a known message at `seq + 1` names
/// this one as its `prev` and is not dated earlier.
pub fn validate_chain(message: &Message, around: &Neighbours<'_>) -> Result<(), Error> {
    let header = message.header();
    if let Some(seq) = around.forked_at
        && header.seq >= seq
    {
        return Err(Error::Forked { seq });
    }
    if around
        .existing
        .is_some_and(|existing| existing != message.id())
    {
        return Err(Error::Fork { seq: header.seq });
    }
    if let Some(previous) = around.previous {
        if header.prev != Some(previous.id()) {
            return Err(Error::SeqPrevMismatch(
                "it does not link to the author's previous message",
            ));
        }
        if previous.header().timestamp > header.timestamp {
            return Err(Error::TimestampWentBack);
        }
    }
    if let Some(next) = around.next {
        if next.header().prev != Some(message.id()) {
            return Err(Error::SeqPrevMismatch(
                "the author's next message does not link to it",
            ));
        }
        if next.header().timestamp < header.timestamp {
            return Err(Error::TimestampWentBack);
        }
    }
    Ok(())
}

/// Checks what a message's body refers to, once the referenced item is known.
///
/// Rules: an offer answers a mentoring request; an endorsement names an audit by another
/// author; a close names an announcement, request, offer
/// or resource written by the same author. `target` is the referenced item's header.
pub fn validate_reference(author: &AuthorId, body: &Body, target: &Header) -> Result<(), Error> {
    match body {
        Body::Offer(_) if target.kind != Kind::MentoringRequest => Err(Error::BadReference(
            "an offer must answer a mentoring request",
        )),
        Body::Sealed(sealed)
            if sealed.reference.is_some() && target.kind != Kind::MentoringRequest =>
        {
            Err(Error::BadReference(
                "a sealed offer must answer a mentoring request",
            ))
        }
        Body::Close(_) if target.author != *author => Err(Error::BadReference(
            "only the author of an item may close it",
        )),
        Body::Close(_)
            if !matches!(
                target.kind,
                Kind::Announcement
                    | Kind::MentoringRequest
                    | Kind::Offer
                    | Kind::Resource
                    | Kind::Sealed
            ) =>
        {
            Err(Error::BadReference(
                "only announcements, requests, offers and resources close",
            ))
        }
        Body::Endorsement(_) if target.kind != Kind::Audit => {
            Err(Error::BadReference("an endorsement must name an audit"))
        }
        Body::Endorsement(_) if target.author == *author => Err(Error::BadReference(
            "a collective cannot endorse its own audit",
        )),
        Body::Withdraw(_) if target.author != *author => Err(Error::BadReference(
            "only the author of an item may withdraw it",
        )),
        Body::Withdraw(_) if !target.kind.is_withdrawable() => Err(Error::BadReference(
            "membership messages and withdrawals cannot be withdrawn",
        )),
        _ => Ok(()),
    }
}

/// The item a body refers to, if any (an offer's request — sealed or not —, a close's or
/// withdrawal's item, an endorsement's audit).
pub fn reference_of(body: &Body) -> Option<MessageId> {
    match body {
        Body::Offer(offer) => Some(offer.request),
        Body::Close(close) => Some(close.item),
        Body::Withdraw(withdraw) => Some(withdraw.item),
        Body::Endorsement(endorsement) => Some(endorsement.audit),
        Body::Sealed(sealed) => sealed.reference,
        _ => None,
    }
}
