//! Fourteen collectives on one IP address (one LAN, one NAT, or loopback here): the gossip mesh
//! still forms, nobody keeps more connections than a weak laptop should, and a post reaches
//! everyone by gossip, not only by the slower sync.

use sangam_node::daemon::MAX_PEERS;
use sangam_tests::{eventually, network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_ten_members_on_one_address_still_gossip() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(13);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in nodes.iter_mut().skip(1) {
        node.start(vec![founder.clone()]).await;
    }
    // Everyone dials the founder, so a penalty for sharing an address would show here first.
    eventually("the founder to have gossip peers among many", || async {
        let status = nodes[0].status().await;
        status.connected.len() > 10 && status.gossip_mesh > 0
    })
    .await;
    for node in &nodes {
        eventually(
            &format!("{} to keep a few connections", node.name),
            || async {
                let status = node.status().await;
                status.gossip_mesh > 0 && status.connected.len() <= MAX_PEERS
            },
        )
        .await;
    }
    let id = nodes[5].announce("Meeting at the district office").await;
    for node in nodes.iter().filter(|n| n.name != nodes[5].name) {
        eventually(
            &format!("{} to receive the post by gossip", node.name),
            || async { node.holds(id).await && node.status().await.gossip_distinct > 0 },
        )
        .await;
    }
    for node in &mut nodes {
        node.stop().await;
    }
}
