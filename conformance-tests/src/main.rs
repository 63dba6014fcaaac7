//! `medsys-conformance` binary entry point.

fn main() {
    println!("medsys-conformance: not yet implemented");
}
