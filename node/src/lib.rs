//! The Sangam node: the store, the ledger that guards it, the libp2p mesh and the control API.
//! (The `sangam` command line is the binary's own, `main.rs` and `cli/`.)
//!
//! The front door: [`client`] (talk to a node), [`datadir`] (a collective's folder), [`setup`]
//! (found or join a network), [`daemon`] (run a node). Tests and benchmarks also reach the
//! [`ledger`] (the receiver's rules) and [`network`] (to play a hostile peer). Without the
//! `daemon` feature only the client side is built: no libp2p, no sled.

pub mod catalogue;
pub mod client;
pub mod clock;
pub mod datadir;
pub mod error;
pub mod labels;
pub mod report;
pub mod vault;

#[cfg(feature = "daemon")]
mod api;
#[cfg(feature = "daemon")]
mod codec;
#[cfg(feature = "daemon")]
pub mod daemon;
#[cfg(feature = "daemon")]
mod event_loop;
#[cfg(feature = "daemon")]
pub mod gate;
#[cfg(feature = "daemon")]
pub mod ledger;
#[cfg(feature = "daemon")]
pub mod network;
#[cfg(feature = "daemon")]
mod service;
#[cfg(feature = "daemon")]
pub mod setup;

/// The on-disk store (read-only outside the ledger).
#[cfg(feature = "daemon")]
pub use ledger::store;

pub use error::{NodeError, Result};
