//! The `sangam` command line: what each command does. Commands that read or change a node's data
//! go through the control socket when the daemon is running, and straight to the store when it is
//! not, with the same rules either way. The arguments are in [`args`], the printing in `print`.

pub mod args;
mod forum;
mod post;
mod print;
mod service;
mod text;
mod words;

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use sangam_protocol::kinds::{Close, Withdraw};
use sangam_protocol::{AuthorId, Body, Kind, MessageId};

use sangam_node::client::{Client, FeedQuery};
use sangam_node::clock::now_ms;
use sangam_node::daemon::{self, DaemonConfig};
use sangam_node::datadir::{DataDir, PassphraseSource, Settings};
use sangam_node::setup;
use sangam_node::vault::Passphrase;
use text::text_or_stdin;

use args::*;
use post::{SealFor, body_of, seal_of};
use print::*;

/// An id as typed on the command line (a collective's key or a message), or why it is not one.
fn parse_id<T: std::str::FromStr<Err = sangam_protocol::Error>>(text: &str) -> Result<T> {
    text.parse()
        .map_err(|e: sangam_protocol::Error| anyhow!("{e}"))
}

pub use args::Cli;

/// `sangam wipe`: after a typed confirmation, the running node tells the network and destroys
/// the folder as it stops; a stopped node's folder is destroyed here, with no one told.
async fn wipe(dir: &DataDir, confirmed: bool) -> Result<()> {
    use std::io::IsTerminal;
    if !dir.is_initialised() {
        return Err(anyhow!(
            "there is nothing to wipe in {}",
            dir.root().display()
        ));
    }
    if !confirmed {
        if !std::io::stdin().is_terminal() {
            return Err(anyhow!(
                "wiping cannot be undone: add --yes to wipe without a question"
            ));
        }
        eprintln!(
            "This destroys this collective's key and everything Sangam keeps on this laptop. It \
             cannot be undone. The network will be told this key is no longer safe. Type wipe to go on:"
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "wipe" {
            return Err(anyhow!("nothing was wiped"));
        }
    }
    let started = std::time::Instant::now();
    match Client::connect(&dir.socket_path()).await {
        Ok(mut client) => {
            let told = match client.request(&sangam_protocol::api::Request::Wipe).await? {
                sangam_protocol::api::Response::Wiping { told } => told,
                _ => 0,
            };
            // The node destroys the folder once it has stopped.
            while dir.root().exists() && started.elapsed() < Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if dir.root().exists() {
                dir.destroy()?;
            }
            println!(
                "Wiped in {:.1} s. {told} connected collectives were told this key is no longer \
                 safe; they tell the rest.",
                started.elapsed().as_secs_f64()
            );
        }
        Err(_) => {
            // Only a plain folder's id is read: wiping never waits for a passphrase.
            let id = (!dir.has_passphrase())
                .then(|| dir.load_identity().ok())
                .flatten()
                .map(|k| k.author().to_string());
            dir.destroy()?;
            println!(
                "Wiped in {:.1} s. The node was not running, so no one was told: ask a steward \
                 to revoke this collective's key{}.",
                started.elapsed().as_secs_f64(),
                id.map(|id| format!(" ({id})")).unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// Where this command gets the folder's passphrase: `--passphrase-file` (or its variable),
/// else a systemd credential, else the terminal.
fn passphrase_source(file: Option<std::path::PathBuf>) -> PassphraseSource {
    if let Some(file) = file {
        return PassphraseSource::File(file);
    }
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let credential = std::path::Path::new(&dir).join("sangam-passphrase");
        if credential.exists() {
            return PassphraseSource::File(credential);
        }
    }
    PassphraseSource::Prompt
}

/// The passphrase `init` seals the new folder with: from the file if one was given, else asked
/// twice on the terminal (empty for none); none for `--no-passphrase` or without a terminal.
fn new_passphrase(source: &PassphraseSource, refused: bool) -> Result<Option<Passphrase>> {
    use std::io::IsTerminal;
    if refused {
        return Ok(None);
    }
    match source {
        PassphraseSource::Prompt if !std::io::stdin().is_terminal() => Ok(None),
        PassphraseSource::Prompt => {
            eprintln!(
                "Choose a passphrase. Without it, nobody who takes this laptop can read what \
                 Sangam keeps. Leave it empty for none."
            );
            let first = Passphrase::new(rpassword::prompt_password("Passphrase: ")?);
            if first.is_empty() {
                return Ok(None);
            }
            let second =
                Passphrase::new(rpassword::prompt_password("The same passphrase again: ")?);
            if first != second {
                return Err(anyhow!(
                    "the two passphrases differ; run `sangam init` again"
                ));
            }
            Ok(Some(first))
        }
        other => Ok(Some(other.read()?).filter(|p| !p.is_empty())),
    }
}

/// Runs one command.
pub async fn run(cli: Cli) -> Result<()> {
    let root = DataDir::resolve(cli.data_dir)?;
    let passphrase_file = cli.passphrase_file.clone();
    let source = passphrase_source(cli.passphrase_file);
    let dir = DataDir::open(&root)?.with_passphrase(source.clone());
    words::speak_as_chosen(&root);
    match cli.command {
        Command::Init {
            name,
            region,
            no_passphrase,
        } => {
            // A key copied in from a backup keeps the passphrase it was saved with (asked once,
            // to open it); a new passphrase is chosen only for a new key.
            let restoring = dir.holds_restored_key();
            let passphrase = if restoring {
                None
            } else {
                new_passphrase(&source, no_passphrase)?
            };
            let settings = Settings {
                name,
                region,
                fresh_key: true,
                mdns: false,
                port: None,
                ..Settings::default()
            };
            let keypair = dir.initialise(&settings, passphrase.as_deref().map(|p| p.as_str()))?;
            if restoring {
                eprintln!(
                    "Kept the key restored from the backup. Ask a steward for a fresh invite \
                     (`sangam admit` gives one to an existing member); once joined, the node \
                     fetches this collective's earlier posts before it lets you post."
                );
            }
            if !dir.has_passphrase() {
                eprintln!(
                    "This folder has no passphrase: anyone who holds this laptop can read the \
                     network's messages, its members' names and addresses, and this collective's \
                     key. To protect them, set it up again in a terminal with a passphrase."
                );
            }
            println!("{}", keypair.author());
        }
        Command::Id => println!("{}", dir.load_identity()?.author()),
        Command::Network {
            action: NetworkAction::Create { name },
        } => println!("{}", setup::found(&dir, &name, now_ms())?),
        Command::Join { invite } => {
            let invite = text_or_stdin(invite, "invite line")?;
            let joined = setup::join(&dir, &invite, now_ms())?;
            println!(
                "Joined the network \"{}\" ({}) as a {}. Start the node with `sangam run`.",
                joined.name, joined.network, joined.role
            );
        }
        Command::Admit { id, name, role } => {
            let member: AuthorId = parse_id(&id)?;
            let invite = client(&dir).await?.admit(member, name, role.into()).await?;
            println!("{invite}");
        }
        Command::Revoke { id, reason, since } => {
            let member: AuthorId = parse_id(&id)?;
            let since = moment(&since)?;
            println!(
                "{}",
                client(&dir).await?.revoke(member, reason, since).await?
            );
        }
        Command::Council { members } => {
            let mut client = client(&dir).await?;
            let keys = forum::members_named(&mut client, &members).await?;
            let id = client.name_council(keys).await?;
            println!(
                "{id}\nThe council takes effect when the founder names it, or, to change it, once \
                 more than half of the council in force named the same stewards."
            );
        }
        Command::ReplaceFounder {
            id,
            name,
            reason,
            since,
        } => {
            let successor: AuthorId = parse_id(&id)?;
            let since = moment(&since)?;
            let id = client(&dir)
                .await?
                .replace_founder(successor, name, reason, since)
                .await?;
            println!("{id}");
        }
        Command::Connect { address } => {
            let address = client(&dir).await?.connect_to(address).await?;
            println!("Connecting to {address}");
        }
        Command::Post { what } => {
            let seal = seal_of(&what)?;
            let body = body_of(what)?;
            let mut client = client(&dir).await?;
            let id = match seal {
                SealFor::Nobody => client.post(body).await?,
                SealFor::Requester(request) => {
                    let asker = client.show(request).await?.author;
                    client.seal(body, vec![asker]).await?
                }
                SealFor::Named(names) => {
                    let to = forum::members_named(&mut client, &names).await?;
                    client.seal(body, to).await?
                }
            };
            println!("{id}");
        }
        Command::Close { id, note } => {
            let item: MessageId = parse_id(&id)?;
            let body = Body::Close(Close { item, note });
            println!("{}", client(&dir).await?.post(body).await?);
        }
        Command::Withdraw { id } => {
            let item: MessageId = parse_id(&id)?;
            let body = Body::Withdraw(Withdraw { item });
            client(&dir).await?.post(body).await?;
            println!("Withdrawn: every node drops its words as it hears of this.");
        }
        Command::Wipe { yes } => wipe(&dir, yes).await?,
        Command::Service { action } => {
            let place =
                |p: &ServicePlace| service::Place::new(p.system, p.unit_dir.clone(), !p.no_start);
            match action {
                ServiceAction::Install(p) => {
                    service::install(&dir, &place(&p)?, passphrase_file.as_deref())?
                }
                ServiceAction::Status(p) => service::status(&place(&p)?)?,
                ServiceAction::Uninstall(p) => service::uninstall(&place(&p)?)?,
            }
        }
        Command::Feed {
            kind,
            author,
            limit,
            before,
            after,
            json,
        } => {
            let query = FeedQuery {
                kind: kind_of(kind)?,
                author: author.map(|a| parse_id::<AuthorId>(&a)).transpose()?,
                limit: None,
                before,
                after,
            };
            forum::feed(&mut client(&dir).await?, query, limit, json).await?
        }
        Command::Bundle { action } => forum::bundle(&mut client(&dir).await?, action).await?,
        Command::Export { file, kind } => {
            forum::export(&mut client(&dir).await?, kind_of(kind)?, &file).await?
        }
        Command::Scorecard {
            state,
            district,
            office_type,
            since,
            json,
            csv,
            report,
        } => {
            let filter = forum::filter(state, district, office_type, since)?;
            let format = match (json, csv, report) {
                (true, _, _) => forum::Format::Json,
                (_, true, _) => forum::Format::Csv,
                (_, _, true) => forum::Format::Report,
                _ => forum::Format::Text,
            };
            forum::scorecard(&mut client(&dir).await?, filter, format).await?
        }
        Command::Show { id, json } => {
            let item = client(&dir).await?.show(parse_id(&id)?).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&item)?);
            } else {
                print_item(&item)?;
            }
        }
        Command::Peers { json } => {
            let peers = client(&dir).await?.peers().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&peers)?);
            } else {
                print_peers(peers);
            }
        }
        Command::Members { json } => {
            let members = client(&dir).await?.members().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&members)?);
            } else {
                print_members(members);
            }
        }
        Command::Status { json } => {
            let status = client(&dir).await?.status().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                for line in words::status_lines(&status) {
                    println!("{line}");
                }
            }
        }
        Command::Run {
            listen,
            bootstrap,
            mdns,
            no_mdns,
            relay,
            sync_interval,
            lonely_after,
        } => {
            let announce = (mdns || dir.settings().is_ok_and(|s| s.mdns)) && !no_mdns;
            if announce {
                println!(
                    "This laptop is announcing itself on the local network: anyone on this \
                     Wi-Fi can see it. Stop and run without --mdns unless you trust them all."
                );
            }
            let parse = |list: Vec<String>| -> Result<Vec<libp2p::Multiaddr>> {
                list.iter()
                    .map(|a| {
                        a.parse().map_err(|_| {
                            anyhow!("`{a}` is not a network address like /ip4/1.2.3.4/tcp/7117")
                        })
                    })
                    .collect()
            };
            // The settings file's peers too: a hub run as a service needs no flags.
            let mut bootstrap = bootstrap;
            bootstrap.extend(dir.settings().map(|s| s.bootstrap).unwrap_or_default());
            let mut config = DaemonConfig {
                bootstrap: parse(bootstrap)?,
                mdns: announce,
                relay: relay || dir.settings().is_ok_and(|s| s.relay),
                sync_interval: Duration::from_secs(sync_interval.max(1)),
                ..DaemonConfig::default()
            };
            // Where the settings say (the port `init` picked), unless --listen says otherwise.
            config.listen = if listen.is_empty() {
                parse(dir.settings()?.listen_addresses())?
            } else {
                parse(listen)?
            };
            run_daemon(dir, config, Duration::from_secs(lonely_after)).await?;
        }
    }
    Ok(())
}

