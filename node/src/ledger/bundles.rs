//! Bundles for the road (a USB stick between a district without internet and a town): which
//! messages a bundle carries, reading one in through the same checks as sync, and remembering
//! what each bundle's writer held so that the next trip carries only the difference.

use std::collections::BTreeMap;

use sangam_protocol::bundle::Bundle;
use sangam_protocol::sync::VersionVector;
use sangam_protocol::{AuthorId, Message};

use super::store::From;
use super::{Ledger, Verdict};
use crate::error::Result;

/// Where the vector of a bundle's writer is kept (followed by the writer's key).
const WRITER_VECTOR_KEY: &str = "bundle_vector:";

/// What importing a bundle did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Imported {
    /// Messages new to this node, now stored.
    pub stored: u64,
    /// Messages it already held.
    pub already_held: u64,
    /// Messages refused, by reason code.
    pub refused: BTreeMap<String, u64>,
}

impl Ledger {
    /// Every message a node holding `theirs` lacks, as this node serves them (revoked keys'
    /// words left out), in (author, seq) order.
    pub fn missing_from(&self, theirs: &VersionVector) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for (author, held) in self.vector()?.iter() {
            for seq in theirs.get(author) + 1..=*held {
                if let Some(wire) = self.servable(author, seq) {
                    out.push(wire);
                }
            }
        }
        Ok(out)
    }

    /// Every message written at or after `since` (ms), as served, in (author, seq) order.
    pub fn written_since(&self, since: u64) -> Result<Vec<Vec<u8>>> {
        let mut at: Vec<(AuthorId, u64)> = Vec::new();
        let from = From::After(
            since.saturating_sub(1),
            sangam_protocol::MessageId([0xff; 32]),
        );
        for id in self.store.page(None, from) {
            if let Some(wire) = self.store.get(&id?)? {
                let header = Message::from_trusted_bytes(wire)?.header().clone();
                at.push((header.author, header.seq));
            }
        }
        at.sort();
        Ok(at
            .into_iter()
            .filter_map(|(author, seq)| self.servable(&author, seq))
            .collect())
    }

    /// What the writer of the last bundle read from `writer` held, if one was read.
    pub fn known_vector(&self, writer: &AuthorId) -> Result<Option<VersionVector>> {
        let key = format!("{WRITER_VECTOR_KEY}{writer}");
        Ok(self
            .store
            .meta(&key)?
            .and_then(|bytes| postcard::from_bytes(&bytes).ok()))
    }

    /// Stores what is new in `bundle`, checking every message as sync does, at `now`; and
    /// remembers what its writer held.
    pub fn import(&mut self, bundle: &Bundle, now: u64) -> Result<Imported> {
        let mut imported = Imported::default();
        for batch in bundle.messages.chunks(512) {
            for verdict in self.ingest_batch(batch, now)? {
                match verdict {
                    Verdict::Stored(_) => imported.stored += 1,
                    Verdict::Duplicate => imported.already_held += 1,
                    Verdict::Refused(rule) => {
                        *imported
                            .refused
                            .entry(rule.reason().to_string())
                            .or_default() += 1
                    }
                }
            }
        }
        self.store.flush()?;
        let writer = bundle.header.writer;
        if let Ok(bytes) = postcard::to_stdvec(&bundle.header.vector) {
            self.store
                .set_meta(&format!("{WRITER_VECTOR_KEY}{writer}"), &bytes)?;
        }
        Ok(imported)
    }
}
