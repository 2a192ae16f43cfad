//! Ways of running besides loopback TCP: QUIC alone (a default transport), and one data folder
//! guarded against a second daemon. (mDNS alone is tested in tests/tests/netns.rs: its multicast
//! must stay inside namespaces the test makes.)

use sangam_node::daemon::DaemonConfig;
use sangam_tests::{TEST_TIME_LIMIT, eventually, network, sangam_bin, test_config, time_limit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_that_speak_only_quic_form_a_mesh() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(2);
    let quic_only = |bootstrap| DaemonConfig {
        listen: vec!["/ip4/127.0.0.1/udp/0/quic-v1".parse().unwrap()],
        ..test_config(bootstrap)
    };
    nodes[0].start_with(quic_only(vec![])).await;
    let founder = nodes[0].addr();
    assert!(founder.to_string().contains("/quic-v1/"), "{founder}");
    nodes[1].start_with(quic_only(vec![founder.clone()])).await;
    nodes[2].start_with(quic_only(vec![founder])).await;
    let mut posts = Vec::new();
    for node in &nodes {
        posts.push(
            node.announce(&format!("over QUIC from {}", node.name))
                .await,
        );
    }
    for node in &nodes {
        for id in &posts {
            eventually("every post everywhere over QUIC", || node.holds(*id)).await;
        }
    }
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_daemon_on_the_same_data_folder_is_refused_plainly() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let before = nodes[0].announce("before the second daemon").await;
    let second = std::process::Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(nodes[0].dir.root())
        .args(["run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"])
        .output()
        .unwrap();
    assert!(!second.status.success(), "a second daemon started");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("another Sangam node is using this data folder"),
        "unclear refusal: {said}"
    );
    assert_eq!(
        said.trim().lines().count(),
        1,
        "more than one sentence: {said}"
    );
    // The first daemon is untouched: it still answers, holds its posts and takes new ones.
    assert!(nodes[0].holds(before).await);
    let after = nodes[0].announce("after the second daemon").await;
    assert!(nodes[0].holds(after).await);
    for node in &mut nodes {
        node.stop().await;
    }
}
