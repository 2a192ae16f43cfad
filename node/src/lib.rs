//! The Sangam node: the store, the ledger that guards it, the libp2p mesh, the control API and
//! the `sangam` command line.

pub mod api;
pub mod cli;
pub mod clock;
pub mod codec;
pub mod daemon;
pub mod datadir;
pub mod error;
pub mod event_loop;
pub mod gate;
pub mod ledger;
pub mod network;
pub mod service;
/// The on-disk store (read-only outside the ledger).
pub use ledger::store;

pub use error::{NodeError, Result};
