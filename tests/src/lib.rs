//! A harness for multi-node tests: real nodes (real swarms on loopback TCP, real sled stores in
//! temporary folders, real control sockets) started in this process.
//!
//! Set-up that happens before a node runs (identity, founding, admissions, joining) goes through
//! the same ledger the `sangam` command line uses offline; everything after goes through the
//! control API, as a user's client would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod netns;
pub mod tmux;

use std::future::Future;
use std::time::{Duration, Instant};

use libp2p::Multiaddr;
use sangam_node::NodeError;
use sangam_node::client::{Client, FeedQuery};
use sangam_node::clock::now_ms;
use sangam_node::daemon::{self, DaemonConfig, RunningNode};
use sangam_node::datadir::{DataDir, Settings};
use sangam_node::ledger::Ledger;
use sangam_protocol::api::{Item, Request, Response, Status};
use sangam_protocol::kinds::{Admit, Announcement};
use sangam_protocol::{AuthorId, Body, Kind, MessageId, Role};
use tempfile::TempDir;

/// The `sangam` binary, built once per test run (same profile as the tests), for tests that run
/// real daemons as separate processes.
pub fn sangam_bin() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| built("sangam-node", "sangam"))
}

/// The `sangam-tui` binary (the app as people run it), built once per test run.
pub fn sangam_tui_bin() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| built("sangam-tui", "sangam-tui"))
}

/// Builds `bin` of `package` in the tests' profile; its path.
fn built(package: &str, bin: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // Test binaries live in target/<profile>/deps, other binaries in target/<profile>.
    let mut profile_dir = exe.parent().unwrap().to_path_buf();
    if profile_dir.file_name().is_some_and(|n| n == "deps") {
        profile_dir.pop();
    }
    let mut build = std::process::Command::new(env!("CARGO"));
    build.args(["build", "--quiet", "-p", package, "--bin", bin]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building {bin} failed");
    profile_dir.join(bin)
}

/// How long multi-node tests wait for a condition before failing: generous, since a slow or
/// busy machine must not fail a correct test.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Polls `check` every 100 ms until it returns true or `PATIENCE` runs out. A check that itself
/// hangs (a node that stopped answering) counts against the same deadline, so it fails the test
/// instead of stalling it.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match tokio::time::timeout_at(deadline.into(), check()).await {
            Ok(true) => return,
            Ok(false) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(_) => break,
        }
    }
    panic!("gave up after {PATIENCE:?} waiting for: {what}");
}

/// How long one test may run before [`TimeLimit`] ends the whole test binary.
pub const TEST_TIME_LIMIT: Duration = Duration::from_secs(300);

/// A watchdog for one test: if the test has not finished (dropped this guard) within its limit,
/// it prints the test's name and ends the test process with a failure, so one hang costs CI
/// minutes, not its whole time.
pub struct TimeLimit {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Starts a [`TimeLimit`] of `limit` for the test running on this thread.
pub fn time_limit(limit: Duration) -> TimeLimit {
    use std::sync::atomic::Ordering;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let name = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let flag = done.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        while started.elapsed() < limit {
            if flag.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if !flag.load(Ordering::Relaxed) {
            loud(&format!(
                "TIMED OUT: `{name}` ran longer than {limit:?}; ending the test run"
            ));
            std::process::exit(101);
        }
    });
    TimeLimit { done }
}

