//! A thief with the laptop: a data folder made with a passphrase, searched byte by byte after the
//! node has run, posted, synced and learned a peer's address, gives up no text, no name, no
//! address and no key. The same search of a folder made without one finds them (so the search
//! can fail).

use std::path::Path;
use std::time::Duration;

use sangam_protocol::Role;
use sangam_tests::{TestNode, eventually, test_config, time_limit};

const TITLE: &str = "Meeting at the safe house on Thursday";
const MEMBER_NAME: &str = "Kolkata Rescue Collective Alpha";
/// A loopback address no other test uses, so finding it means finding this peer's address.
const MEMBER_IP: &str = "127.83.19.7";

/// Every file under `root`, read whole.
fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path.display().to_string(), bytes));
            }
        }
    }
    out
}

/// The files under `root` that hold `needle`.
fn holders(root: &Path, needle: &[u8]) -> Vec<String> {
    files(root)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path)
        .collect()
}

/// What a thief looks for: the posted title, the member's name, the member's IP address (as
/// text and as a multiaddr's bytes: 0x04, the four octets, 0x06 for TCP), the secret key.
fn secrets(node: &TestNode) -> Vec<(&'static str, Vec<u8>)> {
    let secret = node.dir.load_identity().unwrap().secret_bytes();
    vec![
        ("the posted title", TITLE.as_bytes().to_vec()),
        ("the member's name", MEMBER_NAME.as_bytes().to_vec()),
        ("the member's address", MEMBER_IP.as_bytes().to_vec()),
        ("the member's address (bytes)", vec![4, 127, 83, 19, 7, 6]),
        ("the secret key", secret.to_vec()),
        (
            "the secret key (hex)",
            hex::encode(&secret[..]).into_bytes(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_with_a_passphrase_gives_a_thief_nothing() {
    let _limit = time_limit(Duration::from_secs(120));
    let mut founder = TestNode::sealed("Founder", Some("river of many waters"));
    founder.found("Sangam test");
    let mut member = TestNode::new(MEMBER_NAME);
    founder.admit(&member, Role::Member);

    founder.start(vec![]).await;
    member
        .start_with(sangam_node::daemon::DaemonConfig {
            listen: vec![format!("/ip4/{MEMBER_IP}/tcp/0").parse().unwrap()],
            ..test_config(founder.addrs.clone())
        })
        .await;
    let posted = member.announce(TITLE).await;
    eventually("the founder to hold the post", || founder.holds(posted)).await;
    eventually(
        "the founder's address book to hold the member's address",
        || async {
            let peers = founder.client().await.peers().await.unwrap();
            peers
                .iter()
                .any(|p| p.addresses.iter().any(|a| a.contains(MEMBER_IP)))
        },
    )
    .await;
    founder.stop().await;
    member.stop().await;

    let sealed = founder.dir.root();
    // Every file and folder is private to the user, sled's own files included.
    for root in [sealed, member.dir.root()] {
        let mut stack = vec![root.to_path_buf()];
        while let Some(path) = stack.pop() {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", path.display());
            if meta.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            }
        }
    }
    for (what, needle) in secrets(&founder) {
        assert_eq!(
            holders(sealed, &needle),
            Vec::<String>::new(),
            "{what} was found"
        );
    }
    // The same search finds the words in the member's folder, made without a passphrase.
    assert!(!holders(member.dir.root(), TITLE.as_bytes()).is_empty());
    assert!(!holders(member.dir.root(), MEMBER_NAME.as_bytes()).is_empty());
    let plain_key = member.dir.load_identity().unwrap().secret_bytes();
    assert!(!holders(member.dir.root(), hex::encode(&plain_key[..]).as_bytes()).is_empty());

    // Without the passphrase the folder does not open; with it, everything is there.
    let locked = sangam_node::datadir::DataDir::open(sealed)
        .unwrap()
        .with_passphrase(sangam_node::datadir::PassphraseSource::File(
            sealed.join("no-such-file"),
        ));
    assert!(locked.load_identity().is_err());
    assert!(sangam_node::store::Store::open(&founder.dir.store_path()).is_err());
    let ledger = founder.ledger();
    assert!(ledger.store().contains(&posted).unwrap());
    let book: Vec<(Vec<u8>, serde_json::Value)> = ledger.peer_records();
    assert!(
        book.iter()
            .any(|(_, record)| record.to_string().contains(MEMBER_IP)),
        "the address book was saved (so the search above had something to find): {book:?}"
    );
}
