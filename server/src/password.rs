//! Password hashing with Argon2id, off the async executor.
//!
//! Hashing is deliberately slow (tens of milliseconds), so it runs on tokio's blocking pool:
//! a burst of sign-ins must not stall every other request on the executor threads.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use std::sync::OnceLock;

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
    tokio::task::spawn_blocking(move || {
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
    let result = tokio::task::spawn_blocking(move || {
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
