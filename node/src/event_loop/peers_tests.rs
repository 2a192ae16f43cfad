//! The peer-policy machine, fed events by hand: no sockets, no waiting.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use libp2p::{Multiaddr, PeerId};
use rand::SeedableRng;

use super::*;
use crate::error::PeerRefusal;

fn address(port: u16) -> Multiaddr {
    format!("/ip4/10.0.0.1/tcp/{port}").parse().unwrap()
}

/// A machine whose gate lets `members` through.
fn machine(members: &[PeerId]) -> Peers {
    let gate = MemberGate::default();
    gate.set(members.iter().copied());
    Peers::new(gate, HashMap::new()).with_rng(rand::rngs::StdRng::seed_from_u64(11))
}

fn dials(actions: &[Action]) -> Vec<PeerId> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Dial { peer, .. } | Action::DialOnLan { peer, .. } => Some(*peer),
            _ => None,
        })
        .collect()
}

fn disconnects(actions: &[Action]) -> Vec<PeerId> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Disconnect(peer) => Some(*peer),
            _ => None,
        })
        .collect()
}

#[test]
fn a_member_that_connects_is_remembered_greeted_and_synced() {
    let member = PeerId::random();
    let mut peers = machine(&[member]);
    let actions = peers.on_connected(member, Some(address(1)), true, Instant::now(), 42);
    let saved = BookEntry {
        addresses: vec![address(1).to_string()],
        last_seen: Some(42),
        last_sync: None,
    };
    assert_eq!(
        actions,
        vec![
            Action::Tell(Event::PeerConnected {
                peer: member.to_string()
            }),
            Action::Save(member, saved),
            Action::SendHello(member),
            Action::StartSync(member),
        ]
    );
    assert!(peers.is_connected(&member) && !peers.is_hidden(&member));
    // A second connection with the same peer changes nothing.
    assert!(
        peers
            .on_connected(member, None, false, Instant::now(), 43)
            .is_empty()
    );
}

#[test]
fn a_stranger_that_connects_stays_behind_the_gate_and_is_not_remembered() {
    let stranger = PeerId::random();
    let mut peers = machine(&[]);
    let actions = peers.on_connected(stranger, None, true, Instant::now(), 1);
    assert_eq!(
        actions.len(),
        1,
        "only the subscribers hear of it: {actions:?}"
    );
    assert!(peers.is_hidden(&stranger));
    assert!(
        peers
            .known()
            .iter()
            .all(|(_, entry, _)| entry.addresses.is_empty())
    );
}

#[test]
fn five_invalid_messages_ban_a_peer_and_it_is_refused_when_it_returns() {
    let hostile = PeerId::random();
    let mut peers = machine(&[hostile]);
    let now = Instant::now();
    for _ in 0..4 {
        assert!(peers.strike(hostile, now).is_empty());
    }
    let actions = peers.strike(hostile, now);
    assert_eq!(
        actions,
        vec![
            Action::Count(PeerRefusal::MisbehavingPeer),
            Action::Disconnect(hostile)
        ]
    );
    peers.on_closed(hostile, now);
    let back = peers.on_connected(hostile, None, true, now + Duration::from_secs(60), 0);
    assert_eq!(back, vec![Action::Disconnect(hostile)]);
    // After the ban it may come back.
    let later = now + BAN_TIME + Duration::from_secs(1);
    peers.tick(later, &HashSet::new());
    assert!(disconnects(&peers.on_connected(hostile, None, true, later, 0)).is_empty());
}

#[test]
fn strikes_spread_over_more_than_the_ban_time_are_forgiven() {
    let clumsy = PeerId::random();
    let mut peers = machine(&[clumsy]);
    let start = Instant::now();
    for round in 0..4u32 {
        assert!(
            peers
                .strike(clumsy, start + Duration::from_secs(u64::from(round)))
                .is_empty()
        );
    }
    let much_later = start + BAN_TIME + Duration::from_secs(10);
    assert!(
        peers.strike(clumsy, much_later).is_empty(),
        "old strikes aged out"
    );
}

#[test]
fn per_peer_tables_stay_bounded_whatever_strangers_do() {
    let mut peers = machine(&[]);
    let now = Instant::now();
    for i in 0..(MAX_TRACKED * 2) {
        let stranger = PeerId::random();
        let at = now + Duration::from_millis(i as u64);
        peers.strike(stranger, at);
        peers.on_refused_by(stranger, at);
        for _ in 0..STRIKES_BEFORE_BAN {
            peers.strike(stranger, at);
        }
    }
    assert!(peers.strikes.len() <= MAX_TRACKED);
    assert!(peers.banned.len() <= MAX_TRACKED);
    assert!(peers.refused_us.len() <= MAX_TRACKED);
}

