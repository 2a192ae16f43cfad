//! A sealed offer travels like any message but only its readers can open it: posted while the
//! collective that asked is offline, it reaches it through a third node, which stores it,
//! counts it as an answer, and cannot read it.

use sangam_protocol::kinds::{MentoringRequest, Offer, Urgency};
use sangam_protocol::{Body, Kind};
use sangam_tests::{eventually, keys_settled, network};

const WORDS: &str = "Meena-didi can come on Saturday: call 98300 12345, DLSA office Canning";

/// Every file under `dir`, concatenated (what a thief copying the folder would hold).
fn every_byte_under(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(every_byte_under(&path));
        } else if let Ok(content) = std::fs::read(&path) {
            bytes.extend(content);
        }
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_offer_reaches_an_offline_requester_through_a_node_that_cannot_read_it() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    // The forum (a hub both reach), the collective that asks, the one that offers.
    let mut nodes = network(2);
    nodes[0].start(vec![]).await;
    let hub = nodes[0].addr();
    nodes[1].start(vec![hub.clone()]).await;
    nodes[2].start(vec![hub.clone()]).await;
    keys_settled(&nodes).await;
    let (asker, offerer) = (nodes[1].id, nodes[2].id);

    let request = Body::MentoringRequest(MentoringRequest {
        topic: "victim_compensation".into(),
        title: "Compensation claim stuck at the DLSA".into(),
        description: String::new(),
        region: "South 24 Parganas".into(),
        language: "Bengali".into(),
        urgency: Urgency::High,
        expires_at: None,
    });
    let request = nodes[1].client().await.post(request).await.unwrap();
    eventually("the offerer to hold the request", || {
        nodes[2].holds(request)
    })
    .await;
    // The collective that asked goes offline.
    nodes[1].stop().await;

    let offer = Body::Offer(Offer {
        request,
        body: WORDS.into(),
    });
    let sealed = nodes[2]
        .client()
        .await
        .seal(offer.clone(), vec![asker])
        .await
        .unwrap();
    eventually("the hub to hold the sealed offer", || {
        nodes[0].holds(sealed)
    })
    .await;
    // The offerer goes offline too: only the hub can carry the offer now.
    nodes[2].stop().await;

    // The hub stores it, counts it as an answer, names its readers and cannot read it.
    let held = nodes[0].client().await.show(sealed).await.unwrap();
    assert_eq!(held.kind, Kind::Sealed);
    assert_eq!(held.answers(), Some(request));
    let view = held.sealed.clone().unwrap();
    assert_eq!(view.readers, vec!["Collective 1", "Collective 2"]);
    assert!(!view.for_me && view.opened.is_none());
    let asked = nodes[0].client().await.show(request).await.unwrap();
    assert_eq!(asked.offers, 1, "the sealed offer counts as an answer");
    let overview = nodes[0].client().await.overview().await.unwrap();
    assert_eq!(overview.answered_requests, 1);
    let json = serde_json::to_string(&nodes[0].feed(None).await).unwrap();
    assert!(!json.contains("98300") && !json.contains("Meena"), "{json}");

    // The asker comes back, reaches only the hub, and opens the offer.
    nodes[1].start(vec![hub]).await;
    eventually("the asker to receive the sealed offer", || {
        nodes[1].holds(sealed)
    })
    .await;
    let received = nodes[1].client().await.show(sealed).await.unwrap();
    let view = received.sealed.unwrap();
    assert!(view.for_me);
    assert_eq!(view.opened, Some(offer));
    let asked = nodes[1].client().await.show(request).await.unwrap();
    assert_eq!(asked.offers, 1);

    // Nothing the hub keeps on disk holds the words.
    nodes[0].stop().await;
    nodes[1].stop().await;
    let on_disk = every_byte_under(nodes[0].dir.root());
    assert!(!on_disk.windows(5).any(|w| w == b"98300"));
    assert!(!on_disk.windows(5).any(|w| w == b"Meena"));
    let _ = offerer;
}
