//! Run with: cargo run -p db-server
fn main() {}
