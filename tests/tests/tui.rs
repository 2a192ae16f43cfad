//! The terminal app against real nodes: keys typed into the app become a post that another node
//! stores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_node::clock::now_ms;
use sangam_protocol::{Body, Kind};
use sangam_tests::{TestNode, eventually, network};
use sangam_tui::app::App;
use sangam_tui::{client, runtime};
use tokio::sync::mpsc;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// The app on an 80×24 test terminal, linked to `node`: keys go in through the sender; the task
/// ends with the app's final state when `q` is pressed.
fn start_app(node: &TestNode) -> (mpsc::Sender<KeyEvent>, tokio::task::JoinHandle<App>) {
    let (keys_tx, keys) = mpsc::channel(64);
    let link = client::connect(node.dir.socket_path());
    let app = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        runtime::drive(
            &mut terminal,
            App::new(now_ms()),
            keys,
            link,
            Default::default(),
        )
        .await
        .unwrap()
    });
    (keys_tx, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announcement_composed_in_the_app_is_stored_by_another_node() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder]).await;

    let (keys_tx, app) = start_app(&nodes[1]);

    let title = "बैठक: শনিবার workshop";
    keys_tx.send(key(KeyCode::Char('a'))).await.unwrap();
    for c in title.chars() {
        keys_tx.send(key(KeyCode::Char(c))).await.unwrap();
    }
    keys_tx.send(key(KeyCode::Tab)).await.unwrap();
    for c in "Saturday 10am".chars() {
        keys_tx.send(key(KeyCode::Char(c))).await.unwrap();
    }
    keys_tx
        .send(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        .await
        .unwrap();

    eventually("the founder to store the announcement typed in the app", || async {
        nodes[0].feed(Some(Kind::Announcement)).await.iter().any(|item| {
            matches!(&item.body, Some(Body::Announcement(a)) if a.title == title && a.body == "Saturday 10am")
        })
    })
    .await;
    keys_tx.send(key(KeyCode::Char('q'))).await.unwrap();
    let app = app.await.unwrap();
    assert!(app.form.is_none());
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_reconnects_after_its_node_restarts() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder.clone()]).await;

    let (keys_tx, app) = start_app(&nodes[1]);
    // The node goes away under the app and comes back (a restart, a crash and a service restart
    // all look like this to the app).
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    nodes[1].stop().await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    nodes[1].start(vec![founder]).await;

    let title = "after the restart";
    let mut polls = 0u32;
    // Typing into the form works offline; sending needs the link back. Send until it arrives.
    keys_tx.send(key(KeyCode::Char('a'))).await.unwrap();
    for c in title.chars() {
        keys_tx.send(key(KeyCode::Char(c))).await.unwrap();
    }
    eventually(
        "the post typed after the restart to reach the founder",
        || {
            let keys_tx = keys_tx.clone();
            // Ctrl-S again every few seconds: a send tried while the link was still down is
            // answered with an error and the form stays open with its text.
            let send = polls.is_multiple_of(30);
            polls += 1;
            let founder = &nodes[0];
            async move {
                if send {
                    keys_tx
                        .send(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
                        .await
                        .unwrap();
                }
                founder.feed(Some(Kind::Announcement)).await.iter().any(
                    |item| matches!(&item.body, Some(Body::Announcement(a)) if a.title == title),
                )
            }
        },
    )
    .await;
    keys_tx.send(key(KeyCode::Char('q'))).await.unwrap();
    app.await.unwrap();
    for node in &mut nodes {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_starts_live_nodes_that_keep_posting() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    // What `sangam-tui demo` starts before it opens the app (headless here).
    let demo = sangam_tui::demo::start(std::time::Duration::from_secs(1))
        .await
        .unwrap();
    let socket = demo.attach.socket_path();
    let status = || async {
        let mut client = sangam_node::client::Client::connect(&socket).await.unwrap();
        match client
            .request(&sangam_protocol::api::Request::Status)
            .await
            .unwrap()
        {
            sangam_protocol::api::Response::Status(status) => status,
            other => panic!("{other:?}"),
        }
    };
    eventually(
        "the app's collective to see its four peers online",
        || async { status().await.connected.len() == 4 },
    )
    .await;
    let held = |s: &sangam_protocol::api::Status| s.messages.values().sum::<u64>();
    let first = held(&status().await);
    eventually("new sample posts to keep arriving", || async {
        held(&status().await) >= first + 3
    })
    .await;
    let members = {
        let mut client = sangam_node::client::Client::connect(&socket).await.unwrap();
        match client
            .request(&sangam_protocol::api::Request::Members)
            .await
            .unwrap()
        {
            sangam_protocol::api::Response::Members { members } => members.len(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(members, 5, "the founder and four admitted collectives");
    demo.stop().await;
}
