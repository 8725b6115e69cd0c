//! Rebuilds the binary when an embedded guide changes (include_dir cannot tell cargo).
fn main() {
    println!("cargo:rerun-if-changed=../../guides");
}
