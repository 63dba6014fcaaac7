//! Password hashing with Argon2id, off the async executor.
//!
//! Hashing is deliberately slow (tens of milliseconds) and takes 19 MiB, so it runs on a few
//! threads of its own (`cores - 1`, at least one), never on the executor: a burst of sign-ins
//! queues there (asynchronously) instead of stalling every other request, and at most that many
//! 19 MiB blocks exist at once (on tokio's blocking pool a burst of 64 logins ran 64 at once).
//!
//! Each hashing thread keeps its 19 MiB of Argon2 memory for its whole life and hashes into it
//! (`Argon2::hash_password_into_with_memory`), instead of letting argon2 allocate and free a
//! fresh block set per call. Freeing blocks that large made glibc raise its mmap threshold, after
//! which every freed block stayed in the heap: the server grew by 19 MiB per login up to about
//! 115 MiB. The PHC strings are built and read with the `password_hash` types, so stored hashes
//! are the same as `PasswordHasher` writes (`a_reused_buffer_gives_standard_phc_strings`).

use std::{
    cell::RefCell,
    sync::{Arc, Mutex, OnceLock, mpsc},
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};

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
    DUMMY.get_or_init(|| hash_now(b"medsys-dummy-password").unwrap_or_default())
}

/// The largest Argon2 memory a hashing thread keeps between calls: the default parameters'
/// (19 MiB), which every hash this server writes uses. A stored hash with more (written by
/// another tool) gets a block set of its own for that one call.
const KEPT_BLOCKS: usize = Params::DEFAULT.block_count();

thread_local! {
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 into this thread's kept memory (allocated on first use).
fn hash_into(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> anyhow::Result<()> {
    let needed = argon2.params().block_count();
    let result = if needed > KEPT_BLOCKS {
        argon2.hash_password_into_with_memory(password, salt, out, vec![Block::new(); needed])
    } else {
        BLOCKS.with_borrow_mut(|blocks| {
            blocks.resize(KEPT_BLOCKS, Block::new());
            argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
        })
    };
    result.map_err(|error| anyhow::anyhow!("hashing a password failed: {error}"))
}

/// Argon2id with default parameters and a fresh random salt, as a PHC string.
fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let params = Params::DEFAULT;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hash_into(&argon2, password, &salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (false for a malformed one).
fn verify_now(password: &[u8], stored: &str) -> bool {
    let check = || -> anyhow::Result<bool> {
        let phc = PasswordHash::new(stored)?;
        let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
            return Ok(false);
        };
        let algorithm = Algorithm::try_from(phc.algorithm.as_str())?;
        let version = phc
            .version
            .map_or(Ok(Version::default()), Version::try_from)?;
        let argon2 = Argon2::new(algorithm, version, Params::try_from(&phc)?);
        let mut out = vec![0u8; expected.len()];
        hash_into(&argon2, password, salt, &mut out)?;
        // `Output`'s equality is constant-time.
        Ok(Output::new(&out)? == *expected)
    };
    check().unwrap_or(false)
}

/// Hashes `password` with Argon2id default parameters and a random salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    off_executor(move || hash_now(password.as_bytes())).await?
}

/// Checks `password` against a stored PHC string; `None` burns the same time and answers false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let result = off_executor(move || {
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        verify_now(password.as_bytes(), &hash)
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

    /// Hashes written into the kept memory are ordinary PHC strings: argon2's own verifier
    /// accepts them, and hashes argon2 wrote itself (as earlier versions stored) verify here.
    #[test]
    fn a_reused_buffer_gives_standard_phc_strings() {
        use argon2::{Argon2, PasswordHasher, PasswordVerifier};

        let ours = super::hash_now(b"s3cret").expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(
            Argon2::default()
                .verify_password(b"s3cret", ours.as_str())
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"other", ours.as_str())
                .is_err()
        );

        let theirs = Argon2::default()
            .hash_password(b"s3cret")
            .expect("hash")
            .to_string();
        assert!(super::verify_now(b"s3cret", &theirs));
        assert!(!super::verify_now(b"other", &theirs));
        // A second use of the same thread's memory gives the same answer.
        assert!(super::verify_now(b"s3cret", &ours));
    }

    /// Hashes with other parameters (smaller or larger memory, another output length) verify,
    /// and malformed strings are a plain mismatch, never a panic.
    #[test]
    fn other_parameters_and_garbage() {
        use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};

        for (m, out) in [(64, 32), (8, 16), (Params::DEFAULT_M_COST + 8, 32)] {
            let params = Params::new(m, 1, 1, Some(out)).expect("params");
            let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"pw")
                .expect("hash")
                .to_string();
            assert!(super::verify_now(b"pw", &hash), "{hash}");
            assert!(!super::verify_now(b"px", &hash), "{hash}");
        }
        for garbage in [
            "",
            "plain",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
            "$md5$x$y",
        ] {
            assert!(!super::verify_now(b"pw", garbage), "{garbage}");
        }
    }
}
