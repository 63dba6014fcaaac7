//! The library half of `cargo xtask`: each subcommand lives in its own module so it can be tested.

pub mod bench;
pub mod check;
pub mod codegen;
pub mod typescript;
