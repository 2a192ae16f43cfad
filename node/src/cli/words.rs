//! What `sangam status` and `sangam feed` say, in the language spoken (the app's choice saved in
//! the folder, else `LANG`, else English), from the catalogue the terminal app speaks from, with
//! the same item titles.

use std::path::Path;

use sangam_node::catalogue::{Language, speak};
use sangam_node::labels::{age, kind_label, role_label, title_of};
use sangam_node::t;
use sangam_protocol::Kind;
use sangam_protocol::api::{Item, Status};

use sangam_node::clock::now_ms;

/// Where the terminal app keeps its choices, in the data folder (its language among them).
const APP_SETTINGS: &str = "sangam-tui.json";

/// Speaks, on this thread, the language the collective chose in the app (saved in `folder`),
/// else the one the environment names, else English.
pub(super) fn speak_as_chosen(folder: &Path) {
    let chosen = std::fs::read(folder.join(APP_SETTINGS))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|settings| serde_json::from_value::<Language>(settings["language"].clone()).ok());
    speak(
        chosen
            .or_else(Language::from_environment)
            .unwrap_or_default(),
    );
}

/// One line of `sangam feed`: short id, kind, author, title.
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
        kind_label(item.kind),
        who,
        title
    )
}

/// `label: value` with labels padded to one width, so the values line up in any language.
fn field(label: String, value: String) -> String {
    const WIDTH: usize = 14;
    let pad = WIDTH.saturating_sub(label.chars().count() + 1);
    format!("{label}:{} {value}", " ".repeat(pad))
}

/// The lines of `sangam status`.
pub(super) fn status_lines(status: &Status) -> Vec<String> {
    let mut lines = Vec::new();
    let id = status.id.map(|i| i.to_string()).unwrap_or_default();
    lines.push(field(
        t!("status-field-node"),
        format!("{} ({id})", status.name),
    ));
    let network = match (&status.network_name, status.network) {
        (Some(name), Some(network)) => format!("{name} ({network})"),
        _ => t!("status-no-network-yet"),
    };
    lines.push(field(t!("status-field-network"), network));
    let role = status
        .role
        .map_or_else(|| t!("status-not-a-member"), role_label);
    lines.push(field(t!("status-field-role"), role));
    let running = if status.running {
        t!("status-yes")
    } else {
        t!("status-no")
    };
    lines.push(field(t!("status-field-running"), running));
    if status.announcing_on_lan {
        lines.push(t!("status-announcing-on-lan"));
    }
    for address in &status.listen {
        lines.push(field(t!("status-field-listening"), address.clone()));
    }
    if status.running {
        let reach = if status.public_address {
            t!("status-reach-public")
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
            t!("status-reach-relay", names = names.join(", "))
        } else {
            t!("status-reach-none")
        };
        lines.push(field(t!("status-field-reachable"), reach));
        if status.relaying {
            lines.push(field(
                t!("status-field-relaying"),
                t!("status-relaying", count = status.relay_serving),
            ));
        }
    }
    lines.push(field(
        t!("status-field-peers"),
        t!(
            "status-peers",
            count = status.connected.len(),
            direct = status.connected_directly,
            relayed = status.connected_via_relay
        ),
    ));
    let now = now_ms();
    for peer in &status.connected {
        let name = peer
            .name
            .clone()
            .unwrap_or_else(|| t!("status-unknown-peer"));
        let sync = peer
            .last_sync
            .map(|t| t!("status-last-sync", ago = age(now, t)))
            .unwrap_or_default();
        let path = if peer.relayed {
            format!(" {}", t!("status-through-relay"))
        } else {
            String::new()
        };
        lines.push(format!("  {name:<24} {}{path} {sync}", peer.peer));
    }
    let total: u64 = status.messages.values().sum();
    lines.push(field(t!("status-field-messages"), total.to_string()));
    for (kind, count) in &status.messages {
        let label = Kind::from_name(kind).map_or_else(|| kind.clone(), kind_label);
        lines.push(format!("  {label:<18} {count}"));
    }
    if status.gossip_distinct > 0 {
        // Copies per message: how much duplicate traffic the gossip mesh costs this laptop.
        let copies = status.gossip_copies as f64 / status.gossip_distinct as f64;
        lines.push(field(
            t!("status-field-gossip"),
            t!(
                "status-gossip",
                count = status.gossip_distinct,
                copies = format!("{copies:.2}")
            ),
        ));
    }
    if !status.rejected.is_empty() {
        lines.push(format!("{}:", t!("status-field-refused")));
        // Reason codes as the node counts them (PROTOCOL.md §10), the same in every language.
        for (reason, count) in &status.rejected {
            lines.push(format!("  {reason:<18} {count}"));
        }
    }
    for (author, count) in &status.forks {
        lines.push(t!("status-fork", author = author.as_str(), count = *count));
    }
    lines
}

/// A libp2p peer id shortened for the screen (its last eight characters).
fn short(peer: &str) -> String {
    let tail: Vec<char> = peer.chars().rev().take(8).collect();
    format!("…{}", tail.into_iter().rev().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_whose_app_chose_bengali_is_answered_in_bengali() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join(APP_SETTINGS),
            br#"{"language":"bengali","bell":true}"#,
        )
        .unwrap();
        speak_as_chosen(folder.path());
        assert_eq!(sangam_node::catalogue::speaking(), Language::Bengali);
        speak(Language::English);
    }
}
