//! `sangam`: the Sangam daemon and command line.
//!
//! Not built yet: this binary says so honestly instead of pretending.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "The Sangam node is not built yet: this checkout has only the protocol core. \
         See README.md for progress."
    );
    ExitCode::from(2)
}
