//! Every body kind: the first two bytes pick the kind number, the rest is the body. Whatever
//! decodes re-encodes to the same bytes, and field checks never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangam_protocol::{Body, Kind};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let kind = Kind::from_number(u16::from_le_bytes([data[0], data[1]]) % 12);
    if let Ok(body) = Body::decode(kind, &data[2..]) {
        let _ = body.check_fields();
        let again = Body::decode(kind, &body.encode()).expect("an encoded body decodes");
        assert_eq!(again, body);
    }
});
