//! The terminal app against real nodes: keys typed into the app become a post that another node
//! stores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sangam_node::event_loop::now_ms;
use sangam_protocol::{Body, Kind};
use sangam_tests::{eventually, network};
use sangam_tui::app::App;
use sangam_tui::{client, runtime};
use tokio::sync::mpsc;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announcement_composed_in_the_app_is_stored_by_another_node() {
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let founder = nodes[0].addr();
    nodes[1].start(vec![founder]).await;

    let (keys_tx, keys) = mpsc::channel(64);
    let link = client::connect(nodes[1].dir.socket_path());
    let app = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        runtime::drive(&mut terminal, App::new(now_ms()), keys, link)
            .await
            .unwrap()
    });

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
