//! medsys reference server: both APIs (mgr and procurement) on axum + sqlx.
