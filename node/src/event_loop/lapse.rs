//! Dropping words that have lapsed here: a revoked key's, once its grace period is over, and
//! expired posts'. Checked whenever membership changes and after every sync (so also on a quiet
//! network), and every second for expiries (one seek when none is due).

use sangam_protocol::AuthorId;

use crate::ledger::Ledger;

/// Drops what this node holds of revoked keys' words once their grace period is over at
/// `now` (never `own` words).
pub(super) fn drop_revoked_words(ledger: &mut Ledger, now: u64, own: &AuthorId) {
    match ledger.drop_revoked_bodies(now, own) {
        Ok(0) => {}
        Ok(dropped) => tracing::info!(dropped, "dropped the text of revoked members' posts"),
        Err(error) => tracing::warn!("could not drop revoked members' text: {error}"),
    }
}

/// Drops the words of messages whose expiry passed by `now`, so no node serves them afterwards.
pub(super) fn drop_expired_words(ledger: &mut Ledger, now: u64) {
    match ledger.drop_expired_bodies(now) {
        Ok(0) => {}
        Ok(dropped) => tracing::info!(dropped, "dropped the text of expired posts"),
        Err(error) => tracing::warn!("could not drop expired posts' text: {error}"),
    }
}
