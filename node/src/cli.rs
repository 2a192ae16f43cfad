//! The `sangam` command line: argument definitions and what each command does.
//!
//! Commands that read or change a node's data go through the control socket when the daemon is
//! running, and straight to the store when it is not, with the same rules either way.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use sangam_protocol::api::{Item, Request, Response};
use sangam_protocol::invite::Invite;
use sangam_protocol::kinds::{
    Announcement, Close, MentoringRequest, Offer, Profile, Resource, Urgency,
};
use sangam_protocol::{AuthorId, Body, Kind, MessageId, Role};

use crate::api::ApiClient;
use crate::clock::now_ms;
use crate::daemon::{self, DaemonConfig};
use crate::datadir::{DataDir, Settings};
use crate::ledger::Ledger;
use crate::service::Service;
use crate::store::Store;

/// Sangam: a peer-to-peer mesh for survivor collectives.
#[derive(Parser, Debug)]
#[command(name = "sangam", version, about, disable_help_subcommand = true)]
pub struct Cli {
    /// The node's data folder (default: SANGAM_DATA_DIR, else the platform's data folder).
    #[arg(long, env = "SANGAM_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set up this node: make its identity and save its name. Prints the node's id.
    Init {
        /// The collective's name.
        #[arg(long)]
        name: String,
        /// Its state or region.
        #[arg(long, default_value = "")]
        region: String,
    },
    /// Print this node's id.
    Id,
    /// Found a network.
    Network {
        /// What to do with networks.
        #[command(subcommand)]
        action: NetworkAction,
    },
    /// Admit a node to the network (stewards only); prints an invite to give to it.
    Admit {
        /// The node's id (it prints it with `sangam id`).
        id: String,
        /// The collective's name.
        #[arg(long)]
        name: String,
        /// Its role.
        #[arg(long, value_enum, default_value_t = RoleArg::Member)]
        role: RoleArg,
    },
    /// Join a network with the invite a steward gave you.
    Join {
        /// The invite line, starting `sangam-invite-1:`.
        invite: String,
    },
    /// Revoke a member (stewards only). The key can never be admitted again.
    Revoke {
        /// The member's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Run the node until Ctrl-C.
    Run {
        /// An address to listen on (repeatable), e.g. /ip4/0.0.0.0/tcp/7117.
        #[arg(long, value_name = "MULTIADDR")]
        listen: Vec<String>,
        /// A peer to connect to at start (repeatable), ending in /p2p/<id>.
        #[arg(long, value_name = "MULTIADDR")]
        bootstrap: Vec<String>,
        /// Do not look for peers on the local network.
        #[arg(long)]
        no_mdns: bool,
        /// Seconds between syncs with a random peer.
        #[arg(long, default_value_t = 30, hide = true)]
        sync_interval: u64,
    },
    /// Connect the running node to a peer now.
    Connect {
        /// The peer's address, ending in /p2p/<id>.
        address: String,
    },
    /// Publish something.
    Post {
        /// What to publish.
        #[command(subcommand)]
        what: PostCommand,
    },
    /// Close or withdraw one of your own items.
    Close {
        /// The item's id.
        id: String,
        /// Why (optional).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List messages, newest first.
    Feed {
        /// Only this kind: announcement, mentoring_request, offer, resource, profile …
        #[arg(long)]
        kind: Option<String>,
        /// Only by this member id.
        #[arg(long)]
        author: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one message.
    Show {
        /// Its id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List known peers.
    Peers {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List members.
    Members {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the node's state.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Network commands.
#[derive(Subcommand, Debug)]
pub enum NetworkAction {
    /// Found a new network with this node as its first steward. Prints the network id.
    Create {
        /// The network's name.
        #[arg(long)]
        name: String,
    },
}

/// Roles on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    /// May admit and revoke members.
    Steward,
    /// May post.
    Member,
    /// Reads only.
    Observer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Steward => Role::Steward,
            RoleArg::Member => Role::Member,
            RoleArg::Observer => Role::Observer,
        }
    }
}

/// Urgency on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum UrgencyArg {
    /// Whenever someone can.
    Low,
    /// Within days.
    Normal,
    /// As soon as possible.
    High,
}

/// Things to publish.
#[derive(Subcommand, Debug)]
pub enum PostCommand {
    /// An announcement: a workshop, a legal win, a campaign.
    Announcement {
        /// Title.
        #[arg(long)]
        title: String,
        /// Text.
        #[arg(long)]
        body: String,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
        /// How long it stays relevant, e.g. 7d, 12h.
        #[arg(long)]
        expires: Option<String>,
    },
    /// A request for mentoring or help.
    Request {
        /// Topic, e.g. victim_compensation, legal_aid, livelihoods, leadership_training,
        /// trauma_support.
        #[arg(long)]
        topic: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// What is needed.
        #[arg(long)]
        body: String,
        /// Where help is needed.
        #[arg(long, default_value = "")]
        region: String,
        /// Preferred language.
        #[arg(long, default_value = "")]
        language: String,
        /// How urgent.
        #[arg(long, value_enum, default_value_t = UrgencyArg::Normal)]
        urgency: UrgencyArg,
        /// How long the request stays open, e.g. 30d.
        #[arg(long)]
        expires: Option<String>,
    },
    /// An offer answering a request.
    Offer {
        /// The request's id.
        #[arg(long)]
        to: String,
        /// What you offer.
        #[arg(long)]
        body: String,
    },
    /// A shared resource.
    Resource {
        /// Title.
        #[arg(long)]
        title: String,
        /// What it is.
        #[arg(long)]
        body: String,
        /// Where to find it.
        #[arg(long)]
        link: Option<String>,
        /// A tag (repeatable).
        #[arg(long)]
        tag: Vec<String>,
    },
    /// This collective's profile.
    Profile {
        /// Name.
        #[arg(long)]
        name: String,
        /// State.
        #[arg(long, default_value = "")]
        state: String,
        /// District.
        #[arg(long, default_value = "")]
        district: String,
        /// A focus area (repeatable).
        #[arg(long)]
        focus: Vec<String>,
        /// A language (repeatable).
        #[arg(long)]
        language: Vec<String>,
        /// About the collective.
        #[arg(long, default_value = "")]
        about: String,
    },
}

fn parse_id<T: std::str::FromStr<Err = sangam_protocol::Error>>(text: &str) -> Result<T> {
    text.parse()
        .map_err(|e: sangam_protocol::Error| anyhow!("{e}"))
}

fn expiry(text: &Option<String>) -> Result<Option<u64>> {
    let Some(text) = text else { return Ok(None) };
    let duration = humantime::parse_duration(text)
        .map_err(|_| anyhow!("`{text}` is not a duration; write it like 7d, 12h or 30m"))?;
    Ok(Some(now_ms().saturating_add(duration.as_millis() as u64)))
}

fn body_of(what: PostCommand) -> Result<Body> {
    Ok(match what {
        PostCommand::Announcement {
            title,
            body,
            tag,
            expires,
        } => Body::Announcement(Announcement {
            title,
            body,
            tags: tag,
            expires_at: expiry(&expires)?,
        }),
        PostCommand::Request {
            topic,
            title,
            body,
            region,
            language,
            urgency,
            expires,
        } => {
            let urgency = match urgency {
                UrgencyArg::Low => Urgency::Low,
                UrgencyArg::Normal => Urgency::Normal,
                UrgencyArg::High => Urgency::High,
            };
            Body::MentoringRequest(MentoringRequest {
                topic,
                title,
                description: body,
                region,
                language,
                urgency,
                expires_at: expiry(&expires)?,
            })
        }
        PostCommand::Offer { to, body } => Body::Offer(Offer {
            request: parse_id(&to)?,
            body,
        }),
        PostCommand::Resource {
            title,
            body,
            link,
            tag,
        } => Body::Resource(Resource {
            title,
            description: body,
            tags: tag,
            link,
            file_hash: None,
        }),
        PostCommand::Profile {
            name,
            state,
            district,
            focus,
            language,
            about,
        } => Body::Profile(Profile {
            name,
            state,
            district,
            focus_areas: focus,
            languages: language,
            about,
        }),
    })
}

/// Runs one command.
pub async fn run(cli: Cli) -> Result<()> {
    let root = DataDir::resolve(cli.data_dir)?;
    let dir = DataDir::open(&root)?;
    match cli.command {
        Command::Init { name, region } => {
            let keypair = dir.initialise(&Settings {
                name,
                region,
                fresh_key: true,
            })?;
            println!("{}", keypair.author());
        }
        Command::Id => println!("{}", dir.load_identity()?.author()),
        Command::Network {
            action: NetworkAction::Create { name },
        } => {
            let keypair = dir.load_identity()?;
            let settings = dir.settings()?;
            let mut ledger = offline_ledger(&dir)?;
            let genesis = ledger.found(&keypair, &name, &settings.name, now_ms())?;
            println!("{}", genesis.header().network);
        }
        Command::Join { invite } => {
            let keypair = dir.load_identity()?;
            let settings = dir.settings()?;
            let invite = Invite::decode(&invite)?;
            let mut ledger = offline_ledger(&dir)?;
            let proven = ledger.join(
                &invite.proof,
                &keypair.author(),
                !settings.fresh_key,
                now_ms(),
            )?;
            ledger.save_bootstrap_addresses(&invite.addresses)?;
            let name = ledger
                .membership()
                .map(|m| m.network_name().to_string())
                .unwrap_or_default();
            println!(
                "Joined the network \"{name}\" ({}) as a {}. Start the node with `sangam run`.",
                proven.network, proven.role
            );
        }
        Command::Admit { id, name, role } => {
            let member: AuthorId = parse_id(&id)?;
            match call(
                &dir,
                Request::Admit {
                    member,
                    name,
                    role: role.into(),
                },
            )
            .await?
            {
                Response::Invite { invite } => println!("{invite}"),
                other => bail!("unexpected answer from the node: {other:?}"),
            }
        }
        Command::Revoke { id, reason } => {
            let member: AuthorId = parse_id(&id)?;
            print_posted(call(&dir, Request::Revoke { member, reason }).await?)?;
        }
        Command::Connect { address } => match call(&dir, Request::Connect { address }).await? {
            Response::Connecting { address } => println!("Connecting to {address}"),
            other => bail!("unexpected answer from the node: {other:?}"),
        },
        Command::Post { what } => {
            print_posted(
                call(
                    &dir,
                    Request::Post {
                        body: body_of(what)?,
                    },
                )
                .await?,
            )?;
        }
        Command::Close { id, note } => {
            let item: MessageId = parse_id(&id)?;
            print_posted(
                call(
                    &dir,
                    Request::Post {
                        body: Body::Close(Close { item, note }),
                    },
                )
                .await?,
            )?;
        }
        Command::Feed {
            kind,
            author,
            limit,
            json,
        } => {
            let kind = match kind {
                Some(name) => Some(Kind::from_name(&name).ok_or_else(|| {
                    anyhow!(
                        "`{name}` is not a kind; use announcement, mentoring_request, offer, \
                         resource, profile, close, admit, revoke or genesis"
                    )
                })?),
                None => None,
            };
            let author = author.map(|a| parse_id::<AuthorId>(&a)).transpose()?;
            match call(
                &dir,
                Request::Feed {
                    kind,
                    author,
                    limit: Some(limit),
                },
            )
            .await?
            {
                Response::Feed { items } if json => {
                    println!("{}", serde_json::to_string_pretty(&items)?)
                }
                Response::Feed { items } => items
                    .iter()
                    .for_each(|item| println!("{}", feed_line(item))),
                other => bail!("unexpected answer from the node: {other:?}"),
            }
        }
        Command::Show { id, json } => {
            let id: MessageId = parse_id(&id)?;
            match call(&dir, Request::Show { id }).await? {
                Response::Item { item } if json => {
                    println!("{}", serde_json::to_string_pretty(&item)?)
                }
                Response::Item { item } => print_item(&item)?,
                other => bail!("unexpected answer from the node: {other:?}"),
            }
        }
        Command::Peers { json } => match call(&dir, Request::Peers).await? {
            Response::Peers { peers } if json => {
                println!("{}", serde_json::to_string_pretty(&peers)?)
            }
            Response::Peers { peers } => {
                if peers.is_empty() {
                    println!("No peers known yet (is the node running? `sangam run`).");
                }
                for peer in peers {
                    let state = if peer.connected {
                        "connected"
                    } else {
                        "offline"
                    };
                    let name = peer.name.unwrap_or_else(|| "(unknown)".into());
                    println!("{state:<10} {name:<24} {}", peer.peer);
                }
            }
            other => bail!("unexpected answer from the node: {other:?}"),
        },
        Command::Members { json } => match call(&dir, Request::Members).await? {
            Response::Members { members } if json => {
                println!("{}", serde_json::to_string_pretty(&members)?)
            }
            Response::Members { members } => {
                for member in members {
                    let role = member.role.map(|r| r.name()).unwrap_or("revoked");
                    println!("{role:<9} {:<28} {}", member.name, member.id);
                }
            }
            other => bail!("unexpected answer from the node: {other:?}"),
        },
        Command::Status { json } => match call(&dir, Request::Status).await? {
            Response::Status(status) if json => {
                println!("{}", serde_json::to_string_pretty(&status)?)
            }
            Response::Status(status) => print_status(&status),
            other => bail!("unexpected answer from the node: {other:?}"),
        },
        Command::Run {
            listen,
            bootstrap,
            no_mdns,
            sync_interval,
        } => {
            let parse = |list: Vec<String>| -> Result<Vec<libp2p::Multiaddr>> {
                list.iter()
                    .map(|a| {
                        a.parse().map_err(|_| {
                            anyhow!("`{a}` is not a network address like /ip4/1.2.3.4/tcp/7117")
                        })
                    })
                    .collect()
            };
            let mut config = DaemonConfig {
                bootstrap: parse(bootstrap)?,
                mdns: !no_mdns,
                sync_interval: Duration::from_secs(sync_interval.max(1)),
                ..DaemonConfig::default()
            };
            if !listen.is_empty() {
                config.listen = parse(listen)?;
            }
            run_daemon(dir, config).await?;
        }
    }
    Ok(())
}

async fn run_daemon(dir: DataDir, config: DaemonConfig) -> Result<()> {
    let mut node = daemon::start(dir, config).await?;
    let mut listen = node.listen_watch();
    let mut printed = 0;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for the stop signal")?;
    loop {
        tokio::select! {
            changed = listen.changed() => {
                if changed.is_err() { break; }
                let addrs = listen.borrow().clone();
                for address in addrs.iter().skip(printed) {
                    println!("Listening on {address}");
                }
                printed = addrs.len();
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
            result = node.wait() => return result.map_err(Into::into),
        }
    }
    node.stop().await?;
    Ok(())
}

/// Opens the store directly, for commands run while the daemon is not running.
fn offline_ledger(dir: &DataDir) -> Result<Ledger> {
    Ok(Ledger::open(Store::open(&dir.store_path())?)?)
}

/// Sends a request to the running daemon, or answers it from the store when none runs.
async fn call(dir: &DataDir, request: Request) -> Result<Response> {
    let response = match ApiClient::connect(&dir.socket_path()).await {
        Ok(mut client) => client.request(&request).await?,
        Err(_) => {
            let keypair = dir.load_identity()?;
            let settings = dir.settings()?;
            let mut ledger = offline_ledger(dir)?;
            let addresses = ledger.listen_addresses()?;
            let mut service = Service {
                ledger: &mut ledger,
                keypair: &keypair,
                settings: &settings,
                addresses,
            };
            let outcome = service.handle(request, now_ms());
            if outcome.published.is_some() {
                ledger.flush()?;
            }
            outcome.response
        }
    };
    match response {
        Response::Error { message } => Err(anyhow!(message)),
        other => Ok(other),
    }
}

fn print_posted(response: Response) -> Result<()> {
    match response {
        Response::Posted { id } => {
            println!("{id}");
            Ok(())
        }
        other => bail!("unexpected answer from the node: {other:?}"),
    }
}

fn title_of(item: &Item) -> String {
    match &item.body {
        Some(Body::Announcement(b)) => b.title.clone(),
        Some(Body::MentoringRequest(b)) => format!("[{}] {}", b.topic, b.title),
        Some(Body::Offer(b)) => format!("offer on {}: {}", b.request.short(), b.body),
        Some(Body::Resource(b)) => b.title.clone(),
        Some(Body::Profile(b)) => format!("profile: {} ({})", b.name, b.state),
        Some(Body::Close(b)) => format!("closed {}", b.item.short()),
        Some(Body::Admit(b)) => format!("admitted {} as {}", b.name, b.role),
        Some(Body::Revoke(b)) => format!("revoked {}: {}", b.member.short(), b.reason),
        Some(Body::Genesis(b)) => format!("founded \"{}\"", b.network_name),
        Some(Body::Unsupported { number, .. }) => format!("(kind {number}, needs a newer Sangam)"),
        None => "(content removed)".into(),
    }
}

fn feed_line(item: &Item) -> String {
    let who = item
        .author_name
        .clone()
        .unwrap_or_else(|| item.author.short());
    let mut title: String = title_of(item).replace('\n', " ");
    if title.chars().count() > 60 {
        title = title.chars().take(59).collect::<String>() + "…";
    }
    format!(
        "{}  {:<17} {:<20} {}",
        item.id.short(),
        item.kind.name(),
        who,
        title
    )
}

fn print_item(item: &Item) -> Result<()> {
    println!("id:      {}", item.id);
    println!("kind:    {}", item.kind.name());
    println!(
        "author:  {} ({})",
        item.author_name.as_deref().unwrap_or("unknown"),
        item.author
    );
    println!("seq:     {}", item.seq);
    println!("written: {}", ago(item.timestamp));
    if item.closed {
        println!("closed by its author");
    }
    if item.kind == Kind::MentoringRequest {
        println!("offers:  {}", item.offers);
    }
    println!("{}", serde_json::to_string_pretty(&item.body)?);
    Ok(())
}

/// "12s ago", "5m ago", "3h ago", "2d ago".
fn ago(timestamp: u64) -> String {
    let seconds = now_ms().saturating_sub(timestamp) / 1000;
    match seconds {
        0..60 => format!("{seconds}s ago"),
        60..3600 => format!("{}m ago", seconds / 60),
        3600..86400 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86400),
    }
}

fn print_status(status: &sangam_protocol::api::Status) {
    let id = status.id.map(|i| i.to_string()).unwrap_or_default();
    println!("node:      {} ({id})", status.name);
    match (&status.network_name, status.network) {
        (Some(name), Some(network)) => println!("network:   {name} ({network})"),
        _ => println!("network:   none yet"),
    }
    println!(
        "role:      {}",
        status.role.map(|r| r.name()).unwrap_or("not a member")
    );
    println!("running:   {}", if status.running { "yes" } else { "no" });
    for address in &status.listen {
        println!("listening: {address}");
    }
    println!("peers:     {} connected", status.connected.len());
    for peer in &status.connected {
        let name = peer.name.as_deref().unwrap_or("(unknown)");
        let sync = peer
            .last_sync
            .map(|t| format!("last sync {}", ago(t)))
            .unwrap_or_default();
        println!("  {name:<24} {} {sync}", peer.peer);
    }
    let total: u64 = status.messages.values().sum();
    println!("messages:  {total}");
    for (kind, count) in &status.messages {
        println!("  {kind:<18} {count}");
    }
    if status.gossip_distinct > 0 {
        // Copies per message: how much duplicate traffic the gossip mesh costs this laptop.
        println!(
            "gossip:    {} messages received, {:.2} copies each",
            status.gossip_distinct,
            status.gossip_copies as f64 / status.gossip_distinct as f64
        );
    }
    if !status.rejected.is_empty() {
        println!("refused:");
        for (reason, count) in &status.rejected {
            println!("  {reason:<18} {count}");
        }
    }
    for (author, count) in &status.forks {
        println!("warning: {author} published {count} conflicting message(s) (a fork)");
    }
}
