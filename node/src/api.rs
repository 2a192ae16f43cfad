//! The control API: a Unix socket in the data folder (mode 0600: the file permission is the
//! authentication), newline-delimited JSON. The server hands each request to the event loop as a
//! typed [`ControlCall`]; [`crate::client::Client`] is the other end.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sangam_protocol::Body;
use sangam_protocol::kinds::KeyCompromised;

use sangam_protocol::api::{Event, MAX_REQUEST_LINE, Request, Response};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, broadcast, mpsc, oneshot, watch};

use crate::error::{NodeError, Result};

/// Capacity of the queue from API connections to the event loop.
pub const COMMAND_CAPACITY: usize = 64;
/// Events buffered per subscriber before the slowest one starts missing some.
pub const EVENT_CAPACITY: usize = 1024;
/// Most simultaneous API connections.
pub const MAX_API_CONNECTIONS: usize = 32;

/// A request for the event loop, with where to send the answer.
pub struct ControlCall {
    /// The request.
    pub request: Request,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Response>,
}

/// Binds the control socket at `path`, private to this user. A stale socket file from a node
/// that died is replaced; a live one means a daemon already runs here.
pub async fn bind(path: &Path) -> Result<UnixListener> {
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(NodeError::NotAllowed(
                "a Sangam node is already running with this data folder".into(),
            ));
        }
        std::fs::remove_file(path).map_err(NodeError::io("removing a stale control socket"))?;
    }
    let listener = UnixListener::bind(path).map_err(NodeError::io("opening the control socket"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(NodeError::io("securing the control socket"))?;
    Ok(listener)
}

/// How long a wiping node stays up after its compromise notice went out, so gossip carries it.
pub const WIPE_GRACE: Duration = Duration::from_millis(1500);

/// What the API may do to the whole node: stop it for a wipe.
#[derive(Clone)]
pub struct Stopper {
    /// Turns true to stop the node.
    pub shutdown: Arc<watch::Sender<bool>>,
    /// Set before stopping when the data folder is to be destroyed once stopped.
    pub wipe: Arc<AtomicBool>,
}

/// Serves API connections until `shutdown` turns true.
pub async fn serve(
    listener: UnixListener,
    commands: mpsc::Sender<ControlCall>,
    events: broadcast::Sender<Event>,
    stopper: Stopper,
) {
    let mut shutdown = stopper.shutdown.subscribe();
    let limit = Arc::new(Semaphore::new(MAX_API_CONNECTIONS));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    tracing::warn!("too many control connections; refusing one");
                    continue;
                };
                let (commands, events) = (commands.clone(), events.clone());
                let (shutdown, stopper) = (shutdown.clone(), stopper.clone());
                tokio::spawn(async move {
                    connection(stream, commands, events, shutdown, stopper).await;
                    drop(permit);
                });
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn write_line(writer: &mut OwnedWriteHalf, response: &Response) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(response).map_err(std::io::Error::other)?;
    line.push(b'\n');
    writer.write_all(&line).await
}

/// Reads one line of at most [`MAX_REQUEST_LINE`] bytes. `Ok(None)` at end of stream.
async fn read_line(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(MAX_REQUEST_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .await?;
    if read == 0 {
        return Ok(None);
    }
    if line.len() > MAX_REQUEST_LINE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "request line too long",
        ));
    }
    Ok(Some(line))
}

async fn connection(
    stream: UnixStream,
    commands: mpsc::Sender<ControlCall>,
    events: broadcast::Sender<Event>,
    mut shutdown: watch::Receiver<bool>,
    stopper: Stopper,
) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    loop {
        let line = tokio::select! {
            line = read_line(&mut reader) => line,
            _ = shutdown.changed() => return,
        };
        let line = match line {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(_) => {
                let why = format!("requests must be one line of at most {MAX_REQUEST_LINE} bytes");
                let _ =
                    write_line(&mut writer, &NodeError::InvalidRequest(why).to_response()).await;
                return;
            }
        };
        let request = match serde_json::from_slice::<Request>(&line) {
            Ok(request) => request,
            Err(e) => {
                let why = format!("that is not a valid Sangam request: {e}");
                if write_line(&mut writer, &NodeError::InvalidRequest(why).to_response())
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        if request == Request::Subscribe {
            subscription(&mut writer, events.subscribe(), shutdown).await;
            return;
        }
        if request == Request::Wipe {
            let told = wipe(&commands, &stopper).await;
            let _ = write_line(&mut writer, &Response::Wiping { told }).await;
            return;
        }
        let (reply, answer) = oneshot::channel();
        if commands.send(ControlCall { request, reply }).await.is_err() {
            return;
        }
        let response = answer
            .await
            .unwrap_or_else(|_| NodeError::ShuttingDown.to_response());
        if write_line(&mut writer, &response).await.is_err() {
            return;
        }
    }
}

/// Publishes this node's compromise notice, gives gossip a moment to carry it, then stops the
/// node with its folder marked for destruction. Returns how many members were connected.
/// Without a network (or if the post fails) the folder is still destroyed: safety first.
async fn wipe(commands: &mpsc::Sender<ControlCall>, stopper: &Stopper) -> usize {
    let ask = |request: Request| async {
        let (reply, answer) = oneshot::channel();
        commands.send(ControlCall { request, reply }).await.ok()?;
        answer.await.ok()
    };
    let notice = Body::KeyCompromised(KeyCompromised {
        reason: "this laptop's Sangam data was wiped".into(),
    });
    // Counted before the notice goes out: the members drop a connection to a compromised key
    // as soon as they hear of it.
    let connected = match ask(Request::Status).await {
        Some(Response::Status(status)) => status.connected.len(),
        _ => 0,
    };
    let posted = matches!(
        ask(Request::Post { body: notice }).await,
        Some(Response::Posted { .. })
    );
    let told = if posted { connected } else { 0 };
    if posted {
        tokio::time::sleep(WIPE_GRACE).await;
    }
    stopper.wipe.store(true, Ordering::SeqCst);
    let _ = stopper.shutdown.send(true);
    told
}

async fn subscription(
    writer: &mut OwnedWriteHalf,
    mut events: broadcast::Receiver<Event>,
    mut shutdown: watch::Receiver<bool>,
) {
    if write_line(writer, &Response::Subscribed).await.is_err() {
        return;
    }
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shutdown.changed() => return,
        };
        match event {
            Ok(event) => {
                if write_line(writer, &Response::Event { event })
                    .await
                    .is_err()
                {
                    return;
                }
            }
            // A slow reader misses events rather than making the node buffer without bound.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
