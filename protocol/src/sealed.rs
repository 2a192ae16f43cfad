//! Sealed messages: a body only named collectives can open, under a header everyone can check.
//!
//! Each collective publishes an X25519 key (a [`SealingKey`] message, kind 14). A [`Sealed`]
//! message (kind 15) names 1–8 recipients, says what kind of body it hides (an announcement, an
//! offer or a resource) and, for an offer, which request it answers. The body is encrypted once
//! under a fresh content key; that key is wrapped for each recipient and for the author with
//! HPKE (RFC 9180, base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). The
//! message stays signed like any other, so it is stored, synced and counted everywhere, while
//! only its readers learn the words (PROTOCOL.md §15). Sealing and opening a body are in
//! [`crate::seal`]; this module holds what the bodies are made of.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hpke::kem::X25519HkdfSha256;
use hpke::rand_core::{TryCryptoRng, TryRng};
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::identity::{AuthorId, Keypair};
use crate::ids::{ContentHash, EncryptionKey, MessageId, NetworkId};
use crate::kind::Kind;

/// Most recipients a sealed message or bundle may name.
pub const MAX_RECIPIENTS: usize = 8;
/// Bytes of one wrapped content key: the 32-byte key and HPKE's 16-byte tag.
pub const WRAPPED_KEY_BYTES: usize = 48;
/// The plaintext is padded to a multiple of this many bytes, so lengths say little.
pub const PADDING: usize = 64;

/// BLAKE3 `derive_key` context turning an identity secret into its sealing key's input.
const KEY_CONTEXT: &str = "sangam 2026-12 sealing key v1";
/// BLAKE3 `derive_key` context of the digest every lock is bound to.
const BINDING_CONTEXT: &str = "sangam 2026-12 sealed binding v1";
/// BLAKE3 `derive_key` context of the commitment to the content key.
const COMMITMENT_CONTEXT: &str = "sangam 2026-12 sealed commitment v1";
/// HPKE `info` for a sealed message's wrapped keys.
pub const MESSAGE_INFO: &[u8] = b"sangam 2026-12 sealed message v1";

/// A collective's public key for sealed messages (kind 14). The latest one an author published
/// is the one others seal to.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SealingKey {
    /// The X25519 public key.
    pub key: EncryptionKey,
}

/// The content key wrapped for one reader.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WrappedKey {
    /// HPKE's encapsulated key (an X25519 public key made for this one wrap).
    pub enc: EncryptionKey,
    /// The content key sealed to the reader (48 bytes).
    #[serde(with = "hex_bytes")]
    pub key: Vec<u8>,
}

/// A message only its recipients (and its author) can read (kind 15).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Sealed {
    /// Who may read it: 1–8 collectives, each once.
    pub recipients: Vec<AuthorId>,
    /// The kind of the hidden body: announcement, offer or resource.
    pub inner_kind: Kind,
    /// For an offer, the request it answers (public, so every node counts the answer).
    pub reference: Option<MessageId>,
    /// BLAKE3 commitment to the content key: every reader opens the same words.
    pub commitment: ContentHash,
    /// The content key for each recipient in order, then for the author.
    pub keys: Vec<WrappedKey>,
    /// The padded body, encrypted under the content key.
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

/// What may be sealed.
pub const SEALABLE: [Kind; 3] = [Kind::Announcement, Kind::Offer, Kind::Resource];

impl Sealed {
    /// Checks the public structure: recipients, inner kind, reference, one wrap per reader.
    pub fn check_fields(&self) -> Result<(), Error> {
        check_recipients(&self.recipients)?;
        if !SEALABLE.contains(&self.inner_kind) {
            return Err(Error::InvalidField {
                field: "sealed kind",
                detail: "only an announcement, an offer or a resource can be sealed",
            });
        }
        if self.reference.is_some() != (self.inner_kind == Kind::Offer) {
            return Err(Error::InvalidField {
                field: "sealed reference",
                detail: "a sealed offer names its request, and nothing else names one",
            });
        }
        check_wraps(&self.keys, self.recipients.len() + 1)?;
        if self.ciphertext.len() < PADDING + 16
            || !(self.ciphertext.len() - 16).is_multiple_of(PADDING)
        {
            return Err(Error::InvalidField {
                field: "sealed body",
                detail: "its length is not a padded body's",
            });
        }
        Ok(())
    }

    /// Every collective that can read it: the recipients, then the author.
    pub fn readers(&self, author: &AuthorId) -> Vec<AuthorId> {
        let mut readers = self.recipients.clone();
        readers.push(*author);
        readers
    }

    /// Whether `reader` can open it (a recipient or its author).
    pub fn is_for(&self, author: &AuthorId, reader: &AuthorId) -> bool {
        reader_slot(&self.recipients, author, reader).is_some()
    }

