//! Invites: any text gives an invite or a plain error; a decoded invite's proof is checked
//! without panicking, whatever it holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::invite(data));
