//! A node that crashes keeps its identity and every acknowledged post, and never forks its feed.
//! The crash is real: the daemon runs as its own process and is killed with SIGKILL.

use sangam_tests::{TEST_TIME_LIMIT, eventually, network, time_limit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_node_keeps_its_identity_and_acknowledged_posts() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(1);
    let process = nodes[1].spawn(&[]).await;
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        acknowledged.push(nodes[1].announce(&format!("post {i}")).await);
    }
    let id_before = nodes[1].status().await.id;
    process.kill();

    nodes[1].start(vec![]).await;
    assert_eq!(nodes[1].status().await.id, id_before);
    for id in &acknowledged {
        assert!(nodes[1].holds(*id).await, "acknowledged post {id} was lost");
    }
    // The feed continues after the last acknowledged seq, without reusing one.
    let next = nodes[1].announce("after the crash").await;
    // Its own feed: the posts and the sealing key it published on first starting.
    let own = nodes[1].id;
    let items: Vec<_> = nodes[1]
        .feed(None)
        .await
        .into_iter()
        .filter(|item| item.author == own)
        .collect();
    let next_item = items.iter().find(|item| item.id == next).unwrap();
    let highest_before = items
        .iter()
        .filter(|i| i.id != next)
        .map(|i| i.seq)
        .max()
        .unwrap();
    assert_eq!(next_item.seq, highest_before + 1);
    assert_eq!(
        highest_before, 21,
        "the 20 acknowledged posts and the sealing key are seq 1–21"
    );
    assert!(nodes[1].status().await.forks.is_empty());

    // And the founder accepts the whole feed: no fork, nothing refused.
    let member = nodes[1].addr();
    nodes[0].start(vec![member]).await;
    eventually("the founder to hold the post made after the crash", || {
        nodes[0].holds(next)
    })
    .await;
    assert!(nodes[0].status().await.forks.is_empty());
    for node in &mut nodes {
        node.stop().await;
    }
}
