//! The scenarios: which requests each one sends, as whom, and what counts as success.
//!
//! Read scenarios run before the writes that change what they read; the approvals consume the
//! seeded queue of submitted orders; logins use accounts no other scenario holds a token of.

use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;

use crate::{
    load::{self, Expect, MakeRequest, Outcome, Plan},
    seed::{self, Seeded},
};

/// What a scenario measures, for the report's targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The machine's ceiling: a route that touches no database.
    Ceiling,
    /// A page-1 list or a search: must hold its latency as the tables grow.
    Read,
    /// A read that is expected to grow with the table (an OFFSET deep into it).
    DeepRead,
    /// A durable write.
    Write,
    /// Password verification (Argon2id), reported on its own.
    Login,
}

/// Tokens and cookies of the seeded accounts, signed in once per run.
pub struct Fixture {
    pub base: String,
    pub seeded: Seeded,
    pub mgr_cookie: String,
    /// Bearer header of applicants 1..=10 (one per department).
    pub applicants: Vec<(String, String)>,
    /// Bearer header of the leader of department d at index d - 1.
    pub leaders: Vec<String>,
    pub admin: String,
}

impl Fixture {
    pub async fn sign_in(
        client: &reqwest::Client,
        base: &str,
        seeded: &Seeded,
    ) -> anyhow::Result<Self> {
        let signin = client
            .post(format!("{base}/api/mgr/signin"))
            .form(&[("username", seed::MGR_ADMIN), ("password", seed::PASSWORD)])
            .send()
            .await?;
        let mgr_cookie = signin
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| {
                value
                    .split(';')
                    .next()
                    .filter(|c| c.starts_with("sessionid="))
            })
            .map(str::to_owned)
            .context("mgr signin answered without a session cookie")?;
        let mut applicants = Vec::new();
        for u in 1..=10 {
            let (id, _) = Seeded::applicant(u);
            let bearer = login(client, base, &id).await?;
            applicants.push((id, bearer));
        }
        let mut leaders = Vec::new();
        for d in 1..=10 {
            leaders.push(login(client, base, &Seeded::leader(d)).await?);
        }
        let admin = login(client, base, Seeded::ADMIN).await?;
        Ok(Self {
            base: base.to_owned(),
            seeded: seeded.clone(),
            mgr_cookie,
            applicants,
            leaders,
            admin,
        })
    }
}

