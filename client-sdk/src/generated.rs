//! Code generated from `openapi/*.yaml` by `cargo xtask codegen`; see the files in `generated/`.
//!
//! The public items are re-exported by [`crate::mgr`] and [`crate::procurement`].

// Formatted by prettyplease, not rustfmt, so that `cargo xtask codegen --check` is stable.
#[rustfmt::skip]
pub(crate) mod mgr;
#[rustfmt::skip]
pub(crate) mod procurement;
