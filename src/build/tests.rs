use super::*;
use crate::dissect::dissect;
use crate::layers::{ether, icmp, ip, tcp, udp};
use crate::test_util::hex;

fn set(l: &mut Layer, name: &str, v: Value) {
    let k = l.proto.fields.iter().position(|f| f.name == name).unwrap();
    l.values[k] = v;
}

#[test]
fn ether_ip_tcp_defaults_match_scapy() {
    // raw(Ether(src="00:00:00:00:00:00", dst="ff:ff:ff:ff:ff:ff")/IP()/TCP()) in scapy 2.8.
    let mut e = new_layer(&ether::ETHER);
    set(&mut e, "dst", Value::Mac([0xff; 6]));
    let layers = [e, new_layer(&ip::IP), new_layer(&tcp::TCP)];
    assert_eq!(
        build(&layers),
        hex(
            "ffffffffffff000000000000080045000028000100004006 7ccd 7f0000017f000001 0014005000000000000000005002200091 7c0000"
        )
    );
}

#[test]
fn set_fields_are_written_exactly() {
    let mut i = new_layer(&ip::IP);
    set(&mut i, "chksum", Value::Int(0));
    set(&mut i, "len", Value::Int(9999));
    set(&mut i, "ihl", Value::Int(2));
    let b = build(&[i, new_layer(&udp::UDP)]);
    assert_eq!(b[0], 0x42);
    assert_eq!(&b[2..4], &9999u16.to_be_bytes());
    assert_eq!(&b[10..12], &[0, 0]);
}

#[test]
fn built_then_dissected_gives_the_same_fields_and_no_errors() {
    let mut icmp_l = new_layer(&icmp::ICMP);
    set(&mut icmp_l, "id", Value::Int(7));
    let layers = [new_layer(&ether::ETHER), new_layer(&ip::IP), icmp_l];
    let b = build(&layers);
    let p = dissect(1, &b, b.len());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.layers[2].int("id"), Some(7));
    assert_eq!(p.layers[1].int("proto"), Some(1));
}
