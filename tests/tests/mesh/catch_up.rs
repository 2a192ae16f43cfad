//! A node that was offline catches up on everything it missed.

use sangam_protocol::Kind;
use sangam_tests::{eventually, network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_offline_while_a_thousand_messages_are_posted_catches_up() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(2);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;
    nodes[2].start(vec![founder.clone()]).await;
    let first = nodes[1].announce("before the outage").await;
    eventually("the last node to hold the first post", || {
        nodes[2].holds(first)
    })
    .await;
    nodes[2].stop().await;

    for i in 0..500 {
        nodes[0].announce(&format!("founder post {i}")).await;
        nodes[1].announce(&format!("member post {i}")).await;
    }
    eventually("the founder to hold all 1,001 announcements", || async {
        nodes[0].count(Kind::Announcement).await == 1001
    })
    .await;

    nodes[2].start(vec![founder]).await;
    eventually(
        "the returning node to hold all 1,001 announcements",
        || async { nodes[2].count(Kind::Announcement).await == 1001 },
    )
    .await;
    for node in &mut nodes {
        node.stop().await;
    }
}
