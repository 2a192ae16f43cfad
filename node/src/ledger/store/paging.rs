//! Reading the time-ordered indexes page by page: newest first from the top or from before a
//! cursor, or oldest first from after one. A page never holds more than its reader takes, so a
//! feed of any length is read in bounded pieces.

use std::ops::Bound;

use sangam_protocol::{Kind, MessageId};

use super::{Store, id_from, time_key};
use crate::error::Result;

/// Where a page starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum From {
    /// The newest message, going back.
    Newest,
    /// Just before this (timestamp, id), going back.
    Before(u64, MessageId),
    /// Just after this (timestamp, id), going forward.
    After(u64, MessageId),
}

impl Store {
    /// Message ids in time order from `from`, of one kind or all.
    pub fn page(
        &self,
        kind: Option<Kind>,
        from: From,
    ) -> Box<dyn Iterator<Item = Result<MessageId>> + '_> {
        let (tree, prefix) = match kind {
            Some(kind) => (&self.by_kind, kind.number().to_be_bytes().to_vec()),
            None => (&self.by_time, Vec::new()),
        };
        let skip = prefix.len() + 8;
        let at = |timestamp: u64, id: &MessageId| {
            let mut key = prefix.clone();
            key.extend_from_slice(&time_key(timestamp, id));
            key
        };
        let keys: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = match from {
            From::Newest => Box::new(tree.scan_prefix(&prefix).rev()),
            From::Before(timestamp, id) => Box::new(
                tree.range::<Vec<u8>, _>((
                    Bound::Included(prefix.clone()),
                    Bound::Excluded(at(timestamp, &id)),
                ))
                .rev(),
            ),
            From::After(timestamp, id) => {
                let prefix = prefix.clone();
                Box::new(
                    tree.range::<Vec<u8>, _>((
                        Bound::Excluded(at(timestamp, &id)),
                        Bound::Unbounded,
                    ))
                    .take_while(move |entry| {
                        entry
                            .as_ref()
                            .map_or(true, |(key, _)| key.starts_with(&prefix))
                    }),
                )
            }
        };
        Box::new(keys.map(move |entry| id_from(&entry?.0[skip..])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::testing::{NOW, founded};
    use sangam_protocol::Keypair;
    use sangam_protocol::kinds::{Announcement, Body};

    #[test]
    fn pages_walk_every_message_once_in_either_direction() {
        let dir = tempfile::tempdir().unwrap();
        let founder = Keypair::from_secret_bytes(&[1; 32]);
        let mut ledger = founded(dir.path(), &founder);
        for n in 0..25u64 {
            let body = Body::Announcement(Announcement {
                title: format!("post {n}"),
                body: String::new(),
                tags: vec![],
                expires_at: None,
            });
            // Some share a millisecond: the id breaks the tie.
            ledger.publish(&founder, body, NOW + n / 2).unwrap();
        }
        let store = ledger.store();
        let all: Vec<MessageId> = store
            .page(Some(Kind::Announcement), From::Newest)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(all.len(), 25);
        let stamp = |id: &MessageId| {
            sangam_protocol::Message::from_trusted_bytes(store.get(id).unwrap().unwrap())
                .unwrap()
                .header()
                .timestamp
        };
        // Back, seven at a time.
        let mut walked = Vec::new();
        let mut from = From::Newest;
        loop {
            let page: Vec<MessageId> = store
                .page(Some(Kind::Announcement), from)
                .take(7)
                .collect::<Result<_>>()
                .unwrap();
            let Some(last) = page.last().copied() else {
                break;
            };
            walked.extend(page);
            from = From::Before(stamp(&last), last);
        }
        assert_eq!(walked, all);
        // Forward from the oldest, everything after it, oldest first; no other kind leaks in.
        let oldest = *all.last().unwrap();
        let forward: Vec<MessageId> = store
            .page(
                Some(Kind::Announcement),
                From::After(stamp(&oldest), oldest),
            )
            .collect::<Result<_>>()
            .unwrap();
        let mut expected = all[..24].to_vec();
        expected.reverse();
        assert_eq!(forward, expected);
        // All kinds: the genesis and the welcome come before the posts.
        let everything: Vec<MessageId> = store
            .page(None, From::Newest)
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(everything.len(), 25 + 1);
    }
}
