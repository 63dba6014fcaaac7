//! Password hashing with Argon2id, off the async executor.
//!
//! Hashing is deliberately slow (tens of milliseconds) and takes 19 MiB, so it runs on a few
//! threads of its own (`cores - 1`, at least one), never on the executor: a burst of sign-ins
//! queues there (asynchronously) instead of stalling every other request, and at most that many
//! 19 MiB blocks exist at once (on tokio's blocking pool a burst of 64 logins ran 64 at once).
//! TODO-performance: glibc raises its mmap threshold after the first 19 MiB block is freed, so
//! every thread's arena then keeps freed memory (about 100 MiB resident after a few logins,
//! `docs/performance.md`); hashing into one reused block set per thread
//! (`Argon2::hash_password_into_with_memory`) would avoid freeing such blocks at all.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use std::sync::{Arc, Mutex, OnceLock, mpsc};

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the hashing threads (`None` if not one of them could be started).
fn hashers() -> Option<&'static mpsc::Sender<Job>> {
    static HASHERS: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    HASHERS
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Job>();
            let receiver = Arc::new(Mutex::new(receiver));
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            let mut started = 0;
            for index in 0..cores.saturating_sub(1).max(1) {
                let receiver = Arc::clone(&receiver);
                let spawned = std::thread::Builder::new()
                    .name(format!("argon2-{index}"))
                    .spawn(move || {
                        loop {
                            // The lock is held only while waiting for the next job.
                            let job = match receiver.lock() {
                                Ok(receiver) => receiver.recv(),
                                Err(_) => return,
                            };
                            let Ok(job) = job else { return };
                            // A panicking hash drops its reply (the caller sees a failure);
                            // the thread lives on.
                            drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)));
                        }
                    });
                match spawned {
                    Ok(_) => started += 1,
                    Err(error) => tracing::error!(%error, "cannot start a hashing thread"),
                }
            }
            (started > 0).then_some(sender)
        })
        .as_ref()
}

/// Runs `work` on a hashing thread (on the blocking pool if there is none) and awaits it.
async fn off_executor<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let Some(hashers) = hashers() else {
        return Ok(tokio::task::spawn_blocking(work).await?);
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || drop(reply.send(work())));
    hashers
        .send(job)
        .map_err(|_| anyhow::anyhow!("the hashing threads have stopped"))?;
    answer
        .await
        .map_err(|_| anyhow::anyhow!("a hashing thread failed"))
}

/// The hash of a throwaway password, verified against when the account does not exist, so
/// "no such user" takes as long as "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"medsys-dummy-password")
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

/// Hashes `password` with Argon2id default parameters and a random salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    off_executor(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("hashing a password failed: {error}"))
    })
    .await?
}

/// Checks `password` against a stored PHC string; `None` burns the same time and answers false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let result = off_executor(move || {
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await;
    known && result.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = super::hash("correct horse".to_owned()).await.expect("hash");
        assert!(super::verify("correct horse".to_owned(), Some(hash.clone())).await);
        assert!(!super::verify("wrong horse".to_owned(), Some(hash)).await);
        assert!(!super::verify("correct horse".to_owned(), None).await);
    }
}
