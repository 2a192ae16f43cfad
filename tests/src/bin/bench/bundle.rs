//! USB bundles (issue #17): writing every message of a store into one bundle file and reading
//! it into a node that holds none of them, each message checked as sync checks it.

use std::time::Instant;

use sangam_node::clock::now_ms;
use sangam_protocol::Keypair;
use sangam_protocol::bundle::{read_bundle, write_bundle};
use sangam_protocol::sync::VersionVector;
use serde_json::json;

use crate::{Row, filled, joined_empty, row};

pub fn run(quick: bool) -> Vec<Row> {
    let (authors, per) = if quick { (20, 500) } else { (100, 1000) };
    let temp = tempfile::tempdir().unwrap();
    let (full, _) = filled(&temp.path().join("full"), authors, per);
    let mut empty = joined_empty(&temp.path().join("empty"), &full);
    let writer = Keypair::from_secret_bytes(&[200; 32]);
    let network = full.network().unwrap();

    let started = Instant::now();
    let messages = full.missing_from(&VersionVector::new()).unwrap();
    let bytes = write_bundle(
        &writer,
        network,
        now_ms(),
        full.vector().unwrap(),
        &messages,
    );
    let file = temp.path().join("stick.bundle");
    std::fs::write(&file, &bytes).unwrap();
    let export = started.elapsed();

    let started = Instant::now();
    let read = std::fs::read(&file).unwrap();
    let bundle = read_bundle(&read, &network).unwrap();
    let imported = empty.import(&bundle, now_ms()).unwrap();
    let import = started.elapsed();
    if empty.vector().unwrap() != full.vector().unwrap() || !imported.refused.is_empty() {
        crate::fail(&format!(
            "the bundle did not carry everything: {imported:?}"
        ));
    }
    let count = messages.len();
    let per_message = bytes.len() as f64 / count as f64;
    let label = if quick { "10,000" } else { "100,000" };
    vec![
        row(
            &format!("bundle export of {label} messages (~256-byte posts)"),
            format!(
                "{:.2} s, {:.0} bytes/message ({:.1} MB)",
                export.as_secs_f64(),
                per_message,
                bytes.len() as f64 / 1_048_576.0
            ),
            "—",
            json!({"seconds": export.as_secs_f64(), "bytes": bytes.len(), "messages": count}),
        ),
        row(
            &format!("bundle import of {label} messages, each checked"),
            format!(
                "{:.2} s ({:.0} msg/s), {} stored",
                import.as_secs_f64(),
                count as f64 / import.as_secs_f64(),
                imported.stored
            ),
            "—",
            json!({"seconds": import.as_secs_f64(), "stored": imported.stored}),
        ),
    ]
}
