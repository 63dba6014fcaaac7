//! The mgr API (`/api/mgr/...`, `openapi/mgr.yaml`): the medical back office.
//!
//! Reading order: [`domain`] (records and rules, no HTTP, no SQL), [`store`] (queries),
//! [`error`] (the `ret` envelope and the mapping of every failure to it), [`extract`]
//! (request extractors and the session), [`http`] (handlers, one file per tag).

pub mod domain;
pub mod error;
pub mod extract;
pub mod http;
pub mod store;

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::app::AppState;
use http::{customers, medicines, orders, profile, session};

/// Document-level parts of the derived OpenAPI document; the operations come from the
/// handlers' `#[utoipa::path]` annotations via [`router`].
#[derive(OpenApi)]
#[openapi(
    info(title = "medsys mgr API"),
    modifiers(&SessionCookie),
)]
struct MgrDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "sessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(extract::SESSION_COOKIE))),
        );
    }
}

/// Every mgr route with its OpenAPI description; the router and the derived document come from
/// the same list, so a route cannot exist without being documented.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(MgrDoc::openapi())
        .routes(routes!(session::signin))
        .routes(routes!(session::signout))
        .routes(routes!(
            customers::list_customer,
            customers::add_customer,
            customers::modify_customer,
            customers::del_customer
        ))
        .routes(routes!(
            medicines::list_medicine,
            medicines::add_medicine,
            medicines::modify_medicine,
            medicines::del_medicine
        ))
        .routes(routes!(
            orders::list_order,
            orders::add_order,
            orders::modify_order,
            orders::del_order
        ))
        .routes(routes!(profile::get_my_profile, profile::modify_my_profile))
}

/// The OpenAPI document derived from the code (compared with `openapi/mgr.yaml` by a test).
pub fn derived_openapi() -> utoipa::openapi::OpenApi {
    router().into_openapi()
}
