//! Starting and stopping a node: opens the data folder and store, builds the swarm, binds the
//! control socket, and runs the event loop until told to stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libp2p::Multiaddr;
use libp2p::multiaddr::Protocol;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use crate::api::{self, COMMAND_CAPACITY, EVENT_CAPACITY};
use crate::datadir::DataDir;
use crate::error::{NodeError, Result};
use crate::event_loop::{EventLoop, Parts};
pub use crate::event_loop::{HELLO_TIMEOUT, MAX_PEERS, WANTED_PEERS};
use crate::gate::MemberGate;
use crate::ledger::Ledger;
use crate::network::{SwarmSettings, build_swarm};

/// How a daemon runs.
#[derive(Clone, Debug)]
pub struct DaemonConfig {
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Peers to dial at start.
    pub bootstrap: Vec<Multiaddr>,
    /// Whether to discover peers on the LAN.
    pub mdns: bool,
    /// How often to sync with a random peer.
    pub sync_interval: Duration,
    /// Added to the system clock: simulates a laptop whose clock is wrong (tests only).
    pub clock_skew_ms: i64,
    /// Member connections the node keeps up by dialling. Fewer suits a laptop on metered data;
    /// 0 keeps exactly the bootstrap links up and dials nobody else (tests use it to force a
    /// topology).
    pub wanted_peers: usize,
    /// Whether to relay for other members (a hub with a public address or a forwarded port).
    pub relay: bool,
    /// Whether to learn (AutoNAT) if others can dial this node, and relay for members once they
    /// can. Off in in-process tests on one machine, where every address is loopback.
    pub autonat: bool,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            listen: default_listen(),
            bootstrap: Vec::new(),
            mdns: false,
            sync_interval: Duration::from_secs(30),
            clock_skew_ms: 0,
            wanted_peers: WANTED_PEERS,
            relay: false,
            autonat: true,
        }
    }
}

/// TCP and QUIC on every interface, on port 7117.
pub fn default_listen() -> Vec<Multiaddr> {
    ["/ip4/0.0.0.0/tcp/7117", "/ip4/0.0.0.0/udp/7117/quic-v1"]
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect()
}

/// A node running in this process.
pub struct RunningNode {
    shutdown: Arc<watch::Sender<bool>>,
    listen: watch::Receiver<Vec<Multiaddr>>,
    task: JoinHandle<Result<()>>,
    /// The node's data folder.
    pub data_dir: DataDir,
}

impl RunningNode {
    /// Waits until the node listens on at least one address, and returns all (with `/p2p/<id>`).
    pub async fn listen_addrs(&mut self) -> Vec<Multiaddr> {
        let _ = self.listen.wait_for(|addrs| !addrs.is_empty()).await;
        self.listen.borrow().clone()
    }

    /// A watch of the listen addresses, updated as they come up.
    pub fn listen_watch(&self) -> watch::Receiver<Vec<Multiaddr>> {
        self.listen.clone()
    }

    /// Asks the node to stop and waits until it has (store flushed, socket removed).
    pub async fn stop(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        self.task
            .await
            .map_err(|e| NodeError::Network(format!("the node task failed: {e}")))?
    }

    /// Waits for the node to end on its own (it only does on an error or a stop request).
    pub async fn wait(&mut self) -> Result<()> {
        (&mut self.task)
            .await
            .map_err(|e| NodeError::Network(format!("the node task failed: {e}")))?
    }

    /// Stops the node as a crash would: no flush, no goodbye (for tests).
    pub fn abort(self) {
        self.task.abort();
    }
}

/// Starts a node from its data folder. Returns once the swarm and control socket are up.
pub async fn start(data_dir: DataDir, config: DaemonConfig) -> Result<RunningNode> {
    let keypair = data_dir.load_identity()?;
    let settings = data_dir.settings()?;
    let store = data_dir.open_store()?;
    let mut ledger = Ledger::open(store)?;
    ledger.set_reader(&keypair);
    let network = ledger.network().ok_or(NodeError::NoNetwork)?;
    let gate = MemberGate::default();
    let (mut swarm, meter) = build_swarm(
        &keypair,
        &network,
        &gate,
        &SwarmSettings {
            mdns: config.mdns,
            relay: config.relay,
            autonat: config.autonat,
        },
    )?;
    for address in &config.listen {
        let ipv6 = matches!(address.iter().next(), Some(Protocol::Ip6(_)));
        match swarm.listen_on(address.clone()) {
            Ok(_) => {}
            // A laptop without IPv6 still runs on IPv4.
            Err(e) if ipv6 => tracing::info!("not listening on IPv6 ({address}): {e}"),
            Err(e) => {
                return Err(NodeError::Network(format!(
                    "cannot listen on {address}: {e}; choose another --listen"
                )));
            }
        }
    }
    let listener = api::bind(&data_dir.socket_path()).await?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let stopper = api::Stopper {
        shutdown: Arc::new(shutdown),
        wipe: Arc::new(AtomicBool::new(false)),
    };
    let (commands_tx, commands) = mpsc::channel(COMMAND_CAPACITY);
    let (events, _) = broadcast::channel(EVENT_CAPACITY);
    let (listen_tx, listen) = watch::channel(Vec::new());
    tokio::spawn(api::serve(
        listener,
        commands_tx,
        events.clone(),
        stopper.clone(),
    ));

    let mut bootstrap = config.bootstrap.clone();
    let saved = ledger.bootstrap_addresses()?;
    bootstrap.extend(saved.iter().filter_map(|a| a.parse().ok()));
    let event_loop = EventLoop::new(Parts {
        swarm,
        meter,
        ledger,
        keypair,
        settings,
        gate,
        commands,
        events,
        listen_tx,
        sync_interval: config.sync_interval,
        clock_skew_ms: config.clock_skew_ms,
        wanted_peers: config.wanted_peers,
        relay_by_hand: config.relay,
    })?;
    let socket = data_dir.socket_path();
    let (wipe, folder) = (stopper.wipe.clone(), data_dir.clone());
    let task = tokio::spawn(async move {
        let result = event_loop.run(bootstrap, shutdown_rx).await;
        let _ = std::fs::remove_file(socket);
        // The event loop, and with it the store, is gone: nothing writes to the folder now.
        if wipe.load(Ordering::SeqCst) {
            folder.destroy()?;
        }
        result
    });
    Ok(RunningNode {
        shutdown: stopper.shutdown,
        listen,
        task,
        data_dir,
    })
}
