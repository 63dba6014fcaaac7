//! What every response carries for the browser's safety, and cross-origin access (CORS).
//!
//! The APIs answer JSON or file downloads, never pages, so their responses forbid everything a
//! browser could do with them (`Content-Security-Policy: default-src 'none'`), may not be framed
//! and are not cached (they hold personal data). The docs page loads its own scripts and styles,
//! so it gets a policy that allows exactly those.
//!
//! CORS is off by default: front ends served from the same origin (or through a proxy) need
//! nothing. `--cors-origin https://app.example` (repeatable) lets those origins call both APIs
//! with credentials (the mgr cookie, the procurement `Authorization` header, which is also exposed
//! so the refreshed token can be read); `--cors-origin '*'` lets any origin call without
//! credentials.

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, header},
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};

/// The policy of API responses: nothing may load, run or frame.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of the docs page: Swagger UI's own scripts, styles and the specs from this origin
/// (it sets inline styles and shows data: images).
pub const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' \
                            'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response of `router`, leaving any already set (the docs
/// router sets its own `Content-Security-Policy` and caching).
pub fn with_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, API_CSP),
        (header::CACHE_CONTROL, "no-store"),
    ];
    fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// The docs page's own headers, set before [`with_headers`] sees the response.
pub fn docs_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// The CORS layer for the configured origins, or `None` when CORS is off.
///
/// Origins are checked when the configuration is read ([`parse_origin`]), so this cannot fail.
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::AUTHORIZATION, header::CONTENT_DISPOSITION])
        .max_age(std::time::Duration::from_secs(600));
    if origins.iter().any(|origin| origin == "*") {
        // Any origin, but then never with credentials (browsers refuse the combination, and it
        // would let every site act with a user's cookie).
        return Some(layer.allow_origin(AllowOrigin::any()));
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    Some(
        layer
            .allow_origin(AllowOrigin::list(list))
            .allow_credentials(true),
    )
}

/// Accepts `*` or an origin `scheme://host[:port]` (no path, no trailing slash), as browsers
/// send it in the `Origin` header.
pub fn parse_origin(text: &str) -> Result<String, String> {
    if text == "*" {
        return Ok(text.to_owned());
    }
    let wrong = || {
        format!(
            "`{text}` is not an origin such as https://app.example.org or http://localhost:3000"
        )
    };
    let (scheme, rest) = text.split_once("://").ok_or_else(wrong)?;
    let host_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !matches!(scheme, "http" | "https") || !host_ok || HeaderValue::from_str(text).is_err() {
        return Err(wrong());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(parse_origin("https://app.example.org").is_ok());
        assert!(parse_origin("http://localhost:3000").is_ok());
        assert!(parse_origin("*").is_ok());
        assert!(parse_origin("https://app.example.org/").is_err());
        assert!(parse_origin("app.example.org").is_err());
        assert!(parse_origin("ftp://x").is_err());
        assert!(parse_origin("https://").is_err());
    }
}
