//! A harness for multi-node tests: real nodes (real swarms on loopback TCP, real sled stores in
//! temporary folders, real control sockets) started in this process.
//!
//! Set-up that happens before a node runs (identity, founding, admissions, joining) goes through
//! the same ledger the `sangam` command line uses offline; everything after goes through the
//! control API, as a user's client would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::{Duration, Instant};

use libp2p::Multiaddr;
use sangam_node::api::ApiClient;
use sangam_node::daemon::{self, DaemonConfig, RunningNode};
use sangam_node::datadir::{DataDir, Settings};
use sangam_node::event_loop::now_ms;
use sangam_node::ledger::Ledger;
use sangam_node::store::Store;
use sangam_protocol::api::{Item, Request, Response, Status};
use sangam_protocol::kinds::{Admit, Announcement};
use sangam_protocol::{AuthorId, Body, Kind, MessageId, Role};
use tempfile::TempDir;

/// The `sangam` binary, built once per test run (same profile as the tests), for tests that run
/// real daemons as separate processes.
pub fn sangam_bin() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        // Test binaries live in target/<profile>/deps, other binaries in target/<profile>.
        let mut profile_dir = exe.parent().unwrap().to_path_buf();
        if profile_dir.file_name().is_some_and(|n| n == "deps") {
            profile_dir.pop();
        }
        let mut build = std::process::Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "-p", "sangam-node", "--bin", "sangam"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building sangam failed");
        profile_dir.join("sangam")
    })
}

/// How long multi-node tests wait for a condition before failing: generous, since a slow or
/// busy machine must not fail a correct test.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Polls `check` every 100 ms until it returns true or `PATIENCE` runs out.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("gave up after {PATIENCE:?} waiting for: {what}");
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
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&temp.path().join("node")).unwrap();
        let keypair = dir
            .initialise(&Settings {
                name: name.into(),
                region: "Test".into(),
                fresh_key: true,
            })
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
        Ledger::open(Store::open(&self.dir.store_path()).unwrap()).unwrap()
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
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            bootstrap,
            mdns: false,
            clock_skew_ms: skew_ms,
            sync_interval: Duration::from_secs(3),
        };
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

    /// Kills the daemon as a crash would (no flush, no goodbye), and waits for it to be gone.
    pub async fn crash(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
        }
        // The aborted task drops its store on its worker thread; wait until the folder is free.
        let path = self.dir.store_path();
        eventually("the crashed node's store to be released", || {
            let free = sled::Config::new().path(&path).open().is_ok();
            async move { free }
        })
        .await;
    }

    /// Sends a request through the control socket.
    pub async fn api(&self, request: Request) -> Response {
        let mut client = ApiClient::connect(&self.dir.socket_path()).await.unwrap();
        client.request(&request).await.unwrap()
    }

    /// Posts an announcement; returns its id once it is durable.
    pub async fn announce(&self, title: &str) -> MessageId {
        let body = Body::Announcement(Announcement {
            title: title.into(),
            body: format!("posted by {}", self.name),
            tags: vec![],
            expires_at: None,
        });
        match self.api(Request::Post { body }).await {
            Response::Posted { id } => id,
            other => panic!("{} could not post: {other:?}", self.name),
        }
    }

    /// Whether the node holds message `id`.
    pub async fn holds(&self, id: MessageId) -> bool {
        matches!(self.api(Request::Show { id }).await, Response::Item { .. })
    }

    /// The node's status.
    pub async fn status(&self) -> Status {
        match self.api(Request::Status).await {
            Response::Status(status) => status,
            other => panic!("no status: {other:?}"),
        }
    }

    /// Up to 1,000 newest items, optionally of one kind.
    pub async fn feed(&self, kind: Option<Kind>) -> Vec<Item> {
        match self
            .api(Request::Feed {
                kind,
                author: None,
                limit: Some(1000),
            })
            .await
        {
            Response::Feed { items } => items,
            other => panic!("no feed: {other:?}"),
        }
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

/// An announcement with a title and nothing else.
pub fn announcement(title: &str) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: String::new(),
        tags: vec![],
        expires_at: None,
    })
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
