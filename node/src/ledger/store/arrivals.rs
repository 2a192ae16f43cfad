//! When each message reached this node. A message can arrive long after it was written — by
//! sync after days offline, or on a USB stick — and "new since you last looked" means new to
//! this collective, not recently written.

use sangam_protocol::MessageId;

use super::{Store, u64_from};
use crate::error::Result;

impl Store {
    /// Records that the message `id` was first stored at `now` (ms).
    pub(super) fn note_arrival(&self, id: &MessageId, now: u64) -> Result<()> {
        self.arrived.insert(id.as_bytes(), &now.to_be_bytes())?;
        Ok(())
    }

    /// When this node first stored `id` (ms); none for a message stored before arrivals were
    /// recorded.
    pub fn arrived_at(&self, id: &MessageId) -> Result<Option<u64>> {
        self.arrived
            .get(id.as_bytes())?
            .map(|value| u64_from(&value))
            .transpose()
    }

    /// When this node first stored `id` (ms). A message stored before arrivals were recorded is
    /// taken to arrive `now`, and that is recorded, so a wait counted from it starts only once.
    pub(in crate::ledger) fn arrived_or_now(&self, id: &MessageId, now: u64) -> Result<u64> {
        if let Some(at) = self.arrived_at(id)? {
            return Ok(at);
        }
        self.note_arrival(id, now)?;
        Ok(now)
    }
}
