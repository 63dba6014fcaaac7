//! The state file (`--state FILE`): the procurement users a run created, with their passwords,
//! so that later runs against the same deployment reuse them instead of creating new ones
//! (no operation deletes a user). The file holds passwords: it is written readable by its owner
//! only, and never printed.

use std::{collections::BTreeMap, path::Path};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// One user the suite keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptUser {
    pub id: String,
    pub password: String,
}

/// The users kept for a deployment, by the fixture id they stand in for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The deployment the users live on: a state file is never used against another.
    pub base_url: String,
    pub users: BTreeMap<String, KeptUser>,
}

impl State {
    /// The state kept in `file` for `base_url`; empty when the file does not exist yet.
    pub fn load(file: &Path, base_url: &str) -> Result<State> {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State {
                    base_url: base_url.to_owned(),
                    users: BTreeMap::new(),
                });
            }
            Err(error) => {
                return Err(error).with_context(|| format!("--state: reading {}", file.display()));
            }
        };
        let state: State = serde_json::from_str(&text)
            .with_context(|| format!("--state: {} is not a state file", file.display()))?;
        anyhow::ensure!(
            state.base_url == base_url,
            "--state: {} belongs to {}, not to {base_url}",
            file.display(),
            state.base_url
        );
        Ok(state)
    }

    /// Writes the state, readable and writable by its owner only (it holds passwords).
    pub fn save(&self, file: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        write_private(file, text.as_bytes())
            .with_context(|| format!("--state: writing {}", file.display()))
    }
}

#[cfg(unix)]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::{
        io::Write as _,
        os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _},
    };
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)?;
    // A file that existed before keeps its mode on open: tighten it too.
    out.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    out.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(file, bytes)
}
