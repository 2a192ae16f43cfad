//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/) through the same checks the
//! fuzz targets run, so inputs a fuzzer once found interesting stay covered by `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// One fuzz target's check.
type Check = fn(&[u8]);

/// Feeds every file of corpus `target` to `check`; returns how many there were.
fn replay(target: &str, check: Check) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails its check", path.display());
        count += 1;
    }
    count
}

#[test]
fn every_corpus_file_passes_its_fuzz_check() {
    let targets: [(&str, Check); 6] = [
        ("api", checks::api),
        ("bundle", checks::bundle),
        ("bodies", checks::bodies),
        ("envelope", checks::envelope),
        ("invite", checks::invite),
        ("sync", checks::sync),
    ];
    for (target, check) in targets {
        let count = replay(target, check);
        assert!(count >= 50, "corpus `{target}` has only {count} files");
    }
}
