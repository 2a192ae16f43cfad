//! Fork evidence: the conflicting messages kept when an author signed two messages with the
//! same seq, and where each author's feed split.

use std::collections::BTreeMap;

use sangam_protocol::{AuthorId, Message};

use super::{Store, feed_key, u64_from};
use crate::error::{NodeError, Result};

impl Store {
    /// Keeps a conflicting message (same author and seq as a stored one) as evidence.
    pub(in crate::ledger) fn record_fork(&self, message: &Message) -> Result<()> {
        let header = message.header();
        let mut key = feed_key(&header.author, header.seq).to_vec();
        key.extend_from_slice(message.id().as_bytes());
        self.put(&self.forks, "forks", &key, message.wire())
    }

    /// Authors whose feed forked, each with the lowest seq at which it did (the same on every
    /// node that holds the proof, whichever branch it saw).
    pub fn forks(&self) -> Result<BTreeMap<AuthorId, u64>> {
        let mut forks = BTreeMap::new();
        for entry in self.forks.iter() {
            let (key, _) = entry?;
            let author: [u8; 32] = key[..32]
                .try_into()
                .map_err(|_| NodeError::Corrupt("fork key length"))?;
            let seq = u64_from(&key[32..40])?;
            let lowest = forks.entry(AuthorId(author)).or_insert(seq);
            *lowest = (*lowest).min(seq);
        }
        Ok(forks)
    }

    /// The lowest seq at which the author's feed is known to have forked.
    pub fn fork_point(&self, author: &AuthorId) -> Result<Option<u64>> {
        match self.forks.scan_prefix(author.as_bytes()).next() {
            Some(entry) => {
                let (key, _) = entry?;
                Ok(Some(u64_from(&key[32..40])?))
            }
            None => Ok(None),
        }
    }

    /// The conflicting messages kept as evidence of the author's fork at `seq`.
    pub fn fork_evidence(&self, author: &AuthorId, seq: u64) -> Result<Vec<Vec<u8>>> {
        let prefix = feed_key(author, seq);
        let mut evidence = Vec::new();
        for entry in self.forks.scan_prefix(prefix) {
            let (key, value) = entry?;
            evidence.push(self.opened("forks", &key, &value)?);
        }
        Ok(evidence)
    }
}
