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
    let last = summary(args);
    (
        last["pct"].as_f64().unwrap(),
        last["pct_without_deliberate"].as_f64().unwrap(),
    )
}

/// The layers of the protocols above UDP and TCP (issue 17's wave): scapy's class names.
fn above_transport(name: &str) -> bool {
    ["DNS", "LLMNR", "BOOTP", "DHCP", "DUID", "NTP"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// scripts/oracle.py's summary line.
fn summary(args: &[&str]) -> serde_json::Value {
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
    last
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
    let last = summary(&["--extra-layers", "pkt", corpus.to_str().unwrap()]);
    let all = last["pct"].as_f64().unwrap();
    let plain = last["pct_without_deliberate"].as_f64().unwrap();
    assert!(all >= 99.8, "corpus: {all}% of fields agree with scapy");
    assert!(
        plain >= 99.9,
        "corpus: {plain}% agree apart from deliberate differences"
    );
    // Each layer above UDP and TCP on its own: at least 99.9 % of its fields (records and
    // options nested in them are compared as part of their layer's field).
    let mut seen = 0;
    for (name, l) in last["per_layer"].as_object().expect("per_layer") {
        if !above_transport(name) {
            continue;
        }
        let (fields, ok) = (
            l["fields"].as_u64().unwrap(),
            l["agreeing"].as_u64().unwrap(),
        );
        seen += 1;
        assert!(
            ok as f64 >= 0.999 * fields as f64,
            "{name}: {ok} of {fields} fields agree with scapy"
        );
    }
    for must in [
        "DNS",
        "BOOTP",
        "DHCP",
        "DHCP6_Solicit",
        "NTPHeader",
        "NTPControl",
        "NTPPrivate",
    ] {
        assert!(
            last["per_layer"].get(must).is_some(),
            "the corpus has {must} packets but none was compared"
        );
    }
    assert!(seen >= 20, "only {seen} layers above UDP/TCP compared");
}

/// Wherever scapy names a DNS, LLMNR, BOOTP, DHCP, DHCPv6 or NTP layer, pkt gets that far too
/// (../shared/oracle/depth.py: the layers scapy names past pkt's last, over the corpus).
#[test]
fn corpus_depth_reaches_every_layer_above_transport() {
    if !ready() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus/tcpdump-tests");
    if !corpus.exists() {
        eprintln!("skipping: ../shared/corpus not present");
        return;
    }
    let out = Command::new("python3")
        .arg(root.join("../shared/oracle/depth.py"))
        .arg(env!("CARGO_BIN_EXE_pkt"))
        .arg(&corpus)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("summary")).unwrap();
    assert!(last["packets"].as_u64().unwrap() > 10_000, "{last}");
    let missing: Vec<&str> = last["top_missing_layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m[0].as_str())
        .filter(|n| above_transport(n))
        .collect();
    assert!(missing.is_empty(), "scapy goes deeper, to {missing:?}");
    // The whole corpus: no lower than what was measured once these layers landed (77.97 %).
    let pct = last["pct_as_deep_as_scapy"].as_f64().unwrap();
    assert!(pct >= 77.9, "{pct}% of packets as deep as scapy");
}
