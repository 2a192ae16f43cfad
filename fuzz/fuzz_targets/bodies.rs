//! Every body kind: the first two bytes pick the kind number, the rest is the body. Whatever
//! decodes re-encodes to the same bytes, and field checks never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::bodies(data));
