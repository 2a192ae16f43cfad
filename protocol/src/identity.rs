//! Node identities: one ed25519 key per node, which is also its libp2p identity, so an author id
//! is a member id is a PeerId.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use libp2p_identity::PeerId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::error::Error;

/// Multihash prefix of an inline ed25519 PeerId: identity hash (0x00), length 36, then the
/// protobuf `PublicKey { Type: Ed25519, Data: <32 bytes> }` prefix.
const PEER_ID_PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/// A node's signing key. The secret bytes are wiped from memory when it is dropped.
pub struct Keypair {
    signing: SigningKey,
}

impl Keypair {
    /// Builds a keypair from its 32 secret bytes (the caller supplies the randomness).
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Keypair {
        Keypair {
            signing: SigningKey::from_bytes(secret),
        }
    }

    /// The 32 secret bytes, for saving to the key file. Wiped when the returned value drops.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// This key's author id.
    pub fn author(&self) -> AuthorId {
        AuthorId(self.signing.verifying_key().to_bytes())
    }

    /// Signs `message` (the caller adds any domain-separation prefix).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The same key as a libp2p identity, for the swarm.
    pub fn to_libp2p(&self) -> libp2p_identity::Keypair {
        let mut secret = self.secret_bytes();
        // Only fails for a wrong length, and the length is fixed at 32.
        match libp2p_identity::Keypair::ed25519_from_bytes(&mut secret[..]) {
            Ok(keypair) => keypair,
            Err(_) => unreachable!("32-byte ed25519 secret is always accepted"),
        }
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.author())
    }
}

/// An author, member and peer id: the 32 bytes of an ed25519 public key. Shown as a libp2p
/// PeerId (`12D3KooW…`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuthorId(pub [u8; 32]);

impl AuthorId {
    /// The raw public key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The libp2p PeerId of this key.
    pub fn peer_id(&self) -> PeerId {
        let mut bytes = PEER_ID_PREFIX.to_vec();
        bytes.extend_from_slice(&self.0);
        match PeerId::from_bytes(&bytes) {
            Ok(peer) => peer,
            Err(_) => unreachable!("an inline identity multihash of 38 bytes is a valid PeerId"),
        }
    }

    /// The author id behind a libp2p PeerId, if that PeerId holds an ed25519 key.
    pub fn from_peer_id(peer: &PeerId) -> Option<AuthorId> {
        let bytes = peer.to_bytes();
        let key = bytes.strip_prefix(&PEER_ID_PREFIX[..])?;
        key.try_into().ok().map(AuthorId)
    }

    /// The key for verifying signatures, if these bytes are a valid ed25519 point.
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        VerifyingKey::from_bytes(&self.0).map_err(|_| Error::BadAuthorKey)
    }

    /// Checks a signature by this author over `message` (strict: no malleable signatures).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
        let key = self.verifying_key()?;
        key.verify_strict(message, &Signature::from_bytes(signature))
            .map_err(|_| Error::BadSignature)
    }

    /// A short form for screens where a name is not known: the last 6 characters.
    pub fn short(&self) -> String {
        let full = self.to_string();
        let tail: String = full
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

impl fmt::Display for AuthorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.peer_id(), f)
    }
}

impl fmt::Debug for AuthorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorId({})", self.short())
    }
}

impl FromStr for AuthorId {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        let peer: PeerId = text.trim().parse().map_err(|_| Error::InvalidText {
            what: "member id",
            detail: "it should look like 12D3KooW… (copy it from `sangam id`)",
        })?;
        AuthorId::from_peer_id(&peer).ok_or(Error::InvalidText {
            what: "member id",
            detail: "it is not the id of a Sangam node (not an ed25519 key)",
        })
    }
}

impl Serialize for AuthorId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for AuthorId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(deserializer).map(AuthorId)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_order_key_cannot_sign_everything() {
        // The identity point as a public key, with R the identity and s 0: a "signature" that
        // a cofactorless check accepts for every message, which only strict checking refuses.
        let mut weak = [0; 32];
        weak[0] = 1;
        let mut signature = [0; 64];
        signature[0] = 1;
        for message in [&b"revoke every steward"[..], b"admit the thief"] {
            assert!(AuthorId(weak).verify(message, &signature).is_err());
        }
    }

    #[test]
    fn debug_output_names_the_key_and_never_shows_the_secret() {
        let secret = [7; 32];
        let keypair = Keypair::from_secret_bytes(&secret);
        let author = keypair.author();
        let shown = format!("{keypair:?}");
        assert_eq!(shown, format!("Keypair({author})"));
        assert!(!shown.contains(&hex::encode(secret)));
        let full = author.to_string();
        let short = author.short();
        let tail = short.strip_prefix('…').unwrap_or_default();
        assert_eq!(tail.chars().count(), 6, "{short}");
        assert!(full.ends_with(tail), "{full} / {short}");
        assert_eq!(format!("{author:?}"), format!("AuthorId({short})"));
    }

    #[test]
    fn author_id_is_the_libp2p_peer_id_of_the_same_key() {
        let keypair = Keypair::from_secret_bytes(&[1; 32]);
        let libp2p_peer = keypair.to_libp2p().public().to_peer_id();
        assert_eq!(keypair.author().peer_id(), libp2p_peer);
        assert!(keypair.author().to_string().starts_with("12D3KooW"));
        assert_eq!(AuthorId::from_peer_id(&libp2p_peer), Some(keypair.author()));
    }

    #[test]
    fn text_form_round_trips_and_rejects_garbage() {
        let author = Keypair::from_secret_bytes(&[2; 32]).author();
        assert_eq!(author.to_string().parse::<AuthorId>(), Ok(author));
        assert!("12D3KooWnotreally".parse::<AuthorId>().is_err());
        assert!("".parse::<AuthorId>().is_err());
        let json = serde_json::to_string(&author).unwrap();
        assert_eq!(serde_json::from_str::<AuthorId>(&json).unwrap(), author);
    }

    #[test]
    fn signatures_verify_only_for_the_signed_bytes_and_key() {
        let keypair = Keypair::from_secret_bytes(&[3; 32]);
        let other = Keypair::from_secret_bytes(&[4; 32]);
        let signature = keypair.sign(b"hello");
        assert_eq!(keypair.author().verify(b"hello", &signature), Ok(()));
        assert_eq!(
            keypair.author().verify(b"hellO", &signature),
            Err(Error::BadSignature)
        );
        assert_eq!(
            other.author().verify(b"hello", &signature),
            Err(Error::BadSignature)
        );
    }

    #[test]
    fn secret_bytes_restore_the_same_identity() {
        let keypair = Keypair::from_secret_bytes(&[5; 32]);
        let again = Keypair::from_secret_bytes(&keypair.secret_bytes());
        assert_eq!(keypair.author(), again.author());
    }
}
