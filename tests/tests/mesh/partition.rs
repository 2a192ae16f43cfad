//! A network split in two halves that both keep posting ends with identical sets once healed.

use sangam_protocol::api::{Request, Response};
use sangam_tests::{eventually, keys_settled, network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_halves_of_a_partition_converge_after_healing() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(5);
    // Before the split, everyone learns the membership from the founder.
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start(vec![founder.clone()]).await;
    }
    let hello = nodes[0].announce("before the split").await;
    for node in &nodes {
        eventually("everyone to hold the first post", || node.holds(hello)).await;
    }
    // And every node's sealing key (its first message of its own accord): what the halves
    // exchange after healing is then exactly what they posted apart.
    keys_settled(&nodes).await;
    for node in &mut nodes {
        node.stop().await;
    }

    // The split: nodes 0-2 know only each other, nodes 3-5 only each other.
    nodes[0].start(vec![]).await;
    let left = nodes[0].addr();
    nodes[1].start(vec![left.clone()]).await;
    nodes[2].start(vec![left]).await;
    nodes[3].start(vec![]).await;
    let right = nodes[3].addr();
    nodes[4].start(vec![right.clone()]).await;
    nodes[5].start(vec![right]).await;
    let mut posted = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        posted.push(
            node.announce(&format!("during the split, side {}", i / 3))
                .await,
        );
    }
    // Each side sees its own posts, never the other side's.
    for id in &posted[..3] {
        eventually("the left side to converge", || nodes[2].holds(*id)).await;
    }
    for id in &posted[3..] {
        eventually("the right side to converge", || nodes[5].holds(*id)).await;
    }
    assert!(!nodes[0].holds(posted[5]).await);

    // Heal: one link across.
    let across = nodes[3].addr().to_string();
    assert!(matches!(
        nodes[2].api(Request::Connect { address: across }).await,
        Response::Connecting { .. }
    ));
    let expected = nodes[0].feed_ids().await.len() + 3;
    for node in &nodes {
        eventually(&format!("{} to hold every post", node.name), || async {
            node.feed_ids().await.len() == expected
        })
        .await;
    }
    let reference = nodes[0].feed_ids().await;
    for node in &nodes[1..] {
        assert_eq!(node.feed_ids().await, reference, "{} differs", node.name);
    }
    for node in &mut nodes {
        node.stop().await;
    }
}
