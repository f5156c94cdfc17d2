//! The namespace lab itself (`scripts/lab.sh`): its own self-test brings a lab up, checks
//! routing, services, delay, loss, silent and rate-limited routers and the unreachable
//! addresses with real packets, runs two labs at once, and leaves nothing behind.

mod common;

#[test]
fn lab_selftest_passes() {
    if let Some(why) = common::lab::unavailable() {
        eprintln!("skipped: the namespace lab {why}");
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lab-selftest.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .output()
        .expect("run lab-selftest.sh");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(log.contains("all checks passed"), "{log}");
}
