//! The names under which Sangam speaks on libp2p. The node wires them up; they live here so that
//! every implementation uses the same strings.

use crate::ids::NetworkId;

/// The request-response protocol id of catch-up sync. Each request and each response is one
/// postcard frame of at most [`crate::limits::MAX_SYNC_FRAME_BYTES`] bytes.
pub const SYNC_PROTOCOL: &str = "/sangam/sync/1";

/// The gossipsub topic of a network: `sangam/1/<network id in hex>`.
pub fn gossip_topic(network: &NetworkId) -> String {
    format!("sangam/1/{network}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_differ_per_network() {
        let a = gossip_topic(&NetworkId([1; 32]));
        assert_eq!(a, format!("sangam/1/{}", "01".repeat(32)));
        assert_ne!(a, gossip_topic(&NetworkId([2; 32])));
    }
}
