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

/// `head` with a payload of `n` bytes after it.
fn with_load(head: &str, n: usize) -> String {
    format!("{head}/Raw(load=\"{}\")", "x".repeat(n))
}

/// `pkt craft EXPR --raw` refuses the expression: exit status 1, and the error's caret line
/// underlines exactly `layer` in the expression as shown (a long one is shown with its middle
/// elided, `...` in both lines: then its two ends are compared).
fn refused(expr: &str, layer: &str) -> String {
    let out = pkt(&["craft", expr, "--raw"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{expr:.80}: {err}");
    assert!(out.stdout.is_empty());
    assert!(err.starts_with("pkt: bad expression\nerror: "), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let src = lines
        .iter()
        .find(|l| l.starts_with("1 | "))
        .expect("source line");
    let caret = lines.iter().find(|l| l.contains('^')).expect("caret line");
    let at = caret.find('^').unwrap();
    let n = caret[at..]
        .chars()
        .take_while(|c| *c == '^' || *c == '.')
        .count();
    let shown = &src[at..at + n];
    match shown.split_once("...") {
        Some((head, tail)) => {
            assert!(layer.starts_with(head) && layer.ends_with(tail), "{err}");
            assert!(head.len() > 4 && !tail.is_empty(), "{err}");
        }
        None => assert_eq!(shown, layer, "{err}"),
    }
    err
}

#[test]
fn computed_lengths_that_do_not_fit_are_errors() {
    let err = refused(&with_load("IP()", 70_000), "IP()");
    assert!(
        err.contains("IP.len would be 70020 (bytes of header and payload), more than its 16 bits hold (65535)"),
        "{err}"
    );
    assert!(
        err.contains("fragment it, or give an explicit len="),
        "{err}"
    );
    let err = refused(&with_load("IPv6()", 70_000), "IPv6()");
    assert!(err.contains("IPv6.plen would be 70000"), "{err}");
    let err = refused(&with_load("IP()/UDP()", 65_530), "IP()");
    assert!(err.contains("IP.len would be 65558"), "{err}");
    let err = refused(&with_load("IP(len=20)/UDP()", 65_530), "UDP()");
    assert!(err.contains("UDP.len would be 65538"), "{err}");
    assert!(err.contains("set len= explicitly"), "{err}");
    let err = refused(&with_load("Dot3()", 65_536), "Dot3()");
    assert!(err.contains("Dot3.len would be 65536"), "{err}");
}

#[test]
fn options_that_do_not_fit_their_header_are_errors() {
    let tcp =
        "TCP(options=[(254, b\"01234567890123456789012\"), (253, b\"01234567890123456789012\")])";
    let err = refused(&format!("IP()/{tcp}"), tcp);
    assert!(
        err.contains("TCP.dataofs would be 18 (4-byte words: a 72-byte header), more than its 4 bits hold (15)"),
        "{err}"
    );
    assert!(err.contains("fewer options"), "{err}");
    let opt = format!("IPOption(value=b\"{}\")", "x".repeat(20));
    let ip = format!("IP(options=[{opt}, {opt}])");
    let err = refused(&ip, &ip);
    assert!(err.contains("IP.ihl would be 16"), "{err}");
    let hbh = format!(
        "IPv6ExtHdrHopByHop(options=[{}])",
        vec![format!("PadN(optdata=b\"{}\")", "x".repeat(250)); 9].join(", ")
    );
    let err = refused(&format!("IPv6()/{hbh}"), &hbh);
    assert!(err.contains("IPv6ExtHdrHopByHop.len would be"), "{err}");
    let nd = format!("ICMPv6NDOptUnknown(data=\"{}\")", "x".repeat(2100));
    let err = refused(&format!("IPv6()/ICMPv6ND_NS()/{nd}"), &nd);
    assert!(err.contains("ICMPv6NDOptUnknown.len would be 263"), "{err}");
    let hbh = format!(
        "IPv6ExtHdrHopByHop(options=[PadN(optdata=b\"{}\")])",
        "x".repeat(256)
    );
    let err = refused(&format!("IPv6()/{hbh}"), &hbh);
    assert!(
        err.contains("IPv6ExtHdrHopByHop.options[PadN].optlen would be 256"),
        "{err}"
    );
    let opts = (0..130)
        .map(|i| format!("\"2001:db8::{i:x}\""))
        .collect::<Vec<_>>()
        .join(",");
    let rh = format!("IPv6ExtHdrRouting(addresses=[{opts}])");
    let err = refused(&format!("IPv6()/{rh}"), &rh);
    assert!(err.contains("IPv6ExtHdrRouting.len would be 260"), "{err}");
}

#[test]
fn nested_ip_is_checked_at_every_level() {
    // The inner packet is 65535 bytes (it fits): the outer one is what does not.
    let err = refused(&with_load("IP()/IP()", 65_515), "IP()");
    assert!(err.contains("IP.len would be 65555"), "{err}");
    assert!(err.contains("\n  | ^^^^\n"), "the outer IP: {err}");
    let out = pkt(&["craft", &with_load("IP()/IP()", 65_495), "--raw"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(&out.stdout[2..4], &[0xff, 0xff]);
    assert_eq!(&out.stdout[22..24], &[0xff, 0xeb]);
}

#[test]
fn explicit_lengths_are_written_as_given() {
    let out = pkt(&["craft", &with_load("IP(len=20)", 70_000), "--raw"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout.len(), 70_020);
    assert_eq!(&out.stdout[..4], &[0x45, 0x00, 0x00, 0x14]);
    assert!(out.stdout[20..].iter().all(|b| *b == b'x'));
}

#[test]
fn sets_too_big_say_how_many_packets_and_the_limit() {
    let expr = "IP(dst=\"10.0.0.0/8\")";
    let out = pkt(&["craft", expr]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("IP.dst=\"10.0.0.0/8\" would make 16777216 packets, more than the limit of 1048576 per expression"),
        "{err}"
    );
    assert!(err.contains("\n  |        ^^^^^^^^^^^^\n"), "{err}");
    assert!(!err.contains("expects an IPv4 address"), "{err}");
    let out = pkt(&["craft", "IP(dst=\"10.0.0.0/16\")/TCP(dport=(1,100))"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("would make 6553600 packets, more than the limit of 1048576"),
        "{err}"
    );
    assert!(
        err.contains("TCP.dport's 100 values take it from 65536"),
        "{err}"
    );
}
