//! What browsers get: security headers on every response (APIs, errors, files, the docs page),
//! and CORS that is off by default and follows `--cors-origin` when set.

use reqwest::{Method, header};
use serde_json::json;

use crate::support::{Backend, TestServer, run_configured};

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

fn assert_secure(reply: &crate::support::Reply, what: &str, csp: &str) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", csp),
    ] {
        assert_eq!(
            reply
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok()),
            Some(value),
            "{what}: header {name}"
        );
    }
}

async fn every_response_is_locked_down(server: TestServer) {
    let api = server.admin().await;
    let reply = api
        .get("/api/mgr/customers", &[("action", "list_customer")])
        .await;
    assert_secure(&reply, "an mgr answer", API_CSP);
    assert_eq!(
        reply
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap_or("")),
        Some("no-store")
    );
    let reply = server.client().get("/api/mgr/customers", &[]).await;
    assert_secure(&reply, "the 302 without a session", API_CSP);
    let reply = server.client().get("/api/mgr/nothing-here", &[]).await;
    assert_secure(&reply, "a 404", API_CSP);
    let big = "x".repeat(3 * 1024 * 1024);
    let reply = api
        .send(api.request(Method::POST, "/api/mgr/customers").body(big))
        .await;
    assert_eq!(reply.status.as_u16(), 413);
    assert_secure(&reply, "a 413", API_CSP);
    let reply = server
        .client()
        .get("/user/info", &[("id", "12345678910")])
        .await;
    assert_eq!(reply.body["code"], json!(3), "{}", reply.text);
    assert_secure(&reply, "a procurement refusal", API_CSP);
    let reply = server.client().get("/docs/", &[]).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_secure(&reply, "the docs page", medsys_server::security::DOCS_CSP);
    // No cross-origin access unless configured.
    let reply = server
        .client()
        .send(
            server
                .client()
                .request(Method::GET, "/openapi/mgr.json")
                .header(header::ORIGIN, "https://evil.example"),
        )
        .await;
    assert!(
        reply
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_locked_down_on_sqlite() {
    run_configured(Backend::Sqlite, |_| {}, every_response_is_locked_down).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_locked_down_on_postgres() {
    run_configured(Backend::Postgres, |_| {}, every_response_is_locked_down).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_locked_down_on_mysql() {
    run_configured(Backend::Mysql, |_| {}, every_response_is_locked_down).await;
}

async fn configured_origins_may_call_with_credentials(server: TestServer) {
    let api = server.client();
    let preflight = api
        .send(
            api.request(Method::OPTIONS, "/order/orders")
                .header(header::ORIGIN, "https://app.example.org")
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization"),
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    let header_of = |reply: &crate::support::Reply, name: header::HeaderName| {
        reply
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header_of(&preflight, header::ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some("https://app.example.org")
    );
    assert_eq!(
        header_of(&preflight, header::ACCESS_CONTROL_ALLOW_CREDENTIALS).as_deref(),
        Some("true")
    );
    let allowed = header_of(&preflight, header::ACCESS_CONTROL_ALLOW_HEADERS).unwrap_or_default();
    assert!(allowed.contains("authorization"), "{allowed}");

    // A real call: the refreshed token header is readable by the page.
    let reply = api
        .send(
            api.request(Method::POST, "/user/login")
                .header(header::ORIGIN, "https://app.example.org")
                .json(&json!({"id": "12345678910", "password": "wrong-password"})),
        )
        .await;
    assert_eq!(
        header_of(&reply, header::ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some("https://app.example.org")
    );
    let exposed = reply
        .headers
        .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase();
    assert!(exposed.contains("authorization"), "{exposed}");

    // Other origins get no grant.
    let reply = api
        .send(
            api.request(Method::GET, "/openapi/mgr.json")
                .header(header::ORIGIN, "https://evil.example"),
        )
        .await;
    assert!(
        reply
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_origins_may_call_with_credentials_on_sqlite() {
    run_configured(
        Backend::Sqlite,
        |config| config.cors_origin = vec!["https://app.example.org".to_owned()],
        configured_origins_may_call_with_credentials,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wildcard_origin_never_grants_credentials() {
    run_configured(
        Backend::Sqlite,
        |config| config.cors_origin = vec!["*".to_owned()],
        |server: TestServer| async move {
            let api = server.client();
            let reply = api
                .send(
                    api.request(Method::GET, "/openapi/mgr.json")
                        .header(header::ORIGIN, "https://anyone.example"),
                )
                .await;
            assert_eq!(
                reply
                    .headers
                    .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                    .and_then(|v| v.to_str().ok()),
                Some("*")
            );
            assert!(
                reply
                    .headers
                    .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
                    .is_none()
            );
        },
    )
    .await;
}
