use super::*;
use crate::build::{build, serialize};
use crate::craft::compile;
use crate::dissect::dissect_as_new;
use crate::layers::udp::UDP;
use crate::test_util::hex;

/// scapy: `UDP()/DHCP6_Solicit(trid=0x1a2b3c)/DHCP6OptClientId(duid=DUID_LLT(timeval=0x1a2b3c4d,
/// lladdr="02:00:00:00:00:01"))/DHCP6OptElapsedTime()/DHCP6OptIA_NA(iaid=1)/DHCP6OptOptReq()`.
const SOLICIT_HEX: &str = "02220223003c0000011a2b3c0001000e000100011a2b3c4d0200000000010008000200000003000c0000000100000000000000000006000400170018";
/// scapy: `UDP()/DHCP6_Reply(trid=0x1a2b3d)/DHCP6OptServerId(duid=DUID_LL(lladdr=
/// "02:00:00:00:00:02"))/DHCP6OptIA_NA(iaid=1,T1=3600,T2=5400,ianaopts=[DHCP6OptStatusCode(
/// statusmsg=b"ok")/IAADDR, DHCP6OptStatusCode(statuscode=2)])/DHCP6OptDNSServers(dnsservers=
/// ["2001:db8::53"])/DHCP6OptDNSDomains(dnsdomains=["example.com."])`, IAADDR =
/// `DHCP6OptIAAddress(addr="2001:db8::100",preflft=7200,validlft=10800)`.
const REPLY_HEX: &str = "0223022200790000071a2b3d0002000a00030001020000000002000300360000000100000e1000001518000d000400006f6b0005001820010db800000000000000000000010000001c2000002a30000d000200020017001020010db80000000000000000000000530018000d076578616d706c6503636f6d00";
/// scapy: `UDP()/DHCP6_RelayForward(hopcount=1,linkaddr="2001:db8::1",peeraddr="fe80::1")/
/// DHCP6OptRelayMsg(message=DHCP6_Solicit(trid=0x123456)/DHCP6OptClientId(duid=DUID_LL(lladdr=
/// "02:00:00:00:00:02"))/DHCP6OptIA_NA(iaid=9,ianaopts=[IAADDR]))/DHCP6OptIfaceId(ifaceid=b"eth0")`.
const RELAY_HEX: &str = "02230223007400000c0120010db8000000000000000000000001fe8000000000000000000000000000010009003e011234560001000a00030001020000000002000300280000000900000000000000000005001820010db800000000000000000000010000001c2000002a300012000465746830";

/// A UDP header from 547 to 546 (its length right, no checksum) before `payload`.
fn udp(payload: &str) -> Vec<u8> {
    let p = hex(payload);
    let len = (8 + p.len() as u16).to_be_bytes();
    [hex("02230222"), len.to_vec(), vec![0, 0], p].concat()
}

fn names(layers: &[Layer]) -> Vec<&'static str> {
    layers.iter().map(|l| l.name()).collect()
}

fn json(l: &Layer) -> String {
    let mut s = String::new();
    crate::output::json::write_layer(l, &mut s);
    s
}

fn summary_of(layers: &[Layer], i: usize) -> String {
    let mut s = String::new();
    summary(layers, i, &mut s);
    s
}

#[test]
fn a_solicit_reads_as_scapy_reads_it_and_serialises_back() {
    let b = hex(SOLICIT_HEX);
    let p = dissect_as_new(&UDP, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        names(&p.layers),
        [
            "UDP",
            "DHCP6_Solicit",
            "DHCP6OptClientId",
            "DHCP6OptElapsedTime",
            "DHCP6OptIA_NA",
            "DHCP6OptOptReq"
        ]
    );
    assert_eq!(p.layers[1].int("trid"), Some(0x1a2b3c));
    assert_eq!(
        json(&p.layers[2]),
        r#"{"layer":"DHCP6OptClientId","optcode":1,"optlen":14,"duid":{"layer":"DUID_LLT","type":1,"hwtype":1,"timeval":439041101,"lladdr":"02:00:00:00:00:01"}}"#
    );
    assert_eq!(
        json(&p.layers[5]),
        r#"{"layer":"DHCP6OptOptReq","optcode":6,"optlen":4,"reqopts":[23,24]}"#
    );
    assert_eq!(summary_of(&p.layers, 1), "dhcp6 solicit (xid=1a2b3c)");
    assert_eq!(serialize(&p.layers), b);
}

