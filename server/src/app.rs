//! The whole HTTP application: every API's router, the docs, the fallbacks and the middleware;
//! and [`start`], which `main` and the integration tests both use to run it.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, Request},
    response::IntoResponse,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{config::Config, db::Db, docs, mgr, procurement, security};

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the application router for `state`.
pub fn router(state: AppState) -> anyhow::Result<Router> {
    let body_limit = state.config.body_limit;
    let cors = security::cors(&state.config.cors_origin);
    // Each API contributes one router; the procurement API adds one `.merge(...)` line here.
    let (mgr_routes, _mgr_doc) = mgr::router().split_for_parts();
    let apis = Router::new().merge(mgr_routes).merge(procurement::routes());

    let app = apis
        .with_state(state)
        .merge(security::docs_headers(docs::router()?))
        .route("/healthz", axum::routing::get(healthz))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(body_limit));
    // Outside the body limit so that refusals (413) carry the headers too.
    let app = security::with_headers(app);
    let app = match cors {
        Some(cors) => app.layer(cors),
        None => app,
    };
    let app = app
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid));
    Ok(app)
}

/// Liveness probe (load balancers, the bench's ceiling): touches no database, outside both APIs.
async fn healthz() -> &'static str {
    "ok"
}

/// Unknown paths answer in the envelope of the API whose prefix they share (only mgr so far;
/// procurement adds its prefix here).
async fn no_route(uri: axum::http::Uri) -> axum::response::Response {
    if procurement::owns_path(uri.path()) {
        return procurement::error::ProcurementError::NoRoute.into_response();
    }
    mgr::error::MgrError::NoRoute.into_response()
}

async fn wrong_method(uri: axum::http::Uri) -> axum::response::Response {
    if procurement::owns_path(uri.path()) {
        return procurement::error::ProcurementError::MethodNotAllowed.into_response();
    }
    mgr::error::MgrError::MethodNotAllowed.into_response()
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    /// The bound address (the real port when `--listen` asked for port 0).
    pub local_addr: SocketAddr,
    db: Db,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The server's database pool (tests use it to arrange data the API cannot create).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stops accepting connections, lets in-flight requests finish, and closes the pool.
    pub async fn stop(self) -> anyhow::Result<()> {
        if self.shutdown.send(()).is_err() {
            // The server already stopped by itself; `task` below reports why.
            tracing::debug!("server task already finished");
        }
        let served = tokio::time::timeout(Duration::from_secs(30), self.task).await;
        self.db.close().await;
        match served {
            Ok(joined) => Ok(joined??),
            Err(_) => anyhow::bail!("in-flight requests did not finish within 30 seconds"),
        }
    }
}

/// Connects to and migrates the database, binds `config.listen`, and serves in the background.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    let db = Db::connect_and_migrate(&config.database_url).await?;
    start_with_db(config, db).await
}

/// [`start`] with an already migrated pool.
pub async fn start_with_db(config: Config, db: Db) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(config.listen).await?;
    let local_addr = listener.local_addr()?;
    let state = AppState {
        db: db.clone(),
        config: Arc::new(config),
    };
    let app = router(state)?;
    let (shutdown, on_shutdown) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // Either a stop request or the handle being dropped ends the server.
                drop(on_shutdown.await);
            })
            .await
    });
    tracing::info!(%local_addr, backend = ?db.backend(), "medsys-server listening");
    Ok(RunningServer {
        local_addr,
        db,
        shutdown,
        task,
    })
}
