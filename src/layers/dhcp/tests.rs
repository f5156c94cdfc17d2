use super::*;
use crate::build::{build, serialize};
use crate::craft::compile;
use crate::dissect::dissect_as_new;
use crate::test_util::hex;

/// scapy: `BOOTP(op=1, xid=0x1a2b3c4d, flags=0x8000, chaddr=b"\x02\0\0\0\0\x01")/DHCP(options=
/// [("message-type","discover"),("requested_addr","192.0.2.9"),("param_req_list",[1,3,6,15]),
/// ("hostname","host.example"),(82,b"\x01\x02"),"end","pad"])`.
const DISCOVER: &str = concat!(
    "010106001a2b3c4d000080000000000000000000000000000000000002000000000100000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000638253633501013204c000020937040103060f0c0c686f73742e6578",
    "616d706c6552020102ff00",
);

fn opts_json(l: &Layer) -> String {
    let mut s = String::new();
    if let Some(Value::Bytes(b)) = l.get("options") {
        crate::layers::tlv::write_json(&OPTIONS, b, &mut s);
    }
    s
}

#[test]
fn a_discover_reads_as_scapy_reads_it() {
    let b = hex(DISCOVER);
    let p = dissect_as_new(&BOOTP, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
    assert_eq!(names, ["BOOTP", "DHCP"]);
    let bootp = &p.layers[0];
    assert_eq!(bootp.int("xid"), Some(0x1a2b3c4d));
    assert_eq!(bootp.int("flags"), Some(0x8000));
    assert_eq!(bootp.get("options"), Some(&Value::Bytes(MAGIC.to_vec())));
    assert_eq!(
        opts_json(&p.layers[1]),
        r#"[["message-type",1],["requested_addr","192.0.2.9"],["param_req_list",[1,3,6,15]],["hostname","host.example"],["relay_agent_information","0102"],"end","pad"]"#
    );
    let mut s = String::new();
    summary(&p.layers, 1, &mut s);
    assert_eq!(s, "Discover from 02:00:00:00:00:01 xid 0x1a2b3c4d");
    assert_eq!(serialize(&p.layers), b);
}

#[test]
fn bootp_without_the_cookie_keeps_its_options_as_bytes() {
    let mut b = hex(DISCOVER);
    b[236] = 0; // no magic cookie: no DHCP, and the options field is the rest
    let p = dissect_as_new(&BOOTP, &b);
    assert_eq!(p.layers.len(), 1);
    assert_eq!(
        p.layers[0].get("options"),
        Some(&Value::Bytes(b[236..].to_vec()))
    );
    let mut s = String::new();
    summary(&p.layers, 0, &mut s);
    assert_eq!(s, "Request from 02:00:00:00:00:01 xid 0x1a2b3c4d");
}

#[test]
fn an_expression_builds_scapys_bytes() {
    let e = r#"BOOTP(op=1, xid=0x1a2b3c4d, flags=0x8000, chaddr="02:00:00:00:00:01")/DHCP(options=[("message-type","discover"),("requested_addr","192.0.2.9"),("param_req_list",[1,3,6,15]),("hostname","host.example"),(82,b"\x01\x02"),"end","pad"])"#;
    let p = compile(e).unwrap();
    assert_eq!(build(&p[0]), hex(DISCOVER));
    // scapy's ports for UDP()/BOOTP(), and the magic cookie from DHCP.
    let p =
        compile(r#"IP()/UDP()/BOOTP()/DHCP(options=[("message-type","discover"),"end"])"#).unwrap();
    let b = build(&p[0]);
    assert_eq!(&b[20..24], &[0, 67, 0, 68]);
    assert_eq!(&b[28 + 236..], &[0x63, 0x82, 0x53, 0x63, 53, 1, 1, 255]);
}

#[test]
fn a_bad_option_gets_a_caret_and_the_valid_forms() {
    let e = r#"BOOTP()/DHCP(options=[("message-type","discover"),("router","192.0.2"),"end"])"#;
    let d = compile(e).unwrap_err();
    assert_eq!(&e[d.span.clone()], r#"("router","192.0.2")"#);
    assert!(d.message.contains("IPv4"), "{}", d.message);
    assert!(d.help.unwrap().contains("message-type"));
    let d = compile(r#"BOOTP()/DHCP(options=["nosuch"])"#).unwrap_err();
    assert!(
        d.message.contains("unknown option 'nosuch'"),
        "{}",
        d.message
    );
}

#[test]
fn every_cut_and_changed_byte_reads_without_panic_and_keeps_every_byte() {
    let b = hex(DISCOVER);
    for cut in (0..b.len()).rev().step_by(3) {
        let p = dissect_as_new(&BOOTP, &b[..cut]);
        let total: usize = p.layers.iter().map(|l| l.len).sum();
        assert!(total <= cut);
        assert_eq!(serialize(&p.layers), &b[..total], "cut {cut}");
    }
    for i in 236..b.len() {
        for x in [0u8, 1, 0x35, 0xff] {
            let mut m = b.clone();
            m[i] = x;
            let p = dissect_as_new(&BOOTP, &m);
            assert_eq!(serialize(&p.layers), m, "byte {i} = {x}");
        }
    }
}

#[test]
fn flags_with_unnamed_bits_are_a_number_in_json_and_read_back() {
    use crate::layers::field::flags_invertible;
    let names = FlagNames::Chars("???????????????B");
    assert!(flags_invertible(0x8000, names));
    assert!(flags_invertible(0, names));
    assert!(!flags_invertible(0x3cd0, names));
    assert!(flags_invertible(0x12, FlagNames::Chars("FSRPAUECN")));
    assert!(!flags_invertible(0x200, FlagNames::Chars("FSRPAUECN")));
    let mut b = hex(DISCOVER);
    b[10] = 0x3c; // flags 0x3cd0… (from the fuzzer: it came back as 0x0001)
    let p = dissect_as_new(&BOOTP, &b);
    let mut out = String::new();
    crate::output::json::write_layer(&p.layers[0], &mut out);
    assert!(out.contains(r#""flags":15360"#), "{out}");
}
