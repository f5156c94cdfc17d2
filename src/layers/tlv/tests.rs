use super::*;
use crate::layers::dhcp::OPTIONS;

fn json(b: &[u8]) -> String {
    let mut s = String::new();
    write_json(&OPTIONS, b, &mut s);
    s
}

#[test]
fn options_read_and_render_as_scapy_renders_them() {
    // scapy: DHCP(options=[("message-type","offer"),("name_server","192.0.2.53","198.51.100.53"),
    // ("param_req_list",[1,3]),("domain","example.test"),(200,b"\x01"),
    // ("classless_static_routes",["198.51.100.0/24:192.0.2.254"]),"end","pad"])
    let b = crate::test_util::hex(
        "3501020608c0000235c6336435370201030f0c6578616d706c652e74657374c80101790818c63364c00002feff00",
    );
    assert_eq!(
        json(&b),
        r#"[["message-type",2],["name_server","192.0.2.53","198.51.100.53"],["param_req_list",[1,3]],["domain","example.test"],[200,"01"],["classless_static_routes",["198.51.100.0/24:192.0.2.254"]],"end","pad"]"#
    );
    let mut s = String::new();
    write_show(&OPTIONS, &b, &mut s);
    assert_eq!(
        s,
        "[message-type=offer name_server=192.0.2.53,198.51.100.53 param_req_list=[1, 3] \
         domain=b'example.test' 200=b'\\x01' classless_static_routes=[198.51.100.0/24:192.0.2.254] end pad]"
    );
    assert_eq!(check(&OPTIONS, &b), None);
    // The JSON form reads back to the same bytes.
    let j: serde_json::Value = serde_json::from_str(&json(&b)).unwrap();
    assert_eq!(from_json(&OPTIONS, &j).unwrap(), b);
}

#[test]
fn what_is_not_an_option_ends_the_options_and_is_kept() {
    // A router option of 5 bytes (scapy cannot read it either), then more options.
    let b = [3, 5, 192, 0, 2, 1, 9, 53, 1, 1, 255];
    assert_eq!(
        json(&b),
        r#"["03"#.to_string() + r#"05c000020109350101ff"]"#
    );
    assert_eq!(
        check(&OPTIONS, &b),
        Some((0, "a value its option cannot read"))
    );
    // A length past the data, after one good option.
    let b = [53, 1, 1, 12, 200, b'x'];
    assert_eq!(json(&b), r#"[["message-type",1],"0cc878"]"#);
    assert_eq!(check(&OPTIONS, &b), Some((3, "length past the data")));
    // A code without a length byte.
    assert_eq!(json(&[53]), r#"["35"]"#);
    // Every prefix and every mutated byte reads without panic, and JSON gives the bytes back.
    let good = crate::test_util::hex("3501020608c0000235c633643537020103790818c63364c00002feff");
    for cut in 0..=good.len() {
        for x in [None, Some(0u8), Some(4), Some(255)] {
            let mut m = good[..cut].to_vec();
            if let (Some(x), Some(last)) = (x, m.last_mut()) {
                *last = x;
            }
            let j: serde_json::Value = serde_json::from_str(&json(&m)).unwrap();
            assert_eq!(from_json(&OPTIONS, &j).unwrap(), m, "{m:02x?}");
        }
    }
}

#[test]
fn options_encode_from_names_values_and_codes() {
    let g = |name: &str, args: Vec<Arg>| Given::Named(name.into(), args);
    let b = encode_all(
        &OPTIONS,
        &[
            g("message-type", vec![Arg::Text("request".into())]),
            g("requested_addr", vec![Arg::Text("192.0.2.9".into())]),
            g(
                "param_req_list",
                vec![Arg::List(vec![Arg::Int(1), Arg::Int(3)])],
            ),
            g("lease_time", vec![Arg::Int(3600)]),
            g("hostname", vec![Arg::Text("h".into())]),
            Given::Code(82, vec![Arg::Bytes(vec![1, 2])]),
            Given::BareCode(80),
            Given::Bare("end".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        b,
        [
            53, 1, 3, 50, 4, 192, 0, 2, 9, 55, 2, 1, 3, 51, 4, 0, 0, 14, 16, 12, 1, b'h', 82, 2, 1,
            2, 80, 0, 255
        ]
    );
    let err = |g: Given| encode_all(&OPTIONS, &[g]).unwrap_err();
    assert!(err(g("message-type", vec![Arg::Text("hello".into())])).contains("discover"));
    assert!(err(g("router", vec![Arg::Text("192.0.2".into())])).contains("IPv4"));
    assert!(err(g("lease_time", vec![Arg::Int(1 << 32)])).contains("4294967295"));
    assert!(err(g("nosuch", vec![])).contains("unknown option 'nosuch'"));
    assert!(err(Given::Bare("hostname".into())).contains("needs a value"));
    assert!(err(g("hostname", vec![Arg::Bytes(vec![0; 256])])).contains("255"));
    assert!(err(Given::BareCode(256)).contains("0 to 255"));
}

#[test]
fn text_escapes_round_trip() {
    let all: Vec<u8> = (0..=255).collect();
    let t = escape_text(&all);
    assert!(t.is_ascii());
    assert_eq!(unescape_text(&t).unwrap(), all);
    assert_eq!(escape_text(b"a\\b"), "a\\\\b");
    assert!(unescape_text("\\").is_err());
    assert!(unescape_text("\\300").is_err());
}
