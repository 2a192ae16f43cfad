//! Collectives behind home routers, on a simulated internet made of Linux network namespaces:
//! a hub R with a public address (the member relay), three homes each behind its own NAT router
//! (nftables masquerade: two keep a connection's port, as most home routers do; one picks a
//! random port for every connection, as a symmetric NAT does), a member behind each, two more
//! members on IPv6 each behind a stateful firewall that drops every unsolicited packet, and an
//! outsider on the internet side. Every member joins with nothing but an invite line from R.
//! Real `sangam run` daemons, default settings (AutoNAT, hole punching, relays all on).
//!
//! Needs root, iproute2 and nftables (`.ci/run` installs nftables); elsewhere it says so and
//! skips. All addresses live inside namespaces this test makes and removes: the internet is
//! 198.18.0.0/24 and 2001:db8::/32, every home is 192.168.1.0/24.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use sangam_protocol::{MessageId, Role};
use sangam_tests::netns::{Daemon, have_nft, ip, must, must_in, nft_in};
use sangam_tests::{TestNode, sangam_bin, skip, time_limit};

/// How long any one condition may take before the test gives up: generous, for a slow machine.
const WAIT: Duration = Duration::from_secs(120);

/// What the daemons log: enough to see every dial and every hole punch.
const LOG: &str = "info,sangam_node=debug,libp2p_dcutr=debug";

/// The namespaces of one run, removed on drop.
struct World {
    tag: u32,
    made: Vec<String>,
}

/// A home router that translates addresses (IPv4): `random` makes it symmetric.
fn nat_rules(random: bool) -> String {
    let how = if random {
        "masquerade fully-random"
    } else {
        "masquerade"
    };
    format!(
        "table ip nat {{
           chain post {{
             type nat hook postrouting priority srcnat;
             oifname \"wan\" {how};
           }}
         }}
         {FIREWALL}",
        FIREWALL = firewall("inet")
    )
}

/// A router's firewall for `family`: no translation, but nothing gets in that was not asked
/// for (the IPv6 homes have only this). Like a home router, it drops such packets without a
/// word (no reset, no "port unreachable"), which is what lets hole punching work.
fn firewall(family: &str) -> String {
    format!(
        "table {family} filter {{
           chain forwarding {{
             type filter hook forward priority filter; policy drop;
             ct state established,related accept;
             iifname \"lan\" accept;
           }}
           chain incoming {{
             type filter hook input priority filter; policy drop;
             ct state established,related accept;
             iifname != \"wan\" accept;
             meta l4proto {{ icmp, ipv6-icmp }} accept;
           }}
         }}"
    )
}

impl World {
    fn ns(&self, name: &str) -> String {
        format!("sgn{}{name}", self.tag)
    }

    fn add(&mut self, name: &str) -> String {
        let ns = self.ns(name);
        must(&["netns", "add", &ns]);
        must(&["-n", &ns, "link", "set", "lo", "up"]);
        self.made.push(ns.clone());
        ns
    }

    /// Plugs namespace `name` into the internet's switch as interface `wan`.
    fn plug(&mut self, name: &str, v4: Option<&str>, v6: Option<&str>) -> String {
        let ns = self.add(name);
        let inet = self.ns("inet");
        let port = format!("w{name}");
        must(&[
            "-n", &inet, "link", "add", &port, "type", "veth", "peer", "name", "wan", "netns", &ns,
        ]);
        must(&["-n", &inet, "link", "set", &port, "master", "br0"]);
        must(&["-n", &inet, "link", "set", &port, "up"]);
        address(&ns, "wan", v4, v6);
        ns
    }

