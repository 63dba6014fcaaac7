//! The procurement API (`openapi/procurement.yaml`): equipment purchase orders, their approval
//! workflow, notices, files and user administration, behind HS256 bearer tokens.
//!
//! Reading order: [`domain`] (roles, statuses, ids, texts, validation; no HTTP, no SQL),
//! [`token`] (JWTs), [`store`] (queries), [`excel`] (workbooks), [`error`] (the
//! `{success, code, msg, data}` envelope and the mapping of every failure to it), [`extract`]
//! (request extractors, the bearer check and the refresh layer), [`http`] (handlers, one file
//! per tag).

pub mod domain;
pub mod error;
pub mod excel;
pub mod extract;
pub mod http;
pub mod setup;
pub mod store;
pub mod token;

use std::sync::Arc;

use axum::{Extension, Router, extract::DefaultBodyLimit};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::AppState;
use http::{admin, department, dept, inst, notice, order, user};

/// Largest request body of the procurement API: uploads are checked against their own limits
/// (1 MB signatures, 5 MB workbooks) after the body is read, up to this size.
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(info(title = "medsys procurement API"), modifiers(&BearerAuth))]
struct ProcurementDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// Every procurement route with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ProcurementDoc::openapi())
        .routes(routes!(user::login))
        .routes(routes!(user::get_user_info))
        .routes(routes!(user::logout))
        .routes(routes!(user::change_password))
        .routes(routes!(department::list_departments))
        .routes(routes!(
            order::create_order,
            order::update_order,
            order::get_order
        ))
        .routes(routes!(order::recall_order))
        .routes(routes!(order::delete_order))
        .routes(routes!(order::list_orders))
        .routes(routes!(order::export_order_excel, order::upload_signature))
        .routes(routes!(order::download_feasibility_report))
        .routes(routes!(order::download_signature))
        .routes(routes!(notice::count_unread_notices))
        .routes(routes!(notice::get_notice))
        .routes(routes!(notice::list_notices))
        .routes(routes!(dept::dept_search_orders))
        .routes(routes!(dept::dept_list_pending))
        .routes(routes!(dept::dept_approve))
        .routes(routes!(dept::dept_deny))
        .routes(routes!(inst::inst_search_orders))
        .routes(routes!(inst::inst_list_pending))
        .routes(routes!(inst::inst_approve))
        .routes(routes!(inst::inst_deny))
        .routes(routes!(admin::admin_delete_order))
        .routes(routes!(admin::admin_list_deleted_orders))
        .routes(routes!(admin::admin_restore_order))
        .routes(routes!(admin::admin_list_users))
        .routes(routes!(
            admin::admin_get_user,
            admin::admin_add_user,
            admin::admin_update_user
        ))
        .routes(routes!(admin::admin_import_users))
        .routes(routes!(admin::admin_download_user_template))
}

/// The procurement routes ready to merge: the refresh layer, the shared state (signing secret)
/// and the body limit of uploads.
pub fn routes() -> Router<AppState> {
    let (routes, _doc) = router().split_for_parts();
    routes
        .layer(axum::middleware::from_fn(extract::attach_refreshed_token))
        .layer(Extension(Arc::new(extract::Shared::default())))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The OpenAPI document derived from the code.
pub fn derived_openapi() -> utoipa::openapi::OpenApi {
    router().into_openapi()
}

/// Whether a request path belongs to the procurement API (for the fallbacks).
pub fn owns_path(path: &str) -> bool {
    !path.starts_with("/api/mgr") && !path.starts_with("/docs") && !path.starts_with("/openapi")
}