    /// Its lockbox, to open in place.
    pub(crate) fn lock(&self) -> LockParts<'_> {
        LockParts {
            commitment: &self.commitment,
            keys: &self.keys,
            ciphertext: &self.ciphertext,
        }
    }

    /// The digest every wrap and the body are bound to: the network, the author and the public
    /// fields, so a copy under another author or with other recipients does not open.
    pub(crate) fn binding(&self, network: &NetworkId, author: &AuthorId) -> [u8; 32] {
        binding(
            network,
            author,
            &self.recipients,
            self.inner_kind,
            self.reference,
        )
    }
}

pub(crate) fn binding(
    network: &NetworkId,
    author: &AuthorId,
    recipients: &[AuthorId],
    inner_kind: Kind,
    reference: Option<MessageId>,
) -> [u8; 32] {
    let fields = (network, author, recipients, inner_kind, reference);
    let encoded = postcard::to_stdvec(&fields).unwrap_or_default();
    blake3::derive_key(BINDING_CONTEXT, &encoded)
}

/// Where `reader`'s wrapped key is: its place among `recipients`, or the last one when it is
/// the writer (the same rule for sealed messages and sealed bundles).
pub(crate) fn reader_slot(
    recipients: &[AuthorId],
    writer: &AuthorId,
    reader: &AuthorId,
) -> Option<usize> {
    if reader == writer {
        Some(recipients.len())
    } else {
        recipients.iter().position(|r| r == reader)
    }
}

/// Recipients: 1–8 collectives, none twice.
pub(crate) fn check_recipients(recipients: &[AuthorId]) -> Result<(), Error> {
    let mut sorted = recipients.to_vec();
    sorted.sort();
    sorted.dedup();
    if recipients.is_empty()
        || recipients.len() > MAX_RECIPIENTS
        || sorted.len() != recipients.len()
    {
        return Err(Error::InvalidField {
            field: "recipients",
            detail: "1 to 8 different collectives",
        });
    }
    Ok(())
}

fn check_wraps(keys: &[WrappedKey], readers: usize) -> Result<(), Error> {
    if keys.len() != readers || keys.iter().any(|k| k.key.len() != WRAPPED_KEY_BYTES) {
        return Err(Error::InvalidField {
            field: "sealed keys",
            detail: "one 48-byte wrapped key per recipient and one for the author",
        });
    }
    Ok(())
}

/// A collective's secret for opening sealed messages. Derived from its identity secret, so the
/// key file holds nothing new (PROTOCOL.md §15 argues why that is sound).
pub struct SealingSecret {
    secret: <X25519HkdfSha256 as Kem>::PrivateKey,
    public: EncryptionKey,
}

impl SealingSecret {
    /// The sealing secret of an identity.
    pub fn of(keypair: &Keypair) -> SealingSecret {
        let ikm = Zeroizing::new(blake3::derive_key(KEY_CONTEXT, &keypair.secret_bytes()[..]));
        let (secret, public) = X25519HkdfSha256::derive_keypair(&ikm[..]);
        let mut key = [0; 32];
        key.copy_from_slice(&public.to_bytes());
        SealingSecret {
            secret,
            public: EncryptionKey(key),
        }
    }

    /// The public key others seal to.
    pub fn public(&self) -> EncryptionKey {
        self.public
    }
}

impl std::fmt::Debug for SealingSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealingSecret({})", self.public.short())
    }
}

/// Randomness handed to HPKE: drawn beforehand (so a failing system source is an error, not a
/// panic inside the library), or fixed for test vectors.
struct Drawn<'a> {
    bytes: &'a [u8],
    short: bool,
}

impl TryRng for Drawn<'_> {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut buf = [0; 4];
        self.try_fill_bytes(&mut buf)?;
        Ok(u32::from_le_bytes(buf))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut buf = [0; 8];
        self.try_fill_bytes(&mut buf)?;
        Ok(u64::from_le_bytes(buf))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        match self.bytes.split_at_checked(dst.len()) {
            Some((now, rest)) => {
                dst.copy_from_slice(now);
                self.bytes = rest;
            }
            None => self.short = true,
        }
        Ok(())
    }
}

impl TryCryptoRng for Drawn<'_> {}

/// Fresh random bytes from the operating system.
pub fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut bytes = Zeroizing::new(vec![0; len]);
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::CannotSeal("the system gave no random numbers"))?;
    Ok(bytes)
}

/// How many random bytes sealing to `readers` takes: the content key, then one ephemeral
/// secret per reader.
pub fn randomness_for(readers: usize) -> usize {
    32 + 32 * readers
}

/// A body encrypted once under a content key, with that key wrapped for each reader: the part
/// sealed messages and sealed bundles share.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Lockbox {
    /// BLAKE3 commitment to the content key.
    pub commitment: ContentHash,
    /// The content key for each reader.
    pub keys: Vec<WrappedKey>,
    /// The plaintext encrypted under the content key (ChaCha20-Poly1305, nonce zero: the key
    /// is used once).
    pub ciphertext: Vec<u8>,
}

