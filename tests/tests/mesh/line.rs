//! A line of 8 nodes, each knowing only its neighbour: a post at one end reaches the other.

use sangam_tests::{eventually, network};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_at_one_end_of_a_line_of_eight_reaches_every_node() {
    let mut nodes = network(7);
    nodes[0].start(vec![]).await;
    for i in 1..nodes.len() {
        let neighbour = nodes[i - 1].addr();
        nodes[i].start(vec![neighbour]).await;
    }
    let id = nodes[7].announce("From the far end of the line").await;
    for node in &nodes {
        eventually(&format!("{} to hold the post", node.name), || {
            node.holds(id)
        })
        .await;
    }
    for node in &mut nodes {
        node.stop().await;
    }
}
