//! What the store keeps beside the messages: named settings (`meta`) and the address book
//! (`peers`), both sealed in a folder with a passphrase.

use super::Store;
use crate::error::Result;

impl Store {
    /// A metadata value.
    pub(in crate::ledger) fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.take(&self.meta, "meta", name.as_bytes())
    }

    /// Sets a metadata value.
    pub(in crate::ledger) fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        self.put(&self.meta, "meta", name.as_bytes(), value)
    }

    /// Removes a metadata value.
    pub(in crate::ledger) fn remove_meta(&self, name: &str) -> Result<()> {
        self.meta.remove(name)?;
        Ok(())
    }

    /// Saves a peer record.
    pub(in crate::ledger) fn set_peer(&self, peer: &[u8], record: &[u8]) -> Result<()> {
        self.put(&self.peers, "peers", peer, record)
    }

    /// Deletes a peer record.
    pub(in crate::ledger) fn remove_peer(&self, peer: &[u8]) -> Result<()> {
        self.peers.remove(peer)?;
        Ok(())
    }

    /// All peer records.
    pub(in crate::ledger) fn peers(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.peers
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                Ok((key.to_vec(), self.opened("peers", &key, &value)?))
            })
            .collect()
    }
}