#[test]
fn options_inside_options_render_as_scapy_renders_them() {
    // scapy_ndjson's lines for the two packets: a status code keeps the IA address after it as
    // its payload; the relayed message is one packet with its options as payloads.
    let p = dissect_as_new(&UDP, &hex(REPLY_HEX));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        json(&p.layers[3]),
        r#"{"layer":"DHCP6OptIA_NA","optcode":3,"optlen":54,"iaid":1,"T1":3600,"T2":5400,"ianaopts":[{"layer":"DHCP6OptStatusCode","optcode":13,"optlen":4,"statuscode":0,"statusmsg":"6f6b","payload":{"layer":"DHCP6OptIAAddress","optcode":5,"optlen":24,"addr":"2001:db8::100","preflft":7200,"validlft":10800,"iaaddropts":[]}},{"layer":"DHCP6OptStatusCode","optcode":13,"optlen":2,"statuscode":2,"statusmsg":""}]}"#
    );
    assert_eq!(
        json(&p.layers[5]),
        r#"{"layer":"DHCP6OptDNSDomains","optcode":24,"optlen":13,"dnsdomains":["example.com."]}"#
    );
    assert_eq!(summary_of(&p.layers, 1), "dhcp6 reply (xid=1a2b3d)");
    let p = dissect_as_new(&UDP, &hex(RELAY_HEX));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        names(&p.layers),
        [
            "UDP",
            "DHCP6_RelayForward",
            "DHCP6OptRelayMsg",
            "DHCP6OptIfaceId"
        ]
    );
    assert_eq!(
        json(&p.layers[2]),
        r#"{"layer":"DHCP6OptRelayMsg","optcode":9,"optlen":62,"message":{"layer":"DHCP6_Solicit","msgtype":1,"trid":1193046,"payload":{"layer":"DHCP6OptClientId","optcode":1,"optlen":10,"duid":{"layer":"DUID_LL","type":3,"hwtype":1,"lladdr":"02:00:00:00:00:02"},"payload":{"layer":"DHCP6OptIA_NA","optcode":3,"optlen":40,"iaid":9,"T1":0,"T2":0,"ianaopts":[{"layer":"DHCP6OptIAAddress","optcode":5,"optlen":24,"addr":"2001:db8::100","preflft":7200,"validlft":10800,"iaaddropts":[]}]}}}}"#
    );
    assert_eq!(
        summary_of(&p.layers, 1),
        "dhcp6 relay-fwd (linkaddr=2001:db8::1 peeraddr=fe80::1)"
    );
}

/// The layers of an NDJSON rendering, read back.
fn read_back(layers: &[Layer]) -> Vec<Layer> {
    let mut out: Vec<Layer> = Vec::new();
    for l in layers {
        let v: serde_json::Value = serde_json::from_str(&json(l)).expect("valid JSON");
        let lower = out.last().map(|l| l.proto);
        out.push(crate::record::layer_of(v.as_object().unwrap(), lower).unwrap());
    }
    out
}

#[test]
fn ndjson_reads_back_to_the_same_bytes() {
    for h in [SOLICIT_HEX, REPLY_HEX, RELAY_HEX] {
        let b = hex(h);
        let p = dissect_as_new(&UDP, &b);
        assert_eq!(serialize(&read_back(&p.layers)), b, "{h}");
    }
}

/// What `e` builds after its UDP header (scapy leaves the checksum of a UDP without IP unset;
/// the craft vectors check whole packets).
fn udp_payload(e: &str) -> Vec<u8> {
    let b = build(&compile(e).unwrap()[0]);
    assert_eq!(
        u16::from_be_bytes([b[4], b[5]]) as usize,
        b.len(),
        "UDP length"
    );
    b[8..].to_vec()
}