impl Drop for TimeLimit {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Writes a line straight to standard error, past the test harness's output capture, so that it
/// shows in CI's log even when the test passes.
pub fn loud(line: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// Says, visibly in CI's log, that the running test skipped itself and why. In CI (`CI` set)
/// a skip is a failure: `.ci/run` installs what every test needs, so a skip there means a test
/// that should have run did not.
pub fn skip(reason: &str) {
    let name = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    loud(&format!("SKIPPED `{name}`: {reason}"));
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    assert!(
        !in_ci,
        "`{name}` could not run in CI: {reason}. .ci/run must install what it needs"
    );
}

/// One node in a test: its data folder and, while running, the daemon.
pub struct TestNode {
    /// A name for messages.
    pub name: String,
    /// Its data folder (deleted when the node is dropped).
    pub temp: TempDir,
    /// The data folder handle.
    pub dir: DataDir,
    /// Its id.
    pub id: AuthorId,
    /// The daemon, while running.
    pub running: Option<RunningNode>,
    /// Listen addresses of the current run.
    pub addrs: Vec<Multiaddr>,
}

impl TestNode {
    /// A new, initialised node (not in any network yet).
    pub fn new(name: &str) -> TestNode {
        TestNode::sealed(name, None)
    }

    /// A new, initialised node whose folder is sealed with `passphrase` (plain without one).
    pub fn sealed(name: &str, passphrase: Option<&str>) -> TestNode {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&temp.path().join("node")).unwrap();
        let keypair = dir
            .initialise(
                &Settings {
                    name: name.into(),
                    region: "Test".into(),
                    fresh_key: true,
                    mdns: false,
                    port: None,
                    ..Settings::default()
                },
                passphrase,
            )
            .unwrap();
        TestNode {
            name: name.into(),
            temp,
            dir,
            id: keypair.author(),
            running: None,
            addrs: vec![],
        }
    }

    /// Opens the ledger directly (only while the node is not running).
    pub fn ledger(&self) -> Ledger {
        Ledger::open(self.dir.open_store().unwrap()).unwrap()
    }

    /// Founds a network with this node as founder.
    pub fn found(&self, network_name: &str) {
        let keypair = self.dir.load_identity().unwrap();
        self.ledger()
            .found(&keypair, network_name, &self.name, now_ms())
            .unwrap();
    }

    /// Admits `other` (offline) and has it join with the resulting proof.
    pub fn admit(&self, other: &TestNode, role: Role) {
        let keypair = self.dir.load_identity().unwrap();
        let proof = {
            let mut ledger = self.ledger();
            let admit = Body::Admit(Admit {
                member: other.id,
                role,
                name: other.name.clone(),
            });
            ledger.publish(&keypair, admit, now_ms()).unwrap();
            ledger.admission_proof(&other.id).unwrap()
        };
        other
            .ledger()
            .join(&proof, &other.id, false, now_ms())
            .unwrap();
    }

    /// Starts the daemon on loopback with mDNS off, dialling `bootstrap`.
    pub async fn start(&mut self, bootstrap: Vec<Multiaddr>) {
        self.start_with_clock_skew(bootstrap, 0).await;
    }

    /// Starts the daemon as [`TestNode::start`] does, with its clock `skew_ms` wrong.
    pub async fn start_with_clock_skew(&mut self, bootstrap: Vec<Multiaddr>, skew_ms: i64) {
        let config = DaemonConfig {
            clock_skew_ms: skew_ms,
            ..test_config(bootstrap)
        };
        self.start_with(config).await;
    }

    /// Starts the daemon with `config`.
    pub async fn start_with(&mut self, config: DaemonConfig) {
        let mut running = daemon::start(self.dir.clone(), config).await.unwrap();
        self.addrs = running.listen_addrs().await;
        self.running = Some(running);
    }

    /// Stops the daemon cleanly.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.unwrap();
        }
    }

    /// Runs this node's daemon as a separate `sangam run` process on loopback, dialling
    /// `bootstrap`; returns once its control socket answers. Killing that process is a real
    /// crash: nothing of this test process (no store left to drop and flush) softens it.
    pub async fn spawn(&mut self, bootstrap: &[Multiaddr]) -> NodeProcess {
        let mut command = std::process::Command::new(sangam_bin());
        command.arg("--data-dir").arg(self.dir.root()).args([
            "run",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--no-mdns",
        ]);
        for address in bootstrap {
            command.args(["--bootstrap", &address.to_string()]);
        }
        let child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let process = NodeProcess(Some(child));
        let socket = self.dir.socket_path();
        eventually("the node process to answer on its socket", || {
            let socket = socket.clone();
            async move {
                match Client::connect(&socket).await {
                    Ok(mut client) => matches!(
                        client.request(&Request::Status).await,
                        Ok(Response::Status(status)) if !status.listen.is_empty()
                    ),
                    Err(_) => false,
                }
            }
        })
        .await;
        self.addrs = self
            .status()
            .await
            .listen
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect();
        process
    }

    /// Sends a request through the control socket and returns the answer as it came.
    pub async fn api(&self, request: Request) -> Response {
        self.client().await.request(&request).await.unwrap()
    }

    /// A typed client of the node's control socket.
    pub async fn client(&self) -> Client {
        Client::connect(&self.dir.socket_path()).await.unwrap()
    }

    /// Posts an announcement; returns its id once it is durable.
    pub async fn announce(&self, title: &str) -> MessageId {
        let body = Body::Announcement(Announcement {
            title: title.into(),
            body: format!("posted by {}", self.name),
            tags: vec![],
            expires_at: None,
        });
        match self.client().await.post(body).await {
            Ok(id) => id,
            Err(error) => panic!("{} could not post: {error}", self.name),
        }
    }

    /// Whether the node holds message `id`.
    pub async fn holds(&self, id: MessageId) -> bool {
        match self.client().await.show(id).await {
            Ok(_) => true,
            Err(NodeError::Refused { reason, .. }) if reason == "not_found" => false,
            Err(error) => panic!("{} could not answer: {error}", self.name),
        }
    }

    /// The node's status.
    pub async fn status(&self) -> Status {
        self.client().await.status().await.unwrap()
    }

    /// Up to 1,000 newest items, optionally of one kind.
    pub async fn feed(&self, kind: Option<Kind>) -> Vec<Item> {
        let query = FeedQuery {
            kind,
            limit: Some(1000),
            ..FeedQuery::default()
        };
        self.client().await.feed(query).await.unwrap()
    }

    /// The ids of up to 1,000 newest items.
    pub async fn feed_ids(&self) -> std::collections::BTreeSet<MessageId> {
        self.feed(None)
            .await
            .into_iter()
            .map(|item| item.id)
            .collect()
    }

    /// How many messages of `kind` the node holds.
    pub async fn count(&self, kind: Kind) -> u64 {
        self.status()
            .await
            .messages
            .get(kind.name())
            .copied()
            .unwrap_or(0)
    }

    /// The first listen address (for others to bootstrap to).
    pub fn addr(&self) -> Multiaddr {
        self.addrs.first().cloned().expect("the node is running")
    }
}