    /// A home network behind router `router`: one laptop `host` on cable `lan`/`eth0`.
    fn home(
        &mut self,
        router: &str,
        host: &str,
        v4: Option<(&str, &str)>,
        v6: Option<(&str, &str)>,
    ) {
        let host = self.add(host);
        let router = self.ns(router);
        must(&[
            "-n", &router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns",
            &host,
        ]);
        address(&router, "lan", v4.map(|(r, _)| r), v6.map(|(r, _)| r));
        address(&host, "eth0", v4.map(|(_, h)| h), v6.map(|(_, h)| h));
        if let Some((gateway, _)) = v4 {
            let gateway = gateway.split('/').next().unwrap();
            must(&["-n", &host, "route", "add", "default", "via", gateway]);
        }
        if let Some((gateway, _)) = v6 {
            let gateway = gateway.split('/').next().unwrap();
            must(&["-n", &host, "-6", "route", "add", "default", "via", gateway]);
        }
    }

    fn build() -> Option<World> {
        let tag = std::process::id() % 100_000;
        let inet = format!("sgn{tag}inet");
        if !ip(&["netns", "add", &inet]) {
            return None;
        }
        let mut world = World {
            tag,
            made: vec![inet.clone()],
        };
        must(&["-n", &inet, "link", "add", "br0", "type", "bridge"]);
        must(&["-n", &inet, "link", "set", "br0", "up"]);
        world.plug("r", Some("198.18.0.10/24"), Some("2001:db8::10/64"));
        world.plug("o", Some("198.18.0.66/24"), None);
        for k in 1..=3 {
            let router = world.plug(&format!("n{k}"), Some(&format!("198.18.0.{k}/24")), None);
            world.home(
                &format!("n{k}"),
                &format!("m{k}"),
                Some(("192.168.1.1/24", &format!("192.168.1.{}/24", 10 + k))),
                None,
            );
            must_in(&router, &["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
            nft_in(&router, &nat_rules(k == 3));
        }
        for k in 1..=2 {
            let router = world.plug(&format!("f{k}"), None, Some(&format!("2001:db8::f{k}/64")));
            world.home(
                &format!("f{k}"),
                &format!("v{k}"),
                None,
                Some((
                    &format!("2001:db8:{k}::1/64"),
                    &format!("2001:db8:{k}::10/64"),
                )),
            );
            must_in(
                &router,
                &["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"],
            );
            nft_in(&router, &firewall("ip6"));
        }
        // The internet's routing for the two IPv6 homes (v4 homes are reached through their
        // routers' public addresses).
        for on in ["r", "f1", "f2"] {
            for k in 1..=2 {
                if on != format!("f{k}") {
                    must(&[
                        "-n",
                        &world.ns(on),
                        "-6",
                        "route",
                        "add",
                        &format!("2001:db8:{k}::/64"),
                        "via",
                        &format!("2001:db8::f{k}"),
                    ]);
                }
            }
        }
        Some(world)
    }
}

/// Gives interface `nic` in `ns` its addresses and brings it up.
fn address(ns: &str, nic: &str, v4: Option<&str>, v6: Option<&str>) {
    if let Some(v4) = v4 {
        must(&["-n", ns, "addr", "add", v4, "dev", nic]);
    }
    if let Some(v6) = v6 {
        // No duplicate-address detection: the address works at once.
        must(&["-n", ns, "addr", "add", v6, "dev", nic, "nodad"]);
    }
    must(&["-n", ns, "link", "set", nic, "up"]);
}

impl Drop for World {
    fn drop(&mut self) {
        for ns in self.made.iter().rev() {
            ip(&["netns", "del", ns]);
        }
    }
}

/// Joins `node` to the network with the invite line on standard input, as a person would.
fn join(node: &TestNode, invite: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(node.dir.root())
        .arg("join")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{invite}").unwrap();
    assert!(
        child.wait().unwrap().success(),
        "{} could not join",
        node.name
    );
}

/// Polls `check` every 250 ms until it holds; fails after [`WAIT`].
async fn until<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < WAIT {
        if tokio::time::timeout(Duration::from_secs(10), check())
            .await
            .unwrap_or(false)
        {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("gave up after {WAIT:?} waiting for: {what}");
}

/// Whether `node` holds every message in `ids`.
async fn holds_all(node: &TestNode, ids: &[MessageId]) -> bool {
    let held = node.feed_ids().await;
    ids.iter().all(|id| held.contains(id))
}

/// Whether `node` is connected to `other` directly (not only through a relay).
async fn direct(node: &TestNode, other: &TestNode) -> bool {
    let peer = other.id.peer_id().to_string();
    node.status()
        .await
        .connected
        .iter()
        .any(|p| p.peer == peer && !p.relayed)
}

/// Whether `node` is connected to `other` at all.
async fn connected(node: &TestNode, other: &TestNode) -> bool {
    let peer = other.id.peer_id().to_string();
    node.status().await.connected.iter().any(|p| p.peer == peer)
}

/// Every line of a daemon's log where it dialled (its own dials name their addresses; every
/// failed dial, whoever made it, names the addresses it tried).
fn dials(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("dialling") || l.contains("dial failed"))
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_behind_nats_and_firewalls_reach_each_other_and_go_direct_where_they_can() {
    let _limit = time_limit(Duration::from_secs(900));
    if !have_nft() {
        skip("nftables is not installed (`.ci/run` installs it with apt)");
        return;
    }
    let Some(world) = World::build() else {
        skip("network namespaces need root and iproute2 (`ip netns add` failed)");
        return;
    };
    let _ = sangam_bin();
    let started = Instant::now();

    // The hub founds the network and runs as a relay; every member joins by invite alone.
    let hub = TestNode::new("Hub");
    hub.found("Sangam across routers");
    let homes = ["m1", "m2", "m3", "v1", "v2"];
    // Made before any daemon, so that the folders outlive them (their logs are read on failure).
    let members: Vec<TestNode> = homes
        .iter()
        .map(|home| TestNode::new(&format!("Collective {home}")))
        .collect();
    let mut daemons = vec![Daemon::start(
        &world.ns("r"),
        hub.dir.root(),
        &["--relay"],
        LOG,
    )];
    until("the hub to open its control socket", || {
        let up = hub.dir.socket_path().exists();
        async move { up }
    })
    .await;
    // An invite carries the addresses the hub listens on when it is made: wait for all four
    // (TCP and QUIC, IPv4 and IPv6).
    until("the hub to listen on IPv4 and IPv6", || async {
        let listen = hub.status().await.listen;
        listen
            .iter()
            .filter(|a| a.contains("/ip4/198.18.0.10/"))
            .count()
            == 2
            && listen
                .iter()
                .filter(|a| a.contains("/ip6/2001:db8::10/"))
                .count()
                == 2
    })
    .await;
    for (home, member) in homes.iter().zip(&members) {
        let invite = hub
            .client()
            .await
            .admit(member.id, member.name.clone(), Role::Member)
            .await
            .unwrap();
        assert!(
            !invite.contains("127.0.0.1"),
            "the invite carries a loopback address"
        );
        join(member, &invite);
        daemons.push(Daemon::start(&world.ns(home), member.dir.root(), &[], LOG));
    }
    let [m1, m2, m3, v1, v2] = [0, 1, 2, 3, 4].map(|i| &members[i]);
    for node in std::iter::once(&hub).chain(&members) {
        eprintln!("{} is {}", node.name, node.id.peer_id());
    }
    for member in &members {
        until("a member's control socket", || {
            let up = member.dir.socket_path().exists();
            async move { up }
        })
        .await;
    }

    // Every member's post reaches every other node.
    let mut posts = vec![hub.announce("From the hub").await];
    for member in &members {
        posts.push(member.announce(&format!("From {}", member.name)).await);
    }
    let everyone: Vec<&TestNode> = std::iter::once(&hub).chain(&members).collect();
    for node in &everyone {
        until(&format!("{} to hold every first post", node.name), || {
            holds_all(node, &posts)
        })
        .await;
    }
    let first_delivery = started.elapsed();
    eprintln!("every first post on all 6 nodes {first_delivery:?} after start");

    // Behind the two port-keeping NATs, and behind the two IPv6 firewalls, hole punching turns
    // the relayed connection into a direct one.
    until(
        "the members behind the two port-keeping NATs to connect directly",
        || async { direct(m1, m2).await && direct(m2, m1).await },
    )
    .await;
    let eim = started.elapsed();
    until(
        "the two IPv6 members to connect directly through their firewalls",
        || async { direct(v1, v2).await && direct(v2, v1).await },
    )
    .await;
    eprintln!(
        "direct across two NATs {eim:?} after start; across two IPv6 firewalls by {:?}",
        started.elapsed()
    );
    // Status says how each can be reached: the hub publicly, the others through the hub.
    let hub_status = hub.status().await;
    assert!(
        hub_status.public_address,
        "the hub is not reported reachable"
    );
    assert!(hub_status.relaying);
    let hub_peer = hub.id.peer_id().to_string();
    for member in [m1, m2, m3, v1, v2] {
        let status = member.status().await;
        assert!(
            !status.public_address,
            "{} claims a public address",
            member.name
        );
        until(
            &format!("{} to hold a reservation on the hub", member.name),
            || async { member.status().await.relays.contains(&hub_peer) },
        )
        .await;
    }
    until("the hub to count the members it serves", || async {
        hub.status().await.relay_serving == 5
    })
    .await;
    // Behind the symmetric NAT, no hole punch can work: that member stays relayed, and still
    // received everything above.
    for other in [m1, m2] {
        assert!(
            !direct(m3, other).await,
            "a direct path through a symmetric NAT?"
        );
    }

    // An outsider on the internet knows the hub's address: it gets no reservation and no
    // circuit to a member.
    let hub_addr = format!(
        "/ip4/198.18.0.10/tcp/{}/p2p/{}",
        hub.dir.settings().unwrap().port.unwrap_or(7117),
        hub_peer
    );
    let network_id = hub.status().await.network.unwrap();
    let outsider = outsider_tries(&world.ns("o"), hub_addr, network_id, m1.id.peer_id());
    assert!(
        outsider.reservation.is_err(),
        "the outsider got a reservation"
    );
    assert!(outsider.circuit.is_err(), "the outsider reached a member");
    eprintln!("the outsider: {outsider:?}");
    until("the hub to count the outsider", || async {
        hub.status()
            .await
            .rejected
            .get("outsider_connection")
            .copied()
            .unwrap_or(0)
            >= 1
    })
    .await;

    // The hub goes down. Members that found direct paths keep talking; the member behind the
    // symmetric NAT is cut off until the hub returns. Nothing is lost.
    daemons[0].kill();
    let mut during = Vec::new();
    for member in &members {
        during.push(
            member
                .announce(&format!("{} while the hub is down", member.name))
                .await,
        );
    }
    until(
        "the two members behind port-keeping NATs to exchange posts without the hub",
        || async { holds_all(m1, &during[1..2]).await && holds_all(m2, &during[0..1]).await },
    )
    .await;
    until(
        "the two IPv6 members to exchange posts without the hub",
        || async { holds_all(v1, &during[4..5]).await && holds_all(v2, &during[3..4]).await },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let back = Instant::now();
    daemons[0] = Daemon::start(&world.ns("r"), hub.dir.root(), &["--relay"], LOG);
    until("the hub to answer on its control socket again", || async {
        sangam_node::client::Client::connect(&hub.dir.socket_path())
            .await
            .is_ok()
    })
    .await;
    let all: Vec<MessageId> = posts.iter().chain(&during).copied().collect();
    // For each member: when it was connected to the hub again, and when it held everything.
    let mut reconnected: Vec<Option<Duration>> = vec![None; members.len()];
    let mut complete: Vec<Option<Duration>> = vec![None; members.len()];
    while complete.iter().any(Option::is_none) {
        assert!(
            back.elapsed() < WAIT,
            "not every member caught up: {complete:?}"
        );
        for (i, member) in members.iter().enumerate() {
            if reconnected[i].is_none() && connected(member, &hub).await {
                reconnected[i] = Some(back.elapsed());
            }
            if complete[i].is_none() && holds_all(member, &all).await {
                complete[i] = Some(back.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    until("the hub to hold everything", || holds_all(&hub, &all)).await;
    for (i, member) in members.iter().enumerate() {
        eprintln!(
            "{}: reconnected to the hub {:?} after it returned, held all {} posts {:?} after",
            member.name,
            reconnected[i],
            all.len(),
            complete[i]
        );
    }
    let reference: BTreeSet<MessageId> = hub.feed_ids().await;
    for node in &members {
        assert_eq!(node.feed_ids().await, reference, "{} differs", node.name);
    }

    // No node ever dialled a loopback address or a home network's address (each home is
    // 192.168.1.0/24, and no two members share one).
    for daemon in &daemons {
        for line in dials(&daemon.log) {
            assert!(
                !line.contains("/ip4/127.")
                    && !line.contains("/ip6/::1/")
                    && !line.contains("/ip4/192.168."),
                "a dial that can only reach the wrong host: {line}"
            );
        }
    }
    drop(daemons);
    drop(world);
}

/// What an outsider got from the hub.
#[derive(Debug)]
struct Outsider {
    reservation: Result<(), String>,
    circuit: Result<(), String>,
}

/// Runs an outsider's swarm inside namespace `ns` (a thread that entered it): asks the hub at
/// `hub` for a reservation, then for a circuit to `member`.
fn outsider_tries(
    ns: &str,
    hub: String,
    network: sangam_protocol::NetworkId,
    member: libp2p::PeerId,
) -> Outsider {
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap();
        rustix::thread::move_into_link_name_space(
            std::os::fd::AsFd::as_fd(&file),
            Some(rustix::thread::LinkNameSpaceType::Network),
        )
        .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let hub: libp2p::Multiaddr = hub.parse().unwrap();
            let Some(libp2p::multiaddr::Protocol::P2p(hub_peer)) = hub.iter().last() else {
                panic!("the hub's address ends in its id");
            };
            let stranger = sangam_protocol::Keypair::from_secret_bytes(&[66; 32]);
            let reservation = attempt(
                &stranger,
                &network,
                hub_peer,
                hub.clone(),
                hub.clone().with(libp2p::multiaddr::Protocol::P2pCircuit),
                true,
            )
            .await;
            let circuit = attempt(
                &stranger,
                &network,
                hub_peer,
                hub.clone(),
                hub.clone()
                    .with(libp2p::multiaddr::Protocol::P2pCircuit)
                    .with(libp2p::multiaddr::Protocol::P2p(member)),
                false,
            )
            .await;
            Outsider {
                reservation,
                circuit,
            }
        })
    })
    .join()
    .unwrap()
}

/// Connects to the hub, then listens on (`listen`) or dials `target` through it.
async fn attempt(
    key: &sangam_protocol::Keypair,
    network: &sangam_protocol::NetworkId,
    hub_peer: libp2p::PeerId,
    hub: libp2p::Multiaddr,
    target: libp2p::Multiaddr,
    listen: bool,
) -> Result<(), String> {
    use futures::StreamExt;
    use libp2p::swarm::SwarmEvent;
    let mut swarm = sangam_tests::raw_swarm(key, network, hub_peer);
    swarm.dial(hub).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == hub_peer => {
                    if listen {
                        swarm.listen_on(target.clone()).unwrap();
                    } else {
                        swarm.dial(target.clone()).unwrap();
                    }
                }
                SwarmEvent::NewListenAddr { address, .. } => {
                    return Ok(format!("reserved {address}"));
                }
                SwarmEvent::ListenerClosed { reason, .. } => return Err(format!("{reason:?}")),
                SwarmEvent::ListenerError { error, .. } => return Err(error.to_string()),
                SwarmEvent::ConnectionEstablished { peer_id, .. } => {
                    return Ok(format!("connected to {peer_id}"));
                }
                SwarmEvent::OutgoingConnectionError { peer_id, error, .. }
                    if peer_id != Some(hub_peer) =>
                {
                    return Err(error.to_string());
                }
                SwarmEvent::OutgoingConnectionError { error, .. } => {
                    panic!("the outsider cannot even reach the hub: {error}")
                }
                _ => {}
            }
        }
    })
    .await;
    match outcome {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(error),
        Err(_) => Err("no answer within a minute".into()),
    }
}
