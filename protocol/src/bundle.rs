//! USB bundles: messages carried on a stick or a phone between nodes that cannot connect (a
//! district without internet for weeks). A bundle is one file: a header naming the network, the
//! node that wrote it and that node's version vector (so the return trip carries only the
//! difference), the messages as they travel on the wire, and the writer's signature over all of
//! it. Every message inside is still checked by the importing node exactly as sync checks it;
//! the signature only tells a damaged or altered file from a whole one (PROTOCOL.md §14).

use serde::{Deserialize, Serialize};

pub mod sealed;

use crate::error::Error;
use crate::identity::{AuthorId, Keypair};
use crate::ids::NetworkId;
use crate::sync::VersionVector;

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"SNGMBNDL";
/// The bundle format this code writes and reads.
pub const BUNDLE_VERSION: u8 = 1;
/// Most messages one bundle may hold.
pub const MAX_BUNDLE_MESSAGES: u64 = 2_000_000;
/// BLAKE3 `derive_key` context of a bundle's signed digest.
const SIGNED_CONTEXT: &str = "sangam 2026-12 usb bundle v1";

/// What a bundle says about itself.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BundleHeader {
    /// The format version.
    pub version: u8,
    /// The network its messages belong to.
    pub network: NetworkId,
    /// The node that wrote it.
    pub writer: AuthorId,
    /// When it was written (ms).
    pub written_at: u64,
    /// What the writer held when it wrote the bundle.
    pub vector: VersionVector,
    /// How many messages follow.
    pub count: u64,
}

/// A bundle read back: its header and the messages' wire bytes, in the order written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Bundle {
    /// The header.
    pub header: BundleHeader,
    /// The messages, as they travel on the wire.
    pub messages: Vec<Vec<u8>>,
}

fn push_framed(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut len = bytes.len() as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(bytes);
}

/// Reads a varint-framed piece from `bytes` at `*at`, moving `*at` past it.
fn take_framed<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8], Error> {
    let cut = Error::InvalidBundle("it is cut short: part of it is missing");
    let mut len: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or(cut.clone())?;
        *at += 1;
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            let len = usize::try_from(len).map_err(|_| cut.clone())?;
            let end = at.checked_add(len).ok_or(cut.clone())?;
            let piece = bytes.get(*at..end).ok_or(cut)?;
            *at = end;
            return Ok(piece);
        }
    }
    Err(Error::InvalidBundle("a length in it is not readable"))
}

/// The digest a bundle's signature covers: everything before the signature.
fn signed_digest(bytes: &[u8]) -> [u8; 32] {
    *blake3::Hasher::new_derive_key(SIGNED_CONTEXT)
        .update(bytes)
        .finalize()
        .as_bytes()
}

/// Writes a bundle of `messages` (wire bytes), signed by `writer`.
pub fn write_bundle(
    writer: &Keypair,
    network: NetworkId,
    written_at: u64,
    vector: VersionVector,
    messages: &[Vec<u8>],
) -> Vec<u8> {
    let header = BundleHeader {
        version: BUNDLE_VERSION,
        network,
        writer: writer.author(),
        written_at,
        vector,
        count: messages.len() as u64,
    };
    let mut out = MAGIC.to_vec();
    push_framed(&mut out, &postcard::to_stdvec(&header).unwrap_or_default());
    for message in messages {
        push_framed(&mut out, message);
    }
    let signature = writer.sign(&signed_digest(&out));
    out.extend_from_slice(&signature);
    out
}

/// Reads a bundle for `network`: the magic, a header this version understands, every message
/// frame, the writer's signature over all of it, and then the network. Says what is wrong in plain words; the
/// messages themselves are checked afterwards as sync checks them.
pub fn read_bundle(bytes: &[u8], network: &NetworkId) -> Result<Bundle, Error> {
    if !bytes.starts_with(MAGIC) {
        return Err(Error::InvalidBundle("it is not a Sangam bundle"));
    }
    let mut at = MAGIC.len();
    let header: BundleHeader = postcard::from_bytes(take_framed(bytes, &mut at)?)
        .map_err(|_| Error::InvalidBundle("its header is damaged"))?;
    if header.version != BUNDLE_VERSION {
        return Err(Error::InvalidBundle(
            "it was written by a newer version of Sangam",
        ));
    }
    if header.count > MAX_BUNDLE_MESSAGES {
        return Err(Error::InvalidBundle(
            "it claims more messages than a bundle may hold",
        ));
    }
    let mut messages = Vec::new();
    for _ in 0..header.count {
        messages.push(take_framed(bytes, &mut at)?.to_vec());
    }
    let signature: [u8; 64] = bytes
        .get(at..)
        .and_then(|rest| rest.try_into().ok())
        .ok_or(if bytes.len() < at + 64 {
            Error::InvalidBundle("it is cut short: part of it is missing")
        } else {
            Error::InvalidBundle("it has bytes after its end")
        })?;
    header
        .writer
        .verify(&signed_digest(&bytes[..at]), &signature)
        .map_err(|_| Error::InvalidBundle("it was damaged or altered after it was written"))?;
    // Only a whole bundle is judged by its network: a damaged one says it is damaged.
    if header.network != *network {
        return Err(Error::InvalidBundle("it belongs to another network"));
    }
    Ok(Bundle { header, messages })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Keypair, NetworkId, Vec<u8>) {
        let key = Keypair::from_secret_bytes(&[7; 32]);
        let network = NetworkId([3; 32]);
        let mut vector = VersionVector::new();
        vector.set(key.author(), 2);
        let bytes = write_bundle(&key, network, 1_000, vector, &[vec![1, 2, 3], vec![9; 300]]);
        (key, network, bytes)
    }

    #[test]
    fn a_bundle_reads_back_as_written() {
        let (key, network, bytes) = sample();
        let bundle = read_bundle(&bytes, &network).unwrap();
        assert_eq!(bundle.header.writer, key.author());
        assert_eq!(bundle.header.vector.get(&key.author()), 2);
        assert_eq!(bundle.messages, vec![vec![1, 2, 3], vec![9; 300]]);
    }

    #[test]
    fn cut_flipped_foreign_and_stray_bundles_say_what_is_wrong() {
        let (_, network, bytes) = sample();
        let said = |bytes: &[u8], network: &NetworkId| match read_bundle(bytes, network) {
            Err(Error::InvalidBundle(why)) => why,
            other => panic!("{other:?}"),
        };
        for cut in [bytes.len() - 1, bytes.len() - 70, 20, 9] {
            assert!(said(&bytes[..cut], &network).contains("cut short"), "{cut}");
        }
        for at in [40, bytes.len() - 100, bytes.len() - 1] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            let why = said(&flipped, &network);
            assert!(
                why.contains("damaged or altered") || why.contains("header"),
                "{at}: {why}"
            );
        }
        assert_eq!(
            said(&bytes, &NetworkId([4; 32])),
            "it belongs to another network"
        );
        assert_eq!(
            said(b"PK\x03\x04 a zip file", &network),
            "it is not a Sangam bundle"
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(said(&longer, &network), "it has bytes after its end");
    }
}
