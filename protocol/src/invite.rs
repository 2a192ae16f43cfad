//! Invites: one line of text that carries everything a newly admitted node needs to join — the
//! admission proof and where to reach the inviter.
//!
//! Format: `sangam-invite-1:` followed by base64url (no padding) of the postcard encoding of
//! [`Invite`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::limits::MAX_MESSAGE_BYTES;
use crate::membership::AdmissionProof;

/// The text every invite starts with.
pub const INVITE_PREFIX: &str = "sangam-invite-1:";
/// Most addresses an invite may carry.
pub const MAX_INVITE_ADDRESSES: usize = 16;
/// Longest address in an invite (characters).
pub const MAX_ADDRESS_LEN: usize = 256;
/// Longest invite text accepted.
pub const MAX_INVITE_CHARS: usize = 64 * 1024;

/// An invite to a network.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Invite {
    /// Proof that the invited key was admitted.
    pub proof: AdmissionProof,
    /// libp2p multiaddresses (text, ending in `/p2p/<id>`) of the inviting node.
    pub addresses: Vec<String>,
}

impl Invite {
    /// The one-line text form.
    pub fn encode(&self) -> String {
        // Writing to a growable Vec cannot fail.
        let bytes = postcard::to_stdvec(self).unwrap_or_default();
        format!("{INVITE_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads an invite's text form, checking its size bounds (not yet its proof: see
    /// [`AdmissionProof::verify`]).
    pub fn decode(text: &str) -> Result<Invite, Error> {
        let bad = |detail| Error::InvalidText {
            what: "invite",
            detail,
        };
        let text = text.trim();
        if text.len() > MAX_INVITE_CHARS {
            return Err(bad("it is far longer than any invite"));
        }
        let data = text.strip_prefix(INVITE_PREFIX).ok_or(bad(
            "it should start with `sangam-invite-1:`; copy the whole line",
        ))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| bad("it has been cut or changed; copy the whole line again"))?;
        let invite: Invite = match postcard::take_from_bytes(&bytes) {
            Ok((invite, [])) => invite,
            _ => return Err(bad("it has been cut or changed; copy the whole line again")),
        };
        if invite.addresses.len() > MAX_INVITE_ADDRESSES
            || invite.addresses.iter().any(|a| a.len() > MAX_ADDRESS_LEN)
        {
            return Err(bad("it lists too many or too long addresses"));
        }
        let too_big = |wire: &Vec<u8>| wire.len() > MAX_MESSAGE_BYTES;
        if too_big(&invite.proof.genesis) || invite.proof.admits.iter().any(too_big) {
            return Err(bad("it holds an oversized message"));
        }
        Ok(invite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            proof: AdmissionProof {
                genesis: vec![1, 2, 3],
                admits: vec![vec![4, 5]],
            },
            addresses: vec!["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWx".into()],
        }
    }

    #[test]
    fn invites_round_trip_as_one_line() {
        let text = invite().encode();
        assert!(text.starts_with(INVITE_PREFIX));
        assert!(!text.contains('\n') && !text.contains(' '));
        assert_eq!(Invite::decode(&format!("  {text}\n")), Ok(invite()));
    }

    #[test]
    fn damaged_invites_are_refused_with_a_plain_reason() {
        let text = invite().encode();
        assert!(Invite::decode(&text[..text.len() - 3]).is_err());
        assert!(Invite::decode("hello").is_err());
        assert!(Invite::decode(&format!("{text}AAAA")).is_err());
        let too_many = Invite {
            addresses: vec!["/a".into(); 17],
            ..invite()
        };
        assert!(Invite::decode(&too_many.encode()).is_err());
    }
}
