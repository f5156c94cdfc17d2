use super::FitError;
use crate::build::{build, new_layer, try_build};
use crate::layers::{Layer, Proto, TcpOption, Value, ether, icmpv6, ip, ipv6, raw, tcp, udp};

fn layer(proto: &'static Proto, set: &[(&str, Value)]) -> Layer {
    let mut l = new_layer(proto);
    for (name, v) in set {
        let k = proto.fields.iter().position(|f| f.name == *name).unwrap();
        l.values[k] = v.clone();
    }
    l
}

fn load(n: usize) -> Layer {
    layer(&raw::RAW, &[("load", Value::Bytes(vec![b'x'; n]))])
}

fn misfit(layers: &[Layer]) -> FitError {
    try_build(layers).expect_err("a computed field should not fit")
}

#[test]
fn ip_len_of_a_payload_too_big_is_refused() {
    let e = misfit(&[new_layer(&ip::IP), load(70_000)]);
    assert_eq!((e.layer, e.proto, e.field), (0, "IP", "len"));
    assert_eq!((e.value, e.max()), (70_020, 65_535));
    assert_eq!(
        e.to_string(),
        "IP.len would be 70020 (bytes of header and payload), more than its 16 bits hold (65535)"
    );
    assert!(e.help().contains("fragment it"), "{}", e.help());
    // The largest that fits builds, and as `build` builds it.
    let fits = [new_layer(&ip::IP), load(65_515)];
    let b = try_build(&fits).unwrap();
    assert_eq!(&b[2..4], &[0xff, 0xff]);
    assert_eq!(b, build(&fits));
}

#[test]
fn ip_udp_payload_overflows_ip_len_first_then_udp_len() {
    let e = misfit(&[new_layer(&ip::IP), new_layer(&udp::UDP), load(65_530)]);
    assert_eq!((e.layer, e.field, e.value), (0, "len", 65_558));
    // With IP's length given, UDP's own length is what does not fit.
    let e = misfit(&[
        layer(&ip::IP, &[("len", Value::Int(20))]),
        new_layer(&udp::UDP),
        load(65_530),
    ]);
    assert_eq!(
        (e.layer, e.proto, e.field, e.value),
        (1, "UDP", "len", 65_538)
    );
}

#[test]
fn ipv6_plen_and_dot3_len() {
    let e = misfit(&[new_layer(&ipv6::IPV6), load(70_000)]);
    assert_eq!((e.proto, e.field, e.value), ("IPv6", "plen", 70_000));
    assert!(e.help().contains("set plen= explicitly"), "{}", e.help());
    let e = misfit(&[new_layer(&ether::DOT3), load(65_536)]);
    assert_eq!((e.proto, e.field, e.value), ("Dot3", "len", 65_536));
    assert!(try_build(&[new_layer(&ether::DOT3), load(65_535)]).is_ok());
}

#[test]
fn tcp_dataofs_of_50_bytes_of_options() {
    let opts = vec![TcpOption::new(254, &[0; 23]), TcpOption::new(253, &[0; 23])];
    let e = misfit(&[
        new_layer(&ip::IP),
        layer(&tcp::TCP, &[("options", Value::TcpOptions(opts))]),
    ]);
    assert_eq!((e.layer, e.proto, e.field), (1, "TCP", "dataofs"));
    // 20 + 50 bytes, padded to 72: 18 words, where 4 bits hold 15.
    assert_eq!((e.value, e.max(), e.header_len), (18, 15, 72));
    assert_eq!(
        e.to_string(),
        "TCP.dataofs would be 18 (4-byte words: a 72-byte header), more than its 4 bits hold (15)"
    );
    assert!(e.help().contains("fewer options"), "{}", e.help());
    // 40 bytes of options fit.
    let opts = vec![TcpOption::new(254, &[0; 38])];
    let l = [layer(&tcp::TCP, &[("options", Value::TcpOptions(opts))])];
    assert_eq!(try_build(&l).unwrap()[12] >> 4, 15);
}

#[test]
fn ip_ihl_of_too_many_options() {
    let opt = |n| layer(&ip::OPT_GENERIC, &[("value", Value::Bytes(vec![0; n]))]);
    let e = misfit(&[layer(
        &ip::IP,
        &[("options", Value::Options(vec![opt(20), opt(20)]))],
    )]);
    assert_eq!(
        (e.proto, e.field, e.value, e.header_len),
        ("IP", "ihl", 16, 64)
    );
    assert!(e.help().contains("ihl="), "{}", e.help());
    // An option's own length byte (ihl given): its value of 300 bytes makes 302.
    let e = misfit(&[layer(
        &ip::IP,
        &[
            ("ihl", Value::Int(15)),
            ("options", Value::Options(vec![opt(300)])),
        ],
    )]);
    assert_eq!(
        (e.proto, e.option, e.field, e.value),
        ("IP", Some("IPOption"), "length", 302)
    );
    assert_eq!(e.field_path(), "IP.options[IPOption].length");
}

#[test]
fn ipv6_extension_header_and_its_options() {
    let padn = |n| layer(&ipv6::PADN, &[("optdata", Value::Bytes(vec![0; n]))]);
    let hbh = |opts| layer(&ipv6::HOP_BY_HOP, &[("options", Value::Options(opts))]);
    let e = misfit(&[
        new_layer(&ipv6::IPV6),
        hbh((0..9).map(|_| padn(255)).collect()),
    ]);
    assert_eq!(
        (e.layer, e.proto, e.field),
        (1, "IPv6ExtHdrHopByHop", "len")
    );
    assert_eq!(e.value, (e.header_len / 8 - 1) as u64);
    assert!(e.value > 255);
    let e = misfit(&[new_layer(&ipv6::IPV6), hbh(vec![padn(256)])]);
    assert_eq!((e.option, e.field, e.value), (Some("PadN"), "optlen", 256));
}

#[test]
fn nd_option_len() {
    let opt = layer(
        &icmpv6::OPT_UNKNOWN,
        &[("data", Value::Bytes(vec![0; 2100]))],
    );
    let e = misfit(&[new_layer(&ipv6::IPV6), new_layer(&icmpv6::ND_NS), opt]);
    assert_eq!(
        (e.layer, e.proto, e.field),
        (2, "ICMPv6NDOptUnknown", "len")
    );
    assert_eq!(e.value, 2102u64.div_ceil(8));
}

#[test]
fn nested_ip_in_ip_checks_every_level() {
    // The inner packet is 65535 bytes, which fits; the outer one is 20 more.
    let e = misfit(&[new_layer(&ip::IP), new_layer(&ip::IP), load(65_515)]);
    assert_eq!((e.layer, e.field, e.value), (0, "len", 65_555));
    let e = misfit(&[
        layer(&ip::IP, &[("len", Value::Int(20))]),
        new_layer(&ip::IP),
        new_layer(&ip::IP),
        load(65_500),
    ]);
    assert_eq!((e.layer, e.value), (1, 65_540));
}

#[test]
fn explicit_values_are_written_as_given() {
    let l = [layer(&ip::IP, &[("len", Value::Int(20))]), load(70_000)];
    let b = try_build(&l).unwrap();
    assert_eq!(b.len(), 70_020);
    assert_eq!(&b[..4], &[0x45, 0, 0, 20]);
    assert_eq!(b, build(&l));
}

#[test]
fn build_still_writes_the_cut_value() {
    // Callers that do not check get what they always got: the value cut to the field.
    let b = build(&[new_layer(&ip::IP), load(70_000)]);
    assert_eq!(u16::from_be_bytes([b[2], b[3]]), (70_020 % 65_536) as u16);
}
