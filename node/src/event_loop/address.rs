//! Which addresses a peer claims are worth dialling: never a loopback address of another host,
//! never a link-local one, a private one only when the peer is reached on that same private
//! network. Dialling a claimed `127.0.0.1` reaches this laptop's own daemon (or another program
//! on it); a claimed `192.168.1.7` from someone on another home network reaches a stranger on
//! this one and tells it a libp2p node is here. No sockets: addresses in, a yes or no out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};

/// Where an address leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// This host only.
    Loopback,
    /// Nowhere useful: unspecified, link-local, multicast, documentation.
    Nowhere,
    /// A private network, identified by its prefix (IPv4 /24, IPv6 /64).
    Private(IpAddr),
    /// Anywhere (a public address, a DNS name, a relayed circuit).
    Public,
}

/// Where `address` leads (for a relayed address: where its relay is).
pub(super) fn reach(address: &Multiaddr) -> Reach {
    match address.iter().next() {
        Some(Protocol::Ip4(ip)) => reach_v4(ip),
        Some(Protocol::Ip6(ip)) => reach_v6(ip),
        Some(Protocol::Dns(_) | Protocol::Dns4(_) | Protocol::Dns6(_)) => Reach::Public,
        _ => Reach::Nowhere,
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_unspecified()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
    {
        Reach::Nowhere
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // RFC 1918 and carrier-grade NAT space (100.64/10): reachable only from inside.
        Reach::Private(IpAddr::V4(Ipv4Addr::new(a, b, c, 0)))
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    let segments = ip.segments();
    if ip.is_loopback() {
        Reach::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() || (segments[0] & 0xffc0) == 0xfe80 {
        Reach::Nowhere
    } else if let Some(v4) = ip.to_ipv4_mapped() {
        reach_v4(v4)
    } else if (segments[0] & 0xfe00) == 0xfc00 {
        // Unique local addresses (fc00::/7): a private network.
        let prefix = Ipv6Addr::new(
            segments[0],
            segments[1],
            segments[2],
            segments[3],
            0,
            0,
            0,
            0,
        );
        Reach::Private(IpAddr::V6(prefix))
    } else {
        Reach::Public
    }
}

/// Whether to keep and dial `claimed`, an address a peer says it listens on, given the address
/// this node reaches that peer at now (`seen_at`, if known) and this node's own listen
/// addresses (never dialled: that would be this node itself).
pub(super) fn worth_dialling(
    claimed: &Multiaddr,
    seen_at: Option<&Multiaddr>,
    own: &[Multiaddr],
) -> bool {
    if own.iter().any(|mine| same_socket(mine, claimed)) {
        return false;
    }
    let seen = seen_at.map(reach);
    let relayed = claimed.iter().any(|p| matches!(p, Protocol::P2pCircuit));
    match reach(claimed) {
        Reach::Public => true,
        Reach::Nowhere => false,
        // Only a peer on this very host (reached over loopback) can be reached at loopback,
        // through a relay or not.
        Reach::Loopback => seen == Some(Reach::Loopback),
        // Only a peer reached on that same private network; through a relay on a private
        // network (a hub on the LAN), any member: the relay's own connection decides.
        Reach::Private(net) => relayed || seen == Some(Reach::Private(net)),
    }
}

/// `addresses` with at most one relayed address per relay, the one with the best-placed relay
/// address: a relay listening on four addresses gives each member four relayed ones, but a
/// dial through a relay uses whatever connection to it is open, and each extra one costs a
/// circuit request.
pub(super) fn one_circuit_per_relay(addresses: Vec<Multiaddr>) -> Vec<Multiaddr> {
    let rank = |a: &Multiaddr| match reach(a) {
        Reach::Public => 0,
        Reach::Private(_) => 1,
        _ => 2,
    };
    let mut relayed: Vec<(Multiaddr, Multiaddr)> = Vec::new();
    let mut kept = Vec::new();
    for address in addresses {
        let Some(relay) = relay_part(&address) else {
            kept.push(address);
            continue;
        };
        match relayed.iter_mut().find(|(r, _)| same_relay(r, &relay)) {
            Some((_, best)) if rank(&address) < rank(best) => *best = address,
            Some(_) => {}
            None => relayed.push((relay, address)),
        }
    }
    kept.extend(relayed.into_iter().map(|(_, address)| address));
    kept
}

/// `addresses` without those relayed through `me`: a dial of one would go out to this node's
/// own relay and back. Such addresses are still kept and passed on (they are how other members
/// reach that peer); an address book or an invite from before may hold some.
pub(super) fn not_through(me: &PeerId, addresses: Vec<Multiaddr>) -> Vec<Multiaddr> {
    addresses
        .into_iter()
        .filter(|a| relay_part(a).and_then(|relay| first_id(&relay)) != Some(*me))
        .collect()
}

/// The part of a relayed address before `/p2p-circuit` (the relay's address and id).
fn relay_part(address: &Multiaddr) -> Option<Multiaddr> {
    let mut relay = Multiaddr::empty();
    for part in address.iter() {
        if matches!(part, Protocol::P2pCircuit) {
            return Some(relay);
        }
        relay.push(part);
    }
    None
}

/// The first peer id an address names (a relay's, in a relayed address).
fn first_id(address: &Multiaddr) -> Option<PeerId> {
    address.iter().find_map(|p| match p {
        Protocol::P2p(peer) => Some(peer),
        _ => None,
    })
}

/// Whether two relay addresses name the same relay (by its id).
fn same_relay(a: &Multiaddr, b: &Multiaddr) -> bool {
    first_id(a).is_some() && first_id(a) == first_id(b)
}

/// Whether two addresses name the same IP and port (the `/p2p/…` part aside).
fn same_socket(a: &Multiaddr, b: &Multiaddr) -> bool {
    let socket = |m: &Multiaddr| -> Vec<Protocol<'static>> {
        m.iter()
            .filter(|p| !matches!(p, Protocol::P2p(_)))
            .map(|p| p.acquire())
            .collect()
    };
    socket(a) == socket(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(text: &str) -> Multiaddr {
        text.parse().unwrap()
    }

    #[test]
    fn loopback_only_for_a_peer_on_this_host() {
        let claimed = a("/ip4/127.0.0.1/tcp/4001");
        assert!(worth_dialling(
            &claimed,
            Some(&a("/ip4/127.0.0.1/tcp/5000")),
            &[]
        ));
        assert!(!worth_dialling(
            &claimed,
            Some(&a("/ip4/203.0.113.9/tcp/5000")),
            &[]
        ));
        assert!(!worth_dialling(&claimed, None, &[]));
        assert!(!worth_dialling(
            &a("/ip6/::1/tcp/4001"),
            Some(&a("/ip4/8.8.8.8/tcp/1")),
            &[]
        ));
    }

    #[test]
    fn private_only_on_the_same_private_network() {
        let claimed = a("/ip4/192.168.1.7/tcp/4001");
        assert!(worth_dialling(
            &claimed,
            Some(&a("/ip4/192.168.1.20/tcp/9")),
            &[]
        ));
        // Another home that happens to use 192.168.1.0/24 too is reached over the internet.
        assert!(!worth_dialling(
            &claimed,
            Some(&a("/ip4/49.36.10.4/tcp/9")),
            &[]
        ));
        assert!(!worth_dialling(
            &claimed,
            Some(&a("/ip4/192.168.2.20/tcp/9")),
            &[]
        ));
        assert!(
            !worth_dialling(&a("/ip4/100.72.1.1/tcp/1"), None, &[]),
            "carrier NAT space"
        );
        let ula = a("/ip6/fd00:1:2:3::5/udp/4001/quic-v1");
        assert!(worth_dialling(
            &ula,
            Some(&a("/ip6/fd00:1:2:3::9/tcp/1")),
            &[]
        ));
        assert!(!worth_dialling(
            &ula,
            Some(&a("/ip6/fd00:1:2:4::9/tcp/1")),
            &[]
        ));
    }

    #[test]
    fn never_link_local_or_unspecified_and_never_oneself() {
        let seen = a("/ip4/127.0.0.1/tcp/1");
        for nowhere in [
            "/ip4/169.254.3.4/tcp/1",
            "/ip6/fe80::1/tcp/1",
            "/ip4/0.0.0.0/tcp/1",
        ] {
            assert!(!worth_dialling(&a(nowhere), Some(&seen), &[]), "{nowhere}");
        }
        let own = [a(
            "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3",
        )];
        assert!(!worth_dialling(
            &a("/ip4/127.0.0.1/tcp/4001"),
            Some(&seen),
            &own
        ));
        assert!(worth_dialling(
            &a("/ip4/127.0.0.1/tcp/4002"),
            Some(&seen),
            &own
        ));
    }

    #[test]
    fn public_relayed_and_named_addresses_are_kept() {
        for public in [
            "/ip4/49.36.10.4/tcp/4001",
            "/ip6/2409:4060::1/udp/4001/quic-v1",
            "/dns4/hub.example.org/tcp/4001",
            "/ip4/10.0.0.1/tcp/1/p2p/12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3/p2p-circuit",
        ] {
            assert!(worth_dialling(&a(public), None, &[]), "{public}");
        }
    }

    #[test]
    fn a_relayed_address_leads_where_its_relay_is() {
        let relay = "/p2p/12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3/p2p-circuit";
        let via_loopback = a(&format!("/ip4/127.0.0.1/tcp/1{relay}"));
        assert_eq!(reach(&via_loopback), Reach::Loopback);
        assert!(!worth_dialling(
            &via_loopback,
            Some(&a("/ip4/49.36.10.4/tcp/9")),
            &[]
        ));
        assert!(!worth_dialling(
            &a(&format!("/ip6/fe80::1/tcp/1{relay}")),
            None,
            &[]
        ));
    }

    #[test]
    fn never_through_ones_own_relay() {
        let me: PeerId = "12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3"
            .parse()
            .unwrap();
        let other = "/p2p/12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";
        let through_me = a(&format!(
            "/ip6/2409:4060::1/tcp/9/p2p/{me}/p2p-circuit{other}"
        ));
        let through_other = a(&format!(
            "/ip4/49.36.10.5/tcp/1{other}/p2p-circuit/p2p/{me}"
        ));
        let direct = a(&format!("/ip4/49.36.10.4/tcp/9/p2p/{me}"));
        assert_eq!(
            not_through(&me, vec![through_me, through_other.clone(), direct.clone()]),
            vec![through_other, direct]
        );
    }

    #[test]
    fn one_relayed_address_per_relay_is_enough() {
        let relay = "/p2p/12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3/p2p-circuit";
        let other = "/p2p/12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X/p2p-circuit";
        let direct = a("/ip4/49.36.10.4/tcp/9");
        let kept = one_circuit_per_relay(vec![
            a(&format!("/ip4/192.168.1.2/tcp/1{relay}")),
            direct.clone(),
            a(&format!("/ip4/49.36.10.5/tcp/1{relay}")),
            a(&format!("/ip6/2409:4060::1/udp/1/quic-v1{relay}")),
            a(&format!("/ip4/49.36.10.6/tcp/1{other}")),
        ]);
        assert_eq!(
            kept,
            vec![
                direct,
                a(&format!("/ip4/49.36.10.5/tcp/1{relay}")),
                a(&format!("/ip4/49.36.10.6/tcp/1{other}")),
            ]
        );
    }
}