#[test]
fn expressions_build_scapys_bytes() {
    let llt = r#"DUID_LLT(timeval=0x1a2b3c4d,lladdr="02:00:00:00:00:01")"#;
    let e = format!(
        "UDP()/DHCP6_Solicit(trid=0x1a2b3c)/DHCP6OptClientId(duid={llt})/DHCP6OptElapsedTime()/DHCP6OptIA_NA(iaid=1)/DHCP6OptOptReq()"
    );
    assert_eq!(udp_payload(&e), hex(SOLICIT_HEX)[8..]);
    let ll = r#"DUID_LL(lladdr="02:00:00:00:00:02")"#;
    let iaaddr = r#"DHCP6OptIAAddress(addr="2001:db8::100",preflft=7200,validlft=10800)"#;
    let e = format!(
        r#"UDP()/DHCP6_Reply(trid=0x1a2b3d)/DHCP6OptServerId(duid={ll})/DHCP6OptIA_NA(iaid=1,T1=3600,T2=5400,ianaopts=[DHCP6OptStatusCode(statusmsg=b"ok")/{iaaddr},DHCP6OptStatusCode(statuscode="NoAddrsAvail")])/DHCP6OptDNSServers(dnsservers=["2001:db8::53"])/DHCP6OptDNSDomains(dnsdomains=["example.com."])"#
    );
    assert_eq!(udp_payload(&e), hex(REPLY_HEX)[8..]);
    let e = format!(
        r#"UDP()/DHCP6_RelayForward(hopcount=1,linkaddr="2001:db8::1",peeraddr="fe80::1")/DHCP6OptRelayMsg(message=DHCP6_Solicit(trid=0x123456)/DHCP6OptClientId(duid={ll})/DHCP6OptIA_NA(iaid=9,ianaopts=[{iaaddr}]))/DHCP6OptIfaceId(ifaceid=b"eth0")"#
    );
    assert_eq!(udp_payload(&e), hex(RELAY_HEX)[8..]);
    // The relayed message's default is scapy's generic DHCP6(): type 0, four bytes.
    let p = compile("DHCP6OptRelayMsg()").unwrap();
    assert_eq!(build(&p[0]), hex("0009000400000000"));
}

#[test]
fn each_message_gives_udp_scapys_ports() {
    let ports = |m: &str| {
        let b = build(&compile(&format!("UDP()/{m}()")).unwrap()[0]);
        (
            u16::from_be_bytes([b[0], b[1]]),
            u16::from_be_bytes([b[2], b[3]]),
        )
    };
    for m in [
        "DHCP6",
        "DHCP6_Solicit",
        "DHCP6_Request",
        "DHCP6_InfoRequest",
        "DHCP6_AddrRegReply",
    ] {
        assert_eq!(ports(m), (546, 547), "{m}");
    }
    for m in ["DHCP6_Advertise", "DHCP6_Reply", "DHCP6_Reconf"] {
        assert_eq!(ports(m), (547, 546), "{m}");
    }
    for m in ["DHCP6_RelayForward", "DHCP6_RelayReply"] {
        assert_eq!(ports(m), (547, 547), "{m}");
    }
    // Given ports stay as given.
    assert_eq!(
        &build(&compile("UDP(sport=1,dport=2)/DHCP6_Reply()").unwrap()[0])[..4],
        &[0, 1, 0, 2]
    );
}

#[test]
fn udp_selects_dhcpv6_by_its_destination_port_only() {
    let msg = hex("07000001");
    let frame = |sport: u16, dport: u16| {
        let mut b = [sport.to_be_bytes(), dport.to_be_bytes(), [0, 12], [0, 0]].concat();
        b.extend_from_slice(&msg);
        b
    };
    assert_eq!(
        names(&dissect_as_new(&UDP, &frame(40000, 546)).layers),
        ["UDP", "DHCP6_Reply"]
    );
    assert_eq!(
        names(&dissect_as_new(&UDP, &frame(40000, 547)).layers),
        ["UDP", "DHCP6_Reply"]
    );
    assert_eq!(
        names(&dissect_as_new(&UDP, &frame(547, 40000)).layers),
        ["UDP", "Raw"]
    );
}

