//! The control API: private socket, clear errors for bad requests, live events.

use std::os::unix::fs::PermissionsExt;

use sangam_node::client::Client;
use sangam_protocol::api::{Event, MAX_REQUEST_LINE, Request, Response};
use sangam_tests::network;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

async fn raw_exchange(stream: &mut BufReader<UnixStream>, line: &[u8]) -> Option<Response> {
    stream.get_mut().write_all(line).await.ok()?;
    let mut answer = String::new();
    stream.read_line(&mut answer).await.ok()?;
    serde_json::from_str(&answer).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_errors_and_subscribers_get_events() {
    let _limit = sangam_tests::time_limit(sangam_tests::TEST_TIME_LIMIT);
    let mut nodes = network(1);
    nodes[0].start(vec![]).await;
    let socket = nodes[0].dir.socket_path();
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the control socket must be private");

    let mut raw = BufReader::new(UnixStream::connect(&socket).await.unwrap());
    for garbage in [
        &b"not json\n"[..],
        b"{\"request\":\"explode\"}\n",
        b"{}\n",
        b"\xff\xfe\n",
    ] {
        let answer = raw_exchange(&mut raw, garbage).await;
        assert!(
            matches!(answer, Some(Response::Error { .. })),
            "{garbage:?}: {answer:?}"
        );
    }
    // The connection still works after bad requests.
    assert!(matches!(
        raw_exchange(&mut raw, b"{\"request\":\"status\"}\n").await,
        Some(Response::Status(_))
    ));
    // An endless line is cut off with an error, and the node keeps serving others.
    let huge = vec![b'x'; MAX_REQUEST_LINE + 10];
    let answer = raw_exchange(&mut raw, &huge).await;
    assert!(matches!(answer, Some(Response::Error { .. })), "{answer:?}");

    let mut events = Client::connect(&socket).await.unwrap();
    assert_eq!(
        events.request(&Request::Subscribe).await.unwrap(),
        Response::Subscribed
    );
    let id = nodes[0].announce("Live").await;
    loop {
        match events.next().await.unwrap() {
            Response::Event {
                event: Event::MessageStored { item },
            } if item.id == id => break,
            Response::Event { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    nodes[0].stop().await;
    assert!(
        !socket.exists(),
        "the socket is removed when the node stops"
    );
}
