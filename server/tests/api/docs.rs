//! The published contract: `/openapi/mgr.json` is `openapi/mgr.yaml`, and `/docs` renders it
//! (checked in headless Chromium).
//!
//! Raw HTTP: the spec document and the docs page are not operations of the SDK.

use std::process::Command;

use serde_json::Value;

use crate::support::*;

fn spec_yaml() -> Value {
    let text = include_str!("../../../openapi/mgr.yaml");
    yaml_serde::from_str(text).expect("mgr.yaml parses")
}

async fn sqlite_server() -> (TestServer, TestDatabase) {
    let database = TestDatabase::create(Backend::Sqlite).await.expect("sqlite");
    (TestServer::start(database.url.clone()).await, database)
}

#[tokio::test]
async fn the_server_publishes_the_checked_in_spec_as_json() {
    let (server, _database) = sqlite_server().await;
    let reply = server.client().get("/openapi/mgr.json", &[]).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.body, spec_yaml());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_renders_every_operation_in_headless_chromium() {
    let Some(chromium) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (apt-get install -y chromium)"
        );
        eprintln!("skipping the docs page test: chromium is not installed");
        return;
    };
    let (server, _database) = sqlite_server().await;
    let url = format!("{}/docs/", server.base_url());
    let profile = tempfile::tempdir().expect("profile dir");
    let user_data_dir = format!("--user-data-dir={}", profile.path().display());
    let output = tokio::task::spawn_blocking(move || {
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &user_data_dir,
                "--virtual-time-budget=10000",
                "--dump-dom",
                &url,
            ])
            .output()
    })
    .await
    .expect("join")
    .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let spec = spec_yaml();
    let paths = spec["paths"].as_object().expect("paths");
    for item in paths.values() {
        for operation in item.as_object().expect("path item").values() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            assert!(
                dom.contains(&format!(
                    "operations-{}-{id}",
                    operation["tags"][0].as_str().unwrap_or("default")
                )),
                "operation {id} is not rendered; DOM starts: {}",
                dom.chars().take(2000).collect::<String>()
            );
        }
    }
}
