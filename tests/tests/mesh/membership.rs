//! Membership that converges on real swarms (issue #13): a revoked steward's earlier acts reach
//! nodes that join later, a body-stripped copy cannot shadow a revocation, a seized steward's
//! backdated revocations are undone by one that distrusts them, a fork's proof reaches nodes
//! that saw one branch, and a majority of stewards replaces a seized founder key. Every test
//! ends with `members` identical on every node.

use sangam_node::clock::now_ms;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::kinds::Revoke;
use sangam_protocol::{AuthorId, Body, Draft, Keypair, Message, Role};
use sangam_tests::{
    TEST_TIME_LIMIT, TestNode, announcement, eventually, keys_settled, network, publish_from,
    raw_swarm, time_limit,
};

/// `members` as JSON, the way `sangam members --json` prints it.
pub(crate) async fn members_json(node: &TestNode) -> String {
    match node.api(Request::Members).await {
        Response::Members { members } => serde_json::to_string(&members).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Waits until every node lists the same members, then returns that list.
pub(crate) async fn members_agree(nodes: &[&TestNode]) -> String {
    eventually("every node to list the same members", || async {
        let first = members_json(nodes[0]).await;
        for node in &nodes[1..] {
            if members_json(node).await != first {
                return false;
            }
        }
        true
    })
    .await;
    members_json(nodes[0]).await
}

/// Whether `node` lists `member` as revoked.
pub(crate) async fn revoked_on(node: &TestNode, member: &AuthorId) -> bool {
    match node.api(Request::Members).await {
        Response::Members { members } => members.iter().any(|m| m.id == *member && m.revoked),
        other => panic!("{other:?}"),
    }
}

/// `member`'s role on `node`, if it is a current member there.
pub(crate) async fn role_on(node: &TestNode, member: &AuthorId) -> Option<Role> {
    match node.api(Request::Members).await {
        Response::Members { members } => members
            .iter()
            .find(|m| m.id == *member && !m.revoked)
            .and_then(|m| m.role),
        other => panic!("{other:?}"),
    }
}

/// A founder and nodes with the given roles, admitted by the founder and joined; every node
/// holds every admission from the start (as after a first sync).
pub(crate) fn network_of(roles: &[Role]) -> Vec<TestNode> {
    let founder = TestNode::new("Founder");
    founder.found("Sangam test");
    let mut nodes = vec![founder];
    for (i, role) in roles.iter().enumerate() {
        let node = TestNode::new(&format!("Collective {}", i + 1));
        nodes[0].admit(&node, *role);
        nodes.push(node);
    }
    let admits = nodes[0]
        .ledger()
        .store()
        .all_of_kind(sangam_protocol::Kind::Admit)
        .unwrap();
    for node in &nodes[1..] {
        node.ledger().ingest_batch(&admits, now_ms()).unwrap();
    }
    nodes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_stewards_earlier_revocation_reaches_a_node_that_joins_later() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, steward S, member X, and L, admitted but not started until the end.
    let mut nodes = network_of(&[Role::Steward, Role::Member, Role::Member]);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;
    nodes[2].start(vec![founder.clone()]).await;
    let (s, x) = (nodes[1].id, nodes[2].id);
    // Each node's first message is its sealing key: let S's reach the founder first, so that
    // S's revocation of X is in the part of S's feed the founder has seen whole (a revocation
    // trusts the contiguous part only).
    keys_settled(&nodes[..3]).await;

    // S revokes X; the founder, having seen it, then revokes S (trusting what it has seen).
    let revoked = nodes[1]
        .api(Request::Revoke {
            member: x,
            reason: "left the network".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoked, Response::Posted { .. }), "{revoked:?}");
    eventually("the founder to learn of X's revocation", || {
        revoked_on(&nodes[0], &x)
    })
    .await;
    let revoked = nodes[0]
        .api(Request::Revoke {
            member: s,
            reason: "stepped down after a dispute".into(),
            since: None,
        })
        .await;
    assert!(matches!(revoked, Response::Posted { .. }), "{revoked:?}");
    nodes[1].stop().await;
    nodes[2].stop().await;

    // L joins now, from the founder only: S's revocation of X must reach it all the same.
    nodes[3].start(vec![founder]).await;
    eventually("L to learn that S was revoked", || {
        revoked_on(&nodes[3], &s)
    })
    .await;
    eventually("L to learn that X was revoked", || {
        revoked_on(&nodes[3], &x)
    })
    .await;
    assert_eq!(role_on(&nodes[3], &x).await, None);
    members_agree(&[&nodes[0], &nodes[3]]).await;
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_stripped_copy_sent_first_cannot_stop_a_revocation() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, honest member N, hostile member M (a raw swarm), and X, to be revoked.
    let mut nodes = network_of(&[Role::Member, Role::Member, Role::Member]);
    let hostile = nodes[2].dir.load_identity().unwrap();
    let x = nodes[3].id;
    // The founder revokes X while offline; M has got hold of the message.
    let revocation = {
        let keypair = nodes[0].dir.load_identity().unwrap();
        let mut ledger = nodes[0].ledger();
        let body = Body::Revoke(Revoke {
            member: x,
            reason: "the laptop was taken".into(),
            trusted_seq: 0,
            trusted: None,
        });
        ledger.publish(&keypair, body, now_ms()).unwrap()
    };
    nodes[1].start(vec![]).await;
    let network_id = nodes[1].status().await.network.unwrap();
    let swarm = raw_swarm(&hostile, &network_id, nodes[1].id.peer_id());
    let mut swarm = swarm;
    swarm.dial(nodes[1].addr()).unwrap();
    let stripped = revocation.without_body().into_wire();
    let driver = publish_from(swarm, &network_id, vec![stripped]).await;
    eventually("N to refuse the stripped copy", || async {
        nodes[1].status().await.rejected.get("body_required") == Some(&1)
    })
    .await;
    assert!(!nodes[1].holds(revocation.id()).await);
    assert_eq!(role_on(&nodes[1], &x).await, Some(Role::Member));

    // The founder comes online: the full revocation applies on N.
    let n = nodes[1].addr();
    nodes[0].start(vec![n]).await;
    eventually("N to apply the revocation", || revoked_on(&nodes[1], &x)).await;
    driver.abort();
    members_agree(&[&nodes[0], &nodes[1]]).await;
    for node in &mut nodes {
        node.stop().await;
    }
}

/// `author`'s next message in `node`'s store, signed by hand with `timestamp`.
pub(crate) fn next_by_hand(node: &TestNode, key: &Keypair, timestamp: u64, body: Body) -> Message {
    let ledger = node.ledger();
    let (seq, prev) = ledger
        .store()
        .latest(&key.author())
        .unwrap()
        .map_or((1, None), |(seq, id)| (seq + 1, Some(id)));
    let network = ledger.network().unwrap();
    Draft {
        network,
        seq,
        prev,
        timestamp,
        body,
    }
    .sign(key)
    .unwrap()
}

/// Running nodes whose last (`nodes[4]`, X) posts honestly once every sealing key has settled;
/// returns that post once every other node holds it. X's sealing key comes first, so the post
/// is the last message of X's feed: a forgery dated to it comes after everything X signed.
pub(crate) async fn last_honest_post_of_x(nodes: &[TestNode]) -> sangam_protocol::api::Item {
    keys_settled(nodes).await;
    let honest = nodes[4].announce("Meeting on Saturday").await;
    for node in &nodes[..4] {
        eventually("X's honest post to arrive", || node.holds(honest)).await;
    }
    nodes[4]
        .feed(None)
        .await
        .into_iter()
        .find(|item| item.id == honest)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seized_stewards_backdated_revocations_are_undone_by_the_founder() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, honest stewards A and B, member M, and steward X whose laptop is seized.
    let mut nodes = network_of(&[Role::Steward, Role::Steward, Role::Member, Role::Steward]);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start(vec![founder.clone()]).await;
    }
    let last_honest = last_honest_post_of_x(&nodes).await;

    // The thief signs revocations of A, B and M with X's key, dated as far back as X's own
    // feed allows (its last honest post), and sends them from X's laptop.
    nodes[4].stop().await;
    let x_key = nodes[4].dir.load_identity().unwrap();
    for victim in [nodes[1].id, nodes[2].id, nodes[3].id] {
        let body = Body::Revoke(Revoke {
            member: victim,
            reason: "removed".into(),
            trusted_seq: 0,
            trusted: None,
        });
        let forged = next_by_hand(&nodes[4], &x_key, last_honest.timestamp, body);
        let verdict = nodes[4].ledger().ingest(forged.wire(), now_ms()).unwrap();
        assert!(
            matches!(verdict, sangam_node::ledger::Verdict::Stored(_)),
            "{verdict:?}"
        );
    }
    nodes[4].start(vec![founder.clone()]).await;
    // The founder takes them in (the victims are then cut off, so they may never hear it).
    eventually("the forged revocations to take effect", || {
        revoked_on(&nodes[0], &nodes[1].id)
    })
    .await;

    // The founder revokes X, trusting it only up to its last honest post.
    nodes[4].stop().await;
    nodes[0].stop().await;
    {
        let keypair = nodes[0].dir.load_identity().unwrap();
        let mut ledger = nodes[0].ledger();
        let body = Body::Revoke(Revoke {
            member: nodes[4].id,
            reason: "X's laptop was seized".into(),
            trusted_seq: last_honest.seq,
            trusted: Some(last_honest.id),
        });
        ledger.publish(&keypair, body, now_ms()).unwrap();
    }
    let b = nodes[2].addr();
    nodes[0].start(vec![b]).await;
    for node in &nodes[..4] {
        // A victim that never heard of the forged revocations looks fine from the start: wait
        // for the founder's revocation of X itself.
        eventually("X's revocation to arrive", || {
            revoked_on(node, &nodes[4].id)
        })
        .await;
        for honest in [nodes[1].id, nodes[2].id] {
            eventually("every honest steward to be back", || async {
                role_on(node, &honest).await == Some(Role::Steward)
            })
            .await;
        }
        eventually("M to be back", || async {
            role_on(node, &nodes[3].id).await == Some(Role::Member)
        })
        .await;
    }
    members_agree(&[&nodes[0], &nodes[1], &nodes[2], &nodes[3]]).await;
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_proof_reaches_a_node_that_saw_one_branch() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // nodes[1] is a hostile member running a raw swarm; nodes[2] is only connected to the founder;
    // nodes[3] is offline while it happens and learns of the fork by sync.
    let mut nodes = network(3);
    let hostile = nodes[1].dir.load_identity().unwrap();
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[2].start(vec![founder]).await;
    eventually("the two honest nodes to connect", || async {
        !nodes[2].status().await.connected.is_empty()
    })
    .await;
    let network_id = nodes[0].status().await.network.unwrap();
    let mut swarm = raw_swarm(&hostile, &network_id, nodes[0].id.peer_id());
    swarm.dial(nodes[0].addr()).unwrap();
    let sign = |title: &str| {
        Draft {
            network: network_id,
            seq: 1,
            prev: None,
            timestamp: now_ms(),
            body: announcement(title),
        }
        .sign(&hostile)
        .unwrap()
    };
    let (first, second) = (sign("my first post"), sign("my first post, told otherwise"));
    let driver = publish_from(
        swarm,
        &network_id,
        vec![first.wire().to_vec(), second.wire().to_vec()],
    )
    .await;
    let author = hostile.author().to_string();
    for node in [&nodes[0], &nodes[2]] {
        eventually("the fork to be flagged", || async {
            node.status().await.forks.get(&author) == Some(&1)
        })
        .await;
    }
    // nodes[2] only ever got one branch whole; it holds it, and the other as evidence.
    assert!(nodes[2].holds(first.id()).await);
    assert!(!nodes[2].holds(second.id()).await);
    driver.abort();
    let second_honest = nodes[2].addr();
    nodes[3].start(vec![second_honest]).await;
    eventually("the late node to learn of the fork by sync", || async {
        nodes[3].status().await.forks.get(&author) == Some(&1)
    })
    .await;
    members_agree(&[&nodes[0], &nodes[2], &nodes[3]]).await;
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_majority_of_stewards_replaces_a_seized_founder_key() {
    let _limit = time_limit(TEST_TIME_LIMIT);
    // Founder, stewards A, B and C; the forum's new laptop N is not admitted by anyone.
    let mut nodes = network_of(&[Role::Steward, Role::Steward, Role::Steward]);
    let mut successor = TestNode::new("Forum, new laptop");
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    for node in &mut nodes[1..] {
        node.start(vec![founder.clone()]).await;
    }
    let old_founder = nodes[0].id;
    // The founder's laptop is seized (the thief keeps it running). A and B vote.
    for voter in [&nodes[1], &nodes[2]] {
        let vote = voter
            .api(Request::ReplaceFounder {
                successor: successor.id,
                name: "Forum, new laptop".into(),
                reason: "the forum's laptop was seized".into(),
                since: None,
            })
            .await;
        assert!(matches!(vote, Response::Posted { .. }), "{vote:?}");
    }
    // The stewards cut the seized laptop off once the second vote is in, so only they are
    // sure to learn of it.
    for node in &nodes[1..] {
        eventually("the old founder key to be replaced", || {
            revoked_on(node, &old_founder)
        })
        .await;
    }

    // The old key can do nothing now: an admission it signs is stored (acts of a key that was
    // ever a steward always are, so every node holds the same set) but counts nowhere.
    let stranger = TestNode::new("Stranger");
    nodes[0].stop().await;
    let thiefs_admit = {
        let keypair = nodes[0].dir.load_identity().unwrap();
        let body = Body::Admit(sangam_protocol::kinds::Admit {
            member: stranger.id,
            name: "Stranger".into(),
            role: Role::Steward,
        });
        // Signed by hand: the old founder's own node refuses it too, if it has heard.
        next_by_hand(&nodes[0], &keypair, now_ms(), body)
    };
    nodes[3].stop().await;
    let verdict = nodes[3]
        .ledger()
        .ingest(thiefs_admit.wire(), now_ms())
        .unwrap();
    assert!(
        matches!(verdict, sangam_node::ledger::Verdict::Stored(_)),
        "{verdict:?}"
    );
    let a = nodes[1].addr();
    nodes[3].start(vec![a]).await;
    assert_eq!(role_on(&nodes[3], &stranger.id).await, None);

    // The new laptop joins with a proof that leads through the votes, and admits a member.
    let proof = {
        nodes[1].stop().await;
        let proof = nodes[1].ledger().admission_proof(&successor.id).unwrap();
        let a = nodes[2].addr();
        nodes[1].start(vec![a]).await;
        proof
    };
    successor
        .ledger()
        .join(&proof, &successor.id, false, now_ms())
        .unwrap();
    let b = nodes[2].addr();
    successor.start(vec![b]).await;
    let newcomer = TestNode::new("Newcomer");
    let invite = successor
        .api(Request::Admit {
            member: newcomer.id,
            name: "Newcomer".into(),
            role: Role::Member,
        })
        .await;
    assert!(matches!(invite, Response::Invite { .. }), "{invite:?}");
    for node in &nodes[1..] {
        eventually("the new founder's admission to count", || async {
            role_on(node, &newcomer.id).await == Some(Role::Member)
        })
        .await;
    }
    members_agree(&[&nodes[1], &nodes[2], &nodes[3], &successor]).await;
    successor.stop().await;
    for node in &mut nodes {
        node.stop().await;
    }
}
