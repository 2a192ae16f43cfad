//! No command line needed: a new collective sets its laptop up from the app's first-run screen,
//! driven by keystrokes in tmux as a person would (a fresh data folder; its name and region; join;
//! the id it shows goes to a steward; the steward's app welcomes it from the Collectives tab and
//! the invite line is pasted back), and what it then posts reaches another node. The steward then
//! removes it from the same tab, and the removed collective is dropped. A laptop replaced after a
//! theft or a reinstall is set up the same way around its backed-up key, and its feed goes on
//! where it stopped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Command;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_node::client::Client;
use sangam_node::datadir::DataDir;
use sangam_protocol::api::{Request, Response};
use sangam_protocol::{Body, Kind, Role};
use sangam_tests::tmux::Tmux;
use sangam_tests::{TestNode, eventually, network, sangam_bin, sangam_tui_bin, skip};
use sangam_tui::app::{Action, App, Incoming};

/// The `sangam run` the app started in the background for `folder`, stopped when the test ends
/// (it is in a process group of its own, apart from the app and from this test).
struct BackgroundNode(PathBuf);

impl Drop for BackgroundNode {
    fn drop(&mut self) {
        let folder = self.0.display().to_string();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        for entry in entries.flatten() {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(&folder) && cmdline.contains(" run") {
                let pid = entry.file_name().to_string_lossy().into_owned();
                let _ = Command::new("sh")
                    .args(["-c", &format!("kill {pid}")])
                    .status();
            }
        }
    }
}

/// The steward's app, working against its node: every request the app makes is answered by the
/// node and the answer handed back, as the app's runtime does.
struct StewardApp<'a> {
    app: App,
    node: &'a TestNode,
}

