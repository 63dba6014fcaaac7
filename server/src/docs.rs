//! The published contract: each API's checked-in spec served as JSON, and Swagger UI at
//! `/docs` (assets vendored into the binary, so it works offline).

use axum::Router;
use utoipa_swagger_ui::SwaggerUi;

/// One published spec.
pub struct Spec {
    /// Name shown in the Swagger UI spec selector.
    pub name: &'static str,
    /// Where the JSON is served.
    pub json_path: &'static str,
    /// The checked-in YAML, embedded at build time.
    pub yaml: &'static str,
}

/// Every published spec. Adding an API is one line here.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "mgr",
        json_path: "/openapi/mgr.json",
        yaml: include_str!("../../openapi/mgr.yaml"),
    },
    Spec {
        name: "procurement",
        json_path: "/openapi/procurement.json",
        yaml: include_str!("../../openapi/procurement.yaml"),
    },
];

/// Converts each spec to JSON once and mounts it, plus the Swagger UI that lists them.
pub fn router<S: Clone + Send + Sync + 'static>() -> anyhow::Result<Router<S>> {
    let mut ui = SwaggerUi::new("/docs");
    for spec in SPECS {
        let json: serde_json::Value = yaml_serde::from_str(spec.yaml)
            .map_err(|error| anyhow::anyhow!("{} spec is not valid YAML: {error}", spec.name))?;
        ui =
            ui.external_url_unchecked(utoipa_swagger_ui::Url::new(spec.name, spec.json_path), json);
    }
    Ok(Router::from(ui))
}