#[test]
fn a_lost_member_is_redialled_a_second_later_unless_it_refused_us() {
    let (kept, refuser) = (PeerId::random(), PeerId::random());
    let mut peers = machine(&[kept, refuser]);
    let now = Instant::now();
    peers.on_connected(kept, Some(address(1)), true, now, 0);
    peers.on_connected(refuser, Some(address(2)), true, now, 0);
    peers.on_refused_by(refuser, now);
    peers.on_closed(kept, now);
    peers.on_closed(refuser, now);
    assert!(
        dials(&peers.tick(now, &HashSet::new())).is_empty(),
        "not yet"
    );
    let actions = peers.tick(now + REDIAL_DELAY, &HashSet::new());
    assert_eq!(dials(&actions), vec![kept]);
    // Nor do the periodic rounds (the address book, the bootstrap list) dial it while it
    // refuses us: a revoked node must not keep knocking.
    for round in 0..2 * RECONNECT_EVERY {
        let at = now + REDIAL_DELAY + Duration::from_secs(u64::from(round) + 1);
        assert!(
            !dials(&peers.tick(at, &HashSet::new())).contains(&refuser),
            "round {round} dialled the peer that refused us"
        );
    }
}

#[test]
fn a_peer_that_admits_us_is_reopened_at_once_by_the_side_that_dialled() {
    let (dialled, dialler) = (PeerId::random(), PeerId::random());
    let mut peers = machine(&[]);
    let now = Instant::now();
    peers.on_connected(dialled, Some(address(1)), true, now, 0);
    peers.on_connected(dialler, None, true, now, 0);
    assert_eq!(
        peers.on_admitted_by(dialled),
        vec![Action::Disconnect(dialled)]
    );
    assert!(peers.on_admitted_by(dialler).is_empty());
    assert_eq!(dials(&peers.on_closed(dialled, now)), vec![dialled]);
}

#[test]
fn a_revoked_member_is_dropped_and_a_newly_admitted_one_is_reopened() {
    let (revoked, newcomer, newcomer_dialled_us) =
        (PeerId::random(), PeerId::random(), PeerId::random());
    let mut peers = machine(&[revoked]);
    let now = Instant::now();
    peers.on_connected(revoked, None, true, now, 0);
    peers.on_connected(newcomer, Some(address(3)), true, now, 0);
    peers.on_connected(newcomer_dialled_us, None, true, now, 0);
    let members: HashSet<PeerId> = [newcomer, newcomer_dialled_us].into();
    let mut dropped = disconnects(&peers.on_membership(&members));
    dropped.sort();
    let mut expected = vec![revoked, newcomer];
    expected.sort();
    assert_eq!(dropped, expected);
    // The newcomer we dialled is redialled as soon as it closes; the one that dialled us is
    // closed by the next tick so that it redials.
    assert_eq!(dials(&peers.on_closed(newcomer, now)), vec![newcomer]);
    assert_eq!(
        disconnects(&peers.tick(now, &HashSet::new())),
        vec![newcomer_dialled_us]
    );
}

#[test]
fn spares_beyond_the_maximum_are_closed_but_never_busy_or_bootstrap_peers() {
    let members: Vec<PeerId> = (0..MAX_PEERS + 3).map(|_| PeerId::random()).collect();
    let mut peers = machine(&members);
    let now = Instant::now();
    let bootstrap = members[0];
    peers.start(&[address(9).with(Protocol::P2p(bootstrap))], 0);
    for peer in &members {
        peers.on_connected(*peer, None, true, now, 0);
    }
    let busy: HashSet<PeerId> = members[1..=3].iter().copied().collect();
    let mut closed = Vec::new();
    for round in 1..=RECONNECT_EVERY {
        closed.extend(disconnects(
            &peers.tick(now + Duration::from_secs(u64::from(round)), &busy),
        ));
    }
    assert_eq!(closed.len(), 3, "closes exactly the excess");
    assert!(closed.iter().all(|p| *p != bootstrap && !busy.contains(p)));
}

#[test]
fn lan_discovery_dials_members_only_and_only_when_short() {
    let (member, stranger) = (PeerId::random(), PeerId::random());
    let mut peers = machine(&[member]);
    let found = vec![(member, address(1)), (stranger, address(2))];
    assert_eq!(dials(&peers.on_discovered(found.clone())), vec![member]);
    peers.set_wanted(0);
    assert!(peers.on_discovered(found).is_empty());
}

#[test]
fn lookups_for_more_members_happen_at_most_once_a_minute() {
    let mut peers = machine(&[]);
    let now = Instant::now();
    assert_eq!(peers.look_for_members(now), vec![Action::LookForPeers]);
    assert!(
        peers
            .look_for_members(now + Duration::from_secs(30))
            .is_empty()
    );
    assert_eq!(
        peers.look_for_members(now + Duration::from_secs(61)),
        vec![Action::LookForPeers]
    );
}

