//! Multi-node tests on real swarms over loopback TCP. All in one binary (one build, one link).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod catch_up;
mod clock;
mod flood;
mod gathering;
mod hostile;
mod line;
mod membership;
mod outsiders;
mod partition;
mod recovery;
mod relay;
mod restart;
mod revocation;
mod scorecard;
mod sealed;
mod seized;
mod transports;
mod trust;
mod withdrawal;
