//! `pkt craft` and `pkt ls` from the command line.

mod common;

use common::{pkt, stderr, stdout, temp_dir};

#[test]
fn summary_lines_one_per_packet_of_the_set() {
    let out = pkt(&[
        "craft",
        "IP(src=\"192.0.2.1\",dst=\"198.51.100.2\")/TCP(dport=[22,80,443],flags=\"S\")",
        "-t",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<_> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        [
            "IP / TCP 192.0.2.1:20 > 198.51.100.2:22 S",
            "IP / TCP 192.0.2.1:20 > 198.51.100.2:80 S",
            "IP / TCP 192.0.2.1:20 > 198.51.100.2:443 S"
        ]
    );
}

#[test]
fn raw_bytes_are_scapys() {
    // The first line of tests/data/craft-vectors.tsv that builds one IPv4/UDP packet.
    let expr = "IP(src=\"192.0.2.1\",dst=\"198.51.100.2\")/UDP(sport=5353,dport=9999)/\"hello\"";
    let line = include_str!("data/craft-vectors.tsv")
        .lines()
        .find(|l| l.starts_with(&format!("{expr}\t")))
        .unwrap();
    let want = line.split('\t').nth(1).unwrap();
    let out = pkt(&["craft", expr, "--raw"]);
    assert!(out.status.success());
    let got: String = out.stdout.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got, want);
}

#[test]
fn json_view_has_the_fields_set() {
    let out = pkt(&[
        "craft",
        "IPv6(dst=\"2001:db8::1\")/ICMPv6EchoRequest(id=7,seq=1)",
        "--json",
    ]);
    let r: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(r["linktype"], 101);
    assert_eq!(r["layers"][0]["dst"], "2001:db8::1");
    assert_eq!(r["layers"][0]["nh"], 58);
    assert_eq!(r["layers"][1]["layer"], "ICMPv6EchoRequest");
    assert_eq!(
        (
            r["layers"][1]["id"].as_u64(),
            r["layers"][1]["seq"].as_u64()
        ),
        (Some(7), Some(1))
    );
    assert!(r.get("errors").is_none(), "{r}");
}

#[test]
fn pcap_output_reads_back_with_the_link_type_of_the_first_layer() {
    let dir = temp_dir("craft_pcap");
    for (expr, linktype, n) in [
        ("Ether()/IP(dst=\"192.0.2.0/30\")/ICMP()", 1, 4),
        ("IP(dst=\"192.0.2.1\",ttl=(1,3))/UDP(dport=33434)", 101, 3),
    ] {
        let file = dir.join(format!("lt{linktype}.pcap"));
        let out = pkt(&["craft", expr, "-w", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
        let back = pkt(&["read", file.to_str().unwrap(), "--json"]);
        let recs: Vec<serde_json::Value> = stdout(&back)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(recs.len(), n, "{expr}");
        for r in &recs {
            assert_eq!(r["linktype"], linktype);
            assert!(r.get("errors").is_none(), "{r}");
        }
    }
}

#[test]
fn bad_expression_shows_a_caret_under_the_fault() {
    let expr = "IP(dst=\"192.0.2.1\",tll=3)/TCP()";
    let out = pkt(&["craft", expr]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    let src = lines.iter().position(|l| l.ends_with(expr)).expect(&err);
    let caret = lines[src + 1];
    let col = lines[src].find(expr).unwrap() + expr.find("tll").unwrap();
    assert_eq!(caret.find('^'), Some(col), "{err}");
    assert!(err.contains("did you mean ttl?"), "{err}");
}

#[test]
fn ls_lists_layers_and_fields() {
    let all = stdout(&pkt(&["ls"]));
    assert!(all.lines().any(|l| l.starts_with("ICMPv6ND_NS ")), "{all}");
    let tcp = stdout(&pkt(&["ls", "TCP"]));
    assert!(tcp.contains("dataofs  : bits (4)"), "{tcp}");
    assert!(tcp.contains("= None (computed)"), "{tcp}");
    assert!(
        tcp.contains("flags    : flags (9 bits: FSRPAUECN)          = 2 (\"S\")"),
        "{tcp}"
    );
    let bad = pkt(&["ls", "TPC"]);
    assert_eq!(bad.status.code(), Some(1));
}