#[test]
fn classes_by_type_and_code_as_scapy_chooses_them() {
    assert_eq!(message_class(&[1, 0, 0, 0]), &SOLICIT);
    assert_eq!(message_class(&[13, 0]), &RELAY_REPLY);
    assert_eq!(message_class(&[37, 0]), &ADDR_REG_REPLY);
    assert_eq!(
        message_class(&[0, 0, 0, 0]),
        &raw::RAW,
        "no class for type 0"
    );
    assert_eq!(message_class(&[99, 0, 0, 0]), &raw::RAW);
    assert_eq!(message_class(&[1]), &raw::RAW, "one byte");
    let l = crate::build::new_layer(&SOLICIT);
    assert_eq!(next_option(&l, &[0, 1, 0, 0]), Some(&CLIENT_ID));
    assert_eq!(
        next_option(&l, &[0, 36, 0, 0]),
        Some(&UNKNOWN),
        "GeoConf is not dispatched"
    );
    assert_eq!(
        next_option(&l, &[0, 60, 0, 0]),
        Some(&UNKNOWN),
        "no BootFileParam class"
    );
    assert_eq!(next_option(&l, &[0, 1]), None, "two bytes are Raw");
    assert_eq!(option_in_list(&[0, 5, 0, 0]), &IA_ADDRESS);
    assert_eq!(
        option_in_list(&[1, 44, 0, 0]),
        &raw::RAW,
        "unknown in a list: Raw"
    );
    // Every class is found by its own code.
    for p in &OPTION_CLASSES[..OPTION_CLASSES.len() - 1] {
        let Def::Int(c) = p.fields[0].default else {
            panic!("{}", p.name)
        };
        assert_eq!(option_class(c as u16), Some(*p));
    }
}

#[test]
fn what_scapy_does_with_odd_options_pkt_does_too() {
    // An IA address at the top of a message leaves the rest as Padding.
    let b = udp("070000010005001820010db800000000000000000000010000001c2000002a300002000a");
    let p = dissect_as_new(&UDP, &b);
    assert_eq!(
        names(&p.layers),
        ["UDP", "DHCP6_Reply", "DHCP6OptIAAddress", "Padding"]
    );
    assert_eq!(
        p.layers[3].get("load"),
        Some(&Value::Bytes(hex("0002000a")))
    );
    // An unknown option in an IA is Raw, with the rest of the list; after a status code it is
    // that option's payload, a DHCP6OptUnknown.
    let p = dissect_as_new(
        &UDP,
        &udp("07000001000300170000000200000000000000000bb800017a000d00020000"),
    );
    assert_eq!(
        json(&p.layers[2]).split("\"ianaopts\":").nth(1).unwrap(),
        r#"[{"layer":"Raw","load":"0bb800017a000d00020000"}]}"#
    );
    let p = dissect_as_new(
        &UDP,
        &udp("0700000100030017000000020000000000000000000d000200000bb800017a"),
    );
    assert_eq!(
        json(&p.layers[2]).split("\"ianaopts\":").nth(1).unwrap(),
        r#"[{"layer":"DHCP6OptStatusCode","optcode":13,"optlen":2,"statuscode":0,"statusmsg":"","payload":{"layer":"DHCP6OptUnknown","optcode":3000,"optlen":1,"data":"7a"}}]}"#
    );
    // VSS reads `optlen` bytes of data after its type: one into the next option.
    let p = dissect_as_new(&UDP, &udp("07000001004400040176706e000e000000"));
    assert_eq!(
        p.layers[2].get("data"),
        Some(&Value::Bytes(hex("76706e00")))
    );
    assert_eq!(
        names(&p.layers),
        ["UDP", "DHCP6_Reply", "DHCP6OptVSS", "DHCP6OptUnknown"]
    );
    // An address list takes whole addresses; the bytes of a partial one are the next option.
    let p = dissect_as_new(&UDP, &udp("0700000100170005abcdef0102"));
    assert_eq!(p.layers[2].get("dnsservers"), Some(&Value::Ip6List(vec![])));
    assert_eq!(p.layers[3].int("optcode"), Some(0xabcd));
    // A DUID of more bytes than its fields has them as its Raw payload.
    let p = dissect_as_new(
        &UDP,
        &udp("01000007000100100001000100000000000000000000aabb"),
    );
    assert_eq!(
        json(&p.layers[2]),
        r#"{"layer":"DHCP6OptClientId","optcode":1,"optlen":16,"duid":{"layer":"DUID_LLT","type":1,"hwtype":1,"timeval":0,"lladdr":"00:00:00:00:00:00","payload":{"layer":"Raw","load":"aabb"}}}"#
    );
    // No DUID at all: the field is not rendered (scapy's None).
    let p = dissect_as_new(&UDP, &udp("0100000700010000"));
    assert_eq!(
        json(&p.layers[2]),
        r#"{"layer":"DHCP6OptClientId","optcode":1,"optlen":0}"#
    );
    assert_eq!(serialize(&read_back(&p.layers)), udp("0100000700010000"));
}

