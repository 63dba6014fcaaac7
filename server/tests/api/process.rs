//! The `medsys-server` binary as a child process, for what needs a real process: `kill -9`,
//! and reading everything it logs.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

/// A client for a [`ServerProcess`]: keeps cookies, never follows redirects, gives up after 30 s.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Runs `medsys-server ARGS` to completion (an `admin` command) and panics when it fails.
pub fn admin(database_url: &str, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_medsys-server"))
        .arg("admin")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .output()
        .expect("medsys-server runs");
    assert!(
        output.status.success(),
        "medsys-server admin {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A running server process on loopback; its logs (JSON lines) are collected.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts the server on a free loopback port over `database_url` with `args`, logging at
    /// debug level, and waits until it listens.
    pub fn spawn(database_url: &str, args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_medsys-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--log-json",
                "--log-level",
                "debug",
            ])
            .args(args)
            .envs(envs.iter().copied())
            .env("DATABASE_URL", database_url)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medsys-server starts");
        let log = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let (log, address_tx) = (Arc::clone(&log), address_tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                        && let Some(address) = event["fields"]["local_addr"].as_str()
                    {
                        drop(address_tx.send(address.to_owned()));
                    }
                    let mut log = log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let Ok(address) = address_rx.recv_timeout(Duration::from_secs(60)) else {
            drop(child.kill());
            let log = log.lock().map(|log| log.clone()).unwrap_or_default();
            panic!("medsys-server did not start:\n{log}");
        };
        Self {
            child,
            base_url: format!("http://{address}"),
            log,
        }
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// `kill -9`: no shutdown, no flushing, whatever was in flight is cut off.
    pub fn kill(mut self) -> String {
        self.child.kill().expect("SIGKILL");
        drop(self.child.wait());
        self.log()
    }

    /// SIGTERM, then waits for the graceful shutdown.
    pub fn stop(mut self) -> String {
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if !terminated {
            drop(self.child.kill());
        }
        drop(self.child.wait());
        // The reader threads may still be draining the pipes.
        std::thread::sleep(Duration::from_millis(100));
        self.log()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }
}
