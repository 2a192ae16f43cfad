//! How the `sangam` command line prints answers: plain lines for people, ids alone where a script
//! would read them.

use anyhow::Result;
use sangam_protocol::Kind;
use sangam_protocol::api::{Item, MemberView, PeerView};

use sangam_node::clock::now_ms;

pub(super) fn print_peers(peers: Vec<PeerView>) {
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

pub(super) fn print_members(members: Vec<MemberView>) {
    for member in members {
        let role = match member.role {
            Some(_) if member.disputed => "disputed",
            Some(role) => role.name(),
            None => "revoked",
        };
        let seat = if member.council { " (council)" } else { "" };
        println!("{role:<9} {:<28} {}{seat}", member.name, member.id);
    }
}

pub(super) fn print_item(item: &Item) -> Result<()> {
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
    if item.withdrawn {
        println!("withdrawn by its author: its words are gone from every node");
    }
    if let Some(at) = item.expires_at {
        let when = humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(at),
        );
        println!("expires: {when} (its words are then dropped everywhere)");
    }
    if item.kind == Kind::MentoringRequest {
        println!("offers:  {}", item.offers);
    }
    if item.kind == Kind::Audit {
        println!("endorsed by {} other collective(s)", item.endorsements);
    }
    println!("{}", serde_json::to_string_pretty(&item.body)?);
    Ok(())
}

/// "12s ago", "5m ago", "3h ago", "2d ago".
pub(super) fn ago(timestamp: u64) -> String {
    let seconds = now_ms().saturating_sub(timestamp) / 1000;
    match seconds {
        0..60 => format!("{seconds}s ago"),
        60..3600 => format!("{}m ago", seconds / 60),
        3600..86400 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86400),
    }
}