#[test]
fn a_name_without_its_final_zero_ends_with_its_option() {
    // dhcpv6-mud.pcap's Client FQDN: "\x0braspberrypi" and no zero, then the MUD URL option.
    let b = udp("010000070027000d010b7261737062657272797069007000026162");
    let p = dissect_as_new(&UDP, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        names(&p.layers),
        [
            "UDP",
            "DHCP6_Solicit",
            "DHCP6OptClientFQDN",
            "DHCP6OptMudUrl"
        ]
    );
    let fqdn = json(&p.layers[2]);
    assert!(
        fqdn.contains(
            r#""flags":"S","fqdn":"raspberrypi.","fqdn_wire":"0b7261737062657272797069""#
        ),
        "{fqdn}"
    );
    assert_eq!(serialize(&read_back(&p.layers)), b);
}

#[test]
fn nesting_is_bounded_not_trusted() {
    // 200 relay messages, each inside the one before.
    let mut m = hex("0b000001");
    for _ in 0..200 {
        let len = (m.len() as u16).to_be_bytes();
        m = [hex("0c00"), vec![0; 32], hex("0009"), len.to_vec(), m].concat();
    }
    let mut b = [hex("0223022300000000"), m].concat();
    let n = (b.len() as u16).to_be_bytes();
    b[4..6].copy_from_slice(&n);
    let p = dissect_as_new(&UDP, &b);
    assert!(
        p.errors
            .iter()
            .any(|e| e.error.contains("nested more than")),
        "{:?}",
        p.errors
    );
    assert_eq!(serialize(&p.layers), b);
    // What is rendered reads back as JSON (well under serde's nesting limit).
    for l in &p.layers {
        serde_json::from_str::<serde_json::Value>(&json(l)).expect("valid JSON");
    }
    assert_eq!(serialize(&read_back(&p.layers)), b);
}

#[test]
fn every_cut_and_changed_byte_reads_without_panic_and_keeps_every_byte() {
    for h in [SOLICIT_HEX, REPLY_HEX, RELAY_HEX] {
        let b = hex(h);
        for cut in 0..b.len() {
            let p = dissect_as_new(&UDP, &b[..cut]);
            let total: usize = p.layers.iter().map(|l| l.len).sum();
            assert!(total <= cut);
            assert_eq!(serialize(&p.layers), &b[..total], "cut {cut}");
        }
        for i in 8..b.len() {
            for x in [0u8, 1, 5, 9, 0x0c, 0x7f, 0xc0, 0xff] {
                let mut m = b.clone();
                m[i] = x;
                let p = dissect_as_new(&UDP, &m);
                assert_eq!(serialize(&p.layers), m, "byte {i} = {x:#x}");
                for l in &p.layers {
                    serde_json::from_str::<serde_json::Value>(&json(l)).expect("valid JSON");
                }
            }
        }
    }
}
