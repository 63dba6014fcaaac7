//! The procurement API (`openapi/procurement.yaml`): equipment purchase orders, their approval
//! workflow, notices, files and user administration, behind HS256 bearer tokens.
//!
//! Reading order: [`generated`] (every operation's operationId, method, path and `x-roles`,
//! its query parameters and its JSON request body, generated from the spec), [`domain`] (roles, statuses, transitions, ids, texts, validation;
//! no HTTP, no SQL), [`token`] (JWTs), [`store`] (queries), [`excel`] (workbooks), [`error`]
//! (the `{success, code, msg, data}` envelope and the mapping of every failure to it),
//! [`extract`] (request extractors, the bearer and role checks, the refresh layer), [`http`]
//! (handlers, one file per tag), and [`routes`], which binds each generated operation to its
//! handler.

pub mod domain;
pub mod error;
pub mod excel;
pub mod extract;
// Formatted by prettyplease, not rustfmt, so that `cargo xtask codegen --check` is stable.
#[rustfmt::skip]
pub mod generated;
pub mod http;
pub mod setup;
pub mod store;
pub mod token;

use std::sync::Arc;

use axum::{
    Extension, Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    routing::{MethodFilter, on},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::AppState;
use generated::*;
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

/// Every procurement handler with its utoipa description, for the drift test only: the served
/// document is the YAML itself, and the routes come from [`generated`] ([`routes`]).
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

/// Binds each generated operation to its handler: the path and method come from the spec, never
/// from the server's code. The handler's first argument, `Authorized<Op>`, checks the roles of
/// the same operation.
struct Bind {
    router: Router<AppState>,
    bound: Vec<&'static str>,
}

impl Bind {
    fn op<E: Endpoint, H: Handler<T, AppState>, T: 'static>(mut self, _: E, handler: H) -> Self {
        let operation = E::OPERATION;
        let method = match operation.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Delete => MethodFilter::DELETE,
        };
        self.router = self.router.route(operation.path, on(method, handler));
        self.bound.push(operation.id);
        self
    }
}

/// Every operation of the spec with its handler, and the operationIds bound, in order.
fn bind() -> Bind {
    Bind {
        router: Router::new(),
        bound: Vec::new(),
    }
    .op(Login, user::login)
    .op(GetUserInfo, user::get_user_info)
    .op(Logout, user::logout)
    .op(ChangePassword, user::change_password)
    .op(ListDepartments, department::list_departments)
    .op(GetOrder, order::get_order)
    .op(CreateOrder, order::create_order)
    .op(UpdateOrder, order::update_order)
    .op(RecallOrder, order::recall_order)
    .op(DeleteOrder, order::delete_order)
    .op(ListOrders, order::list_orders)
    .op(ExportOrderExcel, order::export_order_excel)
    .op(UploadSignature, order::upload_signature)
    .op(
        DownloadFeasibilityReport,
        order::download_feasibility_report,
    )
    .op(DownloadSignature, order::download_signature)
    .op(CountUnreadNotices, notice::count_unread_notices)
    .op(GetNotice, notice::get_notice)
    .op(ListNotices, notice::list_notices)
    .op(DeptSearchOrders, dept::dept_search_orders)
    .op(DeptListPending, dept::dept_list_pending)
    .op(DeptApprove, dept::dept_approve)
    .op(DeptDeny, dept::dept_deny)
    .op(InstSearchOrders, inst::inst_search_orders)
    .op(InstListPending, inst::inst_list_pending)
    .op(InstApprove, inst::inst_approve)
    .op(InstDeny, inst::inst_deny)
    .op(AdminDeleteOrder, admin::admin_delete_order)
    .op(AdminListDeletedOrders, admin::admin_list_deleted_orders)
    .op(AdminRestoreOrder, admin::admin_restore_order)
    .op(AdminListUsers, admin::admin_list_users)
    .op(AdminGetUser, admin::admin_get_user)
    .op(AdminAddUser, admin::admin_add_user)
    .op(AdminUpdateUser, admin::admin_update_user)
    .op(AdminImportUsers, admin::admin_import_users)
    .op(
        AdminDownloadUserTemplate,
        admin::admin_download_user_template,
    )
}

/// The procurement routes ready to merge: the refresh layer, the shared state (signing secret)
/// and the body limit of uploads.
pub fn routes() -> Router<AppState> {
    bind()
        .router
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_routed_once_in_spec_order() {
        let spec: Vec<&str> = OPERATIONS.iter().map(|operation| operation.id).collect();
        assert_eq!(bind().bound, spec);
    }
}
