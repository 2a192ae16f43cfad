//! Bundles sealed to named collectives: a lost stick reveals nothing but who it is for. The
//! plain bundle (signed, as §14 says) is locked whole with the same HPKE wrapping as sealed
//! messages; the outer header says it is sealed and for whom (PROTOCOL.md §15).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::take_framed;
use crate::error::Error;
use crate::identity::AuthorId;
use crate::ids::{ContentHash, EncryptionKey, NetworkId};
use crate::sealed::{LockParts, Lockbox, SealingSecret, WrappedKey, check_recipients, reader_slot};

/// The first bytes of a sealed bundle.
pub const SEALED_MAGIC: &[u8; 8] = b"SNGMSEAL";
/// The sealed bundle format this code writes and reads.
pub const SEALED_VERSION: u8 = 1;
/// HPKE `info` for a sealed bundle's wrapped keys.
pub const BUNDLE_INFO: &[u8] = b"sangam 2026-12 sealed bundle v1";
/// BLAKE3 `derive_key` context of the digest a sealed bundle's lock is bound to.
const BINDING_CONTEXT: &str = "sangam 2026-12 sealed bundle binding v1";

/// What a sealed bundle says about itself, in the clear.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SealedBundleHeader {
    /// The format version.
    pub version: u8,
    /// The network it belongs to.
    pub network: NetworkId,
    /// The node that wrote it (also a reader).
    pub writer: AuthorId,
    /// When it was written (ms).
    pub written_at: u64,
    /// Who may read it besides the writer: 1–8 collectives.
    pub recipients: Vec<AuthorId>,
    /// BLAKE3 commitment to the content key.
    pub commitment: ContentHash,
    /// The content key for each recipient in order, then for the writer.
    pub keys: Vec<WrappedKey>,
}

impl SealedBundleHeader {
    fn binding(&self) -> [u8; 32] {
        let fields = (
            self.version,
            &self.network,
            &self.writer,
            self.written_at,
            &self.recipients,
        );
        let encoded = postcard::to_stdvec(&fields).unwrap_or_default();
        blake3::derive_key(BINDING_CONTEXT, &encoded)
    }
}

/// Whether `bytes` are a sealed bundle (rather than a plain one).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(SEALED_MAGIC)
}

/// Who wrote a bundle and for whom it is sealed.
#[derive(Debug)]
pub struct SealBundle<'a> {
    /// The network.
    pub network: NetworkId,
    /// The writer and its own sealing key.
    pub writer: (AuthorId, EncryptionKey),
    /// When it was written (ms); the plain bundle inside says the same.
    pub written_at: u64,
    /// Its readers and their sealing keys.
    pub recipients: &'a [(AuthorId, EncryptionKey)],
}

impl SealBundle<'_> {
    /// Seals a plain bundle's bytes. `randomness` is
    /// [`crate::sealed::randomness_for`]`(recipients + 1)` bytes.
    pub fn seal(&self, plain: &[u8], randomness: &[u8]) -> Result<Vec<u8>, Error> {
        let recipients: Vec<AuthorId> = self.recipients.iter().map(|(id, _)| *id).collect();
        check_recipients(&recipients)?;
        let mut header = SealedBundleHeader {
            version: SEALED_VERSION,
            network: self.network,
            writer: self.writer.0,
            written_at: self.written_at,
            recipients,
            commitment: ContentHash([0; 32]),
            keys: Vec::new(),
        };
        let mut readers: Vec<EncryptionKey> = self.recipients.iter().map(|(_, k)| *k).collect();
        readers.push(self.writer.1);
        let lock = Lockbox::lock(BUNDLE_INFO, &header.binding(), &readers, plain, randomness)?;
        header.commitment = lock.commitment;
        header.keys = lock.keys;
        let mut out = SEALED_MAGIC.to_vec();
        super::push_framed(&mut out, &postcard::to_stdvec(&header).unwrap_or_default());
        super::push_framed(&mut out, &lock.ciphertext);
        Ok(out)
    }
}

/// Reads a sealed bundle's clear header (nothing in it is vouched for until it opens).
pub fn sealed_header(bytes: &[u8]) -> Result<SealedBundleHeader, Error> {
    Ok(split(bytes)?.0)
}

