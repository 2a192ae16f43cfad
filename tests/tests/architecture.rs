//! The shape of the code, checked: no import cycle between the modules of any crate, the event
//! loop's file stays a dispatcher, and no node file grows past one sitting's read. Plain reads of
//! the source files (the `use crate::…` paths), no extra tool.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's top folder.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A file's code without its unit tests (tests may reach anywhere) and without comments (a doc
/// link is not an import): every item marked `#[cfg(test)]` is cut out — a `mod tests { … }`
/// up to its closing brace, a `mod trust_tests;` line — and the rest of the file is kept, so a
/// test module declared near the top does not hide the code below it.
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect();
    let mut kept = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].trim() != "#[cfg(test)]" {
            kept.push(lines[index]);
            index += 1;
            continue;
        }
        // Skip the marked item: up to a `;` that ends it, or to the brace closing its block.
        let mut depth = 0i32;
        let mut opened = false;
        index += 1;
        while index < lines.len() {
            let line = lines[index];
            index += 1;
            for c in line.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth <= 0) || (!opened && line.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    kept.join("\n")
}

/// Lines that hold code (not blank once comments are gone).
fn lines_of_code(path: &Path) -> usize {
    code_of(path)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count()
}

/// A file's module path in its crate (`event_loop/peers.rs` → `event_loop::peers`); empty for
/// the crate root.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut path: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if matches!(path.as_slice(), [root] if root == "lib" || root == "main") {
        path.clear();
    }
    if path.last().is_some_and(|last| last == "mod") {
        path.pop();
    }
    path
}

/// Every path that starts at `crate::`, `super::` or `self::` in `code`, as (where it starts
/// from, its segments), with each entry of a `{…}` group its own path.
fn paths_in(code: &str) -> Vec<(&'static str, Vec<String>)> {
    fn ident(text: &str) -> (&str, &str) {
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        (&text[..end], &text[end..])
    }
    /// Reads a path (or a group of paths) after `prefix`, pushing every path it ends in.
    fn read(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let text = text.trim_start();
        if let Some(group) = text.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (at, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        read(&group[start..at], prefix.clone(), out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        read(&group[start..at], prefix.clone(), out);
                        start = at + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let (name, rest) = ident(text);
        let mut path = prefix;
        if !name.is_empty() {
            path.push(name.to_string());
        }
        match rest.trim_start().strip_prefix("::") {
            Some(more) => read(more, path, out),
            None => out.push(path),
        }
    }
    let mut found = Vec::new();
    for anchor in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(anchor) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut paths = Vec::new();
            read(&code[at + anchor.len()..], Vec::new(), &mut paths);
            let start: &'static str = match anchor {
                "crate::" => "crate",
                "super::" => "super",
                _ => "self",
            };
            found.extend(paths.into_iter().map(|p| (start, p)));
        }
    }
    found
}

/// Module → the modules it names (resolved to the longest module path that exists), leaving
/// out a module's own ancestors and descendants: a parent declares its children, and a child
/// using its parent's items is how Rust is written. What is left are the links between
/// siblings and cousins, where a cycle means two files that cannot be read apart.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let here = module_path(src, file);
        if here.is_empty()
            || file
                .file_stem()
                .is_some_and(|s| s.to_string_lossy().ends_with("_tests"))
        {
            continue;
        }
        let targets = graph.entry(here.join("::")).or_default();
        for (start, segments) in paths_in(&code_of(file)) {
            let mut base = match start {
                "crate" => Vec::new(),
                "super" => here[..here.len() - 1].to_vec(),
                _ => here.clone(),
            };
            let mut segments = segments.as_slice();
            while let [first, rest @ ..] = segments
                && first == "super"
            {
                base.pop();
                segments = rest;
            }
            base.extend(segments.iter().cloned());
            while !base.is_empty() && !modules.contains(&base) {
                base.pop();
            }
            let related = base.starts_with(&here) || here.starts_with(&base);
            if !related {
                targets.insert(base.join("::"));
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    for krate in ["protocol", "node", "tui"] {
        let graph = imports(&workspace().join(krate).join("src"));
        assert!(graph.len() > 3, "{krate}: found too few modules to judge");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{krate} has an import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
}

#[test]
fn the_event_loop_stays_a_dispatcher_and_node_files_stay_readable() {
    let src = workspace().join("node").join("src");
    let event_loop = lines_of_code(&src.join("event_loop.rs"));
    assert!(
        event_loop < 400,
        "event_loop.rs has {event_loop} lines of code: move a decision into its machine"
    );
    for file in sources(&src) {
        let lines = lines_of_code(&file);
        assert!(
            lines <= 500,
            "{} has {lines} lines of code: it probably holds two ideas",
            file.display()
        );
    }
}

#[test]
fn the_cycle_finder_sees_siblings_but_not_a_parent_and_its_child() {
    let src = workspace().join("node").join("src");
    let graph = imports(&src);
    // `event_loop/admission.rs` uses `super::peers::insert_bounded`: a link between siblings.
    assert!(graph["event_loop::admission"].contains("event_loop::peers"));
    // Children use their parent's items (`super::EventLoop`): not a link.
    assert!(!graph["event_loop::hello"].contains("event_loop"));
}

/// Every public type a crate declares (`pub`, `pub(crate)`, `pub(super)`), with its file.
fn public_types(src: &Path) -> Vec<(String, PathBuf)> {
    let mut types = Vec::new();
    for file in sources(src) {
        for line in code_of(&file).lines() {
            let line = line.trim_start();
            let Some(rest) = line.strip_prefix("pub") else {
                continue;
            };
            let rest = match rest.strip_prefix('(') {
                Some(scoped) => scoped.split_once(')').map_or("", |(_, after)| after),
                None => rest,
            };
            let mut words = rest.split_whitespace();
            if let (Some("struct" | "enum" | "trait" | "type"), Some(name)) =
                (words.next(), words.next())
            {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                types.push((name, file.clone()));
            }
        }
    }
    types
}

#[test]
fn no_two_public_types_of_one_crate_share_a_name() {
    for krate in ["protocol", "node", "tui"] {
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        let types = public_types(&workspace().join(krate).join("src"));
        assert!(types.len() > 10, "{krate}: found too few types to judge");
        for (name, file) in types {
            if let Some(first) = seen.insert(name.clone(), file.clone()) {
                panic!(
                    "{krate} has two public types named {name}: in {} and {}",
                    first.display(),
                    file.display()
                );
            }
        }
    }
}

#[test]
fn every_reason_code_comes_from_a_catalogue() {
    // The node's codes are `NodeError::reason` and `PeerRefusal::reason` (node/src/error.rs);
    // the message rules' are `Error::reason` in the protocol crate. A code minted anywhere else
    // is one a client cannot find listed.
    let src = workspace().join("node").join("src");
    for file in sources(&src) {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        // Test helpers (`testing.rs`, `*_tests.rs`) write bodies' reasons, not codes.
        if stem == "error" || stem == "testing" || stem.ends_with("_tests") {
            continue;
        }
        let code = code_of(&file);
        let minted = code
            .match_indices("reason: \"")
            .chain(code.match_indices("reason = \""));
        for (at, found) in minted {
            let literal: String = code[at + found.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect();
            assert!(
                literal.contains(' '),
                "{} mints the reason code `{literal}`: add it to the catalogue in error.rs",
                file.display()
            );
        }
        assert!(
            !code.contains("Count(\""),
            "{} counts a refusal by a string: use PeerRefusal",
            file.display()
        );
    }
}
