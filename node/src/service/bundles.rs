//! Bundle files for USB sticks: writing what another node lacks (plain, or sealed to named
//! collectives) and reading one in.

use sangam_protocol::AuthorId;
use sangam_protocol::api::Response;
use sangam_protocol::bundle::sealed::{SealBundle, is_sealed, open_bundle, sealed_header};
use sangam_protocol::bundle::{read_bundle, write_bundle};
use sangam_protocol::sealed::{SealingSecret, random_bytes, randomness_for};
use sangam_protocol::sync::VersionVector;
use zeroize::Zeroizing;

use super::Service;
use crate::error::{NodeError, Result};

impl Service<'_> {
    /// Writes a bundle to `path`: everything written `since`, else what `for_members` lacked
    /// when their last bundle was read here, else everything. `sealed`: only `for_members` and
    /// this node can read it.
    pub(super) fn export_bundle(
        &self,
        path: &str,
        since: Option<u64>,
        for_members: &[AuthorId],
        sealed: bool,
        now: u64,
    ) -> Result<Response> {
        let network = self.ledger.network().ok_or(NodeError::NoNetwork)?;
        // Checked first: a bundle that cannot be sealed is not written at all.
        let recipients = if sealed {
            if for_members.is_empty() {
                return Err(NodeError::NotAllowed(
                    "a sealed bundle needs the collectives it is for".into(),
                ));
            }
            self.ledger.recipients(for_members)?
        } else {
            Vec::new()
        };
        let messages = match since {
            Some(since) => self.ledger.written_since(since)?,
            None if !for_members.is_empty() => self.lacked_by(for_members)?,
            None => self.ledger.missing_from(&VersionVector::default())?,
        };
        let plain = write_bundle(self.keypair, network, now, self.ledger.vector()?, &messages);
        let bytes = if sealed {
            let writer = (
                self.keypair.author(),
                SealingSecret::of(self.keypair).public(),
            );
            let randomness = random_bytes(randomness_for(recipients.len() + 1))?;
            SealBundle {
                network,
                writer,
                written_at: now,
                recipients: &recipients,
            }
            .seal(&plain, &randomness)?
        } else {
            plain
        };
        std::fs::write(path, &bytes).map_err(NodeError::io("writing the bundle"))?;
        Ok(Response::BundleWritten {
            path: path.to_string(),
            messages: messages.len() as u64,
            bytes: bytes.len() as u64,
            sealed_for: recipients
                .iter()
                .map(|(member, _)| self.ledger.member_name(member))
                .collect(),
        })
    }

    /// What the one of `members` that holds least lacked: a vector of the smallest seq per
    /// author over their last known vectors.
    fn lacked_by(&self, members: &[AuthorId]) -> Result<Vec<Vec<u8>>> {
        let mut least: Option<VersionVector> = None;
        for member in members {
            let Some(theirs) = self.ledger.known_vector(member)? else {
                return Err(NodeError::NotFound(format!(
                    "no bundle from {} was read here yet, so what it holds is not known; \
                     use --since DATE for this trip",
                    self.ledger.member_name(member)
                )));
            };
            least = Some(match least {
                None => theirs,
                Some(mut so_far) => {
                    let authors: Vec<_> = so_far.iter().map(|(a, s)| (*a, *s)).collect();
                    for (author, seq) in authors {
                        so_far.set(author, seq.min(theirs.get(&author)));
                    }
                    so_far
                }
            });
        }
        self.ledger.missing_from(&least.unwrap_or_default())
    }

    /// Reads the bundle at `path` (opening it first when it is sealed for this node) and
    /// stores what is new.
    pub(super) fn import_bundle(&mut self, path: &str, now: u64) -> Result<Response> {
        let network = self.ledger.network().ok_or(NodeError::NoNetwork)?;
        let bytes =
            Zeroizing::new(std::fs::read(path).map_err(NodeError::io("reading the bundle"))?);
        let sealed = is_sealed(&bytes);
        let plain = if sealed {
            self.open_sealed(&bytes)?
        } else {
            bytes
        };
        let bundle = read_bundle(&plain, &network)?;
        let imported = self.ledger.import(&bundle, now)?;
        let writer = bundle.header.writer;
        Ok(Response::BundleImported {
            writer,
            writer_name: self
                .ledger
                .membership()
                .and_then(|m| m.member(&writer))
                .map(|info| info.name.clone()),
            written_at: bundle.header.written_at,
            messages: bundle.messages.len() as u64,
            stored: imported.stored,
            already_held: imported.already_held,
            refused: imported.refused,
            sealed,
        })
    }

    /// The plain bundle inside a sealed one, or a sentence naming whom it is for.
    fn open_sealed(&self, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let header = sealed_header(bytes)?;
        let me = self.keypair.author();
        if me != header.writer && !header.recipients.contains(&me) {
            let names: Vec<String> = header
                .recipients
                .iter()
                .map(|r| self.ledger.member_name(r))
                .collect();
            return Err(NodeError::NotAllowed(format!(
                "this bundle is sealed for {}; only they can read it in",
                names.join(", ")
            )));
        }
        let plain = open_bundle(bytes, &me, &SealingSecret::of(self.keypair))?;
        let inside = read_bundle(&plain, &header.network)?;
        if inside.header.writer != header.writer || inside.header.written_at != header.written_at {
            return Err(sangam_protocol::Error::InvalidBundle(
                "its outside and inside do not agree: it was altered",
            )
            .into());
        }
        Ok(plain)
    }
}