#[test]
fn the_address_book_keeps_real_addresses_only_and_saves_only_changes() {
    let member = PeerId::random();
    let mut peers = machine(&[member]);
    let unspecified: Multiaddr = "/ip4/0.0.0.0/tcp/7117".parse().unwrap();
    let real = address(7117);
    // Reached on the same private network (10.0.0.0/24): its private address is worth keeping,
    // a loopback address it claims is not (that would be this laptop).
    peers.note_remote(member, "/ip4/10.0.0.9/tcp/40000".parse().unwrap());
    let loopback: Multiaddr = "/ip4/127.0.0.1/tcp/7117".parse().unwrap();
    let saved = peers.on_addresses(member, [&unspecified, &real, &loopback].into_iter());
    assert_eq!(saved.len(), 1);
    assert!(peers.on_addresses(member, [&real].into_iter()).is_empty());
    let (_, entry, _) = peers.known().into_iter().next().unwrap();
    assert_eq!(entry.addresses, vec![real.to_string()]);
}

#[test]
fn a_node_that_wants_no_peers_of_its_own_still_redials_its_bootstrap_link() {
    let (bootstrap, other) = (PeerId::random(), PeerId::random());
    let mut peers = machine(&[bootstrap, other]);
    peers.set_wanted(0);
    let now = Instant::now();
    let first = peers.start(&[address(1).with(Protocol::P2p(bootstrap))], 0);
    assert_eq!(dials(&first), vec![bootstrap]);
    peers.on_connected(bootstrap, Some(address(1)), true, now, 0);
    peers.on_connected(other, Some(address(2)), true, now, 0);
    peers.on_closed(bootstrap, now);
    peers.on_closed(other, now);
    assert_eq!(
        dials(&peers.tick(now + REDIAL_DELAY, &HashSet::new())),
        vec![bootstrap]
    );
}

#[test]
fn the_spares_closed_are_not_always_the_same_peers() {
    let members: Vec<PeerId> = (0..MAX_PEERS + 3).map(|_| PeerId::random()).collect();
    let mut peers = machine(&members);
    let now = Instant::now();
    for peer in &members {
        peers.on_connected(*peer, None, true, now, 0);
    }
    // The connections stay open (nothing reports them closed), so every round closes three
    // spares again: over twenty rounds they must not be the same three each time.
    let mut closed = HashSet::new();
    for round in 1..=(RECONNECT_EVERY * 20) {
        let at = now + Duration::from_secs(u64::from(round));
        closed.extend(disconnects(&peers.tick(at, &HashSet::new())));
    }
    assert!(closed.len() > 3, "always the same spares: {closed:?}");
}

#[test]
fn a_flood_of_strangers_gets_a_small_budget_and_members_still_get_in() {
    let member = PeerId::random();
    let mut peers = machine(&[member]);
    let now = Instant::now();
    let mut closed = 0;
    for _ in 0..200 {
        let stranger = PeerId::random();
        let actions = peers.on_connected(stranger, None, true, now, 0);
        if actions.contains(&Action::Disconnect(stranger)) {
            assert!(actions.contains(&Action::Count(PeerRefusal::StrangerOverBudget)));
            closed += 1;
            peers.on_closed(stranger, now);
        }
    }
    assert_eq!(
        closed,
        200 - STRANGER_BUDGET,
        "every stranger past the budget is closed"
    );
    let actions = peers.on_connected(member, None, true, now, 0);
    assert!(
        !actions.contains(&Action::Disconnect(member)),
        "a member gets in during the flood"
    );
    assert!(actions.contains(&Action::SendHello(member)));
}

#[test]
fn the_address_book_forgets_revoked_members_and_peers_not_seen_for_thirty_days() {
    let (kept, revoked, stale) = (PeerId::random(), PeerId::random(), PeerId::random());
    let now_ms = 1_800_000_000_000u64;
    let entry = |seen: u64| BookEntry {
        addresses: vec![address(1).to_string()],
        last_seen: Some(seen),
        last_sync: None,
    };
    let book = HashMap::from([
        (kept, entry(now_ms - 86_400_000)),
        (revoked, entry(now_ms - 86_400_000)),
        (stale, entry(now_ms - FORGET_AFTER_MS - 1)),
    ]);
    let gate = MemberGate::default();
    gate.set([kept, revoked, stale]);
    let mut peers = Peers::new(gate, book);
    let first = peers.start(&[], now_ms);
    assert!(first.contains(&Action::Forget(stale)));
    assert!(!first.contains(&Action::Forget(kept)));
    let actions = peers.on_membership(&HashSet::from([kept, stale]));
    assert!(actions.contains(&Action::Forget(revoked)));
    let known: Vec<PeerId> = peers.known().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(known, vec![kept]);
}
