//! The link to the node: a background task that keeps two control-socket connections (one for
//! requests, one for the event stream), reconnects by itself, and never blocks the screen.

use std::path::PathBuf;
use std::time::Duration;

use sangam_node::client::Client;
use sangam_protocol::api::{Request, Response};
use tokio::sync::mpsc;

use crate::app::{Incoming, Purpose};

/// Requests waiting to go to the node.
pub const OUTGOING_CAPACITY: usize = 64;
/// Answers and events waiting for the screen.
pub const INCOMING_CAPACITY: usize = 256;
/// Wait between attempts to reach a node that is not there.
const RETRY: Duration = Duration::from_secs(2);

/// The app's end of the link.
pub struct NodeLink {
    /// Send requests here.
    pub outgoing: mpsc::Sender<(Purpose, Request)>,
    /// Answers and events arrive here.
    pub incoming: mpsc::Receiver<Incoming>,
}

/// Starts the link to the node whose control socket is `socket`.
pub fn connect(socket: PathBuf) -> NodeLink {
    let (outgoing, requests) = mpsc::channel(OUTGOING_CAPACITY);
    let (answers, incoming) = mpsc::channel(INCOMING_CAPACITY);
    tokio::spawn(run(socket, requests, answers));
    NodeLink { outgoing, incoming }
}

async fn run(
    socket: PathBuf,
    mut requests: mpsc::Receiver<(Purpose, Request)>,
    answers: mpsc::Sender<Incoming>,
) {
    loop {
        let (mut client, mut events) = match (
            Client::connect(&socket).await,
            Client::connect(&socket).await,
        ) {
            (Ok(client), Ok(events)) => (client, events),
            _ => {
                // A catalogue key: the app says it in the language it speaks.
                let why = "link-not-running".to_string();
                if answers.send(Incoming::Lost(why)).await.is_err() {
                    return;
                }
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if events.subscribe().await.is_err() {
            tokio::time::sleep(RETRY).await;
            continue;
        }
        if answers.send(Incoming::Connected).await.is_err() {
            return;
        }
        let lost = loop {
            tokio::select! {
                request = requests.recv() => {
                    let Some((purpose, request)) = request else { return };
                    match client.request(&request).await {
                        Ok(response) => {
                            if answers.send(Incoming::Answer(purpose, response)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => break e.to_string(),
                    }
                }
                event = events.next() => match event {
                    Ok(Response::Event { event }) => {
                        if answers.send(Incoming::Event(event)).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => break e.to_string(),
                },
            }
        };
        tracing::info!("lost the node: {lost}");
        let why = "link-dropped".to_string();
        if answers.send(Incoming::Lost(why)).await.is_err() {
            return;
        }
        tokio::time::sleep(RETRY).await;
    }
}
