//! The baseline: what a developer builds from rust-libp2p's gossipsub chat example — TCP, Noise,
//! Yamux, gossipsub signing every message with the peer's key, default settings, the example's
//! content-hash message id — and nothing else (no store, no membership, no sync).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, Swarm, noise, tcp, yamux};
use prometheus_client::registry::Registry;
use sangam_node::network::tally_of;
use tokio::sync::{mpsc, oneshot};

use crate::propagation::{Arrival, Publisher};

/// What the bench asks of one stock node.
enum Command {
    Publish(Vec<u8>, oneshot::Sender<bool>),
    Dial(Multiaddr),
    MeshPeers(oneshot::Sender<usize>),
    Tally(oneshot::Sender<(u64, u64)>),
}

/// A network of stock gossipsub nodes, each in its own task.
pub struct StockNet {
    nodes: Vec<mpsc::Sender<Command>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn topic() -> IdentTopic {
    IdentTopic::new("bench")
}

/// Which gossipsub settings the stock nodes use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settings {
    /// gossipsub's defaults, as the chat example has them.
    Default,
    /// Sangam's mesh settings (`sangam_node::network::mesh_settings`), so copies per message
    /// compare like with like.
    SangamMesh,
}

fn swarm(registry: &mut Registry, settings: Settings) -> Swarm<gossipsub::Behaviour> {
    // As in the chat example: messages are identified by a hash of their content.
    let message_id = |message: &gossipsub::Message| {
        let mut hasher = DefaultHasher::new();
        message.data.hash(&mut hasher);
        gossipsub::MessageId::from(hasher.finish().to_string())
    };
    let mut builder = gossipsub::ConfigBuilder::default();
    builder.message_id_fn(message_id);
    if settings == Settings::SangamMesh {
        sangam_node::network::mesh_settings(&mut builder);
    }
    let config = builder.build().expect("these gossipsub settings are valid");
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .expect("tcp transport")
        .with_behaviour(|key| {
            gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), config)
                .expect("gossipsub starts")
                .with_metrics(registry, gossipsub::MetricsConfig::default())
        })
        .expect("behaviour")
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    swarm
        .behaviour_mut()
        .subscribe(&topic())
        .expect("subscribe");
    swarm
        .listen_on("/ip4/127.0.0.1/tcp/0".parse().expect("address"))
        .expect("listen");
    swarm
}

/// Runs one node: reports each message's arrival as (key, time) on `seen`.
async fn run(
    mut swarm: Swarm<gossipsub::Behaviour>,
    registry: Registry,
    mut commands: mpsc::Receiver<Command>,
    seen: mpsc::Sender<Arrival<u64>>,
    index: usize,
) {
    loop {
        tokio::select! {
            event = swarm.select_next_some() => {
                if let SwarmEvent::Behaviour(gossipsub::Event::Message { message, .. }) = event {
                    let _ = seen.try_send((key_of(&message.data), index, Instant::now()));
                }
            }
            command = commands.recv() => match command {
                Some(Command::Publish(data, done)) => {
                    let key = key_of(&data);
                    let ok = swarm.behaviour_mut().publish(topic(), data).is_ok();
                    if ok {
                        let _ = seen.try_send((key, index, Instant::now()));
                    }
                    let _ = done.send(ok);
                }
                Some(Command::Dial(address)) => {
                    let _ = swarm.dial(address);
                }
                Some(Command::MeshPeers(reply)) => {
                    let _ = reply.send(swarm.behaviour().mesh_peers(&topic().hash()).count());
                }
                Some(Command::Tally(reply)) => {
                    let tally = tally_of(&registry);
                    let _ = reply.send((tally.copies, tally.distinct));
                }
                None => return,
            },
        }
    }
}

/// The bench's key for a payload: its first eight bytes.
fn key_of(data: &[u8]) -> u64 {
    data.get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(u64::MAX)
}

impl StockNet {
    /// Starts `count` nodes; node i dials the nodes in `links[i]`. Arrivals go to `seen`.
    pub async fn start(
        links: &[Vec<usize>],
        settings: Settings,
        seen: mpsc::Sender<Arrival<u64>>,
    ) -> StockNet {
        let mut nodes = Vec::new();
        let mut addresses = Vec::new();
        let mut tasks = Vec::new();
        for index in 0..links.len() {
            let mut registry = Registry::default();
            let mut swarm = swarm(&mut registry, settings);
            let address = loop {
                if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
                    break address;
                }
            };
            addresses.push(address);
            let (tx, rx) = mpsc::channel(1024);
            tasks.push(tokio::spawn(run(swarm, registry, rx, seen.clone(), index)));
            nodes.push(tx);
        }
        for (node, targets) in nodes.iter().zip(links) {
            for target in targets {
                let _ = node.send(Command::Dial(addresses[*target].clone())).await;
            }
        }
        // Ready when every node has a mesh peer (given a minute), then let the mesh settle.
        let ready_by = Instant::now() + Duration::from_secs(60);
        for node in &nodes {
            while Instant::now() < ready_by {
                let (tx, rx) = oneshot::channel();
                let _ = node.send(Command::MeshPeers(tx)).await;
                if rx.await.unwrap_or(0) > 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        StockNet { nodes, tasks }
    }

    /// Gossip copies and distinct messages received, summed over every node.
    pub async fn tally(&self) -> (u64, u64) {
        let mut sum = (0, 0);
        for node in &self.nodes {
            let (tx, rx) = oneshot::channel();
            let _ = node.send(Command::Tally(tx)).await;
            let (copies, distinct) = rx.await.unwrap_or_default();
            sum.0 += copies;
            sum.1 += distinct;
        }
        sum
    }

    /// Stops every node.
    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

impl Publisher<u64> for StockNet {
    fn publish(&self, origin: usize, index: usize) -> BoxFuture<'static, Option<u64>> {
        let node = self.nodes[origin].clone();
        Box::pin(async move {
            // 256 bytes, like Sangam's posts; the first eight identify it.
            let key = index as u64;
            let mut data = vec![b'x'; 256];
            data[..8].copy_from_slice(&key.to_be_bytes());
            let (tx, rx) = oneshot::channel();
            node.send(Command::Publish(data, tx)).await.ok()?;
            rx.await.unwrap_or(false).then_some(key)
        })
    }
}
