//! Races: many simultaneous workflow steps on one order move it exactly once, simultaneous edits
//! with one `version` let exactly one through, simultaneous mgr orders keep all their lines, and
//! simultaneous creations, transitions and deletions of many orders neither deadlock nor leave
//! the kept per-status order counts off by one. Each race is sent as real concurrent HTTP
//! requests, on every backend.

use reqwest::Method;
use serde_json::{Value, json};

use medsys_server::db::{Db, bigint_cast_type};
use sqlx::Row;

use crate::{on_every_backend, procurement_support::*};

const RACERS: usize = 16;

/// Sends `RACERS` copies of a request at once and answers their `(code, msg)` pairs.
async fn race(
    client: &Proc,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
) -> Vec<(i64, String)> {
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (client, method, path, query) = (
                client.clone(),
                method.clone(),
                path.to_owned(),
                query.clone(),
            );
            tokio::spawn(async move {
                client
                    .send(client.request(method, &path).query(&query))
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
        outcomes.push((
            reply.body["code"].as_i64().unwrap_or(-1),
            reply.body["msg"].as_str().unwrap_or("").to_owned(),
        ));
    }
    outcomes
}

fn count(outcomes: &[(i64, String)], code: i64, msg: &str) -> usize {
    outcomes
        .iter()
        .filter(|(c, m)| *c == code && m == msg)
        .count()
}

async fn order(client: &Proc, id: &str) -> Value {
    let reply = client.get("/order", &[("id", id)]).await;
    assert_eq!(reply.body["code"], 1, "{}", reply.text);
    reply.body["data"].clone()
}

async fn notices(client: &Proc, uid: &str) -> Vec<Value> {
    let reply = client.get("/notice/notices", &[("uid", uid)]).await;
    reply.body["data"]["content"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

on_every_backend! {
    async fn simultaneous_approvals_move_an_order_exactly_once(server: TestServer) {
        fixture(server.db()).await;
        let (zhang, lead, inst) =
            (login(&server, ZHANG).await, login(&server, OFFICE_LEAD).await, login(&server, INST).await);

        let outcomes = race(&lead, Method::PUT, "/dept/approve", &[("id", "20210104")]).await;
        assert_eq!(count(&outcomes, 1, "成功"), 1, "{outcomes:?}");
        assert_eq!(count(&outcomes, 0, "不可以对申请单做此操作"), RACERS - 1, "{outcomes:?}");
        let after = order(&zhang, "20210104").await;
        assert_eq!((after["status"].clone(), after["version"].clone()), (json!(2), json!(1)));
        let passed = notices(&zhang, ZHANG).await;
        assert_eq!(passed.iter().filter(|n| n["title"] == "申请单通过通知").count(), 1, "{passed:?}");

        // Approve and deny racing each other at the next step: exactly one of them wins.
        let approvals = race(&inst, Method::PUT, "/inst/approve", &[("id", "20210104")]);
        let denials = race(&inst, Method::PUT, "/inst/deny", &[("id", "20210104"), ("reason", "预算不足")]);
        let (approvals, denials) = tokio::join!(approvals, denials);
        let wins = count(&approvals, 1, "成功") + count(&denials, 1, "成功");
        assert_eq!(wins, 1, "approvals {approvals:?} denials {denials:?}");
        let after = order(&zhang, "20210104").await;
        let expected_status = if count(&approvals, 1, "成功") == 1 { 3 } else { 0 };
        assert_eq!((after["status"].clone(), after["version"].clone()), (json!(expected_status), json!(2)));
        assert_eq!(notices(&zhang, ZHANG).await.len(), 2, "one notice per step that happened");
    }

    async fn simultaneous_edits_of_one_version_let_exactly_one_through(server: TestServer) {
        fixture(server.db()).await;
        set_status(server.db(), "20210104", 0, 1).await;
        let zhang = login(&server, ZHANG).await;
        let mut body = new_order(ZHANG, "办公室", 0);
        body["id"] = json!("20210104");
        body["version"] = json!(1);
        let tasks: Vec<_> = (0..RACERS)
            .map(|n| {
                let (client, mut body) = (zhang.clone(), body.clone());
                // Each edit is distinguishable by its fund code.
                body["fundCode"] = json!(format!("F{n:05}"));
                tokio::spawn(async move { client.json(Method::PUT, "/order", &body).await })
            })
            .collect();
        let mut winners = Vec::new();
        for (n, task) in tasks.into_iter().enumerate() {
            let reply = task.await.expect("task");
            match reply.body["code"].as_i64() {
                Some(1) => winners.push(format!("F{n:05}")),
                _ => assert_eq!(reply.body["msg"], "申请单已被更新", "{}", reply.text),
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let after = order(&zhang, "20210104").await;
        assert_eq!((after["fundCode"].clone(), after["version"].clone()), (json!(winners[0]), json!(2)));
        assert_eq!(after["orderLists"].as_array().map(Vec::len), Some(1), "{after}");
    }

    async fn simultaneous_mgr_orders_keep_every_line(server: TestServer) {
        let api = server.admin().await;
        let customer = api.add_customer("并发客户", "13000000000", "上海").await;
        let medicines = [
            api.add_medicine("青霉素", "抗生素", "099877883837").await,
            api.add_medicine("布洛芬", "止痛", "099877883838").await,
        ];
        let tasks: Vec<_> = (0..RACERS as i64)
            .map(|n| {
                let api = api.clone();
                tokio::spawn(async move {
                    api.add_order(&format!("并发订单{n}"), customer, &[(medicines[0], n + 1), (medicines[1], 1)]).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.expect("task"));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RACERS);
        let listed = api.list("/api/mgr/orders", "list_order", 1, 100).await;
        let orders = listed.body["retlist"].as_array().cloned().unwrap_or_default();
        assert_eq!(orders.len(), RACERS, "{}", listed.text);
        for order in orders {
            assert_eq!(order["medicinelist"].as_array().map(Vec::len), Some(2), "{order}");
        }
    }
    async fn concurrent_order_writes_keep_the_status_counts_exact(server: TestServer) {
        fixture(server.db()).await;
        let (zhang, li) = (login(&server, ZHANG).await, login(&server, LI).await);
        let (office, finance) = (login(&server, OFFICE_LEAD).await, login(&server, FINANCE_LEAD).await);
        let (inst, admin) = (login(&server, INST).await, login(&server, ADMIN).await);

        // Drafts and submissions by two applicants of two departments, all at once.
        let creations: Vec<_> = (0..RACERS * 2)
            .map(|n| {
                let (client, uid, department) = if n % 2 == 0 {
                    (zhang.clone(), ZHANG, "办公室")
                } else {
                    (li.clone(), LI, "财务部")
                };
                let body = new_order(uid, department, i64::from(n % 3 != 0));
                tokio::spawn(async move { client.json(Method::POST, "/order", &body).await })
            })
            .collect();
        for task in creations {
            let reply = task.await.expect("task");
            assert_eq!(reply.body["code"], 1, "{}", reply.text);
        }
        let ids: Vec<String> = server
            .db()
            .query("SELECT id FROM procurement_order ORDER BY id")
            .fetch_all(server.db().pool())
            .await
            .expect("ids")
            .iter()
            .map(|row| medsys_server::db::RowExt::text(row, "id").expect("id"))
            .collect();
        assert_eq!(ids.len(), RACERS * 2 + 2);

        // Three rounds of every kind of step on every order at once: several steps race on each
        // order (most lose), and steps on different orders cross each other's status counts in
        // both directions (1 → 2 against 2 → -1, -1 → 2 against 2 → 0, ...).
        for _ in 0..3 {
            let mut steps = Vec::new();
            for id in &ids {
                let by_id = [("id", id.as_str())];
                let deny = [("id", id.as_str()), ("reason", "预算不足")];
                for (client, method, path, query) in [
                    (&office, Method::PUT, "/dept/approve".to_owned(), &by_id[..]),
                    (&finance, Method::PUT, "/dept/approve".to_owned(), &by_id[..]),
                    (&finance, Method::PUT, "/dept/deny".to_owned(), &deny[..]),
                    (&inst, Method::PUT, "/inst/approve".to_owned(), &by_id[..]),
                    (&inst, Method::PUT, "/inst/deny".to_owned(), &deny[..]),
                    (&zhang, Method::PUT, "/order/recall".to_owned(), &by_id[..]),
                    (&admin, Method::DELETE, format!("/admin/order/{id}"), &[][..]),
                    (&admin, Method::PUT, format!("/admin/order/reduct/{id}"), &[][..]),
                ] {
                    let client = client.clone();
                    let query: Vec<(String, String)> =
                        query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
                    steps.push(tokio::spawn(async move {
                        client.send(client.request(method, &path).query(&query)).await
                    }));
                }
            }
            for task in steps {
                let reply = task.await.expect("task");
                // A lost race is an envelope (a refused transition, or 31 for the other
                // department's leader); a deadlock or any other failure would be a 500.
                assert!(reply.status.as_u16() < 500, "{} {}", reply.status, reply.text);
                assert!(reply.body["code"].is_i64(), "{}", reply.text);
            }
        }

        let (counted, kept) = status_counts(server.db()).await;
        assert_eq!(kept, counted, "kept counts against COUNT(*) per status");
        let of = |status: i64| counted.iter().filter(|(s, _)| *s == status).map(|(_, n)| n).sum::<i64>();
        let live = counted.iter().filter(|(s, _)| *s != -1).map(|(_, n)| n).sum::<i64>();
        for (client, path, expected) in [
            (&admin, "/order/orders", live),
            (&inst, "/inst/orders", live),
            (&admin, "/admin/order/deleted", of(-1)),
            (&inst, "/inst/list", of(2)),
        ] {
            let reply = client.get(path, &[]).await;
            assert_eq!(reply.body["data"]["totalElements"], json!(expected), "{path}: {}", reply.text);
        }
    }
}

/// `(status, COUNT(*))` of the orders and `(status, kept count)` of `procurement_order_count`,
/// both by status, leaving out statuses with no order.
async fn status_counts(db: &Db) -> (Vec<(i64, i64)>, Vec<(i64, i64)>) {
    let read = |sql: String| async move {
        db.query(sql)
            .fetch_all(db.pool())
            .await
            .expect("counts")
            .iter()
            .map(|row| (row.get::<i64, _>("status"), row.get::<i64, _>("n")))
            .filter(|(_, n)| *n != 0)
            .collect::<Vec<_>>()
    };
    let counted = read(
        "SELECT status, COUNT(*) AS n FROM procurement_order GROUP BY status ORDER BY status"
            .to_owned(),
    )
    .await;
    let kept = read(format!(
        "SELECT status, CAST(SUM(n) AS {}) AS n FROM procurement_order_count GROUP BY status \
         ORDER BY status",
        bigint_cast_type(db.backend())
    ))
    .await;
    (counted, kept)
}
