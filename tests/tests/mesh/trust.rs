//! The trust core against the people issue #27 names, on real swarms: a steward that votes
//! alone to replace the founder, a revoked steward whose earlier revocation must outlive the
//! grace period and restarts, and a seized steward that backdates its forgeries and then reports
//! its own key stolen to lock them in. Each ends with the same members on every honest node.

use std::time::Duration;

use sangam_node::clock::now_ms;
use sangam_node::ledger::Verdict;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::kinds::{Admit, KeyCompromised, ReplaceFounder, Revoke};
use sangam_protocol::{Body, Keypair, Message, Role};
use sangam_tests::{TEST_TIME_LIMIT, TestNode, eventually, keys_settled, raw_swarm, time_limit};

use super::membership::{
    last_honest_post_of_x, members_agree, network_of, next_by_hand, revoked_on, role_on,
};

const DAY_MS: i64 = 24 * 3_600_000;

async fn start_all(nodes: &mut [TestNode], skew_ms: i64) {
    nodes[0].start_with_clock_skew(vec![], skew_ms).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start_with_clock_skew(vec![founder.clone()], skew_ms)
            .await;
    }
}

async fn stop_all(nodes: &mut [TestNode]) {
    for node in nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_stewards_vote_leaves_the_founder_and_every_member_in_place() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder F admits steward S first, then stewards A and B and member M.
    let mut nodes = network_of(&[Role::Steward, Role::Steward, Role::Steward, Role::Member]);
    let founder = nodes[0].id;
    let s_admission = nodes[0]
        .ledger()
        .store()
        .get_at(&founder, 2)
        .unwrap()
        .map(|wire| Message::from_trusted_bytes(wire).unwrap())
        .unwrap();
    // S cuts the founder off just after its own admission, where it is the only steward.
    let thief = Keypair::from_secret_bytes(&[77; 32]);
    let s_key = nodes[1].dir.load_identity().unwrap();
    let body = Body::ReplaceFounder(ReplaceFounder {
        founder,
        successor: thief.author(),
        name: "X".into(),
        trusted_seq: s_admission.header().seq,
        trusted: Some(s_admission.id()),
        reason: "r".into(),
    });
    let vote = next_by_hand(&nodes[1], &s_key, now_ms(), body);
    let verdict = nodes[1].ledger().ingest(vote.wire(), now_ms()).unwrap();
    assert!(matches!(verdict, Verdict::Stored(_)), "{verdict:?}");
    start_all(&mut nodes, 0).await;
    for node in &nodes {
        eventually("S's vote to reach every node", || node.holds(vote.id())).await;
    }
    let all: Vec<&TestNode> = nodes.iter().collect();
    let before = members_agree(&all).await;
    for node in &nodes {
        assert_eq!(role_on(node, &founder).await, Some(Role::Steward));
        assert_eq!(role_on(node, &thief.author()).await, None);
        assert_eq!(role_on(node, &nodes[2].id).await, Some(Role::Steward));
        assert_eq!(role_on(node, &nodes[4].id).await, Some(Role::Member));
    }
    // A restart changes nothing.
    stop_all(&mut nodes).await;
    start_all(&mut nodes, 0).await;
    let all: Vec<&TestNode> = nodes.iter().collect();
    assert_eq!(members_agree(&all).await, before);
    stop_all(&mut nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_stewards_earlier_revocation_outlives_the_grace_period_and_restarts() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder F, steward S, infiltrator X, steward A.
    let mut nodes = network_of(&[Role::Steward, Role::Member, Role::Steward]);
    let (s, x) = (nodes[1].id, nodes[2].id);
    start_all(&mut nodes, 0).await;
    keys_settled(&nodes).await;
    let words = nodes[1].announce("S's words").await;
    let revoke_x = nodes[1]
        .api(Request::Revoke {
            member: x,
            reason: "an infiltrator".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoke_x, Response::Posted { .. }), "{revoke_x:?}");
    for node in [&nodes[0], &nodes[3]] {
        eventually("X to be revoked", || revoked_on(node, &x)).await;
        eventually("S's words to arrive", || node.holds(words)).await;
    }
    // The founder revokes S, trusting everything S did so far.
    let revoke_s = nodes[0]
        .api(Request::Revoke {
            member: s,
            reason: "S's laptop was lost".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoke_s, Response::Posted { .. }), "{revoke_s:?}");
    eventually("S to be revoked", || revoked_on(&nodes[3], &s)).await;
    stop_all(&mut nodes).await;

    // Eight days later (the honest nodes' clocks moved on), twice over with restarts.
    let mut honest = vec![nodes.remove(0), nodes.remove(2)];
    for _ in 0..2 {
        start_all(&mut honest, 8 * DAY_MS).await;
        eventually("S's words to be dropped after the grace period", || async {
            let item = honest[0].client().await.show(words).await.unwrap();
            item.body.is_none()
        })
        .await;
        for node in &honest {
            assert!(revoked_on(node, &x).await, "X is back on {}", node.name);
            assert!(revoked_on(node, &s).await);
        }
        members_agree(&[&honest[0], &honest[1]]).await;
        stop_all(&mut honest).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seized_stewards_forgeries_are_undone_by_revoking_it_from_the_time_of_theft() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, honest stewards A and B, member M, and steward X whose laptop is seized.
    let mut nodes = network_of(&[Role::Steward, Role::Steward, Role::Member, Role::Steward]);
    let x = nodes[4].id;
    start_all(&mut nodes, 0).await;
    let last_honest = last_honest_post_of_x(&nodes).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let theft = now_ms();
    tokio::time::sleep(Duration::from_millis(50)).await;

    // The thief revokes A, B and M with X's key, dated back to X's last honest post, then
    // reports X's key stolen so that no steward can revoke it any more.
    nodes[4].stop().await;
    let x_key = nodes[4].dir.load_identity().unwrap();
    let mut forged = Vec::new();
    for victim in [nodes[1].id, nodes[2].id, nodes[3].id] {
        forged.push(Body::Revoke(Revoke {
            member: victim,
            reason: "removed".into(),
            trusted_seq: 0,
            trusted: None,
        }));
    }
    forged.push(Body::KeyCompromised(KeyCompromised {
        reason: "lost".into(),
    }));
    for body in forged {
        let message = next_by_hand(&nodes[4], &x_key, last_honest.timestamp, body);
        let verdict = nodes[4].ledger().ingest(message.wire(), now_ms()).unwrap();
        assert!(matches!(verdict, Verdict::Stored(_)), "{verdict:?}");
    }
    let founder = nodes[0].addr();
    nodes[4].start(vec![founder]).await;
    eventually("the forgeries to take effect at the founder", || {
        revoked_on(&nodes[0], &nodes[1].id)
    })
    .await;
    eventually("X's notice to arrive", || revoked_on(&nodes[0], &x)).await;
    nodes[4].stop().await;

    // The founder revokes X from the time of theft, by when its own node stored things.
    let repair = nodes[0]
        .api(Request::Revoke {
            member: x,
            reason: "X's laptop was seized".into(),
            since: Some(theft),
        })
        .await;
    assert!(matches!(repair, Response::Posted { .. }), "{repair:?}");
    nodes[0].stop().await;
    let b = nodes[2].addr();
    nodes[0].start(vec![b]).await;
    for node in &nodes[..4] {
        for steward in [nodes[1].id, nodes[2].id] {
            eventually("every honest steward to be back", || async {
                role_on(node, &steward).await == Some(Role::Steward)
            })
            .await;
        }
        eventually("M to be back", || async {
            role_on(node, &nodes[3].id).await == Some(Role::Member)
        })
        .await;
        eventually("X's revocation to arrive", || revoked_on(node, &x)).await;
    }
    members_agree(&[&nodes[0], &nodes[1], &nodes[2], &nodes[3]]).await;
    stop_all(&mut nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_revoked_stewards_key_cannot_make_a_node_store_acts_through_hellos() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder F and steward S; S's proof is taken before F revokes S.
    let mut nodes = network_of(&[Role::Steward]);
    let s_proof = nodes[0].ledger().admission_proof(&nodes[1].id).unwrap();
    nodes[0].start(vec![]).await;
    let revoked = nodes[0]
        .api(Request::Revoke {
            member: nodes[1].id,
            reason: "the laptop was taken".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoked, Response::Posted { .. }), "{revoked:?}");
    eventually("F to list S as revoked", || {
        revoked_on(&nodes[0], &nodes[1].id)
    })
    .await;

    // Whoever holds S's key makes up a member X, admits it with S's key (after S's cut-off)
    // and presents the chain in a hello, as a stranger could with a fresh key every time.
    let s_key = nodes[1].dir.load_identity().unwrap();
    let x_key = Keypair::from_secret_bytes(&[91; 32]);
    let forged = next_by_hand(
        &nodes[1],
        &s_key,
        now_ms(),
        Body::Admit(Admit {
            member: x_key.author(),
            role: Role::Member,
            name: "X".into(),
        }),
    );
    let mut proof = s_proof;
    proof.admits.push(forged.wire().to_vec());
    let network_id = nodes[0].status().await.network.unwrap();
    let mut swarm = raw_swarm(&x_key, &network_id, nodes[0].id.peer_id());
    swarm.dial(nodes[0].addr()).unwrap();
    let answer = hello_answer(&mut swarm, nodes[0].id.peer_id(), network_id, proof).await;
    assert!(
        answer.contains("Refused"),
        "X's hello was not refused: {answer}"
    );
    assert!(
        !nodes[0].holds(forged.id()).await,
        "F stored an act S signed after its cut-off"
    );
    eventually("the refused proof to be counted", || async {
        nodes[0]
            .status()
            .await
            .rejected
            .get("invalid_proof")
            .copied()
            .unwrap_or(0)
            >= 1
    })
    .await;
    nodes[0].stop().await;
}

/// Sends one hello with `proof` from `swarm` once it is connected; the answer, as text.
async fn hello_answer(
    swarm: &mut libp2p::Swarm<sangam_node::network::Behaviour>,
    target: libp2p::PeerId,
    network: sangam_protocol::NetworkId,
    proof: sangam_protocol::membership::AdmissionProof,
) -> String {
    use futures::StreamExt;
    use libp2p::request_response::{Event, Message as M};
    use libp2p::swarm::SwarmEvent;
    use sangam_node::network::BehaviourEvent;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let Ok(event) =
            tokio::time::timeout(Duration::from_millis(200), swarm.select_next_some()).await
        else {
            continue;
        };
        match event {
            SwarmEvent::ConnectionEstablished { .. } => {
                let hello = sangam_protocol::transport::Hello {
                    network,
                    proof: Some(proof.clone()),
                };
                swarm.behaviour_mut().hello.send_request(&target, hello);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Hello(Event::Message {
                message: M::Response { response, .. },
                ..
            })) => return format!("{response:?}"),
            SwarmEvent::Behaviour(BehaviourEvent::Hello(Event::OutboundFailure {
                error, ..
            })) => return format!("failed: {error:?}"),
            _ => {}
        }
    }
    "no answer".into()
}
