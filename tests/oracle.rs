//! The NDJSON contract measured against scapy's own dissection (../shared/oracle), on the
//! project's fixtures and on the public corpus, over every layer `pkt ls` names (scripts/oracle.py
//! --extra-layers pkt: a layer added is compared as soon as it exists). Skips, saying why, where scapy or the oracle is
//! missing — except in CI (CI=true), where .ci/run installs scapy and a skip is a failure.

use std::path::Path;
use std::process::Command;

fn ready() -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let oracle = root.join("../shared/oracle/compare.py");
    let scapy = Command::new("python3")
        .args(["-c", "import scapy"])
        .status()
        .is_ok_and(|s| s.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !oracle.exists() {
        eprintln!("skipping: ../shared/oracle not present");
        return false;
    }
    if !scapy {
        assert!(
            !ci,
            "CI must install scapy (pip install scapy) for the oracle test"
        );
        eprintln!("skipping: scapy not installed (pip install scapy)");
        return false;
    }
    true
}

/// Runs scripts/oracle.py and returns the agreement in percent: over all valid packets of the
/// supported protocols, and without the packets where pkt departs from scapy on purpose.
fn agreement(args: &[&str]) -> (f64, f64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("scripts/oracle.py"))
        .args(["--pkt", env!("CARGO_BIN_EXE_pkt"), "--json"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("summary line")).unwrap();
    assert!(last["fields"].as_u64().unwrap() > 0, "nothing was compared");
    (
        last["pct"].as_f64().unwrap(),
        last["pct_without_deliberate"].as_f64().unwrap(),
    )
}

#[test]
fn fixtures_agree_with_scapy() {
    if !ready() {
        return;
    }
    // Every layer and option pkt decodes is in these captures; the one field that differs is
    // deliberate (scapy leaves BSD loopback IPv6 undecoded on Linux).
    let (all, plain) = agreement(&["--extra-layers", "pkt", "captures"]);
    assert!(all >= 99.8, "fixtures: {all}% of fields agree with scapy");
    assert_eq!(
        plain, 100.0,
        "fixtures: {plain}% agree apart from deliberate differences"
    );
}

#[test]
fn corpus_agrees_with_scapy() {
    if !ready() {
        return;
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tcpdump-tests");
    if !corpus.exists() {
        eprintln!("skipping: ../shared/corpus not present");
        return;
    }
    let (all, plain) = agreement(&["--extra-layers", "pkt", corpus.to_str().unwrap()]);
    assert!(all >= 99.8, "corpus: {all}% of fields agree with scapy");
    assert!(
        plain >= 99.9,
        "corpus: {plain}% agree apart from deliberate differences"
    );
}
