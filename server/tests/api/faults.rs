//! Faults: the server is killed with SIGKILL while it takes writes, then restarted on the same
//! database. Every write it acknowledged must be there whole (an order with all its lines, an
//! import with all its users), and nothing half-written may be. And PostgreSQL and MySQL drop
//! the server's idle connections: no request may fail on one.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use reqwest::Client;
use serde_json::{Value, json};

use crate::{
    process::{ServerProcess, admin, http_client},
    support::{Backend, TestDatabase},
};

const MGR: (&str, &str) = ("fault-admin", "fault-admin-pass-1");
const APPLICANT: &str = "13000000001";
const ADMIN: &str = "13000000002";
const PASSWORD: &str = "fault-pass-1";
const WRITERS: usize = 4;
const LINES: usize = 3;
/// Acknowledged orders (of both APIs together) after which the server is killed.
const KILL_AFTER: usize = 40;

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

/// Signs in to mgr and answers a client holding the session.
async fn mgr_client(base: &str) -> Client {
    let client = http_client();
    let reply = client
        .post(format!("{base}/api/mgr/signin"))
        .form(&[("username", MGR.0), ("password", MGR.1)])
        .send()
        .await
        .expect("signin");
    assert_eq!(json_of(reply).await["ret"], 0);
    client
}

