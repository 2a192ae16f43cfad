//! Words that are taken back: an item its author withdraws and an item that expires lose their
//! bodies on every node — one that was offline when it happened, one that joins afterwards — and
//! no node serves them again. And a wiped laptop: its node tells the others its key is no longer
//! safe, then leaves nothing behind.

use std::time::{Duration, Instant};

use sangam_protocol::api::{Request, Response};
use sangam_protocol::kinds::{Announcement, Withdraw};
use sangam_protocol::{Body, Kind, MessageId};
use sangam_tests::{TestNode, eventually, network, time_limit};

/// Whether `node` holds `id` without its words.
async fn words_gone(node: &TestNode, id: MessageId) -> bool {
    match node.client().await.show(id).await {
        Ok(item) => item.body.is_none(),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_and_expired_items_lose_their_words_on_every_node() {
    let _limit = time_limit(Duration::from_secs(240));
    let mut nodes = network(3);
    let mut late = nodes.pop().expect("a fourth node"); // admitted, never run until the end
    nodes[0].start(vec![]).await;
    let bootstrap = vec![nodes[0].addr()];
    for node in &mut nodes[1..] {
        node.start(bootstrap.clone()).await;
    }
    let expires_at = sangam_node::clock::now_ms() + 12_000;
    let too_much = nodes[1].announce("Our shelter's address and phone").await;
    let brief = Body::Announcement(Announcement {
        title: "Meeting point for Saturday".into(),
        body: "Behind the bus stand, 10 am".into(),
        tags: vec![],
        expires_at: Some(expires_at),
    });
    let brief = nodes[1].client().await.post(brief).await.unwrap();
    for node in &nodes {
        for id in [too_much, brief] {
            eventually("every node to hold both posts with their words", || async {
                node.holds(id).await && !words_gone(node, id).await
            })
            .await;
        }
    }
    // The third node goes offline; the author withdraws while it is away.
    nodes[2].stop().await;
    let withdraw = Body::Withdraw(Withdraw { item: too_much });
    nodes[1].client().await.post(withdraw).await.unwrap();
    for node in &nodes[..2] {
        eventually("the withdrawn words to be gone", || {
            words_gone(node, too_much)
        })
        .await;
        let item = node.client().await.show(too_much).await.unwrap();
        assert!(item.withdrawn, "shown as withdrawn");
    }
    for node in &nodes[..2] {
        eventually("the expired words to be gone", || words_gone(node, brief)).await;
    }
    // Back online, and a node that never ran before: neither ends up with the words.
    nodes[2].start(bootstrap.clone()).await;
    late.start(bootstrap.clone()).await;
    for node in [&nodes[2], &late] {
        for id in [too_much, brief] {
            eventually(
                "the returning and the new node to hold the post without words",
                || async move { node.holds(id).await && words_gone(node, id).await },
            )
            .await;
        }
        assert!(node.client().await.show(too_much).await.unwrap().withdrawn);
    }
    for node in nodes.iter().chain([&late]) {
        let status = node.status().await;
        assert_eq!(
            status.rejected.get("body_required"),
            None,
            "{}: a body-less copy was refused: {:?}",
            node.name,
            status.rejected
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wiped_node_tells_the_others_and_leaves_nothing() {
    let _limit = time_limit(Duration::from_secs(120));
    let mut nodes = network(2);
    nodes[0].start(vec![]).await;
    let bootstrap = vec![nodes[0].addr()];
    nodes[1].start(bootstrap.clone()).await;
    nodes[2].start(bootstrap).await;
    let posted = nodes[1].announce("Before the raid").await;
    eventually("the post to spread", || nodes[2].holds(posted)).await;
    eventually("the wiping node to be connected", || async {
        !nodes[1].status().await.connected.is_empty()
    })
    .await;
    let wiped = nodes[1].id;
    let root = nodes[1].dir.root().to_path_buf();

    let started = Instant::now();
    let answer = nodes[1].api(Request::Wipe).await;
    assert!(
        matches!(answer, Response::Wiping { told } if told >= 1),
        "{answer:?}"
    );
    while root.exists() && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    println!("wipe of a running node took {took:?}");
    assert!(!root.exists(), "the data folder is gone");
    nodes[1].stop().await;
    let again = sangam_node::datadir::DataDir::open(&root).unwrap();
    assert!(matches!(
        again.load_identity(),
        Err(sangam_node::NodeError::NotInitialised)
    ));
    std::fs::remove_dir_all(&root).unwrap();

    for node in [&nodes[0], &nodes[2]] {
        eventually("the others to mark the key compromised", || async {
            let members = node.client().await.members().await.unwrap();
            members.iter().any(|m| m.id == wiped && m.revoked)
        })
        .await;
        assert_eq!(node.count(Kind::KeyCompromised).await, 1);
    }
    // After every node restarts, the wiped key is still out (it came back, issue #27).
    nodes[0].stop().await;
    nodes[2].stop().await;
    nodes[0].start(vec![]).await;
    let first = nodes[0].addr();
    nodes[2].start(vec![first]).await;
    for node in [&nodes[0], &nodes[2]] {
        let members = node.client().await.members().await.unwrap();
        assert!(
            members.iter().any(|m| m.id == wiped && m.revoked),
            "the wiped key is a member again on {} after a restart",
            node.name
        );
        assert!(!members.iter().any(|m| m.id == wiped && !m.revoked));
    }
    nodes[0].stop().await;
    nodes[2].stop().await;
}
