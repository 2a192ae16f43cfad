//! The `sangam` command line end to end: separate processes against real daemons.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sangam_tests::sangam_bin;
use serde_json::Value;

struct Node {
    dir: PathBuf,
    daemon: Option<Child>,
    addr: String,
}

impl Node {
    fn new(root: &Path, name: &str) -> Node {
        let node = Node {
            dir: root.join(name),
            daemon: None,
            addr: String::new(),
        };
        let out = node.ok(&["init", "--name", name, "--region", "Bihar"]);
        assert!(out.starts_with("12D3KooW"), "{out}");
        node
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in("C.UTF-8", args)
    }

    /// Runs `sangam` with `LANG` set to `lang` (the other locale variables cleared).
    fn run_in(&self, lang: &str, args: &[&str]) -> Output {
        Command::new(sangam_bin())
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .output()
            .expect("sangam runs")
    }

    /// Runs a command that must succeed; returns its stdout, trimmed.
    fn ok(&self, args: &[&str]) -> String {
        succeeded(args, self.run(args))
    }

    /// Runs a command that must succeed with `input` on its standard input; returns its stdout.
    fn ok_with_input(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = Command::new(sangam_bin())
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sangam runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        succeeded(args, child.wait_with_output().unwrap())
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn start(&mut self, bootstrap: Option<&str>) {
        let mut command = Command::new(sangam_bin());
        command.arg("--data-dir").arg(&self.dir).args([
            "run",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--no-mdns",
            "--sync-interval",
            "2",
        ]);
        if let Some(address) = bootstrap {
            command.args(["--bootstrap", address]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        self.addr = first
            .strip_prefix("Listening on ")
            .expect("a listen address")
            .to_string();
        assert!(self.addr.contains("/p2p/12D3KooW"), "{first}");
        self.daemon = Some(child);
    }

    fn signal(&mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.daemon.take().unwrap();
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        child.wait().unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The trimmed stdout of a `sangam` command that must have succeeded.
fn succeeded(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "`sangam {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(90) {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("gave up waiting for: {what}");
}

fn feed_has(node: &Node, id: &str) -> bool {
    node.json(&["feed", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item["id"] == id)
}

#[test]
fn the_command_line_works_end_to_end_against_real_daemons() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let root = tempfile::tempdir().unwrap();
    let mut forum = Node::new(root.path(), "Forum");
    let mut utthan = Node::new(root.path(), "Utthan");
    let network = forum.ok(&["network", "create", "--name", "Sangam Bihar"]);
    assert_eq!(network.len(), 64);
    let utthan_id = utthan.ok(&["id"]);
    let invite = forum.ok(&["admit", &utthan_id, "--name", "Utthan", "--role", "member"]);
    assert!(invite.starts_with("sangam-invite-1:"));
    // The invite comes on standard input, so it stays out of shell history and `ps`.
    let joined = utthan.ok_with_input(&["join"], &format!("{invite}\n"));
    assert!(joined.contains("Sangam Bihar"), "{joined}");

    forum.start(None);
    let forum_addr = forum.addr.clone();
    utthan.start(Some(&forum_addr));

    // A request travels, an offer answers it, its author closes it.
    let request = utthan.ok(&[
        "post",
        "request",
        "--topic",
        "victim_compensation",
        "--title",
        "मुआवज़ा दावा",
        "--body",
        "Claim pending for a year",
        "--region",
        "Bihar",
        "--urgency",
        "high",
    ]);
    assert_eq!(request.len(), 64, "post prints only the id: {request}");
    eventually("the forum to see the request", || {
        feed_has(&forum, &request)
    });
    let item = forum.json(&["show", &request, "--json"]);
    assert_eq!(item["kind"], "mentoring_request");
    assert_eq!(item["body"]["title"], "मुआवज़ा दावा");
    assert!(item["timestamp"].as_u64().unwrap() > 0);

    let offer = forum.ok(&[
        "post",
        "offer",
        "--to",
        &request,
        "--body",
        "Our lawyer can help",
    ]);
    eventually("the offer to reach the requester", || {
        feed_has(&utthan, &offer)
    });
    assert_eq!(utthan.json(&["show", &request, "--json"])["offers"], 1);
    utthan.ok(&["close", &request, "--note", "Resolved"]);
    eventually("the forum to see the request closed", || {
        forum.json(&["show", &request, "--json"])["closed"] == true
    });

    let feed = forum.json(&["feed", "--kind", "offer", "--json"]);
    assert_eq!(feed.as_array().unwrap().len(), 1);
    assert_eq!(feed[0]["body"]["request"], request.as_str());
    let members = forum.json(&["members", "--json"]);
    assert_eq!(members.as_array().unwrap().len(), 2);
    let status = forum.json(&["status", "--json"]);
    assert_eq!(status["running"], true);
    // Started without --mdns: the laptop does not announce itself on the local network.
    assert_eq!(status["announcing_on_lan"], false);
    assert_eq!(status["connected"].as_array().unwrap().len(), 1);
    assert_eq!(status["messages"]["mentoring_request"], 1);
    assert!(
        forum
            .json(&["peers", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["connected"] == true)
    );

    // Long text can come on standard input instead of --body (out of shell history).
    let piped = utthan.ok_with_input(
        &["post", "announcement", "--title", "Piped"],
        "Meeting on Saturday.\nBring your documents.\n",
    );
    assert_eq!(
        utthan.json(&["show", &piped, "--json"])["body"]["body"],
        "Meeting on Saturday.\nBring your documents."
    );

    // A crash (SIGKILL) loses nothing acknowledged and keeps the identity.
    let before = utthan.ok(&[
        "post",
        "announcement",
        "--title",
        "Before the crash",
        "--body",
        "x",
    ]);
    utthan.signal("-KILL");
    assert_eq!(utthan.ok(&["id"]), utthan_id);
    assert!(
        feed_has(&utthan, &before),
        "the offline store holds the acknowledged post"
    );
    // Posting while the daemon is down works too; the post goes out when it next runs.
    let offline = utthan.ok(&[
        "post",
        "announcement",
        "--title",
        "Written offline",
        "--body",
        "y",
    ]);
    utthan.start(Some(&forum_addr));
    eventually("the offline post to reach the forum", || {
        feed_has(&forum, &offline)
    });

    // A newer member posts a kind this version does not know: every node keeps reading its
    // feed (the unknown kind shows as "needs a newer version of Sangam"), nothing breaks the answer.
    let newer = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let socket = sangam_node::datadir::DataDir::socket_path_of(&utthan.dir);
        let mut client = sangam_node::client::Client::connect(&socket).await.unwrap();
        let body = sangam_protocol::Body::Unsupported {
            number: 4242,
            bytes: vec![1, 2, 3],
        };
        client.post(body).await.unwrap().to_string()
    });
    eventually("the forum to hold the newer kind", || {
        feed_has(&forum, &newer)
    });
    for node in [&forum, &utthan] {
        let shown = node.json(&["show", &newer, "--json"]);
        assert_eq!(shown["kind"], "unsupported_4242", "{shown}");
        let listed = node.ok(&["feed"]);
        assert!(
            listed.contains("needs a newer version of Sangam"),
            "{listed}"
        );
        assert!(node.run(&["feed", "--json"]).status.success());
    }

    // Revocation: the forum marks Utthan revoked and drops its connection (that every node
    // cuts it off and refuses its posts is tests/tests/mesh/revocation.rs).
    forum.ok(&["revoke", &utthan_id, "--reason", "Laptop was seized"]);
    let members = forum.json(&["members", "--json"]);
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["revoked"] == true)
    );
    eventually("the forum to drop the revoked node", || {
        forum.json(&["status", "--json"])["connected"]
            .as_array()
            .unwrap()
            .is_empty()
    });

    // Mistakes get one plain sentence and a failure exit code.
    for args in [
        vec!["show", "not-an-id"],
        vec!["feed", "--kind", "gossip"],
        vec!["admit", "12D3KooWnotreal", "--name", "X"],
        vec!["join", "sangam-invite-1:garbage"],
        vec!["post", "announcement", "--title", "", "--body", "x"],
    ] {
        let out = forum.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("sangam: "), "{args:?}: {stderr}");
    }
    let fresh = Node {
        dir: root.path().join("fresh"),
        daemon: None,
        addr: String::new(),
    };
    let out = fresh.run(&["status"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("sangam init"));

    // SIGTERM stops the daemon cleanly.
    assert!(forum.signal("-TERM").success());
    assert!(
        !forum.dir.join("control.sock").exists(),
        "the socket is removed on a clean stop"
    );
}

#[test]
fn a_folder_with_a_passphrase_opens_only_with_it() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("sealed");
    let passphrase = temp.path().join("passphrase");
    std::fs::write(&passphrase, "seven sisters of the river\n").unwrap();
    let sangam = |args: &[&str], file: Option<&Path>| {
        let mut command = Command::new(sangam_bin());
        command.arg("--data-dir").arg(&dir).args(args);
        command.env_remove("SANGAM_PASSPHRASE_FILE");
        if let Some(file) = file {
            command.env("SANGAM_PASSPHRASE_FILE", file);
        }
        command.output().expect("sangam runs")
    };
    let init = ["init", "--name", "Utthan", "--region", "West Bengal"];
    let id = succeeded(&init, sangam(&init, Some(&passphrase)));
    assert!(id.starts_with("12D3KooW"), "{id}");
    let settings = std::fs::read_to_string(dir.join("settings.json")).unwrap();
    assert!(!settings.contains("Utthan"), "{settings}");

    // Without it: one plain sentence saying what to do.
    let locked = sangam(&["network", "create", "--name", "Test"], None);
    assert!(!locked.status.success());
    let said = String::from_utf8_lossy(&locked.stderr);
    assert!(
        said.contains("locked with a passphrase") && said.contains("--passphrase-file"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    // A wrong one.
    let wrong = temp.path().join("wrong");
    std::fs::write(&wrong, "seven sisters").unwrap();
    let refused = sangam(&["id"], Some(&wrong));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("does not open"));
    // The right one, from the variable.
    assert_eq!(succeeded(&["id"], sangam(&["id"], Some(&passphrase))), id);
    let create = ["network", "create", "--name", "Test"];
    succeeded(&create, sangam(&create, Some(&passphrase)));

    // At a terminal, `post` without --body opens $EDITOR on a private file that is wiped and
    // removed afterwards (`script` gives the command a terminal).
    let editor = temp.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\necho \"$1\" > \"$(dirname \"$0\")/edited-path\"\nprintf 'Bring ID cards' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let post = format!(
        "{} --data-dir {} post announcement --title Meeting",
        sangam_bin().display(),
        dir.display()
    );
    let typed = Command::new("script")
        .args(["-qec", &post, "/dev/null"])
        .env("EDITOR", &editor)
        .env("SANGAM_PASSPHRASE_FILE", &passphrase)
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert!(
        typed.status.success(),
        "{}",
        String::from_utf8_lossy(&typed.stdout)
    );
    let shown = succeeded(
        &["feed", "--json"],
        sangam(&["feed", "--json"], Some(&passphrase)),
    );
    assert!(shown.contains("Bring ID cards"), "{shown}");
    let edited = std::fs::read_to_string(temp.path().join("edited-path")).unwrap();
    assert!(
        !Path::new(edited.trim()).exists(),
        "the editor's file was removed: {edited}"
    );

    // A folder made without one says what that means.
    let plain = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(temp.path().join("plain"))
        .args(["init", "--name", "Utthan", "--no-passphrase"])
        .output()
        .unwrap();
    assert!(plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("anyone who holds this laptop"));

    // A hub as a service: the unit runs this folder, restarts it, and gets the passphrase as a
    // systemd credential (never on a command line).
    let units = temp.path().join("units");
    let units_arg = units.to_str().unwrap();
    let install = ["service", "install", "--unit-dir", units_arg, "--no-start"];
    let refused = sangam(&install, None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--passphrase-file"));
    succeeded(&install, sangam(&install, Some(&passphrase)));
    let unit = std::fs::read_to_string(units.join("sangam.service")).unwrap();
    assert!(
        unit.contains(&format!(
            "--data-dir {} run",
            dir.canonicalize().unwrap().display()
        )),
        "{unit}"
    );
    assert!(unit.contains("Restart=on-failure"), "{unit}");
    assert!(unit.contains("LoadCredential=sangam-passphrase:"), "{unit}");
    let status = ["service", "status", "--unit-dir", units_arg, "--no-start"];
    assert!(succeeded(&status, sangam(&status, None)).contains("Installed"));
    let uninstall = [
        "service",
        "uninstall",
        "--unit-dir",
        units_arg,
        "--no-start",
    ];
    succeeded(&uninstall, sangam(&uninstall, None));
    assert!(!units.join("sangam.service").exists());

    // A backed-up key copied into a new folder: `init` keeps it, opening it with the passphrase
    // it was saved with, read once from standard input as the app hands it over; same id, and
    // the new folder is sealed too.
    let restored = sangam_node::datadir::DataDir::open(&temp.path().join("restored")).unwrap();
    std::fs::copy(dir.join("identity.key"), restored.key_path()).unwrap();
    let mut restoring = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(restored.root())
        .args(["--passphrase-file", "/dev/stdin"])
        .args(init)
        .env_remove("SANGAM_PASSPHRASE_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut restoring.stdin.take().unwrap(),
        b"seven sisters of the river\n",
    )
    .unwrap();
    let out = restoring.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(succeeded(&init, out), id, "the restored key keeps its id");
    assert!(said.contains("Kept the key restored"), "{said}");
    assert!(!said.contains("anyone who holds"), "{said}");
    let settings = std::fs::read_to_string(restored.root().join("settings.json")).unwrap();
    assert!(!settings.contains("Utthan"), "sealed too: {settings}");

    // Wiping needs no passphrase (someone at the door has no time) but does need to be meant.
    let unasked = sangam(&["wipe"], None);
    assert!(!unasked.status.success());
    assert!(String::from_utf8_lossy(&unasked.stderr).contains("--yes"));
    assert!(dir.join("identity.key").exists());
    let wiped = sangam(&["wipe", "--yes"], None);
    let said = succeeded(&["wipe", "--yes"], wiped);
    assert!(said.contains("no one was told"), "{said}");
    assert!(!dir.exists(), "the folder is gone");
    let after = sangam(&["id"], Some(&passphrase));
    assert!(String::from_utf8_lossy(&after.stderr).contains("not set up"));
}

#[test]
fn a_node_that_reaches_no_member_says_so_plainly() {
    let root = tempfile::tempdir().unwrap();
    let founder = Node::new(root.path(), "Forum");
    founder.ok(&["network", "create", "--name", "Test"]);
    let founder_id = founder.ok(&["id"]);
    let member = Node::new(root.path(), "Utthan");
    let id = member.ok(&["id"]);
    let invite = founder.ok(&["admit", &id, "--name", "Utthan"]);
    member.ok_with_input(&["join"], &invite);
    // The founder is not running: the only address the member knows leads nowhere.
    let nowhere = format!("/ip4/127.0.0.1/tcp/9/p2p/{founder_id}");
    let mut child = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(&member.dir)
        .args(["run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"])
        .args(["--lonely-after", "1", "--bootstrap", &nowhere])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (said, heard) = std::sync::mpsc::sync_channel(64);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if said.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    let found = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match heard.recv_timeout(left) {
            Ok(line) if line.contains("No other collective could be reached") => break true,
            Ok(line) => lines.push(line),
            Err(_) => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "the node said: {lines:?}");
}

/// `node` gets an invite from `forum` (running) with `role`, joins and starts; returns its id.
fn welcome(forum: &Node, node: &mut Node, name: &str, role: &str) -> String {
    let id = node.ok(&["id"]);
    let invite = forum.ok(&["admit", &id, "--name", name, "--role", role]);
    node.ok_with_input(&["join"], &format!("{invite}\n"));
    node.start(Some(&forum.addr));
    id
}

/// `members --json` of every node, once they all say the same; returns it.
fn members_agree(nodes: &[&Node]) -> Value {
    eventually("every node to list the same members", || {
        let first = nodes[0].ok(&["members", "--json"]);
        nodes[1..]
            .iter()
            .all(|node| node.ok(&["members", "--json"]) == first)
    });
    nodes[0].json(&["members", "--json"])
}

/// Issue #27, case 1, with the real binary: a steward votes alone to replace the founder, naming
/// a moment (`--since`) just after its own admission and before everyone else's. Before, the
/// nodes that counted the vote dropped the founder and every later member; now nothing changes
/// anywhere. Then the founder names the recovery council, and every node lists it.
#[test]
fn a_lone_stewards_vote_changes_nothing_and_the_founder_names_the_council() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let root = tempfile::tempdir().unwrap();
    let mut forum = Node::new(root.path(), "Forum");
    let mut sneh = Node::new(root.path(), "Sneh");
    let mut ankur = Node::new(root.path(), "Ankur");
    let mut bandhan = Node::new(root.path(), "Bandhan");
    let mut maitri = Node::new(root.path(), "Maitri");
    forum.ok(&["network", "create", "--name", "Sangam Bihar"]);
    forum.start(None);
    let forum_id = forum.ok(&["id"]);
    welcome(&forum, &mut sneh, "Sneh", "steward");
    eventually("Sneh to hear from the forum", || {
        sneh.ok(&["members"]).contains("Forum")
    });
    std::thread::sleep(Duration::from_secs(2));
    let between = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    welcome(&forum, &mut ankur, "Ankur", "steward");
    welcome(&forum, &mut bandhan, "Bandhan", "steward");
    let maitri_id = welcome(&forum, &mut maitri, "Maitri", "member");
    eventually("Sneh to learn of every admission", || {
        sneh.ok(&["members"]).contains(&maitri_id)
    });

    let thief = Node::new(root.path(), "Thief").ok(&["id"]);
    let since = format!("{}ms", between.elapsed().as_millis());
    let vote = sneh.ok(&[
        "replace-founder",
        &thief,
        "--name",
        "Thief",
        "--reason",
        "none",
        "--since",
        &since,
    ]);
    let nodes = [&forum, &sneh, &ankur, &bandhan, &maitri];
    for node in nodes {
        eventually("the vote to reach every node", || {
            node.run(&["show", &vote]).status.success()
        });
    }
    let members = members_agree(&nodes);
    let role_of = |id: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| (m["role"].clone(), m["revoked"].clone()))
    };
    assert_eq!(
        role_of(&forum_id),
        Some((Value::from("steward"), Value::from(false))),
        "{members}"
    );
    assert_eq!(
        role_of(&maitri_id),
        Some((Value::from("member"), Value::from(false)))
    );
    assert_eq!(role_of(&thief), None);

    // The founder names the council by name; every node lists its three seats.
    forum.ok(&["council", "Sneh", "Ankur", "Bandhan"]);
    eventually("every node to list the council", || {
        nodes.iter().all(|node| {
            node.json(&["members", "--json"])
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["council"] == true)
                .count()
                == 3
        })
    });
    let seats = forum.ok(&["members"]);
    assert_eq!(seats.matches("(council)").count(), 3, "{seats}");
    // One seat alone cannot change it.
    let refused = maitri.run(&["council", "Maitri", "Sneh"]);
    assert!(!refused.status.success());
}

