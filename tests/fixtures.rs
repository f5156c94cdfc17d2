//! The fixtures in captures/ (made by scripts/make-captures.py) read back exactly as their
//! expected NDJSON says, in every view, and every record follows the JSON Schema.

mod common;

use std::path::{Path, PathBuf};

fn captures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("captures/")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    v.sort();
    assert!(
        v.len() >= 9,
        "expected the fixtures of scripts/make-captures.py, found {v:?}"
    );
    v
}

#[test]
fn json_matches_the_expected_records_exactly() {
    for cap in captures() {
        let expected_path = cap.with_extension("ndjson");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let out = common::pkt(&["read", cap.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{}: {}",
            cap.display(),
            common::stderr(&out)
        );
        let got = common::stdout(&out);
        for (i, (g, e)) in got.lines().zip(expected.lines()).enumerate() {
            assert_eq!(g, e, "{} record {}", cap.display(), i + 1);
        }
        assert_eq!(
            got.lines().count(),
            expected.lines().count(),
            "{}",
            cap.display()
        );
    }
}

#[test]
fn every_record_follows_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../src/output/packet.schema.json")).unwrap();
    assert_eq!(
        schema["version"], 1,
        "schema version and CONTRACT_VERSION move together"
    );
    let top = schema["properties"].as_object().unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let err_keys = schema["properties"]["errors"]["items"]["properties"]
        .as_object()
        .unwrap();
    let mut records = 0;
    for cap in captures() {
        let out = common::pkt(&["read", cap.to_str().unwrap(), "--json"]);
        for line in common::stdout(&out).lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            let obj = r.as_object().unwrap();
            for k in obj.keys() {
                assert!(
                    top.contains_key(k),
                    "{}: key {k} not in the schema",
                    cap.display()
                );
            }
            for k in &required {
                assert!(obj.contains_key(*k), "{}: {k} missing", cap.display());
            }
            for l in r["layers"].as_array().unwrap() {
                assert!(l["layer"].is_string());
                for (k, v) in l.as_object().unwrap() {
                    assert!(
                        v.is_i64() || v.is_u64() || v.is_string() || v.is_array() || v.is_object(),
                        "{k}: {v}"
                    );
                }
            }
            for e in r["errors"].as_array().into_iter().flatten() {
                for k in e.as_object().unwrap().keys() {
                    assert!(err_keys.contains_key(k), "error key {k}");
                }
            }
            records += 1;
        }
    }
    assert!(records > 50);
}

#[test]
fn text_views_name_every_layer() {
    let cap = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/ipv6.pcap");
    let summary = common::stdout(&common::pkt(&["read", cap.to_str().unwrap()]));
    assert!(
        summary.contains("Ether / IPv6 / ICMPv6EchoRequest 2001:db8::1 > 2001:db8:1::2"),
        "{summary}"
    );
    assert!(
        summary.contains("IPv6ExtHdrHopByHop / IPv6ExtHdrDestOpt / UDP"),
        "{summary}"
    );
    let show = common::stdout(&common::pkt(&[
        "read",
        cap.to_str().unwrap(),
        "--show",
        "-c",
        "1",
    ]));
    assert!(show.contains("###[ ICMPv6 Echo Request ]###"), "{show}");
    assert!(show.contains("data      = b'abcdef'"), "{show}");
    let hex = common::stdout(&common::pkt(&[
        "read",
        cap.to_str().unwrap(),
        "--hex",
        "-c",
        "1",
    ]));
    assert!(
        hex.lines()
            .nth(1)
            .unwrap()
            .starts_with("0000  02 00 00 00 00 02 02 00 00 00 00 01 86 DD"),
        "{hex}"
    );
}
