//! The server under test: a release `medsys-server` child process on a loopback port (or the
//! library in this process, for the smoke test), and its peak memory from `/proc`.

use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use medsys_server::{
    app::{self, RunningServer},
    config::Config,
};

use crate::ServerKind;

/// A running server.
pub struct Server {
    base_url: String,
    pid: u32,
    /// `None` once stopped.
    kind: Option<Running>,
}

enum Running {
    Child(std::process::Child),
    InProcess(RunningServer),
}

impl Server {
    /// Starts the server on a free loopback port against `database_url` and waits until it
    /// answers.
    pub async fn start(kind: &ServerKind, database_url: &str) -> anyhow::Result<Self> {
        let (base_url, pid, running) = match kind {
            ServerKind::Binary(path) => {
                let addr = free_loopback_port()?;
                let child = std::process::Command::new(path)
                    .arg("--listen")
                    .arg(addr.to_string())
                    .arg("--database-url")
                    .arg(database_url)
                    // Per-request logging is not what is being measured.
                    .arg("--log-level")
                    .arg("warn")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .spawn()
                    .with_context(|| format!("starting {}", path.display()))?;
                let pid = child.id();
                (format!("http://{addr}"), pid, Running::Child(child))
            }
            ServerKind::InProcess => {
                let server = app::start(Config::for_database(database_url)).await?;
                (
                    format!("http://{}", server.local_addr),
                    std::process::id(),
                    Running::InProcess(server),
                )
            }
        };
        let server = Self {
            base_url,
            pid,
            kind: Some(running),
        };
        server.wait_until_ready().await?;
        Ok(server)
    }

    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let probe = client
                .get(format!("{}/healthz", self.base_url))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if probe.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not answer GET /healthz within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What the report says about where the memory figure comes from.
    pub fn describe(&self) -> String {
        match self.kind {
            Some(Running::InProcess(_)) => {
                "in-process server (memory includes the load generator)".to_owned()
            }
            _ => "release medsys-server child process".to_owned(),
        }
    }

    /// Resets the peak resident set size (`VmHWM`), so each scenario reports its own peak.
    /// Writing 5 to `clear_refs` does that (Linux 4.0+); when it fails the figure is the peak
    /// since the server started, which is still an upper bound.
    pub fn reset_peak_memory(&self) {
        if let Err(error) = std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5") {
            eprintln!("medsys-bench: cannot reset the peak memory figure: {error}");
        }
    }

    /// `VmHWM` of the server process in KiB (0 when `/proc` is unavailable).
    pub fn peak_memory_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                status.lines().find_map(|line| {
                    line.strip_prefix("VmHWM:")
                        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                })
            })
            .unwrap_or(0)
    }

    /// Stops the server (the child is killed: every acknowledged write is already durable).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        match self.kind.take() {
            Some(Running::Child(mut child)) => {
                child.kill()?;
                child.wait()?;
            }
            Some(Running::InProcess(server)) => server.stop().await?,
            None => {}
        }
        Ok(())
    }
}

impl Drop for Server {
    /// A run that fails half-way does not leave a server behind.
    fn drop(&mut self) {
        if let Some(Running::Child(child)) = &mut self.kind {
            drop(child.kill());
            drop(child.wait());
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_loopback_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?)
}
