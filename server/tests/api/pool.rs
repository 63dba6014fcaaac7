//! The connection pool (`db::Pool`): what sqlx's pings on every checkout and return used to
//! guarantee still holds without them. A transaction abandoned half-way leaves no lock behind
//! on an idle connection, not even when its statement is cut off mid-flight, and the pool keeps
//! answering afterwards. (Connections the database closes: `faults.rs`.)

use std::time::Duration;

use crate::on_every_backend;
use crate::support::TestServer;

/// Waits up to five seconds for [`row_is_free`]: the rollback of a dropped transaction runs on
/// a task of its own, so it lands a moment after the drop.
async fn eventually_free(server: &TestServer, what: &str) {
    for _ in 0..100 {
        if row_is_free(server).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not free the row within five seconds");
}

/// Whether a write transaction can take the row (or, on SQLite, the database's write lock)
/// that an abandoned transaction held, without waiting for it.
async fn row_is_free(server: &TestServer) -> bool {
    let db = server.db();
    let Ok(mut tx) = db.begin_write().await else {
        return false;
    };
    // `FOR UPDATE` waits for a lock held elsewhere; a short lock wait makes that a refusal.
    let lock_wait = match db.backend() {
        medsys_server::db::Backend::Postgres => Some("SET LOCAL lock_timeout = '100ms'"),
        medsys_server::db::Backend::Mysql => Some("SET SESSION innodb_lock_wait_timeout = 1"),
        // BEGIN IMMEDIATE above already holds SQLite's one write lock.
        medsys_server::db::Backend::Sqlite => None,
    };
    if let Some(sql) = lock_wait
        && tx.query(sql).execute(&mut *tx).await.is_err()
    {
        return false;
    }
    tx.query("UPDATE mgr_medicine SET sn = 'free' WHERE name = 'held'")
        .execute(&mut *tx)
        .await
        .is_ok()
        && tx.commit().await.is_ok()
}

async fn insert_held_row(server: &TestServer) {
    let db = server.db();
    db.query("INSERT INTO mgr_medicine (name, \"desc\", sn) VALUES ('held', 'row', 'sn')")
        .execute(db.pool())
        .await
        .expect("a row to lock");
}

on_every_backend! {
    async fn a_transaction_dropped_uncommitted_is_rolled_back_and_frees_its_locks(server: TestServer) {
        insert_held_row(&server).await;
        let db = server.db();
        let mut tx = db.begin_write().await.expect("begin");
        tx.query("UPDATE mgr_medicine SET sn = 'changed' WHERE name = 'held'")
            .execute(&mut *tx)
            .await
            .expect("update under lock");
        drop(tx);
        eventually_free(&server, "the abandoned transaction's rollback").await;
        let row = db
            .query("SELECT sn FROM mgr_medicine WHERE name = 'held'")
            .fetch_one(db.pool())
            .await
            .expect("the row");
        let sn: String = medsys_server::db::RowExt::text(&row, "sn").expect("sn");
        assert_eq!(sn, "free", "the dropped change was rolled back, the later one committed");
    }

    async fn a_transaction_cut_off_mid_statement_leaves_no_lock_and_the_pool_answers(server: TestServer) {
        insert_held_row(&server).await;
        let db = server.db();
        // A request future dropped while its statement runs (the client went away): the
        // statement is cut off with its transaction open.
        let slow = match db.backend() {
            medsys_server::db::Backend::Postgres => "SELECT pg_sleep(2)",
            medsys_server::db::Backend::Mysql => "SELECT SLEEP(2)",
            // A query that keeps SQLite busy for a while: a large recursive count.
            medsys_server::db::Backend::Sqlite => {
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000) \
                 SELECT COUNT(*) FROM n"
            }
        };
        let cut_off = tokio::time::timeout(Duration::from_millis(200), async {
            let mut tx = db.begin_write().await.expect("begin");
            tx.query("UPDATE mgr_medicine SET sn = 'changed' WHERE name = 'held'")
                .execute(&mut *tx)
                .await
                .expect("update under lock");
            tx.query(slow).execute(&mut *tx).await.expect("slow statement");
            tx.commit().await.expect("commit");
        })
        .await;
        assert!(cut_off.is_err(), "the transaction was cut off before it committed");
        eventually_free(&server, "the cut-off transaction's rollback").await;
        // Every connection of the pool still answers, at once.
        let reads = (0..16).map(|_| async {
            db.query("SELECT COUNT(*) AS n FROM mgr_medicine")
                .fetch_one(db.pool())
                .await
                .expect("a read after the cut-off")
        });
        futures_util::future::join_all(reads).await;
    }
}
