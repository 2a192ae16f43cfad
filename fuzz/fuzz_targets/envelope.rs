//! Envelope decoding and validation: any bytes give a message or an error, never a panic; a
//! message that validates has a body that decodes or errors cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangam_protocol::NetworkId;
use sangam_protocol::envelope::Envelope;
use sangam_protocol::validate::{validate_body, validate_envelope};

fuzz_target!(|data: &[u8]| {
    // The network named by the bytes themselves, so signed inputs from the corpus can validate.
    let network = Envelope::parse(data).map(|e| e.header.network).unwrap_or(NetworkId([0; 32]));
    if let Ok(message) = validate_envelope(data, &network, u64::MAX / 2) {
        let _ = validate_body(&message);
        let dropped = message.without_body();
        assert_eq!(dropped.id(), message.id());
        assert!(validate_envelope(dropped.wire(), &network, u64::MAX / 2).is_ok());
    }
});
