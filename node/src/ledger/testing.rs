//! Helpers the ledger's unit tests share.

use sangam_protocol::Keypair;

use super::Ledger;
use super::store::Store;

/// The time the ledger's unit tests run at.
pub const NOW: u64 = 1_780_000_000_000;

/// A network founded by `founder` in `dir` (named "Sangam", founder "Forum").
pub fn founded(dir: &std::path::Path, founder: &Keypair) -> Ledger {
    let mut ledger = Ledger::open(Store::open(dir).expect("store")).expect("ledger");
    ledger
        .found(founder, "Sangam", "Forum", NOW)
        .expect("founded");
    ledger
}
