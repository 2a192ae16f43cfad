//! The `sangam` command line's arguments (clap derive); what `sangam post` takes is in
//! `cli/post.rs`.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use sangam_protocol::Role;

pub use super::post::PostCommand;
use sangam_node::clock::now_ms;

/// Sangam: a peer-to-peer mesh for survivor collectives.
#[derive(Parser, Debug)]
#[command(name = "sangam", version, about, disable_help_subcommand = true)]
pub struct Cli {
    /// The node's data folder (default: SANGAM_DATA_DIR, else the platform's data folder).
    #[arg(long, env = "SANGAM_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A file whose first line is the data folder's passphrase, for scripts and hub services
    /// (default: SANGAM_PASSPHRASE_FILE, else a systemd credential named `sangam-passphrase`,
    /// else asked on the terminal).
    #[arg(
        long,
        env = "SANGAM_PASSPHRASE_FILE",
        global = true,
        value_name = "FILE"
    )]
    pub passphrase_file: Option<PathBuf>,
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
        /// Keep this folder without a passphrase: anyone holding the laptop can read it.
        #[arg(long, conflicts_with = "passphrase_file")]
        no_passphrase: bool,
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
        /// The invite line, starting `sangam-invite-1:`. Left out (or `-`): read from standard
        /// input, so the invite stays out of shell history.
        invite: Option<String>,
    },
    /// Revoke a member (stewards only). The key can never be admitted again.
    Revoke {
        /// The member's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Distrust what the key signed from this day on (a stolen laptop: the day it was
        /// taken), as 2026-11-20 or as time ago like 3d. Without it, everything this node has
        /// seen from the key still counts.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Name the recovery council: the stewards whose majority alone can replace the founder's
    /// key if the founder's laptop is taken (2 to 9, by name or id). The founder names the
    /// first; after that a council member proposes a new list, in force once most of the
    /// council proposed the same.
    Council {
        /// The stewards on it, by name or id.
        #[arg(required = true, num_args = 2..)]
        members: Vec<String>,
    },
    /// Vote to replace the founder's key (stewards only): a seized or lost founder laptop. It
    /// takes effect once more than half of the recovery council (or, if none was named, of the
    /// other stewards) voted for the same new key.
    ReplaceFounder {
        /// The new founder key's id (from `sangam id` on the new laptop).
        id: String,
        /// The new founder's name.
        #[arg(long)]
        name: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Distrust what the old founder key signed from this day on (2026-11-20 or 3d).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Run the node until Ctrl-C.
    Run {
        /// An address to listen on (repeatable), e.g. /ip4/0.0.0.0/tcp/7117.
        #[arg(long, value_name = "MULTIADDR")]
        listen: Vec<String>,
        /// A peer to connect to at start (repeatable), ending in /p2p/<id>.
        #[arg(long, value_name = "MULTIADDR")]
        bootstrap: Vec<String>,
        /// Announce this laptop and look for members on the local network (mDNS), for a
        /// trusted gathering. Anyone on the same Wi-Fi can then see this laptop. Off by default.
        #[arg(long, conflicts_with = "no_mdns")]
        mdns: bool,
        /// Do not announce on the local network even if the settings say so.
        #[arg(long)]
        no_mdns: bool,
        /// Relay for members that cannot be dialled directly (behind a NAT): for a hub with a
        /// public address or a forwarded port. Strangers get nothing from it.
        #[arg(long)]
        relay: bool,
        /// Seconds between syncs with a random peer.
        #[arg(long, default_value_t = 30, hide = true)]
        sync_interval: u64,
        /// Seconds without any member before saying so.
        #[arg(long, default_value_t = 45, hide = true)]
        lonely_after: u64,
    },
    /// Run this node as a service that starts at boot and restarts when it stops (systemd).
    Service {
        /// What to do with the service.
        #[command(subcommand)]
        action: ServiceAction,
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
    /// Close one of your own items (settled: its words stay for others to read).
    Close {
        /// The item's id.
        id: String,
        /// Why (optional).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw one of your own items: every node drops its words (it said too much).
    Withdraw {
        /// The item's id.
        id: String,
    },
    /// This laptop is no longer safe: tell the network its key is stolen (if the node is
    /// running), then destroy everything Sangam keeps here.
    Wipe {
        /// Do not ask; for scripts.
        #[arg(long)]
        yes: bool,
    },
    /// List messages, newest first. Says when more are held than it printed.
    Feed {
        /// Only this kind: announcement, mentoring_request, offer, resource, audit, profile …
        #[arg(long)]
        kind: Option<String>,
        /// Only by this member id.
        #[arg(long)]
        author: Option<String>,
        /// At most this many (any number; read from the node a page at a time).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only messages older than this cursor (printed after a page): the next page.
        #[arg(long)]
        before: Option<String>,
        /// Only messages newer than this cursor, oldest first.
        #[arg(long, conflicts_with = "before")]
        after: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every message held (or of one kind) to a file as JSON Lines, oldest first.
    Export {
        /// The file to write (`-`: standard output).
        file: PathBuf,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Carry messages on a USB stick to a node that cannot connect (no internet), and back.
    Bundle {
        /// Export or import.
        #[command(subcommand)]
        action: BundleAction,
    },
    /// The survivors' score card of public offices, from the audits held.
    Scorecard {
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// Only this district.
        #[arg(long)]
        district: Option<String>,
        /// Only this kind of office: ahtu, police_station, shelter_home, child_welfare_committee,
        /// dlsa, labour_department, health, scheme_office, court, other.
        #[arg(long)]
        office_type: Option<String>,
        /// Only interactions on or after this day, e.g. 2026-04-01.
        #[arg(long)]
        since: Option<String>,
        /// Print JSON (the same bytes on every node holding the same audits).
        #[arg(long, conflicts_with_all = ["csv", "report"])]
        json: bool,
        /// Print CSV for spreadsheets, one row per office.
        #[arg(long, conflicts_with = "report")]
        csv: bool,
        /// Print a Markdown report for media and officials, with every message id it rests on.
        #[arg(long)]
        report: bool,
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

/// Where a service is installed: for this account (default) or for the whole computer.
#[derive(clap::Args, Debug)]
pub struct ServicePlace {
    /// A service for the whole computer (needs root), not just this account.
    #[arg(long)]
    pub system: bool,
    /// Write the unit file here instead of systemd's folder (for testing and packaging).
    #[arg(long, hide = true, value_name = "DIR")]
    pub unit_dir: Option<PathBuf>,
    /// Only write (or remove) the unit file; do not ask systemd to start or stop it.
    #[arg(long)]
    pub no_start: bool,
}

/// Service commands.
#[derive(Subcommand, Debug)]
pub enum ServiceAction {
    /// Write the service, enable it and start it. A folder with a passphrase needs
    /// --passphrase-file FILE (handed to the service as a systemd credential).
    Install(ServicePlace),
    /// Whether the service is installed and running.
    Status(ServicePlace),
    /// Stop the service and remove it.
    Uninstall(ServicePlace),
}

/// Bundle commands.
#[derive(Subcommand, Debug)]
pub enum BundleAction {
    /// Write the messages another node probably lacks into FILE, sealed so only the
    /// collectives named with --for can read it. Without --since: what they lacked when their
    /// last bundle was read here.
    Export {
        /// The file to write, e.g. on a USB stick.
        file: PathBuf,
        /// Everything written since this day (2026-11-01) or this long ago (30d).
        #[arg(long)]
        since: Option<String>,
        /// Who the bundle is for (name or id, repeatable, up to 8): only they can read it.
        #[arg(long = "for", value_name = "COLLECTIVE")]
        for_collective: Vec<String>,
        /// Write it unsealed: anyone who finds the file can read every message in it.
        #[arg(long)]
        plain: bool,
    },
    /// Read a bundle from FILE: every message is checked as if it came from the network, and
    /// only what is new is stored. Reading the same bundle twice changes nothing.
    Import {
        /// The bundle file.
        file: PathBuf,
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

/// A moment given as a date (2026-11-20, midnight UTC), a date and time, or a time ago (3d).
pub(super) fn moment(text: &Option<String>) -> Result<Option<u64>> {
    let Some(text) = text else { return Ok(None) };
    let trimmed = text.trim();
    if let Ok(ago) = humantime::parse_duration(trimmed) {
        return Ok(Some(now_ms().saturating_sub(ago.as_millis() as u64)));
    }
    let full = if trimmed.len() == 10 {
        format!("{trimmed}T00:00:00Z")
    } else {
        trimmed.to_string()
    };
    let when = humantime::parse_rfc3339_weak(&full).map_err(|_| {
        anyhow!("`{text}` is not a date; write it like 2026-11-20, or as time ago like 3d")
    })?;
    let ms = when
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| anyhow!("`{text}` is before 1970; write a recent date like 2026-11-20"))?;
    Ok(Some(ms.as_millis() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_a_date_a_date_and_time_or_a_time_ago() {
        let day = moment(&Some("2026-11-20".into())).unwrap();
        assert_eq!(day, Some(1_795_132_800_000));
        let later = moment(&Some("2026-11-20 06:30:00".into())).unwrap();
        assert_eq!(later, Some(1_795_132_800_000 + 6 * 3_600_000 + 30 * 60_000));
        let ago = moment(&Some("3d".into())).unwrap().unwrap();
        let expected = now_ms() - 3 * 86_400_000;
        assert!(ago.abs_diff(expected) < 60_000);
        assert_eq!(moment(&None).unwrap(), None);
        let wrong = moment(&Some("last tuesday".into()))
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("2026-11-20"), "{wrong}");
    }
}
