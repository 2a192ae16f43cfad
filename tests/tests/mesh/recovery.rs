//! A collective whose laptop was reinstalled (data lost, key restored from a backup) first learns
//! its own earlier posts from peers, so its next post continues its feed instead of forking it.

use sangam_node::NodeError;
use sangam_node::clock::now_ms;
use sangam_node::datadir::{DataDir, Settings};
use sangam_protocol::api::{Request, Response};
use sangam_protocol::invite::Invite;
use sangam_protocol::{Body, Keypair, Kind, MessageId};
use sangam_tests::{TestNode, eventually, network};

/// Starts the founder and `nodes[1]`, which posts five announcements the founder receives, then
/// goes offline. Returns the founder's address.
async fn five_posts_then_offline(nodes: &mut [TestNode]) -> libp2p::Multiaddr {
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;
    let mut before = Vec::new();
    for i in 0..5 {
        let title = format!("before the reinstall {i}");
        before.push(nodes[1].announce(&title).await);
    }
    for id in &before {
        eventually("the founder to hold the member's posts", || {
            nodes[0].holds(*id)
        })
        .await;
    }
    nodes[1].stop().await;
    founder
}

/// `node`'s laptop reinstalled: a new, empty data folder; only the key comes back from backup.
fn reinstall(node: &TestNode) -> (TestNode, Keypair) {
    let temp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&temp.path().join("restored")).unwrap();
    std::fs::copy(node.dir.key_path(), dir.key_path()).unwrap();
    let keypair = dir
        .initialise(
            &Settings {
                name: node.name.clone(),
                region: "Test".into(),
                fresh_key: true,
                mdns: false,
                port: None,
                ..Settings::default()
            },
            None,
        )
        .unwrap();
    let restored = TestNode {
        dir,
        temp,
        running: None,
        addrs: vec![],
        id: keypair.author(),
        ..TestNode::new("Restored")
    };
    (restored, keypair)
}

/// The founder holds the restored node's new post `after` as seq 7, right after the five posts
/// and the sealing key from before the reinstall (the key is not published again), and has seen
/// no fork.
async fn assert_feed_continues_at_seven(founder: &TestNode, after: MessageId) {
    let items = founder.feed(Some(Kind::Announcement)).await;
    let new = items.iter().find(|item| item.id == after).unwrap();
    assert_eq!(
        new.seq, 7,
        "the feed continues after the five earlier posts and the sealing key"
    );
    assert!(founder.status().await.forks.is_empty(), "no fork");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reinstalled_node_recovers_its_own_feed_before_posting() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(1);
    let founder = five_posts_then_offline(&mut nodes).await;

    let (mut restored, keypair) = reinstall(&nodes[1]);
    assert_eq!(keypair.author(), nodes[1].id, "the restored key is kept");
    assert!(!restored.dir.settings().unwrap().fresh_key);

    // A steward gives the existing member a fresh invite; the node joins with it.
    let invite = match nodes[0]
        .api(Request::Admit {
            member: nodes[1].id,
            name: "Collective 1".into(),
            role: sangam_protocol::Role::Member,
        })
        .await
    {
        Response::Invite { invite } => Invite::decode(&invite).unwrap(),
        other => panic!("no invite: {other:?}"),
    };
    {
        let mut ledger = restored.ledger();
        ledger
            .join(&invite.proof, &keypair.author(), true, now_ms())
            .unwrap();
        // Posting before the node has heard from a peer would reuse seq 1: refused.
        let early = ledger.publish(
            &keypair,
            Body::Announcement(sangam_protocol::kinds::Announcement {
                title: "too early".into(),
                body: String::new(),
                tags: vec![],
                expires_at: None,
            }),
            now_ms(),
        );
        assert!(matches!(early, Err(NodeError::OwnFeedPending)), "{early:?}");
        assert_eq!(early.unwrap_err().reason(), "own_feed_pending");
    }

    restored.start(vec![founder]).await;
    eventually("the restored node to learn its own feed", || async {
        !restored.status().await.recovering_own_feed
    })
    .await;
    let after = restored.announce("after the reinstall").await;
    eventually("the founder to hold the new post", || nodes[0].holds(after)).await;
    assert_feed_continues_at_seven(&nodes[0], after).await;
    restored.stop().await;
    nodes[0].stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_node_whose_first_peer_lacks_its_posts_does_not_fork() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    // nodes[1] posts while nodes[2] is offline (so nodes[2] never gets those posts).
    let mut nodes = network(2);
    five_posts_then_offline(&mut nodes).await;
    nodes[0].stop().await;

    // Reinstalled with its key; the only peer it reaches first is nodes[2], which lacks its posts.
    let (mut restored, keypair) = reinstall(&nodes[1]);
    let proof = nodes[0]
        .ledger()
        .admission_proof(&keypair.author())
        .unwrap();
    restored
        .ledger()
        .join(&proof, &keypair.author(), true, now_ms())
        .unwrap();
    nodes[2].start(vec![]).await;
    let lacking = nodes[2].addr();
    restored.start(vec![lacking]).await;

    // One member that lacks the node's posts is not enough to reopen posting: wait until it
    // has reported, then check for a while that posting stays closed.
    eventually(
        "the restored node to sync with the lacking member",
        || async { restored.status().await.connected.len() == 1 },
    )
    .await;
    let watch_until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < watch_until {
        assert!(
            restored.status().await.recovering_own_feed,
            "posting reopened on the word of one member that lacks the node's posts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    // The founder, which holds the five posts, is the second member to report.
    let restored_addr = restored.addr();
    nodes[0].start(vec![restored_addr]).await;
    eventually("the restored node to learn its own feed", || async {
        !restored.status().await.recovering_own_feed
    })
    .await;
    let after = restored.announce("after the reinstall").await;
    eventually("the founder to hold the new post", || nodes[0].holds(after)).await;
    assert_feed_continues_at_seven(&nodes[0], after).await;
    restored.stop().await;
    for node in &mut nodes {
        node.stop().await;
    }
}
