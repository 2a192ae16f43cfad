//! Encryption at rest: the data key that seals what a node stores, and the passphrase that
//! seals the data key and the identity key in the key file.
//!
//! A passphrase is stretched with Argon2id (64 MiB, 3 passes: about a second on a weak laptop,
//! which a thief guessing passphrases pays for every guess). The result seals, with
//! XChaCha20-Poly1305, the 32-byte identity secret and a random 32-byte data key. Every stored
//! value that holds words or addresses is sealed with the data key, bound to where it is stored
//! (the associated data names the tree and the key), so a value moved elsewhere fails to open.
//! Random 24-byte nonces: XChaCha's nonce is long enough that random ones never repeat in
//! practice.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::error::{NodeError, Result};

/// Bytes of a nonce at the front of every sealed value.
pub const NONCE_BYTES: usize = 24;

/// Bytes a sealed value adds to its plaintext (nonce and tag).
pub const OVERHEAD_BYTES: usize = NONCE_BYTES + 16;

/// Argon2id cost used by `init`: memory in KiB, passes, lanes. Stored in the key file, so it can
/// be raised later without breaking folders made before.
pub const KDF_COST: KdfCost = KdfCost {
    memory_kib: 64 * 1024,
    passes: 3,
    lanes: 1,
};

/// The cost parameters of Argon2id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes over the memory.
    pub passes: u32,
    /// Degree of parallelism.
    pub lanes: u32,
}

/// A passphrase, wiped from memory when dropped.
pub type Passphrase = Zeroizing<String>;

/// The data key: seals and opens stored values.
#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// The vault for a 32-byte data key.
    pub fn new(key: &[u8; 32]) -> Vault {
        Vault {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Seals `plain`, bound to `context` (where it is stored): nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let nonce = random::<NONCE_BYTES>()?;
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| NodeError::Corrupt("a value could not be sealed"))?;
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value sealed by [`Vault::seal`] with the same `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < OVERHEAD_BYTES {
            return Err(NodeError::Corrupt("a sealed value is too short"));
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| NodeError::Corrupt("a sealed value does not open with this folder's key"))
    }
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| NodeError::Io {
        what: "the system's random number source failed".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(bytes)
}

/// The key that seals the key file, stretched from the passphrase.
pub fn stretch(passphrase: &str, salt: &[u8], cost: KdfCost) -> Result<Vault> {
    let params = Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32))
        .map_err(|_| NodeError::Corrupt("the key file's passphrase settings are not valid"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
        .map_err(|_| NodeError::Corrupt("the passphrase could not be stretched"))?;
    Ok(Vault::new(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_with_its_key() {
        let vault = Vault::new(&[1; 32]);
        let sealed = vault.seal(b"messages/abc", b"hello").unwrap();
        assert_eq!(sealed.len(), 5 + OVERHEAD_BYTES);
        assert_eq!(vault.open(b"messages/abc", &sealed).unwrap(), b"hello");
        assert!(vault.open(b"messages/abd", &sealed).is_err(), "moved");
        assert!(Vault::new(&[2; 32]).open(b"messages/abc", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert!(vault.open(b"messages/abc", &tampered).is_err());
        assert!(vault.open(b"messages/abc", &sealed[..10]).is_err());
        assert_ne!(
            vault.seal(b"x", b"hello").unwrap(),
            vault.seal(b"x", b"hello").unwrap()
        );
    }

    #[test]
    fn the_stretched_key_depends_on_passphrase_and_salt() {
        let cost = KdfCost {
            memory_kib: 64,
            passes: 1,
            lanes: 1,
        };
        let sealed = stretch("correct horse", b"saltsaltsaltsalt", cost)
            .unwrap()
            .seal(b"", b"data key")
            .unwrap();
        let again = stretch("correct horse", b"saltsaltsaltsalt", cost).unwrap();
        assert_eq!(again.open(b"", &sealed).unwrap(), b"data key");
        let wrong = stretch("correct horsf", b"saltsaltsaltsalt", cost).unwrap();
        assert!(wrong.open(b"", &sealed).is_err());
        let salted = stretch("correct horse", b"saltsaltsaltsalT", cost).unwrap();
        assert!(salted.open(b"", &sealed).is_err());
    }
}
