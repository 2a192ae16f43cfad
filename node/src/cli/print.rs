//! How the `sangam` command line prints answers: plain lines for people, ids alone where a script
//! would read them.

use anyhow::Result;
use sangam_protocol::api::{Item, MemberView, PeerView};
use sangam_protocol::{Body, Kind};

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

pub(super) fn title_of(item: &Item) -> String {
    if let (Some(Body::Sealed(sealed)), Some(view)) = (&item.body, &item.sealed) {
        let readers = view.readers.join(", ");
        return match item.opened() {
            Some(opened) => format!("(sealed for {readers}) {}", title_of(&opened)),
            None => match &view.problem {
                Some(problem) => format!("(sealed for {readers}) {problem}"),
                None => format!(
                    "sealed {} for {readers}: only they can read it",
                    sealed.inner_kind.name().replace('_', " ")
                ),
            },
        };
    }
    match &item.body {
        Some(Body::Announcement(b)) => b.title.clone(),
        Some(Body::MentoringRequest(b)) => format!("[{}] {}", b.topic, b.title),
        Some(Body::Offer(b)) => format!("offer on {}: {}", b.request.short(), b.body),
        Some(Body::Resource(b)) => b.title.clone(),
        Some(Body::Profile(b)) => format!("profile: {} ({})", b.name, b.state),
        Some(Body::Close(b)) => format!("closed {}", b.item.short()),
        Some(Body::Admit(b)) => format!("admitted {} as {}", b.name, b.role),
        Some(Body::Revoke(b)) => format!("revoked {}: {}", b.member.short(), b.reason),
        Some(Body::ReplaceFounder(b)) => format!(
            "voted to replace the founder key {} with {} ({}): {}",
            b.founder.short(),
            b.name,
            b.successor.short(),
            b.reason
        ),
        Some(Body::Council(b)) => format!(
            "named recovery council term {}: {}",
            b.term,
            b.members
                .iter()
                .map(|key| key.short())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(Body::Genesis(b)) => format!("founded \"{}\"", b.network_name),
        Some(Body::Withdraw(b)) => format!("withdrew {}", b.item.short()),
        Some(Body::KeyCompromised(b)) if b.reason.is_empty() => {
            "reported its own key stolen: nothing it signs from now on counts".into()
        }
        Some(Body::KeyCompromised(b)) => format!("reported its own key stolen: {}", b.reason),
        Some(Body::Audit(b)) => format!(
            "audit of {} ({}, {}): {}, {}",
            b.office_name,
            b.district,
            b.date,
            b.sought,
            b.outcome.name()
        ),
        Some(Body::Endorsement(b)) => format!("endorsed audit {}", b.audit.short()),
        Some(Body::SealingKey(_)) => "published its key for private (sealed) messages".into(),
        Some(Body::Sealed(_)) => "sealed: only its readers can read it".into(),
        Some(Body::Unsupported { number, .. }) => format!("(kind {number}, needs a newer Sangam)"),
        None if item.withdrawn => "(withdrawn by its author)".into(),
        None if item.expires_at.is_some_and(|at| at <= now_ms()) => "(expired)".into(),
        None => "(content removed)".into(),
    }
}

pub(super) fn feed_line(item: &Item) -> String {
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

pub(super) fn print_status(status: &sangam_protocol::api::Status) {
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
    if status.announcing_on_lan {
        println!("local network: announcing this laptop — anyone on this Wi-Fi can see it");
    }
    for address in &status.listen {
        println!("listening: {address}");
    }
    if status.running {
        let reach = if status.public_address {
            "directly, at a public address".to_string()
        } else if !status.relays.is_empty() {
            let names: Vec<String> = status
                .relays
                .iter()
                .map(|relay| {
                    status
                        .name_of_peer(relay)
                        .map_or_else(|| short(relay), String::from)
                })
                .collect();
            format!("through member relay {}", names.join(", "))
        } else {
            "not from outside yet (no public address, no relay): it can still connect out".into()
        };
        println!("reachable: {reach}");
        if status.relaying {
            println!(
                "relaying:  yes, for {} member(s) reachable through this laptop",
                status.relay_serving
            );
        }
    }
    println!(
        "peers:     {} connected ({} directly, {} through a relay)",
        status.connected.len(),
        status.connected_directly,
        status.connected_via_relay
    );
    for peer in &status.connected {
        let name = peer.name.as_deref().unwrap_or("(unknown)");
        let sync = peer
            .last_sync
            .map(|t| format!("last sync {}", ago(t)))
            .unwrap_or_default();
        let path = if peer.relayed {
            " (through a relay)"
        } else {
            ""
        };
        println!("  {name:<24} {}{path} {sync}", peer.peer);
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

/// A libp2p peer id shortened for the screen (its last eight characters).
fn short(peer: &str) -> String {
    let tail: String = peer
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}