async fn login(client: &reqwest::Client, base: &str, id: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/user/login"))
        .json(&json!({"username": id, "password": seed::PASSWORD}))
        .send()
        .await?;
    let bearer = response
        .headers()
        .get(reqwest::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await?;
    bearer.with_context(|| format!("login of {id} gave no token: {body}"))
}

/// One scenario: one load, or two side by side (`parts`), each reported on its own row.
pub struct Scenario {
    pub name: &'static str,
    parts: Vec<Part>,
}

struct Part {
    name: &'static str,
    kind: Kind,
    make: MakeRequest,
    expect: Expect,
    /// Share of the run's concurrency, in percent.
    share: usize,
}

/// One reported row: a part's name and kind and what it measured.
pub struct Measured {
    pub name: &'static str,
    pub kind: Kind,
    pub outcome: Outcome,
}

impl Scenario {
    fn single(name: &'static str, kind: Kind, expect: Expect, make: MakeRequest) -> Self {
        Self {
            name,
            parts: vec![Part {
                name,
                kind,
                make,
                expect,
                share: 100,
            }],
        }
    }

    /// Runs every part at once; one row per part.
    pub async fn run(&self, client: &reqwest::Client, plan: &Plan) -> Vec<Measured> {
        let drive = |part: &Part| {
            let plan = Plan {
                concurrency: (plan.concurrency * part.share / 100).max(1),
                ..plan.clone()
            };
            let make = Arc::clone(&part.make);
            let (name, kind, expect) = (part.name, part.kind, part.expect);
            async move {
                Measured {
                    name,
                    kind,
                    outcome: load::drive(client, make, expect, &plan).await,
                }
            }
        };
        match self.parts.as_slice() {
            [one] => vec![drive(one).await],
            [first, second] => {
                let (a, b) = tokio::join!(drive(first), drive(second));
                vec![a, b]
            }
            parts => {
                let mut rows = Vec::new();
                for part in parts {
                    rows.push(drive(part).await);
                }
                rows
            }
        }
    }
}

/// A deterministic spread of `seq` over `0..n` (neighbouring requests hit different rows).
fn spread(seq: u64, n: i64) -> i64 {
    let n = n.max(1);
    i64::try_from(seq.wrapping_mul(2_654_435_761) % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
}

/// `GET url` with each of `bearers` in turn (request `seq` uses bearer `seq % len`).
fn get_as(url: String, bearers: Vec<String>) -> MakeRequest {
    Arc::new(move |client, seq| {
        let len = u64::try_from(bearers.len()).ok().filter(|&len| len > 0)?;
        let bearer = &bearers[usize::try_from(seq % len).ok()?];
        Some(
            client
                .get(&url)
                .header(reqwest::header::AUTHORIZATION, bearer),
        )
    })
}

/// Every scenario, in the order they run.
pub fn all(fixture: &Fixture) -> Vec<Scenario> {
    let base = fixture.base.clone();
    let rows = fixture.seeded.rows;
    let cookie = fixture.mgr_cookie.clone();
    let mut scenarios = Vec::new();

    let url = format!("{base}/healthz");
    scenarios.push(Scenario::single(
        "GET /healthz (ceiling)",
        Kind::Ceiling,
        Expect::Status200,
        Arc::new(move |client, _| Some(client.get(&url))),
    ));

    let mgr_get = |path: String| -> MakeRequest {
        let url = format!("{base}{path}");
        let cookie = cookie.clone();
        Arc::new(move |client, _| Some(client.get(&url).header(reqwest::header::COOKIE, &cookie)))
    };
    scenarios.push(Scenario::single(
        "mgr list_medicine page 1",
        Kind::Read,
        Expect::MgrOk,
        mgr_get("/api/mgr/medicines?action=list_medicine&pagenum=1&pagesize=10".to_owned()),
    ));
    scenarios.push(Scenario::single(
        "mgr list_medicine deep page",
        Kind::DeepRead,
        Expect::MgrOk,
        mgr_get(format!(
            "/api/mgr/medicines?action=list_medicine&pagenum={}&pagesize=10",
            rows / 20
        )),
    ));
    scenarios.push(Scenario::single(
        "mgr list_order page 1",
        Kind::Read,
        Expect::MgrOk,
        mgr_get("/api/mgr/orders?action=list_order&pagenum=1&pagesize=10".to_owned()),
    ));

    // An applicant's own orders, filtered by date range and fund code.
    let applicants = fixture.applicants.clone();
    let url = format!(
        "{base}/order/orders?page=1&startDate=2025-07-01&endDate=2025-12-31&fundcode=FC000"
    );
    scenarios.push(Scenario::single(
        "proc GET /order/orders (filters)",
        Kind::Read,
        Expect::ProcurementOk,
        get_as(
            url,
            applicants.into_iter().map(|(_, bearer)| bearer).collect(),
        ),
    ));

    let leaders = fixture.leaders.clone();
    let url = format!("{base}/dept/list?page=1");
    scenarios.push(Scenario::single(
        "proc GET /dept/list",
        Kind::Read,
        Expect::ProcurementOk,
        get_as(url, leaders),
    ));

    // An admin's unfiltered search: every order of every department, whose exact
    // `totalElements` counts every order (see "Searches over every order" in the docs).
    let admin = fixture.admin.clone();
    let url = format!("{base}/order/orders?page=1");
    scenarios.push(Scenario::single(
        "proc GET /order/orders (admin, all orders)",
        Kind::Read,
        Expect::ProcurementOk,
        get_as(url, vec![admin]),
    ));

    let applicants = fixture.applicants.clone();
    let notice_base = base.clone();
    scenarios.push(Scenario::single(
        "proc GET /notice/count",
        Kind::Read,
        Expect::ProcurementOk,
        Arc::new(move |client, seq| {
            let (id, bearer) = &applicants[usize::try_from(seq % 10).unwrap_or(0)];
            Some(
                client
                    .get(format!("{notice_base}/notice/count?uid={id}"))
                    .header(reqwest::header::AUTHORIZATION, bearer),
            )
        }),
    ));

    let seeded = fixture.seeded.clone();
    let admin = fixture.admin.clone();
    let export_base = base.clone();
    scenarios.push(Scenario::single(
        "proc GET /order/file (Excel export)",
        Kind::Read,
        Expect::Xlsx,
        Arc::new(move |client, seq| {
            let n = 1 + spread(seq, seeded.rows);
            Some(
                client
                    .get(format!(
                        "{export_base}/order/file?id={}",
                        seeded.order_id(n)
                    ))
                    .header(reqwest::header::AUTHORIZATION, &admin),
            )
        }),
    ));

    let url = format!("{base}/api/mgr/orders");
    let cookie_add = fixture.mgr_cookie.clone();
    scenarios.push(Scenario::single(
        "mgr add_order",
        Kind::Write,
        Expect::MgrOk,
        Arc::new(move |client, seq| {
            let customer = 1 + spread(seq, rows);
            let first = 1 + spread(seq, rows);
            let second = 1 + (first + rows / 2) % rows;
            let body = json!({
                "action": "add_order",
                "data": {
                    "name": format!("bench order {seq}"),
                    "customerid": customer,
                    "medicinelist": [
                        {"id": first, "amount": 2},
                        {"id": second, "amount": 1},
                    ],
                },
            });
            Some(
                client
                    .post(&url)
                    .header(reqwest::header::COOKIE, &cookie_add)
                    .json(&body),
            )
        }),
    ));

    let seeded = fixture.seeded.clone();
    let leaders = fixture.leaders.clone();
    let approve_base = base.clone();
    scenarios.push(Scenario::single(
        "proc PUT /dept/approve",
        Kind::Write,
        Expect::ProcurementOk,
        Arc::new(move |client, seq| {
            // Each submitted order is approved once; the queue is the seeded orders 1..=pending.
            let n = i64::try_from(seq).ok()? + 1;
            if n > seeded.pending {
                return None;
            }
            let leader = &leaders[usize::try_from(Seeded::order_department(n) - 1).ok()?];
            Some(
                client
                    .put(format!(
                        "{approve_base}/dept/approve?id={}",
                        seeded.order_id(n)
                    ))
                    .header(reqwest::header::AUTHORIZATION, leader),
            )
        }),
    ));

    let login_url = format!("{base}/user/login");
    let make_login: MakeRequest = Arc::new(move |client, seq| {
        let k = 1 + i64::try_from(seq % u64::try_from(seed::LOGIN_USERS).unwrap_or(1)).ok()?;
        Some(client.post(&login_url).json(&json!({
            "username": Seeded::login_user(k),
            "password": seed::PASSWORD,
        })))
    });
    scenarios.push(Scenario::single(
        "proc POST /user/login",
        Kind::Login,
        Expect::LoginToken,
        Arc::clone(&make_login),
    ));

    // Logins must not stall other requests: a quarter of the connections log in while the
    // rest list medicines; the list's row compares with its own row above.
    scenarios.push(Scenario {
        name: "login + list_medicine",
        parts: vec![
            Part {
                name: "mgr list_medicine page 1 (during logins)",
                kind: Kind::Read,
                make: mgr_get(
                    "/api/mgr/medicines?action=list_medicine&pagenum=1&pagesize=10".to_owned(),
                ),
                expect: Expect::MgrOk,
                share: 75,
            },
            Part {
                name: "proc POST /user/login (during reads)",
                kind: Kind::Login,
                make: make_login,
                expect: Expect::LoginToken,
                share: 25,
            },
        ],
    });
    scenarios
}
