//! `sangam-tui`: the terminal client of a running Sangam node.
//!
//! The client itself is not built yet; this binary says so honestly instead of pretending.

use std::process::ExitCode;

fn main() -> ExitCode {
    let wanted = std::env::args().nth(1).unwrap_or_default();
    let what = if wanted == "demo" {
        "The local demo mesh"
    } else {
        "The Sangam terminal client"
    };
    eprintln!(
        "{what} is not built yet: this checkout has only the protocol core. \
         Run `cargo test --workspace` to check it, and see README.md for progress."
    );
    ExitCode::from(2)
}
