//! Bodies that come and go: a full copy restoring a body-less one, and bodies dropped — of a
//! revoked key's messages, of a withdrawn item, of a message whose expiry passed.

use sangam_protocol::{AuthorId, Message, MessageId};

use super::{Store, id_from, time_key};
use crate::error::Result;

impl Store {
    /// Puts the full copy of a message stored without its body in its place (same id, header
    /// and indexes; an offer or close gains its reply index).
    pub(in crate::ledger) fn restore_body(
        &self,
        message: &Message,
        reply_to: Option<MessageId>,
    ) -> Result<()> {
        let header = message.header();
        let id = message.id();
        if let Some(target) = reply_to {
            let mut key = target.as_bytes().to_vec();
            key.extend_from_slice(id.as_bytes());
            let mut value = header.kind.number().to_be_bytes().to_vec();
            value.extend_from_slice(header.author.as_bytes());
            self.replies.insert(key, value)?;
        }
        self.note_reply(header.kind, reply_to, header.timestamp)?;
        self.put(&self.messages, "messages", id.as_bytes(), message.wire())
    }

    /// Replaces every message of `author` held with its body by the same message without it
    /// (header, signature, id and indexes stay). Returns how many bodies were dropped.
    pub(in crate::ledger) fn drop_bodies_of(&self, author: &AuthorId) -> Result<usize> {
        let mut dropped = 0;
        for entry in self.feeds.scan_prefix(author.as_bytes()) {
            let (_, id) = entry?;
            dropped += usize::from(self.strip(&id_from(&id)?, Some(author))?);
        }
        Ok(dropped)
    }

    /// Replaces the stored message `id` by itself without its body, if it is held with one and
    /// written by `author`. Returns whether a body was dropped.
    pub(in crate::ledger) fn drop_body(&self, id: &MessageId, author: &AuthorId) -> Result<bool> {
        self.strip(id, Some(author))
    }

    /// Drops the body of every held message whose expiry is at or before `now`. Returns how many
    /// were dropped. One seek when nothing is due.
    pub(in crate::ledger) fn drop_expired_bodies(&self, now: u64) -> Result<usize> {
        let mut due = Vec::new();
        for entry in self
            .expiries
            .range(..time_key(now.saturating_add(1), &MessageId([0; 32])))
        {
            let (key, _) = entry?;
            due.push(id_from(&key[8..])?);
        }
        let mut dropped = 0;
        for id in due {
            dropped += usize::from(self.strip(&id, None)?);
        }
        Ok(dropped)
    }

    /// Puts the message `id` back without its body (if it has one, and is by `author` when one
    /// is named) and forgets its expiry. Returns whether a body was dropped.
    fn strip(&self, id: &MessageId, author: Option<&AuthorId>) -> Result<bool> {
        let Some(wire) = self.get(id)? else {
            return Ok(false);
        };
        let message = Message::from_trusted_bytes(wire)?;
        let header = message.header();
        if author.is_some_and(|a| *a != header.author) {
            return Ok(false);
        }
        if let Some(at) = header.expires_at {
            self.expiries.remove(&time_key(at, id)[..])?;
        }
        // What membership rests on keeps its words whatever asked for them to go.
        if message.body_bytes().is_none() || header.kind.body_is_kept() {
            return Ok(false);
        }
        let stripped = message.without_body();
        self.put(&self.messages, "messages", id.as_bytes(), stripped.wire())?;
        Ok(true)
    }
}
