//! `medsys-server` binary entry point.

fn main() {
    println!("medsys-server: not yet implemented");
}
