//! USB bundles between two collectives that never connected: the whole trip there and back
//! through the `sangam` command line, the second trip carrying only the difference, and
//! bundles that were cut short, damaged or made for another network refused with nothing stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::{Command, Output};

use sangam_tests::{TestNode, network, sangam_bin};

fn sangam(node: &TestNode, args: &[&str]) -> Output {
    Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(node.dir.root())
        .args(args)
        .output()
        .unwrap()
}

/// Runs a command that must succeed; its standard output.
fn ok(node: &TestNode, args: &[&str]) -> String {
    let out = sangam(node, args);
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        node.name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail; its error, which must be one plain sentence.
fn fails(node: &TestNode, args: &[&str]) -> String {
    let out = sangam(node, args);
    assert!(!out.status.success(), "{args:?} succeeded");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        !err.contains("panicked") && err.trim().lines().count() == 1,
        "{err}"
    );
    err
}

fn ids(node: &TestNode) -> BTreeSet<String> {
    let feed: Vec<serde_json::Value> =
        serde_json::from_str(&ok(node, &["feed", "--limit", "100000", "--json"])).unwrap();
    feed.iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

fn post(node: &TestNode, title: &str) {
    ok(
        node,
        &[
            "post",
            "announcement",
            "--title",
            title,
            "--body",
            "from the district",
        ],
    );
}

#[test]
fn a_bundle_goes_there_and_back_between_nodes_that_never_connected() {
    let nodes = network(1);
    let (town, district) = (&nodes[0], &nodes[1]);
    for i in 0..3 {
        post(town, &format!("Workshop {i}"));
    }
    let folder = tempfile::tempdir().unwrap();
    let there = folder.path().join("to-the-district.bundle");
    let there = there.to_str().unwrap();
    // A plain bundle is written only when asked for by name.
    let err = fails(town, &["bundle", "export", there]);
    assert!(err.contains("--plain"), "{err}");
    let written = ok(town, &["bundle", "export", there, "--plain"]);
    // The founding, the district's admission, the town's sealing key (published with its first
    // post) and the three workshops.
    assert!(written.starts_with("Wrote 6 message(s)"), "{written}");

    let read = ok(district, &["bundle", "import", there]);
    // The district already holds the founding and its own admission (from its invite).
    assert!(
        read.contains("6 message(s) from Founder's bundle"),
        "{read}"
    );
    assert!(read.contains("4 new, 2 already here, 0 refused"), "{read}");
    let again = ok(district, &["bundle", "import", there]);
    assert!(
        again.contains("0 new, 6 already here"),
        "reading twice changes nothing: {again}"
    );

    // The district answers; the way back carries only what the town lacks.
    post(district, "Thank you — we will come");
    post(district, "Flood in two blocks: no internet for weeks");
    let back = folder.path().join("to-the-town.bundle");
    let back = back.to_str().unwrap();
    // Its two posts and its own sealing key, sealed for the town (whose key came in the first
    // bundle).
    let written = ok(district, &["bundle", "export", back, "--for", "Founder"]);
    assert!(written.starts_with("Wrote 3 message(s)"), "{written}");
    assert!(
        written.contains("sealed: only Founder and you can read it"),
        "{written}"
    );
    let read = ok(town, &["bundle", "import", back]);
    assert!(read.contains("sealed bundle"), "{read}");
    assert!(read.contains("3 new, 0 already here, 0 refused"), "{read}");
    assert_eq!(ids(town), ids(district), "both hold the same messages");

    // Without a bundle from a collective, what it lacks is not known: it says what to do.
    let err = fails(town, &["bundle", "export", back, "--for", "Nobody"]);
    assert!(err.contains("sangam members"), "{err}");
}

#[test]
fn cut_damaged_and_foreign_bundles_store_nothing_and_say_why() {
    let nodes = network(1);
    let (town, district) = (&nodes[0], &nodes[1]);
    for i in 0..5 {
        post(town, &format!("Notice {i}"));
    }
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("whole.bundle");
    ok(
        town,
        &["bundle", "export", path.to_str().unwrap(), "--plain"],
    );
    let whole = std::fs::read(&path).unwrap();
    let before = ids(district);

    let cut = folder.path().join("cut.bundle");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let err = fails(district, &["bundle", "import", cut.to_str().unwrap()]);
    assert!(err.contains("cut short"), "{err}");

    let flipped = folder.path().join("flipped.bundle");
    let mut bytes = whole.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&flipped, &bytes).unwrap();
    let err = fails(district, &["bundle", "import", flipped.to_str().unwrap()]);
    assert!(
        err.contains("damaged or altered") || err.contains("cut short"),
        "{err}"
    );

    let elsewhere = TestNode::new("Another forum");
    elsewhere.found("Another network");
    let foreign = folder.path().join("foreign.bundle");
    ok(
        &elsewhere,
        &["bundle", "export", foreign.to_str().unwrap(), "--plain"],
    );
    let err = fails(district, &["bundle", "import", foreign.to_str().unwrap()]);
    assert!(err.contains("belongs to another network"), "{err}");

    let missing = fails(district, &["bundle", "import", "/nonexistent/stick.bundle"]);
    assert!(missing.contains("reading the bundle"), "{missing}");
    assert_eq!(ids(district), before, "nothing was stored");
}

