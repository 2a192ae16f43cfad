//! What a collective sees in tmux (the terminal most hubs are reached through): the app, run as
//! people run it, against a node holding the demo's Hindi and Bengali posts. What `tmux
//! capture-pane` shows is compared with what was posted: every grapheme, in order, spaces kept,
//! and every row as wide as the window, so the right border stays where it belongs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sangam_tests::tmux::Tmux;
use sangam_tests::{TestNode, announcement, network, sangam_tui_bin, skip};
use sangam_tui::screen::terminal_width;

const WIDTH: usize = 100;
/// The demo's Bengali and Hindi announcements (title, text).
const POSTS: [(&str, &str); 2] = [
    (
        "কর্মশালা: ক্ষতিপূরণের আবেদন",
        "শনিবার সকাল ১০টা, ডায়মন্ড হারবার। সব সংগঠনকে স্বাগত।",
    ),
    (
        "पटना हाई कोर्ट में जीत",
        "तस्करी पीड़िता को पूरा मुआवज़ा देने का आदेश।",
    ),
];

/// Every row between the feed's top and bottom border is exactly as wide as the window.
fn assert_rows_keep_their_width(screen: &str) {
    let rows: Vec<&str> = screen
        .lines()
        .filter(|line| line.starts_with('│') && line.ends_with('│'))
        .collect();
    assert!(rows.len() > 3, "{screen}");
    for row in rows {
        assert_eq!(
            terminal_width(row),
            WIDTH,
            "a border moved in {row:?}\n{screen}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hindi_and_bengali_reach_the_screen_whole_in_tmux() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    if !Tmux::available() {
        skip("tmux is not installed (.ci/run installs it)");
        return;
    }
    let mut nodes = network(0);
    nodes[0].start(vec![]).await;
    let node: &TestNode = &nodes[0];
    // The Hindi post first, so the Bengali one is the newest and selected.
    for (title, text) in POSTS.iter().rev() {
        let mut body = announcement(title);
        if let sangam_protocol::Body::Announcement(a) = &mut body {
            a.body = text.to_string();
        }
        node.client().await.post(body).await.unwrap();
    }
    let app = format!(
        "{} --data-dir {}",
        sangam_tui_bin().display(),
        node.dir.root().display()
    );
    let tmux = Tmux::start(
        "tmux-test",
        (WIDTH as u16, 30),
        node.dir.root(),
        &["LANG=C.UTF-8".to_string()],
        &app,
    );

    // The feed lists both titles whole; shown only announcements, the newest (Bengali) one is
    // selected and its words are shown whole.
    tmux.wait_for(POSTS[0].0);
    tmux.press("f");
    let screen = tmux.wait_for(POSTS[0].1);
    for (title, _) in POSTS {
        assert!(
            screen.contains(title),
            "{title:?} is not whole on:\n{screen}"
        );
    }
    assert_rows_keep_their_width(&screen);
    // The Hindi post, selected.
    tmux.press("j");
    let screen = tmux.wait_for(POSTS[1].1);
    assert!(screen.contains(POSTS[1].0), "{screen}");
    assert_rows_keep_their_width(&screen);
    tmux.press("q");
    drop(tmux);
    nodes[0].stop().await;
}
