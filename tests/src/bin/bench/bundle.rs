//! USB bundles (issue #17): writing every message of a store into one bundle file and reading
//! it into a node that holds none of them, each message checked as sync checks it; sealing that
//! bundle for one collective and opening it; sealing and opening one offer.

use std::time::Instant;

use sangam_node::clock::now_ms;
use sangam_protocol::bundle::sealed::{SealBundle, open_bundle};
use sangam_protocol::bundle::{read_bundle, write_bundle};
use sangam_protocol::kinds::Offer;
use sangam_protocol::seal::SealRequest;
use sangam_protocol::sealed::{SealingSecret, random_bytes, randomness_for};
use sangam_protocol::sync::VersionVector;
use sangam_protocol::{Body, Keypair, MessageId};
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
    let (seal, open, sealed_len) = sealed_bundle_times(&writer, network, &bytes);
    let mut rows = vec![
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
        row(
            "sealing that bundle for 1 collective / opening it",
            format!(
                "{:.3} s / {:.3} s, {} bytes more",
                seal.as_secs_f64(),
                open.as_secs_f64(),
                sealed_len - bytes.len()
            ),
            "—",
            json!({"seal_seconds": seal.as_secs_f64(), "open_seconds": open.as_secs_f64()}),
        ),
    ];
    rows.push(sealed_offers(if quick { 200 } else { 2000 }));
    rows
}

/// Seals `plain` for one reader, opens it as that reader: the times and the sealed size.
fn sealed_bundle_times(
    writer: &Keypair,
    network: sangam_protocol::NetworkId,
    plain: &[u8],
) -> (std::time::Duration, std::time::Duration, usize) {
    let reader = Keypair::from_secret_bytes(&[201; 32]);
    let secret = SealingSecret::of(&reader);
    let started = Instant::now();
    let sealed = SealBundle {
        network,
        writer: (writer.author(), SealingSecret::of(writer).public()),
        written_at: now_ms(),
        recipients: &[(reader.author(), secret.public())],
    }
    .seal(plain, &random_bytes(randomness_for(2)).unwrap())
    .unwrap();
    let seal = started.elapsed();
    let started = Instant::now();
    let opened = open_bundle(&sealed, &reader.author(), &secret).unwrap();
    let open = started.elapsed();
    if &opened[..] != plain {
        crate::fail("the sealed bundle did not open to the plain one");
    }
    (seal, open, sealed.len())
}

/// Sealing and opening `count` offers of ~300 characters for one reader, per offer.
fn sealed_offers(count: u32) -> Row {
    let (author, reader) = (
        Keypair::from_secret_bytes(&[202; 32]),
        Keypair::from_secret_bytes(&[203; 32]),
    );
    let (author_secret, reader_secret) = (SealingSecret::of(&author), SealingSecret::of(&reader));
    let network = sangam_protocol::NetworkId([1; 32]);
    let offer = Body::Offer(Offer {
        request: MessageId([2; 32]),
        body: "We can come on Saturday with our legal volunteer; call Meena-didi. ".repeat(4),
    });
    let recipients = [(reader.author(), reader_secret.public())];
    let started = Instant::now();
    let sealed: Vec<_> = (0..count)
        .map(|_| {
            SealRequest {
                network,
                author: author.author(),
                author_key: author_secret.public(),
                recipients: &recipients,
                body: &offer,
            }
            .seal()
            .unwrap()
        })
        .collect();
    let seal = started.elapsed() / count;
    let started = Instant::now();
    for one in &sealed {
        let opened = one.open(&network, &author.author(), &reader.author(), &reader_secret);
        if opened.as_ref() != Ok(&offer) {
            crate::fail("a sealed offer did not open");
        }
    }
    let open = started.elapsed() / count;
    let overhead = Body::Sealed(sealed[0].clone()).encode().len() - offer.encode().len();
    row(
        "a sealed offer (1 reader): seal / open, bytes added",
        format!(
            "{} µs / {} µs, +{overhead} bytes",
            seal.as_micros(),
            open.as_micros()
        ),
        "—",
        json!({"seal_us": seal.as_micros(), "open_us": open.as_micros(), "overhead_bytes": overhead}),
    )
}