#[test]
fn a_sealed_bundle_opens_only_for_those_it_is_for() {
    let nodes = network(2);
    let (town, district, neighbour) = (&nodes[0], &nodes[1], &nodes[2]);
    let folder = tempfile::tempdir().unwrap();
    let file = |name: &str| folder.path().join(name).to_str().unwrap().to_string();
    // The district's key reaches the town first (a plain bundle of its first post).
    post(district, "We are here");
    ok(district, &["bundle", "export", &file("hello"), "--plain"]);
    ok(town, &["bundle", "import", &file("hello")]);
    post(town, "Survivor meeting at Meena's house, Canning");
    // Nothing can be sealed for a collective whose key is not known yet.
    let err = fails(
        town,
        &[
            "bundle",
            "export",
            &file("x"),
            "--for",
            "Collective 2",
            "--since",
            "30d",
        ],
    );
    assert!(err.contains("has not published a key"), "{err}");

    let sealed = file("sealed");
    let written = ok(
        town,
        &[
            "bundle",
            "export",
            &sealed,
            "--for",
            "Collective 1",
            "--since",
            "30d",
        ],
    );
    assert!(
        written.contains("sealed: only Collective 1 and you can read it"),
        "{written}"
    );
    // A lost stick shows nothing of the messages.
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(!bytes.windows(5).any(|w| w == b"Meena"));
    assert!(!bytes.windows(6).any(|w| w == b"Canning"));

    // Another member cannot read it in: one sentence naming whom it is for (by short id: this
    // neighbour has not heard of Collective 1's admission yet), nothing stored.
    let before = ids(neighbour);
    let err = fails(neighbour, &["bundle", "import", &sealed]);
    assert!(
        err.contains("this bundle is sealed for") && err.contains("only they can read it in"),
        "{err}"
    );
    assert_eq!(ids(neighbour), before);

    // A flipped byte is found before anything is stored.
    let mut flipped = bytes.clone();
    let at = flipped.len() - 40;
    flipped[at] ^= 1;
    std::fs::write(file("flipped"), &flipped).unwrap();
    let err = fails(district, &["bundle", "import", &file("flipped")]);
    assert!(err.contains("damaged or altered"), "{err}");

    let read = ok(district, &["bundle", "import", &sealed]);
    assert!(read.contains("sealed bundle"), "{read}");
    assert!(ids(district).len() >= ids(town).len() - 1, "{read}");
    let feed = ok(district, &["feed", "--limit", "100"]);
    assert!(feed.contains("Meena's house"), "{feed}");
}

#[test]
fn an_offer_with_a_phone_number_is_sealed_for_the_asker_from_the_command_line() {
    let nodes = network(1);
    let (town, district) = (&nodes[0], &nodes[1]);
    let folder = tempfile::tempdir().unwrap();
    let file = |name: &str| folder.path().join(name).to_str().unwrap().to_string();
    let request = ok(
        town,
        &[
            "post",
            "request",
            "--topic",
            "legal_aid",
            "--title",
            "Need a lawyer",
            "--body",
            "For a compensation hearing",
        ],
    );
    let request = request.trim();
    ok(town, &["bundle", "export", &file("request"), "--plain"]);
    ok(district, &["bundle", "import", &file("request")]);

    // An open offer that looks like it holds a phone number is stopped with what to do.
    let words = "Call Advocate Rekha on 98300 12345";
    let err = fails(
        district,
        &["post", "offer", "--to", request, "--body", words],
    );
    assert!(
        err.contains("--sealed") && err.contains("--public"),
        "{err}"
    );
    let offer = ok(
        district,
        &[
            "post", "offer", "--to", request, "--body", words, "--sealed",
        ],
    );
    let offer = offer.trim();
    let feed = ok(district, &["feed", "--limit", "20"]);
    let line = feed.lines().find(|l| l.contains("Call Advocate Rekha"));
    assert!(
        line.is_some_and(|l| l.contains("Sealed") && l.contains("(only Founder")),
        "the offer is listed as sealed, and who can read it: {feed}"
    );

    // It reaches the town on a stick and opens there; the town counts it as an answer.
    ok(
        district,
        &["bundle", "export", &file("offer"), "--for", "Founder"],
    );
    ok(town, &["bundle", "import", &file("offer")]);
    let opened: serde_json::Value =
        serde_json::from_str(&ok(town, &["show", offer, "--json"])).unwrap();
    assert_eq!(opened["sealed"]["opened"]["body"], words, "{opened}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(town, &["show", request, "--json"])).unwrap();
    assert_eq!(shown["offers"], 1, "{shown}");
}
