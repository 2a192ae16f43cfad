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
    let written = ok(town, &["bundle", "export", there]);
    // The founding, the district's admission and the three workshops.
    assert!(written.starts_with("Wrote 5 message(s)"), "{written}");

    let read = ok(district, &["bundle", "import", there]);
    // The district already holds the founding and its own admission (from its invite).
    assert!(
        read.contains("5 message(s) from Founder's bundle"),
        "{read}"
    );
    assert!(read.contains("3 new, 2 already here, 0 refused"), "{read}");
    let again = ok(district, &["bundle", "import", there]);
    assert!(
        again.contains("0 new, 5 already here"),
        "reading twice changes nothing: {again}"
    );

    // The district answers; the way back carries only what the town lacks.
    post(district, "Thank you — we will come");
    post(district, "Flood in two blocks: no internet for weeks");
    let back = folder.path().join("to-the-town.bundle");
    let back = back.to_str().unwrap();
    let written = ok(district, &["bundle", "export", back, "--for", "Founder"]);
    assert!(written.starts_with("Wrote 2 message(s)"), "{written}");
    let read = ok(town, &["bundle", "import", back]);
    assert!(read.contains("2 new, 0 already here, 0 refused"), "{read}");
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
    ok(town, &["bundle", "export", path.to_str().unwrap()]);
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
    ok(&elsewhere, &["bundle", "export", foreign.to_str().unwrap()]);
    let err = fails(district, &["bundle", "import", foreign.to_str().unwrap()]);
    assert!(err.contains("belongs to another network"), "{err}");

    let missing = fails(district, &["bundle", "import", "/nonexistent/stick.bundle"]);
    assert!(missing.contains("reading the bundle"), "{missing}");
    assert_eq!(ids(district), before, "nothing was stored");
}
