//! Typed async client for the mgr and procurement APIs (generated from `openapi/` by `cargo xtask codegen`).
