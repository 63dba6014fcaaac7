//! The SDK's test binary (one binary, so the 2-core CI links once): generated wiremock tests of
//! every case of both specs, hand-written tests of the runtime (sessions, tokens, files,
//! paging) and of the SDK in the field (new enum values, proxies, retries, secrets, tokens
//! shared by many tasks).

// Generated files are formatted by prettyplease, not rustfmt.
#[rustfmt::skip]
mod mgr_cases;
#[rustfmt::skip]
mod procurement_cases;
mod field;
mod runtime;
mod support;
