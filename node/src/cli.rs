//! The `sangam` command line: what each command does. Commands that read or change a node's data
//! go through the control socket when the daemon is running, and straight to the store when it is
//! not, with the same rules either way. The arguments are in [`args`], the printing in `print`.

pub mod args;
mod print;

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use sangam_protocol::api::{Request, Response};
use sangam_protocol::invite::Invite;
use sangam_protocol::kinds::Close;
use sangam_protocol::{AuthorId, Body, Kind, MessageId};

use crate::api::ApiClient;
use crate::clock::now_ms;
use crate::daemon::{self, DaemonConfig};
use crate::datadir::{DataDir, Settings};
use crate::ledger::Ledger;
use crate::service::Service;
use crate::store::Store;

use args::*;
use print::*;

pub use args::Cli;

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
