//! Invites: any text gives an invite or a plain error; a decoded invite's proof is checked
//! without panicking, whatever it holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sangam_protocol::AuthorId;
use sangam_protocol::invite::Invite;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Also try the bytes as an invite's payload, which reaches the proof checks far more often.
    let wrapped = format!(
        "sangam-invite-1:{}",
        text.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_', "")
    );
    for candidate in [text, wrapped.as_str()] {
        if let Ok(invite) = Invite::decode(candidate) {
            let _ = invite.proof.verify(&AuthorId([7; 32]), u64::MAX / 2);
            assert_eq!(Invite::decode(&invite.encode()).ok(), Some(invite));
        }
    }
});
