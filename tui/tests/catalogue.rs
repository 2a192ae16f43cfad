//! The catalogue is whole: every message the app names is in English, Hindi and Bengali, each
//! translation uses the same arguments as the English, every file reads without a mistake, and
//! no sentence on screen is written into the code instead of the catalogue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_bundle::FluentResource;
use sangam_tui::catalogue::Language;

/// Each message's key and the arguments it uses, as written in `source`.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') && !line.starts_with('}') {
            let key = line
                .split(" =")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            messages.entry(key.clone()).or_default();
            current = Some(key);
        }
        let Some(key) = &current else { continue };
        let mut rest = line;
        while let Some(at) = rest.find('$') {
            let name: String = rest[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            messages.get_mut(key).unwrap().insert(name);
            rest = &rest[at + 1..];
        }
    }
    messages
}

/// Rust files under `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path.display().to_string(), text));
        }
    }
    found
}

/// The string literals in `code`, outside its `#[cfg(test)]` module and comments.
fn literals(code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = vec![];
    for line in code.lines() {
        let line = line.trim_start();
        // Comments, attributes and log lines are not shown to anyone.
        if line.starts_with("//") || line.starts_with("#[") || line.contains("tracing::") {
            continue;
        }
        let mut parts = line.split('"');
        parts.next();
        while let Some(literal) = parts.next() {
            found.push(literal.to_string());
            parts.next();
        }
    }
    found
}

fn is_key(literal: &str) -> bool {
    let mut words = literal.split('-');
    literal.contains('-')
        && literal.starts_with(|c: char| c.is_ascii_lowercase())
        && words.all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every file that names messages: the app's, and the shared words in the node crate (its
/// labels, and the command line's status and feed).
fn speaking_sources() -> Vec<(String, String)> {
    let node = Path::new(env!("CARGO_MANIFEST_DIR")).join("../node/src");
    let mut found = sources(&src());
    for shared in ["labels.rs", "cli/words.rs"] {
        let path = node.join(shared);
        if let Ok(text) = std::fs::read_to_string(&path) {
            found.push((path.display().to_string(), text));
        }
    }
    found
}

#[test]
fn every_catalogue_reads_without_a_mistake() {
    for language in Language::ALL {
        if let Err((_, errors)) = FluentResource::try_new(language.source().to_string()) {
            panic!("{}.ftl: {errors:?}", language.code());
        }
    }
}

#[test]
fn no_message_is_written_twice() {
    // Fluent keeps the first of two messages with one key and drops the second without a word:
    // a form's hint once showed the key bar's one word instead of its sentence.
    for language in Language::ALL {
        let mut seen = BTreeSet::new();
        for line in language.source().lines() {
            if line.starts_with(' ') || line.starts_with('#') || !line.contains(" =") {
                continue;
            }
            let key = line.split(" =").next().unwrap_or_default().trim();
            assert!(
                seen.insert(key.to_string()),
                "{}.ftl has `{key}` twice",
                language.code()
            );
        }
    }
}

#[test]
fn every_message_is_in_all_three_languages_with_the_same_arguments() {
    let english = messages(Language::English.source());
    assert!(
        english.len() > 300,
        "the English catalogue holds every message"
    );
    for language in [Language::Hindi, Language::Bengali] {
        let other = messages(language.source());
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", language.code());
        assert!(
            extra.is_empty(),
            "{} has unknown {extra:?}",
            language.code()
        );
        for (key, arguments) in &english {
            assert_eq!(
                &other[key],
                arguments,
                "{} {key} uses other arguments than the English",
                language.code()
            );
        }
    }
}

#[test]
fn every_key_the_code_names_is_in_the_catalogue_and_every_message_is_used() {
    let english = messages(Language::English.source());
    let mut used = BTreeSet::new();
    for (file, code) in speaking_sources() {
        if file.contains("/demo") {
            continue;
        }
        // `t!("key"`, but not `format!("…"`.
        let pieces: Vec<&str> = code.split("t!(\"").collect();
        let named: Vec<String> = pieces
            .windows(2)
            .filter(|pair| !pair[0].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            .filter_map(|pair| pair[1].split('"').next())
            .map(str::to_string)
            .collect();
        let keys = literals(&code).into_iter().filter(|l| is_key(l));
        for literal in keys.chain(named) {
            {
                assert!(
                    english.contains_key(&literal),
                    "{file} names {literal}, which is not in the catalogue"
                );
                used.insert(literal);
            }
        }
    }
    let unused: Vec<_> = english.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "messages no code uses: {unused:?}");
}

/// Literals that may hold words without being sentences on screen.
/// The protocol's names for fields (how its rules name them) and what it says it found in a
/// text: the app matches on them and shows its own words.
const NOT_ON_SCREEN: &[&str] = &[
    "office type",
    "office name",
    "outcome rating",
    "focus areas",
    "an Aadhaar number",
    "a phone number",
];

#[test]
fn no_sentence_on_screen_is_written_into_the_code() {
    // A sentence: two words of letters or more. The demo's sample posts are what collectives
    // write, not the app's words, and the terminal-layout module's notes are not shown.
    let mut offenders = vec![];
    for (file, code) in speaking_sources() {
        if file.contains("/demo") || file.ends_with("logfile.rs") || file.ends_with("tests.rs") {
            continue;
        }
        for literal in literals(&code) {
            let words = literal
                .split_whitespace()
                .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                .filter(|w| !w.starts_with('{'))
                .count();
            if words >= 2 && !NOT_ON_SCREEN.contains(&literal.as_str()) {
                offenders.push(format!("{file}: \"{literal}\""));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "sentences outside the catalogue:\n{}",
        offenders.join("\n")
    );
}
