//! The names under which Sangam speaks on libp2p. The node wires them up; they live here so that
//! every implementation uses the same strings.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::NetworkId;
use crate::limits::MAX_PROOF_ADMITS;
use crate::membership::AdmissionProof;

/// BLAKE3 `derive_key` context for a network's protocol ids.
pub const PROTOCOL_IDS_CONTEXT: &str = "sangam 2026-12 protocol ids v1";

/// The libp2p protocol ids a network speaks. They are derived from the network id, so a scanner
/// that proposes protocol names to every address it finds learns nothing, and no string a
/// stranger can see says "sangam".
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProtocolIds {
    /// The membership hello (request-response).
    pub hello: String,
    /// Catch-up sync (request-response).
    pub sync: String,
    /// Kademlia between members.
    pub kad: String,
}

impl ProtocolIds {
    /// The ids of `network`: `/<tag>/hello/2`, `/<tag>/sync/2`, `/<tag>/kad/2`, where `<tag>` is
    /// the first 16 bytes, in hex, of BLAKE3 `derive_key` with [`PROTOCOL_IDS_CONTEXT`] over the
    /// network id.
    pub fn of(network: &NetworkId) -> ProtocolIds {
        let key = blake3::derive_key(PROTOCOL_IDS_CONTEXT, network.as_bytes());
        let tag: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
        ProtocolIds {
            hello: format!("/{tag}/hello/2"),
            sync: format!("/{tag}/sync/2"),
            kad: format!("/{tag}/kad/2"),
        }
    }
}
/// Largest message a proof may hold: a genesis or an admission is well under 1 KiB (names are at
/// most 80 characters); a founder vote with a 1,000-character reason in Devanagari is under
/// 5 KiB.
pub const MAX_PROOF_ENTRY_BYTES: usize = 5 * 1024;
/// Largest hello frame accepted: a proof of the longest allowed chain, near the size of a real
/// one rather than of full-size messages, so a stranger cannot make a node buffer much.
pub const MAX_HELLO_BYTES: usize = (MAX_PROOF_ADMITS + 1) * (MAX_PROOF_ENTRY_BYTES + 4) + 64;

/// Sent on a new connection, only to peers already known to be members: "I am in network
/// `network`, and here is my admission, in case you have not heard of it yet."
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Hello {
    /// The sender's network.
    pub network: NetworkId,
    /// The sender's admission proof (absent for the founder).
    pub proof: Option<AdmissionProof>,
}

/// The answer to a [`Hello`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum HelloReply {
    /// The sender was already known as a member (tag 0).
    Welcome,
    /// The sender was not known but its proof holds: gated protocols open to it from its next
    /// connection, which the dialling side opens (tag 1).
    Admitted,
    /// The sender is not a member; the connection will be closed (tag 2).
    Refused,
}

fn decode_exact<'a, T: Deserialize<'a>>(bytes: &'a [u8], max: usize) -> Result<T, Error> {
    if bytes.len() > max {
        return Err(Error::Oversized {
            size: bytes.len(),
            max,
        });
    }
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(Error::Malformed("hello frame is cut short or invalid")),
    }
}

impl Hello {
    /// Wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads a hello, checking its size.
    pub fn decode(bytes: &[u8]) -> Result<Hello, Error> {
        let hello: Hello = decode_exact(bytes, MAX_HELLO_BYTES)?;
        if let Some(proof) = &hello.proof {
            if proof.admits.len() > MAX_PROOF_ADMITS {
                return Err(Error::InvalidProof("the chain of admissions is too long"));
            }
            let longest = proof.admits.iter().map(Vec::len).max().unwrap_or(0);
            if longest.max(proof.genesis.len()) > MAX_PROOF_ENTRY_BYTES {
                return Err(Error::InvalidProof(
                    "it holds a message larger than any admission",
                ));
            }
        }
        Ok(hello)
    }
}

impl HelloReply {
    /// Wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads a hello reply.
    pub fn decode(bytes: &[u8]) -> Result<HelloReply, Error> {
        decode_exact(bytes, 16)
    }
}

/// The gossipsub topic of a network: `sangam/1/<network id in hex>`.
pub fn gossip_topic(network: &NetworkId) -> String {
    format!("sangam/1/{network}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_ids_differ_per_network_and_name_no_sangam() {
        let a = ProtocolIds::of(&NetworkId([1; 32]));
        let b = ProtocolIds::of(&NetworkId([2; 32]));
        assert_ne!(a, b);
        for id in [&a.hello, &a.sync, &a.kad] {
            assert!(!id.contains("sangam"), "{id}");
            assert_eq!(id.split('/').nth(1).map(str::len), Some(32), "{id}");
        }
    }

    #[test]
    fn a_hello_is_bounded_near_the_size_of_a_real_proof() {
        let hello = |entry: usize, entries: usize| Hello {
            network: NetworkId([1; 32]),
            proof: Some(AdmissionProof {
                genesis: vec![0; 300],
                admits: vec![vec![0; entry]; entries],
            }),
        };
        // Shape only (whether the proof holds is checked later): a long chain of small
        // admissions passes, one oversized entry or one entry too many does not.
        assert!(Hello::decode(&hello(600, MAX_PROOF_ADMITS).encode()).is_ok());
        assert!(matches!(
            Hello::decode(&hello(MAX_PROOF_ENTRY_BYTES + 1, 1).encode()),
            Err(Error::InvalidProof(_))
        ));
        assert!(matches!(
            Hello::decode(&hello(10, MAX_PROOF_ADMITS + 1).encode()),
            Err(Error::InvalidProof(_))
        ));
        // The frame bound itself: 46 KiB, not the 147 KiB of full-size messages.
        const { assert!(MAX_HELLO_BYTES < 48 * 1024) };
        let huge = vec![0u8; MAX_HELLO_BYTES + 1];
        assert!(matches!(Hello::decode(&huge), Err(Error::Oversized { .. })));
    }

    #[test]
    fn topics_differ_per_network() {
        let a = gossip_topic(&NetworkId([1; 32]));
        assert_eq!(a, format!("sangam/1/{}", "01".repeat(32)));
        assert_ne!(a, gossip_topic(&NetworkId([2; 32])));
    }
}