fn split(bytes: &[u8]) -> Result<(SealedBundleHeader, &[u8]), Error> {
    if !is_sealed(bytes) {
        return Err(Error::InvalidBundle("it is not a sealed Sangam bundle"));
    }
    let mut at = SEALED_MAGIC.len();
    let header: SealedBundleHeader = postcard::from_bytes(take_framed(bytes, &mut at)?)
        .map_err(|_| Error::InvalidBundle("its header is damaged"))?;
    if header.version != SEALED_VERSION {
        return Err(Error::InvalidBundle(
            "it was written by a newer version of Sangam",
        ));
    }
    let ciphertext = take_framed(bytes, &mut at)?;
    if at != bytes.len() {
        return Err(Error::InvalidBundle("it has bytes after its end"));
    }
    Ok((header, ciphertext))
}

/// Opens a sealed bundle as `reader`: the plain bundle's bytes, to be read with
/// [`super::read_bundle`] (which checks its signature and network).
pub fn open_bundle(
    bytes: &[u8],
    reader: &AuthorId,
    secret: &SealingSecret,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let (header, ciphertext) = split(bytes)?;
    let slot = reader_slot(&header.recipients, &header.writer, reader)
        .ok_or(Error::CannotOpen("it was sealed for other collectives"))?;
    let lock = LockParts {
        commitment: &header.commitment,
        keys: &header.keys,
        ciphertext,
    };
    lock.open(BUNDLE_INFO, &header.binding(), slot, secret)
        .map_err(|_| Error::InvalidBundle("it was damaged or altered after it was written"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::bundle::{read_bundle, write_bundle};
    use crate::identity::Keypair;
    use crate::sealed::{random_bytes, randomness_for};
    use crate::sync::VersionVector;

    fn reader(seed: u8) -> (Keypair, SealingSecret) {
        let key = Keypair::from_secret_bytes(&[seed; 32]);
        let secret = SealingSecret::of(&key);
        (key, secret)
    }

    fn sealed_sample() -> (Vec<u8>, Vec<u8>, NetworkId) {
        let (writer, writer_secret) = reader(1);
        let (utthan, utthan_secret) = reader(2);
        let network = NetworkId([3; 32]);
        let plain = write_bundle(
            &writer,
            network,
            1_000,
            VersionVector::new(),
            &[b"a message".to_vec(), vec![9; 300]],
        );
        let sealed = SealBundle {
            network,
            writer: (writer.author(), writer_secret.public()),
            written_at: 1_000,
            recipients: &[(utthan.author(), utthan_secret.public())],
        }
        .seal(&plain, &random_bytes(randomness_for(2)).unwrap())
        .unwrap();
        (plain, sealed, network)
    }

    #[test]
    fn readers_open_it_to_the_plain_bundle_and_others_cannot() {
        let (plain, sealed, network) = sealed_sample();
        assert!(is_sealed(&sealed) && !is_sealed(&plain));
        // The messages are not in the file.
        assert!(!sealed.windows(9).any(|w| w == b"a message"));
        for seed in [1, 2] {
            let (key, secret) = reader(seed);
            let opened = open_bundle(&sealed, &key.author(), &secret).unwrap();
            assert_eq!(&opened[..], &plain[..]);
            assert_eq!(read_bundle(&opened, &network).unwrap().messages.len(), 2);
        }
        let (stranger, secret) = reader(9);
        assert_eq!(
            open_bundle(&sealed, &stranger.author(), &secret),
            Err(Error::CannotOpen("it was sealed for other collectives"))
        );
        let header = sealed_header(&sealed).unwrap();
        assert_eq!(header.recipients, vec![reader(2).0.author()]);
    }

    #[test]
    fn cut_flipped_or_relabelled_sealed_bundles_do_not_open() {
        let (_, sealed, _) = sealed_sample();
        let (utthan, secret) = reader(2);
        for cut in [sealed.len() - 1, 30, 8] {
            assert!(matches!(
                open_bundle(&sealed[..cut], &utthan.author(), &secret),
                Err(Error::InvalidBundle(_))
            ));
        }
        for at in [sealed.len() - 1, sealed.len() - 200] {
            let mut flipped = sealed.clone();
            flipped[at] ^= 1;
            assert_eq!(
                open_bundle(&flipped, &utthan.author(), &secret),
                Err(Error::InvalidBundle(
                    "it was damaged or altered after it was written"
                ))
            );
        }
        // Changing the clear header's time (bound into the lock) makes it fail too.
        let (mut header, ciphertext) = split(&sealed).unwrap();
        header.written_at += 1;
        let mut relabelled = SEALED_MAGIC.to_vec();
        super::super::push_framed(&mut relabelled, &postcard::to_stdvec(&header).unwrap());
        super::super::push_framed(&mut relabelled, ciphertext);
        assert!(open_bundle(&relabelled, &utthan.author(), &secret).is_err());
    }
}