#[test]
fn status_and_feed_speak_the_language_lang_names_or_the_one_chosen_in_the_app() {
    let root = tempfile::tempdir().unwrap();
    let forum = Node::new(root.path(), "Forum");
    forum.ok(&["network", "create", "--name", "Sangam Bihar"]);
    forum.ok(&[
        "post",
        "announcement",
        "--title",
        "Legal aid camp",
        "--body",
        "x",
    ]);
    let said = |lang: &str, args: &[&str]| succeeded(args, forum.run_in(lang, args));

    let status = said("hi_IN.UTF-8", &["status"]);
    assert!(
        status.contains("नोड:") && status.contains("भूमिका:"),
        "{status}"
    );
    assert!(status.contains("संचालक"), "the role in Hindi: {status}");
    let feed = said("hi_IN.UTF-8", &["feed"]);
    assert!(
        feed.contains("घोषणा") && feed.contains("Legal aid camp"),
        "{feed}"
    );

    let status = said("bn_IN.UTF-8", &["status"]);
    assert!(status.contains("ভূমিকা:"), "{status}");
    let status = said("C.UTF-8", &["status"]);
    assert!(
        status.contains("role:") && status.contains("steward"),
        "{status}"
    );

    // The language chosen in the app wins over the environment's.
    std::fs::write(
        forum.dir.join("sangam-tui.json"),
        r#"{"language":"bengali"}"#,
    )
    .unwrap();
    let feed = said("hi_IN.UTF-8", &["feed"]);
    assert!(feed.contains("ঘোষণা"), "{feed}");
}
