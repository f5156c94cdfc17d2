use super::*;
use crate::build::build;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The patched template and building each packet anew give the same bytes, in the same
/// order, whether the template applies or not.
#[test]
fn patching_a_template_gives_what_building_gives() {
    let exprs = [
        // Fast path: whole-byte ints, bit fields, addresses, checksums over pseudo-headers.
        "IP(dst=\"192.0.2.0/29\")/TCP(dport=(1,300),flags=[\"S\",\"SA\",\"R\"])",
        "IP(frag=[0,1,8191],flags=[0,1,2],tos=(0,3))/UDP(sport=[53,5353])/\"abc\"",
        "Ether(src=[\"02:00:00:00:00:01\",\"02:00:00:00:00:02\"])/IPv6(dst=\"2001:db8::/126\",hlim=[1,64])/UDP(dport=[1,2])",
        "CookedLinux(pkttype=[0,4])/IP(ttl=[1,2])/ICMP(id=(1,3),seq=[7,8])",
        "Loopback(type=[2,24])/IP(proto=[6,17])",
        "IP(chksum=[0,1])/TCP(chksum=[0,7],dataofs=[5,15])",
        // Conditions read the field: the type changes the layout, so each is built anew.
        "IP()/ICMP(type=[0,3,5,11,13,17],code=[0,1])",
        "ARP(op=[1,2],pdst=\"192.0.2.0/30\")",
        "IP()/TCP(dport=[1,2])/Padding(load=b\"\\x00\\x00\")",
    ];
    for e in exprs {
        let set = compile_set(e).unwrap();
        let want: Vec<Vec<u8>> = compile(e).unwrap().iter().map(|p| build(p)).collect();
        assert_eq!(want.len(), set.len(), "{e}");
        let mut got = Vec::new();
        set.build_each(2, |b| {
            got.push(b.to_vec());
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(got.len(), 2 * want.len(), "{e}");
        for (i, (g, w)) in got.iter().zip(want.iter().cycle()).enumerate() {
            assert_eq!(hex(g), hex(w), "{e}: packet {i}");
        }
    }
}

#[test]
fn templates_refuse_fields_whose_values_change_the_layout() {
    let t = |e: &str| {
        let set = compile_set(e).unwrap();
        let fields: Vec<_> = set
            .vary
            .iter()
            .map(|v| (v.layer, v.field, &v.values[..]))
            .collect();
        Template::new(set.packet(0), &fields).is_some()
    };
    assert!(t("IP(dst=\"192.0.2.0/30\")/TCP(dport=(1,9))"));
    // Two fields of a layer with conditions, or a type that moves fields: built anew.
    assert!(!t("IP()/ICMP(type=[0,8],id=[1,2])"));
    assert!(t("IP()/ICMP(type=[0,8])"));
    assert!(!t("IP()/ICMP(type=[0,3])"));
    // A computed value (None) in the set: its bytes depend on the rest.
    assert!(!t("IP(ihl=[5,None])/TCP()"));
}

#[test]
fn field_sets_in_scapy_order() {
    let p = compile("IP(dst=[\"192.0.2.1\",\"192.0.2.2\"],ttl=(1,2))/TCP(dport=[22,80])").unwrap();
    assert_eq!(p.len(), 8);
    let key = |l: &[Layer]| {
        (
            l[0].get("dst").cloned(),
            l[0].int("ttl").unwrap(),
            l[1].int("dport").unwrap(),
        )
    };
    let keys: Vec<_> = p.iter().map(|l| key(l)).collect();
    let a = Some(Value::Ip4([192, 0, 2, 1]));
    let b = Some(Value::Ip4([192, 0, 2, 2]));
    // scapy: the last field of a layer varies slowest, the first fastest, payload fastest of all
    assert_eq!(keys[0], (a.clone(), 1, 22));
    assert_eq!(keys[1], (a.clone(), 1, 80));
    assert_eq!(keys[2], (b.clone(), 1, 22));
    assert_eq!(keys[4], (a, 2, 22));
    assert_eq!(keys[7], (b, 2, 80));
}

#[test]
fn huge_sets_are_refused_before_they_are_made() {
    let e = compile("TCP(sport=(0,65535),dport=(0,65535))").unwrap_err();
    assert!(e.message.contains("more than"), "{}", e.message);
}

#[test]
fn networks_expand() {
    let p = compile("IP(dst=\"192.0.2.0/30\")").unwrap();
    assert_eq!(p.len(), 4);
    assert_eq!(p[3][0].get("dst"), Some(&Value::Ip4([192, 0, 2, 3])));
}

#[test]
fn bad_values_point_at_the_value() {
    let src = "IP(ttl=300)/TCP(flags=\"SX\")";
    let e = compile(src).unwrap_err();
    assert_eq!(&src[e.span.clone()], "300");
    assert!(
        e.message.contains("does not fit in 8 bits"),
        "{}",
        e.message
    );
    let src = "IP()/TCP(flags=\"SX\")";
    let e = compile(src).unwrap_err();
    assert_eq!(&src[e.span.clone()], "\"SX\"");
    let src = "IP(dst=\"not-an-address\")";
    assert!(compile(src).unwrap_err().message.contains("IPv4 address"));
}

#[test]
fn bare_string_is_raw() {
    let p = compile("IP()/UDP()/\"payload\"").unwrap();
    assert_eq!(p[0][2].name(), "Raw");
    assert!(hex(&build(&p[0])).ends_with(&hex(b"payload")));
}

/// An expression with a payload of `n` bytes after `head`.
fn with_load(head: &str, n: usize) -> String {
    format!("{head}/Raw(load=\"{}\")", "x".repeat(n))
}

#[test]
fn computed_lengths_that_do_not_fit_are_refused_on_their_layer() {
    let src = with_load("IP()", 70_000);
    let e = compile_set(&src).err().unwrap();
    assert_eq!(&src[e.span.clone()], "IP()");
    assert!(e.message.contains("IP.len would be 70020"), "{}", e.message);
    assert!(e.message.contains("65535"), "{}", e.message);
    assert!(e.help.unwrap().contains("fragment it"));
    let src = with_load("IP()/UDP()", 65_530);
    let e = compile_set(&src).err().unwrap();
    assert_eq!(&src[e.span.clone()], "IP()");
    let src = with_load("IP(len=20)/UDP()", 65_530);
    let e = compile_set(&src).err().unwrap();
    assert_eq!(&src[e.span.clone()], "UDP()");
    assert!(
        e.message.contains("UDP.len would be 65538"),
        "{}",
        e.message
    );
    assert!(e.help.unwrap().contains("set len= explicitly"));
    let src = with_load("IP()/IP()", 65_515);
    let e = compile_set(&src).err().unwrap();
    assert_eq!(e.span, 0..4, "the outer IP: {}", e.message);
    assert!(e.message.contains("65555"), "{}", e.message);
    let src = "IP()/TCP(options=[(254, b\"01234567890123456789012\"), (253, b\"01234567890123456789012\")])";
    let e = compile_set(src).err().unwrap();
    assert!(src[e.span.clone()].starts_with("TCP(options"));
    assert!(
        e.message.contains("TCP.dataofs would be 18"),
        "{}",
        e.message
    );
}

#[test]
fn every_shape_of_a_set_is_checked() {
    // Only the packet that leaves len to compute does not fit.
    let e = compile_set(&with_load("IP(len=[20,None])", 65_516))
        .err()
        .unwrap();
    assert!(e.message.contains("IP.len would be 65536"), "{}", e.message);
    assert!(compile_set(&with_load("IP(len=[20,30])", 65_516)).is_ok());
    // A timestamp (type 13) has 12 bytes more header than an echo reply (type 0): only it does
    // not fit, whichever packet of the set it is.
    let e = compile_set(&with_load("IP()/ICMP(seq=(0,9),type=[0,13])", 65_507))
        .err()
        .unwrap();
    assert!(e.message.contains("IP.len would be 65547"), "{}", e.message);
    assert_eq!(
        compile_set(&with_load("IP()/ICMP(seq=(0,9),type=[0,8])", 65_507))
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn explicit_lengths_are_written_as_given() {
    let p = compile(&with_load("IP(len=20)", 70_000)).unwrap();
    let b = build(&p[0]);
    assert_eq!(b.len(), 70_020);
    assert_eq!(hex(&b[..4]), "45000014");
}

#[test]
fn sets_too_big_say_how_many_and_point_at_the_field() {
    let src = "IP(dst=\"10.0.0.0/8\")";
    let e = compile_set(src).err().unwrap();
    assert_eq!(&src[e.span.clone()], "\"10.0.0.0/8\"");
    assert!(e.message.contains("16777216 packets"), "{}", e.message);
    assert!(
        e.message.contains(&MAX_PACKETS.to_string()),
        "{}",
        e.message
    );
    let src = "IPv6(dst=\"2001:db8::/64\")";
    let e = compile_set(src).err().unwrap();
    assert!(e.message.contains("18446744073709551616"), "{}", e.message);
    let src = "IP(ttl=(1,32))/TCP(sport=(1,1000),dport=(1,100))";
    let e = compile_set(src).err().unwrap();
    assert_eq!(&src[e.span.clone()], "dport=(1,100)");
    assert!(e.message.contains("3200000 packets"), "{}", e.message);
    assert!(e.message.contains("from 32000"), "{}", e.message);
    let src = "TCP(seq=(0,4294967295))";
    let e = compile_set(src).err().unwrap();
    assert!(e.message.contains("4294967296 packets"), "{}", e.message);
    // Still the address message for what is not one.
    let e = compile_set("IP(dst=\"10.0.0.0/33\")").err().unwrap();
    assert!(
        e.message.contains("expects an IPv4 address"),
        "{}",
        e.message
    );
}

#[test]
fn fixed_point_numbers_as_scapy_converts_them() {
    let v = |e: &str| {
        let l = &compile(e).unwrap()[0][0];
        l.values[l
            .proto
            .fields
            .iter()
            .position(|f| f.name == "sent")
            .unwrap()]
        .clone()
    };
    // int(v) << 32 | int((v - int(v)) * 2**32), in double precision.
    assert_eq!(v("NTP(sent=1)"), Value::Int(1 << 32));
    assert_eq!(v("NTP(sent=0.5)"), Value::Int(1 << 31));
    assert_eq!(
        v("NTP(sent=3913056000.5013)"),
        Value::Int(0xe93c7f0080553000)
    );
    assert_eq!(
        v("NTP(sent=[1,2])"),
        Value::Int(1 << 32),
        "a set: the first"
    );
    assert_eq!(compile("NTP(sent=[1,2])").unwrap().len(), 2);
    assert!(
        compile("NTP(sent=4294967296)").is_err(),
        "32 bits of seconds"
    );
    assert!(compile("NTP(sent=\"x\")").is_err());
}

#[test]
fn fixed_length_strings_are_padded_and_unnamed_flag_bits_parse() {
    let l = &compile("NTP(stratum=1,ref_id=\"GPS\",orig=0,sent=0)").unwrap()[0];
    assert_eq!(&build(l)[12..16], b"GPS\0");
    assert!(compile("NTP(stratum=1,ref_id=b\"ABCDEF\",orig=0,sent=0)").is_err());
    let l = &compile("NTPInfoPeerStats(flags=\"INFO_FLAG_CONFIG+0x200\")").unwrap()[0];
    assert_eq!(l[0].int("flags"), Some(0x201));
}
