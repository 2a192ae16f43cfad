//! Sangam's protocol: identities, the signed envelope, message kinds, validation, membership and
//! catch-up sync.
//!
//! Everything here is pure: no I/O, no async, no clock reads. Time is always passed in as
//! milliseconds since the Unix epoch, so the same rules run in the node, in tests and in
//! simulations. `PROTOCOL.md` at the top of the repository describes the wire format byte by byte.

#![deny(missing_docs)]

pub mod api;
pub mod audit;
pub mod bundle;
pub mod envelope;
pub mod error;
mod fields;
pub mod identity;
pub mod ids;
pub mod invite;
pub mod kind;
pub mod kinds;
pub mod limits;
pub mod membership;
pub mod rate;
pub mod scorecard;
pub mod seal;
pub mod sealed;
pub mod sync;
pub mod transport;
pub mod validate;
pub mod words;

pub use envelope::{Draft, Header, Message};
pub use error::Error;
pub use identity::{AuthorId, Keypair};
pub use ids::{ContentHash, MessageId, NetworkId};
pub use kinds::{Body, Kind, Role};
pub use membership::{AdmissionProof, Membership};