async fn procurement_token(base: &str, id: &str) -> String {
    let reply = http_client()
        .post(format!("{base}/user/login"))
        .json(&json!({"username": id, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let token = reply.headers()["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(json_of(reply).await["code"], 1);
    token
}

fn mgr_order(n: usize, customer: i64, medicines: &[i64]) -> Value {
    let lines: Vec<Value> = medicines
        .iter()
        .map(|id| json!({"id": id, "amount": n + 1}))
        .collect();
    json!({"action": "add_order", "data": {"name": format!("故障订单{n}"), "customerid": customer, "medicinelist": lines}})
}

fn procurement_order(n: usize) -> Value {
    let line = |k: usize| {
        json!({"name": format!("设备{n}-{k}"), "type": "型号", "configuration": "配置",
        "unit": "台", "quantity": 1, "budgetUnitPrice": 100.0, "budgetTotalPrice": 100.0,
        "reason": "更新", "newUser": "张三"})
    };
    json!({"applyDepartment": "办公室", "applyUser": "张三", "fundCode": "123456", "total": 300.0,
        "status": 1, "orderLists": (0..LINES).map(line).collect::<Vec<_>>(), "uid": APPLICANT})
}

async fn prepare(database_url: &str) -> (i64, Vec<i64>) {
    admin(
        database_url,
        &["create-mgr-admin", "--username", MGR.0, "--password", MGR.1],
    );
    for (id, role) in [(APPLICANT, "普通用户"), (ADMIN, "管理员")] {
        admin(
            database_url,
            &[
                "create-user",
                "--id",
                id,
                "--name",
                "张三",
                "--role",
                role,
                "--department",
                "办公室",
                "--password",
                PASSWORD,
            ],
        );
    }
    let server = ServerProcess::spawn(database_url, &[], &[]);
    let base = server.base_url.clone();
    let mgr = mgr_client(&base).await;
    let add = |path: &'static str, body: Value| {
        let (mgr, base) = (mgr.clone(), base.clone());
        async move {
            let reply = json_of(
                mgr.post(format!("{base}{path}"))
                    .json(&body)
                    .send()
                    .await
                    .expect("add"),
            )
            .await;
            reply["id"].as_i64().unwrap_or_else(|| panic!("{reply}"))
        }
    };
    let customer = add(
        "/api/mgr/customers",
        json!({"action": "add_customer",
        "data": {"name": "故障客户", "phonenumber": "13000000000", "address": "上海"}}),
    )
    .await;
    let mut medicines = Vec::new();
    for n in 0..LINES {
        medicines.push(
            add(
                "/api/mgr/medicines",
                json!({"action": "add_medicine",
            "data": {"name": format!("药{n}"), "desc": "说明", "sn": format!("SN{n}")}}),
            )
            .await,
        );
    }
    server.stop();
    (customer, medicines)
}

async fn orders_survive_a_kill(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let (customer, medicines) = prepare(&database.url).await;
    let server = ServerProcess::spawn(&database.url, &[], &[]);
    let base = server.base_url.clone();
    let mgr = mgr_client(&base).await;
    let token = procurement_token(&base, APPLICANT).await;

    let acked_mgr = Arc::new(Mutex::new(Vec::<i64>::new()));
    let acked_procurement = Arc::new(Mutex::new(Vec::<String>::new()));
    let (acked, stopped) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (mgr, base, token, medicines) =
            (mgr.clone(), base.clone(), token.clone(), medicines.clone());
        let (acked_mgr, acked_procurement) =
            (Arc::clone(&acked_mgr), Arc::clone(&acked_procurement));
        let (acked, stopped) = (Arc::clone(&acked), Arc::clone(&stopped));
        writers.push(tokio::spawn(async move {
            let mut n = writer * 10_000;
            // Bounded: at most 500 requests per writer even if the kill never came.
            while !stopped.load(Ordering::SeqCst) && n < writer * 10_000 + 500 {
                n += 1;
                let sent = if writer % 2 == 0 {
                    mgr.post(format!("{base}/api/mgr/orders"))
                        .json(&mgr_order(n, customer, &medicines))
                        .send()
                        .await
                } else {
                    mgr.post(format!("{base}/order"))
                        .header("Authorization", &token)
                        .json(&procurement_order(n))
                        .send()
                        .await
                };
                // A cut connection or a half-read answer is not an acknowledgement.
                let Ok(response) = sent else { break };
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                if let Some(id) = body["id"].as_i64().filter(|_| body["ret"] == 0) {
                    acked_mgr.lock().expect("lock").push(id);
                } else if let Some(id) = body["data"].as_str().filter(|_| body["code"] == 1) {
                    acked_procurement.lock().expect("lock").push(id.to_owned());
                } else {
                    panic!("a write was refused: {body}");
                }
                acked.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::SeqCst) < KILL_AFTER && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    stopped.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.expect("writer");
    }
    let (acked_mgr, acked_procurement) = (
        acked_mgr.lock().expect("lock").clone(),
        acked_procurement.lock().expect("lock").clone(),
    );
    assert!(
        acked_mgr.len() + acked_procurement.len() >= KILL_AFTER,
        "the load never reached the kill point"
    );

    let server = ServerProcess::spawn(&database.url, &[], &[]);
    let base = server.base_url.clone();
    let mgr = mgr_client(&base).await;
    let listed = json_of(
        mgr.get(format!("{base}/api/mgr/orders"))
            .query(&[
                ("action", "list_order"),
                ("pagenum", "1"),
                ("pagesize", "5000"),
            ])
            .send()
            .await
            .expect("list"),
    )
    .await;
    let orders = listed["retlist"].as_array().cloned().unwrap_or_default();
    for order in &orders {
        assert_eq!(
            order["medicinelist"].as_array().map(Vec::len),
            Some(LINES),
            "half-written mgr order {order}"
        );
    }
    let stored: Vec<i64> = orders
        .iter()
        .filter_map(|order| order["id"].as_i64())
        .collect();
    for id in &acked_mgr {
        assert!(stored.contains(id), "acknowledged mgr order {id} was lost");
    }

    let token = procurement_token(&base, APPLICANT).await;
    let mut stored = Vec::new();
    for page in 1..=200 {
        let listed = json_of(
            mgr.get(format!("{base}/order/orders"))
                .header("Authorization", &token)
                .query(&[("page", page.to_string())])
                .send()
                .await
                .expect("list"),
        )
        .await;
        let content = listed["data"]["content"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if content.is_empty() {
            break;
        }
        for order in content {
            assert_eq!(
                order["orderLists"].as_array().map(Vec::len),
                Some(LINES),
                "half-written order {order}"
            );
            stored.push(order["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    for id in &acked_procurement {
        assert!(
            stored.contains(id),
            "acknowledged procurement order {id} was lost"
        );
    }
    eprintln!(
        "{backend:?}: killed after {} acknowledged mgr and {} procurement orders; after restart {} mgr and {} procurement orders, all whole",
        acked_mgr.len(),
        acked_procurement.len(),
        orders.len(),
        stored.len()
    );
    server.stop();
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_orders_survive_a_kill_on_sqlite() {
    orders_survive_a_kill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_orders_survive_a_kill_on_postgres() {
    orders_survive_a_kill(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_orders_survive_a_kill_on_mysql() {
    orders_survive_a_kill(Backend::Mysql).await;
}

async fn imported_users(database_url: &str) -> i64 {
    use sqlx::Row;
    let db = medsys_server::db::Db::connect_and_migrate(database_url)
        .await
        .expect("db");
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM procurement_user WHERE id LIKE '14%'")
        .fetch_one(&mut *db.pool().acquire().await.expect("a connection"))
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    db.close().await;
    count
}

async fn an_import_survives_a_kill(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    prepare(&database.url).await;
    const ROWS: u32 = 5_000;
    let file = crate::procurement_support::users_workbook("14", ROWS);
    // Kill at growing delays until one kill lands while the import runs; each attempt checks
    // the rule (all or nothing) whatever the timing was.
    let mut outcomes = Vec::new();
    for delay_ms in [50u64, 150, 400, 1000] {
        let server = ServerProcess::spawn(&database.url, &[], &[]);
        let base = server.base_url.clone();
        let token = procurement_token(&base, ADMIN).await;
        let part = reqwest::multipart::Part::bytes(file.clone())
            .file_name("users.xlsx")
            .mime_str("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .expect("mime");
        let request = http_client()
            .post(format!("{base}/admin/user/batchAdd"))
            .header("Authorization", &token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send();
        let import = tokio::spawn(async move {
            match request.await {
                Ok(response) => response.json::<Value>().await.ok(),
                Err(_) => None,
            }
        });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        server.kill();
        let reply = import.await.expect("import task");
        let count = imported_users(&database.url).await;
        let acknowledged = reply.as_ref().is_some_and(|body| body["code"] == 1);
        if acknowledged {
            assert_eq!(
                count,
                i64::from(ROWS),
                "an acknowledged import lost users: {reply:?}"
            );
            outcomes.push(format!(
                "{delay_ms} ms: finished before the kill, {count} users"
            ));
            break;
        }
        // Cut off: either it committed just before the kill (all users) or not at all.
        assert!(
            count == 0 || count == i64::from(ROWS),
            "an interrupted import left {count} of its {ROWS} users"
        );
        outcomes.push(format!("{delay_ms} ms: cut off, {count} users"));
        if count != 0 {
            break;
        }
    }
    eprintln!(
        "{backend:?}: import of {ROWS} rows killed at: {}",
        outcomes.join("; ")
    );
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_all_or_nothing_when_killed_on_sqlite() {
    an_import_survives_a_kill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_all_or_nothing_when_killed_on_postgres() {
    an_import_survives_a_kill(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_all_or_nothing_when_killed_on_mysql() {
    an_import_survives_a_kill(Backend::Mysql).await;
}

/// PostgreSQL closes the server's pooled connections while they sit idle (a database restart,
/// a failover, `idle_session_timeout`, an administrator's `pg_terminate_backend`). The pool tests
/// each connection before handing it out, so no request may fail on a dead one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_database_closes_are_replaced_on_postgres() {
    use sqlx::Connection;

    crate::support::run(Backend::Postgres, |server| async move {
        let admin = server.admin().await;
        let list = || async {
            let reply = admin
                .list("/api/mgr/medicines", "list_medicine", 1, 10)
                .await;
            reply.expect(200, json!({"ret": 0, "retlist": [], "total": 0}));
        };
        // Open several pooled connections at once, then let them go idle.
        futures_util::future::join_all((0..8).map(|_| list())).await;
        let mut killer = sqlx::PgConnection::connect(&server.database_url)
            .await
            .expect("a connection of the test's own");
        let killed: i64 = sqlx::query_scalar(
            // The timeout (PostgreSQL 14+) waits until each backend has exited.
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS terminated",
        )
        .fetch_one(&mut killer)
        .await
        .expect("the server's connections terminated");
        assert!(killed >= 1, "the server held no connection");
        // Every request after that, one by one and at once, gets its page.
        for _ in 0..12 {
            list().await;
        }
        futures_util::future::join_all((0..8).map(|_| list())).await;
    })
    .await;
}

/// MySQL closes connections too (a restart, `wait_timeout`, an administrator's `KILL`): the
/// same rule as on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_database_closes_are_replaced_on_mysql() {
    use sqlx::{Connection, Executor, Row};

    crate::support::run(Backend::Mysql, |server| async move {
        let admin = server.admin().await;
        let list = || async {
            let reply = admin
                .list("/api/mgr/medicines", "list_medicine", 1, 10)
                .await;
            reply.expect(200, json!({"ret": 0, "retlist": [], "total": 0}));
        };
        futures_util::future::join_all((0..8).map(|_| list())).await;
        let mut killer = sqlx::MySqlConnection::connect(&server.database_url)
            .await
            .expect("a connection of the test's own");
        let ids = sqlx::query(
            "SELECT CAST(id AS SIGNED) AS id FROM information_schema.PROCESSLIST \
             WHERE db = DATABASE() AND id <> CONNECTION_ID()",
        )
        .fetch_all(&mut killer)
        .await
        .expect("the server's connections");
        assert!(!ids.is_empty(), "the server held no connection");
        for row in &ids {
            let id: i64 = row.try_get("id").expect("id");
            // One may have closed by itself in between: that is as good as killed.
            drop(killer.execute(format!("KILL {id}").as_str()).await);
        }
        drop(killer.close().await);
        for _ in 0..12 {
            list().await;
        }
        futures_util::future::join_all((0..8).map(|_| list())).await;
    })
    .await;
}
