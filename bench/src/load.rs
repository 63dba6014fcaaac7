//! The load generator: a fixed number of connections, each sending its next request as soon as
//! the previous answer is read (a closed loop), for a warm-up and then a measured window that is
//! bounded in time and in count, and holds at least one request. Every answer is checked, so a
//! fast error is never counted as a fast success.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// How long and how hard to drive one scenario.
#[derive(Clone, Debug)]
pub struct Plan {
    pub warmup: Duration,
    pub duration: Duration,
    pub concurrency: usize,
    pub max_requests: u64,
}

/// Builds the `seq`-th request of a scenario; `None` when the scenario has run out of work
/// (approvals run out of submitted orders).
pub type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, u64) -> Option<reqwest::RequestBuilder> + Send + Sync>;

/// What a successful answer looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// HTTP 200, any body.
    Status200,
    /// HTTP 200 with the mgr envelope `{"ret": 0, ...}`.
    MgrOk,
    /// HTTP 200 with the procurement envelope `{"success": true, ...}`.
    ProcurementOk,
    /// `ProcurementOk` plus a token in `Authorization`.
    LoginToken,
    /// HTTP 200 with an .xlsx body (a zip file).
    Xlsx,
}

/// What one scenario measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Answers received in the measured window (successes and errors).
    pub requests: u64,
    pub errors: u64,
    /// From the end of the warm-up to the last measured answer.
    pub elapsed: Duration,
    /// Latency of every measured answer, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub first_error: Option<String>,
    /// The scenario ran out of work before its time was up.
    pub exhausted: bool,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.requests as f64 / seconds
        } else {
            0.0
        }
    }

    /// The `q`-quantile latency (0 < q <= 1) in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = (q * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

/// One HTTP client for a whole run: its pool keeps one connection per concurrent worker open.
pub fn client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()?)
}

/// Shared counters of one scenario's workers.
struct Shared {
    measured: AtomicU64,
    seq: AtomicU64,
    outcome: Mutex<Outcome>,
}

/// Drives `make` with `plan.concurrency` workers and checks every answer against `expect`.
pub async fn drive(
    client: &reqwest::Client,
    make: MakeRequest,
    expect: Expect,
    plan: &Plan,
) -> Outcome {
    let started = Instant::now();
    let measure_from = started + plan.warmup;
    let stop_at = measure_from + plan.duration;
    let shared = Arc::new(Shared {
        measured: AtomicU64::new(0),
        seq: AtomicU64::new(0),
        outcome: Mutex::new(Outcome::default()),
    });
    let mut workers = Vec::with_capacity(plan.concurrency);
    for _ in 0..plan.concurrency {
        let client = client.clone();
        let make = Arc::clone(&make);
        let shared = Arc::clone(&shared);
        let max_requests = plan.max_requests;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0_u64;
            let mut first_error = None;
            let mut exhausted = false;
            let mut last_answer = measure_from;
            loop {
                let sent = Instant::now();
                // The window stays open past its end until one request has been sent in it, so
                // a machine too slow for a short window still measures something (each request
                // is bounded by the client's timeout).
                if sent >= stop_at && shared.measured.load(Ordering::Relaxed) > 0 {
                    break;
                }
                let measuring = sent >= measure_from;
                if measuring && shared.measured.fetch_add(1, Ordering::Relaxed) >= max_requests {
                    break;
                }
                let seq = shared.seq.fetch_add(1, Ordering::Relaxed);
                let Some(request) = make(&client, seq) else {
                    exhausted = true;
                    break;
                };
                let verdict = check(request.send().await, expect).await;
                let answered = Instant::now();
                if !measuring {
                    continue;
                }
                last_answer = last_answer.max(answered);
                let micros = answered.duration_since(sent).as_micros();
                latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                if let Err(error) = verdict {
                    errors += 1;
                    first_error.get_or_insert(error);
                }
            }
            let mut outcome = shared.outcome.lock().unwrap_or_else(|p| p.into_inner());
            outcome.requests += latencies.len() as u64;
            outcome.errors += errors;
            outcome.latencies_us.extend(latencies);
            outcome.exhausted |= exhausted;
            if outcome.first_error.is_none() {
                outcome.first_error = first_error;
            }
            let elapsed = last_answer.saturating_duration_since(measure_from);
            outcome.elapsed = outcome.elapsed.max(elapsed);
        }));
    }
    for worker in workers {
        if let Err(error) = worker.await {
            let mut outcome = shared.outcome.lock().unwrap_or_else(|p| p.into_inner());
            outcome.errors += 1;
            outcome
                .first_error
                .get_or_insert_with(|| format!("worker failed: {error}"));
        }
    }
    let mut outcome =
        std::mem::take(&mut *shared.outcome.lock().unwrap_or_else(|p| p.into_inner()));
    outcome.latencies_us.sort_unstable();
    outcome
}

/// `Ok` when the answer is what `expect` describes; otherwise a short description of it.
async fn check(
    sent: Result<reqwest::Response, reqwest::Error>,
    expect: Expect,
) -> Result<(), String> {
    let response = sent.map_err(|error| format!("request failed: {error}"))?;
    let status = response.status();
    let has_token = response
        .headers()
        .contains_key(reqwest::header::AUTHORIZATION);
    let body = response
        .bytes()
        .await
        .map_err(|error| format!("reading the body failed: {error}"))?;
    let describe = || {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        format!("HTTP {status}: {text}")
    };
    if status != reqwest::StatusCode::OK {
        return Err(describe());
    }
    let envelope = |key: &str| {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value.get(key).cloned())
    };
    let ok = match expect {
        Expect::Status200 => true,
        Expect::MgrOk => envelope("ret") == Some(serde_json::Value::from(0)),
        Expect::ProcurementOk => envelope("success") == Some(serde_json::Value::Bool(true)),
        Expect::LoginToken => {
            has_token && envelope("success") == Some(serde_json::Value::Bool(true))
        }
        Expect::Xlsx => body.starts_with(b"PK"),
    };
    if ok { Ok(()) } else { Err(describe()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback HTTP server that answers every request `200 ok` after `delay`.
    async fn slow_server(delay: Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0_u8; 4096];
                    while let Ok(read) = socket.read(&mut buffer).await {
                        if read == 0 {
                            break;
                        }
                        tokio::time::sleep(delay).await;
                        let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if socket.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        format!("http://{address}/")
    }

    #[tokio::test]
    async fn a_window_shorter_than_one_answer_still_measures_one() {
        let url = slow_server(Duration::from_millis(400)).await;
        let plan = Plan {
            warmup: Duration::from_millis(100),
            duration: Duration::from_millis(100),
            concurrency: 2,
            max_requests: 1_000,
        };
        let make: MakeRequest = Arc::new(move |client, _| Some(client.get(&url)));
        let client = client(plan.concurrency).expect("client");
        let outcome = drive(&client, make, Expect::Status200, &plan).await;
        // The warm-up requests are answered after the window has closed; each worker then sends
        // one measured request, and none after it.
        assert_eq!(outcome.errors, 0, "{:?}", outcome.first_error);
        assert!(
            (1..=2).contains(&outcome.requests),
            "{} requests",
            outcome.requests
        );
        assert!(outcome.quantile_ms(0.5) >= 400.0);
        assert!(outcome.per_second() > 0.0);
    }
}
