//! Makes this node's own posts durable without stopping the event loop. A post is stored at
//! once but acknowledged (and gossiped) only after the store is flushed; the flush (an fsync,
//! 10–20 ms on a laptop disk) runs on one thread of its own, so the loop keeps forwarding other
//! collectives' messages meanwhile, and posts that arrive during a flush share the next one.

use std::thread;

use tokio::sync::mpsc;

use crate::ledger::store::Store;

/// Posts waiting for their flush, at most; beyond this the loop flushes itself.
const WAITING_LIMIT: usize = 256;

/// The flush thread's handle: posts go in, and come back once they are on disk.
pub(super) struct Flusher<T> {
    requests: Option<mpsc::Sender<T>>,
    done: mpsc::Receiver<Flushed<T>>,
}

/// Posts whose flush finished, and whether it worked (a plain sentence if not).
pub(super) type Flushed<T> = (Vec<T>, Result<(), String>);

impl<T: Send + 'static> Flusher<T> {
    /// Starts the flush thread for `store`.
    pub(super) fn start(store: Store) -> std::io::Result<Flusher<T>> {
        let (requests, mut waiting) = mpsc::channel::<T>(WAITING_LIMIT);
        let (finished, done) = mpsc::channel(WAITING_LIMIT);
        thread::Builder::new()
            .name("sangam-flusher".into())
            .spawn(move || {
                while let Some(first) = waiting.blocking_recv() {
                    let mut batch = vec![first];
                    while let Ok(more) = waiting.try_recv() {
                        batch.push(more);
                    }
                    let result = store.flush().map_err(|e| e.to_string());
                    if finished.blocking_send((batch, result)).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Flusher {
            requests: Some(requests),
            done,
        })
    }

    /// Hands a stored post to the flush thread; gives it back if the thread is busy with too
    /// many (or gone), so the caller flushes it itself.
    pub(super) fn submit(&self, post: T) -> Result<(), T> {
        match &self.requests {
            Some(requests) => requests.try_send(post).map_err(|e| match e {
                mpsc::error::TrySendError::Full(post) | mpsc::error::TrySendError::Closed(post) => {
                    post
                }
            }),
            None => Err(post),
        }
    }

    /// The next finished flush; `None` once the thread has stopped.
    pub(super) async fn finished(&mut self) -> Option<Flushed<T>> {
        self.done.recv().await
    }

    /// Takes no more posts; the thread stops after flushing those it has.
    pub(super) fn close(&mut self) {
        self.requests = None;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn every_post_comes_back_after_a_flush_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut flusher = Flusher::start(Store::open(dir.path()).unwrap()).unwrap();
        for post in 0..100u32 {
            flusher.submit(post).unwrap();
        }
        flusher.close();
        assert_eq!(flusher.submit(100), Err(100));
        let mut back = Vec::new();
        while let Some((batch, result)) = flusher.finished().await {
            assert_eq!(result, Ok(()));
            back.extend(batch);
        }
        assert_eq!(back, (0..100).collect::<Vec<_>>());
    }
}