impl Lockbox {
    /// Locks `plaintext` for `readers`, bound to `binding`. `randomness` is
    /// [`randomness_for`]`(readers.len())` bytes: the content key, then each wrap's ephemeral
    /// secret.
    pub fn lock(
        info: &[u8],
        binding: &[u8; 32],
        readers: &[EncryptionKey],
        plaintext: &[u8],
        randomness: &[u8],
    ) -> Result<Lockbox, Error> {
        let (content_key, ephemeral) = randomness
            .split_at_checked(32)
            .ok_or(Error::CannotSeal("not enough randomness"))?;
        let mut rng = Drawn {
            bytes: ephemeral,
            short: false,
        };
        let mut keys = Vec::with_capacity(readers.len());
        for reader in readers {
            let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(reader.as_bytes())
                .map_err(|_| Error::CannotSeal("a reader's sealing key is not a valid key"))?;
            let (enc, wrapped) = hpke::single_shot_seal_with_rng::<
                hpke::aead::ChaCha20Poly1305,
                hpke::kdf::HkdfSha256,
                X25519HkdfSha256,
            >(
                &OpModeS::Base,
                &public,
                info,
                content_key,
                binding,
                &mut rng,
            )
            .map_err(|_| Error::CannotSeal("a reader's sealing key is not a valid key"))?;
            let mut enc_bytes = [0; 32];
            enc_bytes.copy_from_slice(&enc.to_bytes());
            keys.push(WrappedKey {
                enc: EncryptionKey(enc_bytes),
                key: wrapped,
            });
        }
        if rng.short {
            return Err(Error::CannotSeal("not enough randomness"));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(content_key));
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&[0; 12]),
                Payload {
                    msg: plaintext,
                    aad: binding,
                },
            )
            .map_err(|_| Error::CannotSeal("the words could not be encrypted"))?;
        Ok(Lockbox {
            commitment: ContentHash(blake3::derive_key(COMMITMENT_CONTEXT, content_key)),
            keys,
            ciphertext,
        })
    }
}

/// A lockbox's parts where they are held (a message body, a bundle file), opened without
/// copying them.
#[derive(Clone, Copy, Debug)]
pub struct LockParts<'a> {
    /// BLAKE3 commitment to the content key.
    pub commitment: &'a ContentHash,
    /// The content key for each reader.
    pub keys: &'a [WrappedKey],
    /// The plaintext encrypted under the content key.
    pub ciphertext: &'a [u8],
}

impl LockParts<'_> {
    /// Opens the lockbox with the wrap at `slot`.
    pub fn open(
        &self,
        info: &[u8],
        binding: &[u8; 32],
        slot: usize,
        secret: &SealingSecret,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let wrap = self
            .keys
            .get(slot)
            .ok_or(Error::CannotOpen("it was not sealed for this collective"))?;
        let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(wrap.enc.as_bytes())
            .map_err(|_| Error::CannotOpen("its key for this collective is damaged"))?;
        let content_key = Zeroizing::new(
            hpke::single_shot_open::<
                hpke::aead::ChaCha20Poly1305,
                hpke::kdf::HkdfSha256,
                X25519HkdfSha256,
            >(
                &OpModeR::Base,
                &secret.secret,
                &enc,
                info,
                &wrap.key,
                binding,
            )
            .map_err(|_| {
                Error::CannotOpen("its key for this collective does not open with this key")
            })?,
        );
        if content_key.len() != 32
            || blake3::derive_key(COMMITMENT_CONTEXT, &content_key) != self.commitment.0
        {
            return Err(Error::CannotOpen(
                "its readers were given different keys (a forgery)",
            ));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&content_key));
        cipher
            .decrypt(
                Nonce::from_slice(&[0; 12]),
                Payload {
                    msg: self.ciphertext,
                    aad: binding,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::CannotOpen("its words were altered"))
    }
}

/// `bytes` with its length in front (u32, little-endian) and zeros to a multiple of
/// [`PADDING`].
pub fn pad(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() + 4 + PADDING));
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
    let padded = out.len().div_ceil(PADDING) * PADDING;
    out.resize(padded, 0);
    out
}

/// The bytes [`pad`] padded; the padding must be zeros.
pub fn unpad(padded: &[u8]) -> Result<&[u8], Error> {
    let damaged = Error::CannotOpen("its words are damaged");
    let (len, rest) = padded.split_at_checked(4).ok_or(damaged.clone())?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let (bytes, zeros) = rest.split_at_checked(len).ok_or(damaged.clone())?;
    if zeros.len() >= PADDING || zeros.iter().any(|b| *b != 0) {
        return Err(damaged);
    }
    Ok(bytes)
}

/// Byte strings as hex in JSON, raw in postcard.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&hex::encode(bytes))
        } else {
            serializer.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            hex::decode(text).map_err(serde::de::Error::custom)
        } else {
            serde_bytes_vec(deserializer)
        }
    }

    fn serde_bytes_vec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        deserializer.deserialize_byte_buf(Visitor)
    }
}