impl<'a> StewardApp<'a> {
    /// The steward's app, connected to `node` and showing what it holds.
    async fn connected(node: &'a TestNode) -> StewardApp<'a> {
        let mut steward = StewardApp {
            app: App::new(sangam_node::clock::now_ms()),
            node,
        };
        let refresh = steward.app.on_incoming(Incoming::Connected);
        steward.settle(refresh).await;
        steward
    }

    async fn settle(&mut self, actions: Vec<Action>) {
        let mut waiting: VecDeque<Action> = actions.into();
        while let Some(action) = waiting.pop_front() {
            if let Action::Send(purpose, request) = action {
                let answer = self.node.api(request).await;
                waiting.extend(self.app.on_incoming(Incoming::Answer(purpose, answer)));
            }
        }
    }

    async fn key(&mut self, code: KeyCode) {
        let actions = self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.settle(actions).await;
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// Welcomes `id` as `name` from the Collectives tab, pasting the id in groups as it may
    /// have been read out; returns the invite line the app shows.
    async fn welcome(&mut self, id: &str, name: &str) -> String {
        self.key(KeyCode::Char('4')).await;
        self.key(KeyCode::Char('n')).await;
        assert!(self.app.form.is_some(), "{:?}", self.app.notice);
        self.type_text(&sangam_tui::setup::grouped(id)).await;
        self.key(KeyCode::Tab).await;
        self.type_text(name).await;
        self.key(KeyCode::Tab).await;
        self.key(KeyCode::Enter).await;
        let invite = self
            .app
            .invite
            .as_ref()
            .unwrap_or_else(|| panic!("no invite: {:?}", self.app.notice))
            .line
            .clone();
        self.key(KeyCode::Esc).await;
        invite
    }
}

/// Writes and sends an announcement titled `title` in the app.
fn announce_in(tmux: &Tmux, title: &str) {
    tmux.press("a");
    tmux.wait_for("New announcement");
    tmux.type_text(title);
    tmux.press("C-s");
    tmux.wait_for("Sent.");
}

/// The app on `folder` in a new tmux session, with `sangam` beside it.
fn app_in_tmux(name: &str, home: &Path, folder: &Path) -> Tmux {
    let app = format!(
        "{} --data-dir {}",
        sangam_tui_bin().display(),
        folder.display()
    );
    Tmux::start(
        name,
        (80, 24),
        home,
        &[
            "LANG=C.UTF-8".to_string(),
            format!("SANGAM_PROGRAM={}", sangam_bin().display()),
        ],
        &app,
    )
}

/// The id the first-run screen shows: the token alone on its line, as it is copied.
fn id_on(screen: &str) -> String {
    screen
        .lines()
        .map(|line| line.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .find(|line| line.starts_with("12D3") && !line.contains(' '))
        .expect("the id is on screen")
        .to_string()
}

/// The id `sangam id` gives for the sealed folder, with its passphrase.
fn id_of(folder: &Path) -> String {
    use std::io::Write;
    let mut child = Command::new(sangam_bin())
        .arg("--data-dir")
        .arg(folder)
        .args(["--passphrase-file", "/dev/stdin", "id"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"mela 2026\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collective_joins_from_the_first_run_screen_and_a_steward_welcomes_and_removes_it() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    if !Tmux::available() {
        skip("tmux is not installed (.ci/run installs it)");
        return;
    }
    // The steward (the network's founder) and one other member, running.
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder]).await;
    let mut steward = StewardApp::connected(&nodes[0]).await;

    // A new collective opens the app on an empty folder.
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("shakti");
    let _background = BackgroundNode(folder.clone());
    let tmux = app_in_tmux("first-run", home.path(), &folder);
    tmux.wait_for("Welcome to Sangam");
    tmux.type_text("Shakti Vahini");
    tmux.press("Tab");
    tmux.type_text("West Bengal");
    tmux.press("Enter");
    // A passphrase, typed twice: every step after opens the sealed folder with it.
    tmux.wait_for("A passphrase for this laptop");
    tmux.type_text("mela 2026");
    tmux.press("Tab");
    tmux.type_text("mela 2026");
    tmux.press("Enter");
    tmux.wait_for("Is there a network to join?");
    tmux.press("1");
    let screen = tmux.wait_for("Send this id to a steward");
    let id = id_on(&screen);
    assert_eq!(id, id_of(&folder), "the id on screen is the folder's");
    let folder_handle = sangam_node::datadir::DataDir::open(&folder).unwrap();
    assert!(
        folder_handle.has_passphrase(),
        "the key file is sealed with the passphrase"
    );

    // The steward welcomes it from the Collectives tab and gets the invite line.
    let invite = steward.welcome(&id, "Shakti Vahini").await;

    // Pasted into the first-run screen — copied off the steward's screen in three pieces, with
    // line breaks between them — it joins and the node starts in the background.
    let third = invite.len() / 3;
    let pieces = format!(
        "{}\n{}\n{}",
        &invite[..third],
        &invite[third..2 * third],
        &invite[2 * third..]
    );
    tmux.paste(&pieces);
    tmux.wait_for(&invite[invite.len() - 12..]);
    tmux.press("Enter");
    tmux.wait_for("● online");
    // Nothing plain is left beside the sealed store: no id file, no node log.
    assert!(!folder.join(sangam_tui::launcher::ID_FILE).exists());
    assert!(!folder.join("sangam-node.log").exists());
    // A post written in the app reaches another node.
    announce_in(&tmux, "Shakti Vahini is here");
    eventually(
        "the new collective's post to reach another member",
        || async {
            nodes[1].feed(Some(Kind::Announcement)).await.iter().any(|item| {
            matches!(&item.body, Some(Body::Announcement(a)) if a.title == "Shakti Vahini is here")
        })
        },
    )
    .await;

    // The steward removes it from the Collectives tab, with the typed word.
    let refresh = vec![Action::Send(
        sangam_tui::app::Purpose::Members,
        Request::Members,
    )];
    steward.settle(refresh).await;
    let row = steward
        .app
        .collectives_view()
        .iter()
        .position(|m| m.name == "Shakti Vahini")
        .expect("the new collective is listed");
    steward.key(KeyCode::Home).await;
    for _ in 0..row {
        steward.key(KeyCode::Down).await;
    }
    steward.key(KeyCode::Char('R')).await;
    steward.type_text("a test of removal").await;
    // "From when" stays empty: nothing it sent is in doubt.
    steward.key(KeyCode::Tab).await;
    steward.key(KeyCode::Tab).await;
    steward.type_text("remove").await;
    steward.key(KeyCode::Enter).await;
    let notice = steward
        .app
        .notice
        .clone()
        .map(|n| n.text)
        .unwrap_or_default();
    assert!(notice.starts_with("Removed."), "{notice}");
    let peer = id.clone();
    for node in &nodes {
        eventually(
            &format!("{} to drop the removed collective", node.name),
            || async { !node.status().await.connected.iter().any(|p| p.peer == peer) },
        )
        .await;
        let members = match node.api(Request::Members).await {
            Response::Members { members } => members,
            other => panic!("{other:?}"),
        };
        assert!(
            members.iter().any(|m| m.id.to_string() == id && m.revoked),
            "{} does not list it as removed",
            node.name
        );
    }
    tmux.press("q");
    drop(tmux);
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_restored_from_a_backed_up_key_joins_again_from_the_first_run_screen() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    if !Tmux::available() {
        skip("tmux is not installed (.ci/run installs it)");
        return;
    }
    // A collective with a sealed folder posts, then its laptop is gone: only the backed-up key
    // file is left.
    let founder = TestNode::new("Founder");
    founder.found("Sangam test");
    let old = TestNode::sealed("Shakti Vahini", Some("mela 2026"));
    founder.admit(&old, Role::Member);
    let mut nodes = [founder, old];
    nodes[0].start(vec![]).await;
    let founder_addr = nodes[0].addr();
    nodes[1].start(vec![founder_addr]).await;
    let before = nodes[1].announce("Before the laptop was taken").await;
    eventually("the founder to hold the old laptop's post", || {
        nodes[0].holds(before)
    })
    .await;
    nodes[1].stop().await;
    let seq_before = nodes[0]
        .feed(None)
        .await
        .iter()
        .filter(|item| item.author == nodes[1].id)
        .map(|item| item.seq)
        .max()
        .unwrap();
    let mut steward = StewardApp::connected(&nodes[0]).await;

    // The new laptop: a new folder holding the copied key, opened in the app.
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("restored");
    let restored = DataDir::open(&folder).unwrap();
    std::fs::copy(nodes[1].dir.key_path(), restored.key_path()).unwrap();
    let _background = BackgroundNode(folder.clone());
    let tmux = app_in_tmux("restore", home.path(), &folder);
    tmux.wait_for("A saved key is in this folder");
    tmux.type_text("Shakti Vahini");
    tmux.press("Tab");
    tmux.type_text("West Bengal");
    tmux.press("Enter");
    // The key's own passphrase, once; a wrong one is said and asked for again.
    tmux.wait_for("The passphrase of the saved key");
    tmux.type_text("mela 2025");
    tmux.press("Enter");
    tmux.wait_for("That did not work");
    tmux.type_text("mela 2026");
    tmux.press("Enter");
    let screen = tmux.wait_for("Send this id to a steward");
    assert_eq!(
        id_on(&screen),
        nodes[1].id.to_string(),
        "the same id as before"
    );
    assert!(screen.contains("knows this id already"), "{screen}");

    // The steward welcomes the same id again; the invite is pasted; the node starts.
    let invite = steward
        .welcome(&nodes[1].id.to_string(), "Shakti Vahini")
        .await;
    tmux.paste(&invite);
    tmux.wait_for(&invite[invite.len() - 12..]);
    tmux.press("Enter");
    tmux.wait_for("● online");

    // Once a member has told it what it posted before, what it posts continues its feed.
    let socket = DataDir::socket_path_of(&folder);
    eventually("the restored laptop to learn its earlier posts", || async {
        match Client::connect(&socket).await {
            Ok(mut client) => client
                .status()
                .await
                .is_ok_and(|status| status.running && !status.recovering_own_feed),
            Err(_) => false,
        }
    })
    .await;
    announce_in(&tmux, "Back with a new laptop");
    eventually(
        "the restored laptop's post to reach the founder",
        || async {
            nodes[0].feed(Some(Kind::Announcement)).await.iter().any(|item| {
            matches!(&item.body, Some(Body::Announcement(a)) if a.title == "Back with a new laptop")
        })
        },
    )
    .await;
    let after = nodes[0]
        .feed(Some(Kind::Announcement))
        .await
        .into_iter()
        .find(|item| item.author == nodes[1].id && item.seq > seq_before);
    assert!(after.is_some(), "the feed goes on after seq {seq_before}");
    assert!(nodes[0].status().await.forks.is_empty(), "no fork");
    tmux.press("q");
    drop(tmux);
    nodes[0].stop().await;
}
