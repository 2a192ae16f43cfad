//! USB bundles: any bytes give a bundle or a plain error; a real bundle cut or changed anywhere
//! is refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::bundle(data));
