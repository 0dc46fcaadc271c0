//! The bounded pool images are processed in: at most `workers` at once, on blocking
//! threads (never on the async runtime), and a bounded queue behind them; past that an
//! upload is answered "busy".

use std::sync::Arc;

use chat_core::Failure;
use tokio::sync::Semaphore;

/// Uploads waiting for a worker, per worker, before more are refused.
const QUEUE_PER_WORKER: usize = 8;

#[derive(Clone)]
pub(crate) struct Pool {
    workers: Arc<Semaphore>,
    /// Places in the queue (waiting or running).
    places: Arc<Semaphore>,
}

impl Pool {
    pub fn new(workers: usize) -> Self {
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            places: Arc::new(Semaphore::new(workers * (1 + QUEUE_PER_WORKER))),
        }
    }

    /// Runs `job` on a blocking thread once a worker is free; `Busy` when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Failure> {
        let place = Arc::clone(&self.places)
            .try_acquire_owned()
            .map_err(|_| Failure::Busy)?;
        let worker = Arc::clone(&self.workers)
            .acquire_owned()
            .await
            .map_err(|_| Failure::internal("the image pool is closed"))?;
        // The permits go with the job: a caller that stops waiting (its request was
        // dropped) does not free a worker whose thread is still decoding.
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop((worker, place));
            out
        })
        .await
        .map_err(|e| Failure::internal(format!("image worker: {e}")))
    }
}
