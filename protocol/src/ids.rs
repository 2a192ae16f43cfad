//! 32-byte identifiers: message ids, network ids and content hashes.
//!
//! On the wire (postcard) they are 32 raw bytes; in JSON and on screen they are lowercase hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Turns 64 hex digits into 32 bytes.
pub(crate) fn parse_hex32(text: &str, what: &'static str) -> Result<[u8; 32], Error> {
    let bad = |detail| Error::InvalidText { what, detail };
    let text = text.trim();
    if text.len() != 64 {
        return Err(bad("it must be 64 hexadecimal characters"));
    }
    let mut out = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi * 16 + lo) as u8,
            _ => return Err(bad("it must contain only 0-9 and a-f")),
        }
    }
    Ok(out)
}

macro_rules! id32 {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The raw 32 bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// The first 8 hex digits, for places where space is short.
            pub fn short(&self) -> String {
                self.to_string()[..8].to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for byte in self.0 {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.short())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                parse_hex32(text, $what).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.collect_str(self)
                } else {
                    self.0.serialize(serializer)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    let text = String::deserialize(deserializer)?;
                    text.parse().map_err(serde::de::Error::custom)
                } else {
                    <[u8; 32]>::deserialize(deserializer).map($name)
                }
            }
        }
    };
}

id32!(
    /// A message's id: BLAKE3 of its signed header bytes.
    MessageId,
    "message id"
);
id32!(
    /// A network's id, derived from its founder's key and genesis body.
    NetworkId,
    "network id"
);
id32!(
    /// An X25519 public key: a collective's key for sealed messages, or the one-time key of one
    /// wrapped content key.
    EncryptionKey,
    "encryption key"
);
id32!(
    /// BLAKE3 hash of some content (a message body, an attached file).
    ContentHash,
    "content hash"
);

impl ContentHash {
    /// BLAKE3 of `bytes`.
    pub fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(*blake3::hash(bytes).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let id = MessageId([0xab; 32]);
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<MessageId>(), Ok(id));
        assert!("xyz".parse::<MessageId>().is_err());
        assert!("zz".repeat(32).parse::<MessageId>().is_err());
        assert!("é".repeat(32).parse::<NetworkId>().is_err());
    }

    #[test]
    fn json_is_hex_and_postcard_is_raw() {
        let id = NetworkId([7; 32]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", "07".repeat(32)));
        assert_eq!(serde_json::from_str::<NetworkId>(&json).unwrap(), id);
        let raw = postcard::to_stdvec(&id).unwrap();
        assert_eq!(raw, vec![7; 32]);
        assert_eq!(postcard::from_bytes::<NetworkId>(&raw).unwrap(), id);
    }
}
