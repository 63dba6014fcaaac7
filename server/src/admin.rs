//! `medsys-server admin ...`: one-shot administrative commands.

use crate::{
    db::Db,
    mgr::{domain, store},
    password,
};

/// Why `create-mgr-admin` failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("refusing weak input: {0}")]
    Weak(#[from] domain::CredentialError),
    #[error("an account named `{0}` already exists")]
    Exists(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Creates an active mgr superuser after checking the credentials are not weak.
pub async fn create_mgr_admin(
    db: &Db,
    username: &str,
    password: &str,
) -> Result<i64, CreateAdminError> {
    domain::validate_credentials(username, password)?;
    let hash = password::hash(password.to_owned()).await?;
    match store::create_account(db, username, &hash, true, true).await {
        Ok(id) => Ok(id),
        Err(store::StoreError::Duplicate) => Err(CreateAdminError::Exists(username.to_owned())),
        Err(other) => Err(CreateAdminError::Other(other.into())),
    }
}