/// A node's daemon running as a `sangam run` process; killed (SIGKILL) when dropped.
pub struct NodeProcess(Option<std::process::Child>);

impl NodeProcess {
    /// Kills the daemon with SIGKILL, as a power cut would, and waits until it is gone.
    pub fn kill(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.end();
    }
}

/// How test nodes run unless a test says otherwise: on loopback TCP, mDNS off, and otherwise as a
/// node runs by default (the default sync interval too, so gossip has to do the live work).
pub fn test_config(bootstrap: Vec<Multiaddr>) -> DaemonConfig {
    DaemonConfig {
        listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        bootstrap,
        mdns: false,
        // On one machine every address is loopback: AutoNAT can learn nothing there.
        autonat: false,
        ..DaemonConfig::default()
    }
}

/// A sync interval long enough that no periodic sync happens during a test: whatever arrives
/// after the nodes are connected arrived by gossip.
pub const NO_PERIODIC_SYNC: Duration = Duration::from_secs(24 * 3600);

/// A raw libp2p swarm speaking Sangam's protocols with `keypair`, treating `target` as a member:
/// a hostile or outside peer that sends whatever a test wants.
pub fn raw_swarm(
    keypair: &sangam_protocol::Keypair,
    network: &sangam_protocol::NetworkId,
    target: libp2p::PeerId,
) -> libp2p::Swarm<sangam_node::network::Behaviour> {
    let gate = sangam_node::gate::MemberGate::default();
    gate.allow(target);
    sangam_node::network::build_swarm(
        keypair,
        network,
        &gate,
        &sangam_node::network::SwarmSettings {
            mdns: false,
            relay: false,
            autonat: false,
        },
    )
    .unwrap()
    .0
}

/// Publishes `wires` from a raw swarm once a node has subscribed it, then keeps it running.
pub async fn publish_from(
    mut swarm: libp2p::Swarm<sangam_node::network::Behaviour>,
    network: &sangam_protocol::NetworkId,
    wires: Vec<Vec<u8>>,
) -> tokio::task::JoinHandle<()> {
    let topic =
        libp2p::gossipsub::IdentTopic::new(sangam_protocol::transport::gossip_topic(network));
    let started = std::time::Instant::now();
    let mut sent = false;
    while started.elapsed() < Duration::from_secs(60) && !sent {
        let Ok(event) = tokio::time::timeout(
            Duration::from_millis(200),
            futures::StreamExt::select_next_some(&mut swarm),
        )
        .await
        else {
            continue;
        };
        if let libp2p::swarm::SwarmEvent::Behaviour(sangam_node::network::BehaviourEvent::Gossip(
            libp2p::gossipsub::Event::Subscribed { .. },
        )) = event
        {
            for wire in &wires {
                let _ = swarm
                    .behaviour_mut()
                    .gossip
                    .inner()
                    .publish(topic.clone(), wire.clone());
            }
            sent = true;
        }
    }
    assert!(sent, "the raw swarm never got a gossip peer");
    tokio::spawn(async move {
        loop {
            futures::StreamExt::select_next_some(&mut swarm).await;
        }
    })
}

/// Every event one node streamed while it was recorded.
pub struct Recording {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Vec<sangam_protocol::api::Event>>,
}

impl Recording {
    /// Starts recording every event `node` streams.
    pub async fn start(node: &TestNode) -> Recording {
        let mut client = node.client().await;
        client.subscribe().await.unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut events = Vec::new();
            loop {
                tokio::select! {
                    next = client.next_event() => match next {
                        Ok(event) => events.push(event),
                        Err(_) => return events,
                    },
                    _ = &mut stopped => return events,
                }
            }
        });
        Recording { stop, task }
    }

    /// Stops recording and returns what was streamed.
    pub async fn finish(self) -> Vec<sangam_protocol::api::Event> {
        let _ = self.stop.send(());
        self.task.await.unwrap()
    }
}

/// An announcement with a title and nothing else.
pub fn announcement(title: &str) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: String::new(),
        tags: vec![],
        expires_at: None,
    })
}

/// Waits until every running node in `nodes` holds every node's sealing key (each node
/// publishes its own once it runs as a member), so that a test measuring what travels after
/// that sees only its own posts.
pub async fn keys_settled(nodes: &[TestNode]) {
    for node in nodes {
        eventually(
            &format!("{} to hold every node's sealing key", node.name),
            || async { node.count(Kind::SealingKey).await == nodes.len() as u64 },
        )
        .await;
    }
}

/// A founder and `members` member nodes, all admitted and joined, none running yet.
pub fn network(members: usize) -> Vec<TestNode> {
    let founder = TestNode::new("Founder");
    founder.found("Sangam test");
    let mut nodes = vec![founder];
    for i in 1..=members {
        let node = TestNode::new(&format!("Collective {i}"));
        nodes[0].admit(&node, Role::Member);
        nodes.push(node);
    }
    nodes
}
