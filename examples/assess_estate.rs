//! Assess an estate file and print every blocker with its fix.
//!
//! `cargo run -p failback-examples --example assess_estate -- examples/estates/healthy.json`

use failback_core::{assess, Estate, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/estates/healthy.json".to_string());
    let estate = Estate::from_path(&path)?;
    let report = assess(&estate, &Request::default())?;
    println!(
        "{}: {} items, {} blocked",
        path,
        report.item_count(),
        report.blocked_count()
    );
    for f in report.blockers() {
        println!(
            "  {} {}: {}\n      fix: {}",
            f.rule, f.subject, f.message, f.remediation
        );
    }
    Ok(())
}
