//! Clocks: a node whose clock is hours off still syncs; its skew makes it refuse only messages
//! too far in its future, and those arrive once its clock is right.

use sangam_node::clock::now_ms;
use sangam_protocol::kinds::Admit;
use sangam_protocol::{Body, Kind, Role};
use sangam_tests::{TestNode, announcement, eventually};

const HOUR: i64 = 3_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_a_wrong_clock_still_syncs() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    // A network founded five hours ago, and three posts the founder made four hours ago.
    let mut nodes = vec![TestNode::new("Founder"), TestNode::new("Collective 1")];
    let long_ago = now_ms() - 5 * HOUR as u64;
    {
        let keypair = nodes[0].dir.load_identity().unwrap();
        let mut ledger = nodes[0].ledger();
        ledger
            .found(&keypair, "Sangam test", "Founder", long_ago)
            .unwrap();
        let admit = Body::Admit(Admit {
            member: nodes[1].id,
            role: Role::Member,
            name: "Collective 1".into(),
        });
        ledger.publish(&keypair, admit, long_ago).unwrap();
        let proof = ledger.admission_proof(&nodes[1].id).unwrap();
        nodes[1]
            .ledger()
            .join(&proof, &nodes[1].id, false, now_ms())
            .unwrap();
    }
    {
        let keypair = nodes[0].dir.load_identity().unwrap();
        let mut ledger = nodes[0].ledger();
        for i in 0..3 {
            ledger
                .publish(
                    &keypair,
                    announcement(&format!("old {i}")),
                    now_ms() - 4 * HOUR as u64,
                )
                .unwrap();
        }
    }
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    // The member's laptop clock is three hours behind.
    nodes[1]
        .start_with_clock_skew(vec![founder.clone()], -3 * HOUR)
        .await;

    eventually("the slow-clock node to sync the old posts", || async {
        nodes[1].count(Kind::Announcement).await == 3
    })
    .await;
    // Its own posts carry old timestamps: everyone else accepts them.
    let from_the_past = nodes[1].announce("written with a slow clock").await;
    eventually("the founder to accept the slow clock's post", || {
        nodes[0].holds(from_the_past)
    })
    .await;
    // A post made now is three hours in the slow node's future: refused, and counted.
    let now_post = nodes[0].announce("written now").await;
    eventually(
        "the slow-clock node to refuse a post from its future",
        || async {
            nodes[1]
                .status()
                .await
                .rejected
                .get("timestamp_in_future")
                .copied()
                .unwrap_or(0)
                >= 1
        },
    )
    .await;
    assert!(!nodes[1].holds(now_post).await);
    let founder_rejected = nodes[0].status().await.rejected;
    assert!(
        !founder_rejected.contains_key("timestamp_in_future"),
        "{founder_rejected:?}"
    );

    // Once its clock is right, it catches up.
    nodes[1].stop().await;
    nodes[1].start(vec![founder]).await;
    eventually("the corrected node to catch up", || {
        nodes[1].holds(now_post)
    })
    .await;
    for node in &mut nodes {
        node.stop().await;
    }
}
