//! Password hashing: argon2id with OWASP parameters, off the async workers.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    LazyLock,
};

use argon2::{
    password_hash::{PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};
use chat_core::Failure;

/// OWASP's recommendation: argon2id, m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash to verify against when the user does not exist, so that an unknown user and a
/// wrong password take about the same time.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password").unwrap_or_default());

fn hash_now(password: &str) -> Result<String, Failure> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    hasher()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Failure::internal(format!("argon2: {e}")))
}

/// A few dedicated threads do all hashing. Each argon2 run takes 19 MiB: on tokio's blocking
/// pool (up to 512 threads) a burst of logins would hold gigabytes, and every thread's
/// allocator arena would keep them. Here memory stays at (threads × 19 MiB) and a burst
/// queues, while the async workers keep serving every other request.
struct Workers {
    jobs: std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

static WORKERS: LazyLock<Workers> = LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    // Half the cores at most, so a login storm leaves the rest to chat.
    let n = (std::thread::available_parallelism().map_or(2, |n| n.get()) / 2).clamp(1, 4);
    for i in 0..n {
        let rx = std::sync::Arc::clone(&rx);
        let _ = std::thread::Builder::new()
            .name(format!("password-{i}"))
            .spawn(move || loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
    }
    Workers { jobs: tx }
});

/// Hashes waiting or running; past [`MAX_QUEUED`] a request is refused instead of queued,
/// so a flood of logins cannot hold every later one for minutes. A slot belongs to the job,
/// not to the request: a client that hangs up does not free it while its hash is queued.
static QUEUED: AtomicUsize = AtomicUsize::new(0);
const MAX_QUEUED: usize = 64;
/// Of those, the sign-ups: at most [`MAX_SIGN_UPS_QUEUED`], so that sign-ups (anonymous,
/// cheap to send in a flood) can never take the slots signing in needs.
static SIGN_UPS_QUEUED: AtomicUsize = AtomicUsize::new(0);
const MAX_SIGN_UPS_QUEUED: usize = MAX_QUEUED / 2;

/// What a hash is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    SignIn,
}

/// A place in the queue, given back when its job is done (or dropped).
struct Slot {
    purpose: Purpose,
}

impl Slot {
    fn take(purpose: Purpose) -> Option<Self> {
        let take = |count: &AtomicUsize, max: usize| {
            if count.fetch_add(1, Ordering::SeqCst) >= max {
                count.fetch_sub(1, Ordering::SeqCst);
                return false;
            }
            true
        };
        if purpose == Purpose::SignUp && !take(&SIGN_UPS_QUEUED, MAX_SIGN_UPS_QUEUED) {
            return None;
        }
        if !take(&QUEUED, MAX_QUEUED) {
            if purpose == Purpose::SignUp {
                SIGN_UPS_QUEUED.fetch_sub(1, Ordering::SeqCst);
            }
            return None;
        }
        Some(Slot { purpose })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        QUEUED.fetch_sub(1, Ordering::SeqCst);
        if self.purpose == Purpose::SignUp {
            SIGN_UPS_QUEUED.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Runs `f` on a password worker.
async fn on_worker<T: Send + 'static>(
    purpose: Purpose,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    let slot = Slot::take(purpose).ok_or(Failure::Busy)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    WORKERS
        .jobs
        .send(Box::new(move || {
            let _slot = slot;
            // The requester hung up while this waited: nobody reads the answer.
            if tx.is_closed() {
                return;
            }
            let _ = tx.send(f());
        }))
        .map_err(|_| Failure::internal("password workers stopped"))?;
    rx.await
        .map_err(|_| Failure::internal("password worker failed"))
}

/// Hashes a password on a password worker.
pub async fn hash(purpose: Purpose, password: String) -> Result<String, Failure> {
    on_worker(purpose, move || hash_now(&password)).await?
}

/// What a stored hash said about a password.
pub enum Verdict {
    Valid { upgrade: bool },
    Invalid,
}

/// Verifies a password against an argon2 PHC string or a seed-written bcrypt hash, on a
/// password worker. `None` for the stored hash burns the same time and says `Invalid`.
pub async fn verify(password: String, stored: Option<String>) -> Result<Verdict, Failure> {
    on_worker(Purpose::SignIn, move || {
        let Some(stored) = stored else {
            let _ = verify_argon2(&password, &DUMMY);
            return Verdict::Invalid;
        };
        if stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$") {
            return match bcrypt::verify(&password, &stored) {
                Ok(true) => Verdict::Valid { upgrade: true },
                _ => Verdict::Invalid,
            };
        }
        if verify_argon2(&password, &stored) {
            Verdict::Valid { upgrade: false }
        } else {
            Verdict::Invalid
        }
    })
    .await
}

fn verify_argon2(password: &str, stored: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&hasher(), password.as_bytes(), stored).is_ok()
}

/// Warms the dummy hash so the first unknown-user login is not slower than the rest.
pub fn warm_up() {
    let _ = WORKERS.jobs.send(Box::new(|| {
        LazyLock::force(&DUMMY);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::sync::atomic::Ordering;

    #[test]
    fn sign_ups_take_half_the_queue_and_abandoned_requests_keep_their_slot() {
        // The workers are held busy first, so that no abandoned job is skipped while the
        // requests arrive: what is queued is then exactly what the bound let in, on a fast
        // machine or a slow one.
        let gate = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        for _ in 0..4 {
            let gate = std::sync::Arc::clone(&gate);
            let _ = WORKERS.jobs.send(Box::new(move || {
                let (open, cv) = &*gate;
                let mut open = open.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
            }));
        }
        // Each request is polled once (its job is queued) and dropped, as a client that
        // disconnects at once. Dropping must not free the slot: the queue stays bounded.
        // Sign-ups first, as a flood of them would come: they fill their share only.
        let queue = |purpose: Purpose| {
            let mut queued = 0;
            for i in 0..(MAX_QUEUED * 3) {
                match hash(purpose, format!("password {i}")).now_or_never() {
                    None => queued += 1,
                    Some(Err(Failure::Busy)) => {}
                    Some(other) => panic!("unexpected: {:?}", other.map(|_| ())),
                }
            }
            queued
        };
        let sign_ups = queue(Purpose::SignUp);
        assert!(
            sign_ups > 0 && sign_ups <= MAX_SIGN_UPS_QUEUED,
            "{sign_ups} sign-ups queued past their share"
        );
        let sign_ins = queue(Purpose::SignIn);
        assert!(sign_ins > 0, "signing in is refused while sign-ups wait");
        assert!(sign_ups + sign_ins <= MAX_QUEUED, "the queue stays bounded");
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        // The abandoned jobs are skipped, not hashed: the queue empties quickly.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while QUEUED.load(Ordering::SeqCst) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the queue never emptied"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}