/// Runs the node until it is stopped; after `lonely_after` without any member connected, says
/// plainly that none could be reached.
async fn run_daemon(dir: DataDir, config: DaemonConfig, lonely_after: Duration) -> Result<()> {
    let socket = dir.socket_path();
    let mut node = daemon::start(dir, config).await?;
    let mut listen = node.listen_watch();
    let mut printed = 0;
    // A collective that joined with an old invite, or whose hub is off, learns why nothing
    // arrives instead of waiting in silence (the node keeps trying either way).
    tokio::spawn(async move {
        tokio::time::sleep(lonely_after).await;
        let Ok(mut client) = Client::connect(&socket).await else {
            return;
        };
        let (Ok(status), Ok(members)) = (client.status().await, client.members().await) else {
            return;
        };
        let others = members
            .iter()
            .filter(|m| !m.revoked && Some(m.id) != status.id)
            .count();
        if others > 0 && status.connected.is_empty() {
            eprintln!(
                "No other collective could be reached yet at the addresses this node knows; it \
                 keeps trying. If the invite is old or the hub has moved, ask a steward for a \
                 fresh invite, or `sangam connect ADDRESS` to a member you know is online."
            );
        }
    });
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

/// The node of `dir`: the running daemon, or the folder itself when none runs.
/// A kind named on the command line.
fn kind_of(name: Option<String>) -> Result<Option<Kind>> {
    name.map(|name| {
        Kind::from_name(&name).ok_or_else(|| {
            anyhow!(
                "`{name}` is not a kind; use announcement, mentoring_request, offer, resource, \
                 audit, endorsement, profile, close, admit, revoke or genesis"
            )
        })
    })
    .transpose()
}

async fn client(dir: &DataDir) -> Result<Client> {
    Ok(Client::open(dir).await?)
}
