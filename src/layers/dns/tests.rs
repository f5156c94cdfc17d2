use super::*;
use crate::build::{build, serialize};
use crate::dissect::{Packet, dissect_as_new};
use crate::layers::{coded, ip, udp};
use crate::test_util::hex;

/// scapy: `DNS(id=0xbeef, qr=1, aa=1, rd=1, ra=1, qd=DNSQR(qname="www.example.test"),
/// an=[CNAME www → web, A web 192.0.2.7], ns=[DNSRRSOA(...)]).compress()`.
const COMPRESSED: &str = "beef8580000100020001000003777777076578616d706c6504746573740000010001c00c000500010000012c000603776562c010c02e000100010000012c0004c0000207c01000060001000000000020026e73c01004686f7374c0100000000700000000000000000000000000000000";
/// The same without compression (what scapy builds).
const PLAIN: &str = "beef8580000100020001000003777777076578616d706c650474657374000001000103777777076578616d706c65047465737400000500010000012c001203776562076578616d706c6504746573740003776562076578616d706c65047465737400000100010000012c0004c0000207076578616d706c6504746573740000060001000000000038026e73076578616d706c6504746573740004686f7374076578616d706c650474657374000000000700000000000000000000000000000000";
/// scapy: `IP(src="192.0.2.1", dst="198.51.100.2")/TCP(sport=40000, dport=53, flags="PA",
/// seq=1, ack=1)/DNS(id=0x77, qd=DNSQR(qname="www.example.test", qtype="AAAA"))`.
const TCP_QUERY: &str = "4500004c0001000040068e74c0000201c63364029c40003500000001000000015018200052d00000002200770100000100000000000003777777076578616d706c65047465737400001c0001";
/// The answer over TCP, compressed (pointers count from the message, after the length):
/// www.example.test CNAME web.example.test, web.example.test A 192.0.2.80.
const TCP_ANSWER: &str = "4500006e0001000040068e52c0000201c633640200359c40000000010000000150182000671c0000004400778100000100020000000003777777076578616d706c6504746573740000010001c00c0005000100000000000603776562c010c02e00010001000000000004c0000250";
/// scapy: `IP(src="192.0.2.1", dst="224.0.0.252")/UDP()/LLMNRQuery(id=0x1234,
/// qd=DNSQR(qname="host"))`.
const LLMNR_QUERY_IP: &str = "45000032000100004011d7bcc0000201e00000fc14eb14eb001e38cb12340000000100000000000004686f73740000010001";
/// scapy: `IP(src="192.0.2.2", dst="192.0.2.1")/UDP()/LLMNRResponse(id=0x1234, c=1,
/// qd=DNSQR(qname="host"), an=DNSRR(rrname="host", rdata="192.0.2.2"))`.
const LLMNR_RESPONSE_IP: &str = "45000046000100004011f6a2c0000202c000020114eb14eb003229b712348400000100010000000004686f7374000001000104686f73740000010001000000000004c0000202";
/// scapy: a DNSKEY answer with DNSKEY, RRSIG, DS and TXT records; NSEC and NSEC3 in the
/// authority section; NSEC3PARAM and TSIG in the additional one.
const DNSSEC: &str = "000281200001000400020002076578616d706c650000300001076578616d706c65000030000100000e1000080101030803010001076578616d706c6500002e000100000e1000230030080100000e106553ff106553f1004f66076578616d706c65009999999999999999076578616d706c6500002b000100000000000c4f6608020101010101010101076578616d706c6500001000010000000000100b763d73706631202d616c6c0374776f076578616d706c6500002f00010000000000170161076578616d706c65000007220000000003800101400178076578616d706c6500003200010000000000120101000a02abcd0411111111000440000008076578616d706c6500003300010000000000070100000502aabb036b6579076578616d706c650000fa000100000000001f09686d61632d736861310000006553f100012c000477777777000200000000";
/// scapy: a query with an OPT record holding one of every EDNS0 option class (TLV, Owner,
/// DAU, DHU, N3U, Client Subnet v4 and v6, Cookie, Padding, Extended DNS Error).
const EDNS: &str = "0003010000010000000000010165076578616d706c650000010001000029100000008000006b000300046e7369640004000e000202000000000902000000000a00050002080d000600010200070001010008000700011800c633640008000b0002380020010db800aabb000a001001010101010101010202020202020202000c0003000000000f00080012706f6c696379";
/// scapy: SVCB (alpn, port, ipv4hint, mandatory), HINFO and NAPTR answers.
const SVCB: &str = "000481000000000300000000045f646e73076578616d706c650000400001000000000030000103646e73076578616d706c65000001000703646f7402683200030002035500040004c000020100000004000100030168076578616d706c6500000d000100000000000a03783836054c696e7578016e076578616d706c6500002300010000000000240064000a0155074532552b73697014215e2e2a24217369703a69406578616d706c652100";
/// scapy: `bytes(DNS())`: one question, www.example.com A IN.
const DEFAULT: &str = "00000100000100000000000003777777076578616d706c6503636f6d0000010001";

fn text(v: Option<&Value>) -> &str {
    match v {
        Some(Value::Name(n)) => &n.text,
        other => panic!("not a name: {other:?}"),
    }
}

fn list<'a>(l: &'a Layer, field: &str) -> Vec<&'a Layer> {
    match l.get(field) {
        Some(Value::Options(r)) => r.iter().collect(),
        other => panic!("{field} is not a list: {other:?}"),
    }
}

fn bytes_of<'a>(l: &'a Layer, field: &str) -> &'a [u8] {
    match l.get(field) {
        Some(Value::Bytes(b)) => b,
        other => panic!("{field} is not bytes: {other:?}"),
    }
}

fn json(l: &Layer) -> serde_json::Value {
    let mut s = String::new();
    crate::output::json::write_layer(l, &mut s);
    serde_json::from_str(&s).expect(&s)
}

fn summary_of(p: &Packet, name: &str) -> String {
    let i = p.layers.iter().position(|l| l.name() == name).unwrap();
    let mut s = String::new();
    (p.layers[i].proto.summary.unwrap())(&p.layers, i, &mut s);
    s
}

/// Built from the expression, the bytes scapy builds.
fn crafted(expr: &str) -> Vec<u8> {
    let p = crate::craft::compile(expr).unwrap_or_else(|e| panic!("{}", e.render(expr)));
    build(&p[0])
}

/// Unsets the computed fields and makes every name plain text (as an expression gives it).
fn clear(l: &mut Layer) {
    for (f, v) in l.proto.fields.iter().zip(l.values.iter_mut()) {
        if matches!(f.default, Def::Auto(_)) && !v.is_absent() {
            *v = Value::Absent;
        }
        match v {
            Value::Name(n) => **n = crate::layers::field::Name::from_text(&n.text).unwrap(),
            Value::Options(items) => items.iter_mut().for_each(clear),
            _ => {}
        }
    }
}

/// Every cut reads without panic and keeps its bytes; every byte changed reads without panic
/// and serialises back.
fn robust(first: &'static Proto, b: &[u8]) {
    for cut in 0..b.len() {
        let p = dissect_as_new(first, &b[..cut]);
        let total: usize = p.layers.iter().map(|l| l.len).sum();
        assert!(total <= cut);
        assert_eq!(serialize(&p.layers), &b[..total], "cut {cut}");
    }
    for i in 0..b.len() {
        for x in [0u8, 1, 0x3f, 0x80, 0xc0, 0xff] {
            let mut m = b.to_vec();
            m[i] = x;
            let p = dissect_as_new(first, &m);
            assert_eq!(serialize(&p.layers), m, "byte {i} = {x:#x}");
        }
    }
}

#[test]
fn a_compressed_answer_reads_as_scapy_reads_it_and_serialises_back_exactly() {
    let b = hex(COMPRESSED);
    let p = dissect_as_new(&DNS, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.layers.len(), 1);
    let dns = &p.layers[0];
    let an = list(dns, "an");
    assert_eq!(an.len(), 2);
    assert_eq!(text(an[0].get("rrname")), "www.example.test.");
    assert_eq!(text(an[0].get("rdata")), "web.example.test.");
    assert_eq!(text(an[1].get("rrname")), "web.example.test.");
    assert_eq!(an[1].get("rdata"), Some(&Value::Ip4([192, 0, 2, 7])));
    let ns = list(dns, "ns");
    assert_eq!(ns[0].name(), "DNSRRSOA");
    assert_eq!(text(ns[0].get("rname")), "host.example.test.");
    assert_eq!(ns[0].int("serial"), Some(7));
    assert_eq!(
        ns[0].get("cacheflush"),
        None,
        "scapy's SOA has a 16-bit class"
    );
    assert_eq!(
        serialize(&p.layers),
        b,
        "every byte as it was, pointers too"
    );
    assert_eq!(
        summary_of(&p, "DNS"),
        "Ans 0xbeef CNAME web.example.test., A 192.0.2.7"
    );
}

#[test]
fn building_computes_counts_and_lengths_as_scapy_does() {
    let mut layers = dissect_as_new(&DNS, &hex(COMPRESSED)).layers;
    clear(&mut layers[0]);
    assert_eq!(build(&layers), hex(PLAIN));
}

#[test]
fn the_default_message_is_scapys_one_question() {
    assert_eq!(crafted("DNS()"), hex(DEFAULT));
    // LLMNR has no default question.
    assert_eq!(crafted("LLMNRQuery()"), [0; 12]);
}

#[test]
fn over_tcp_the_message_has_its_length_first() {
    // The form is the layer below's choice, when building as when dissecting.
    assert_eq!(DNS.form(Some(&tcp::TCP), None), &DNS_TCP);
    assert_eq!(DNS_TCP.form(Some(&udp::UDP), None), &DNS);
    assert_eq!(DNS.form(None, None), &DNS);
    let q = hex(TCP_QUERY);
    let p = dissect_as_new(&ip::IP, &q);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let dns = p.layer("DNS").unwrap();
    assert_eq!(dns.proto, &DNS_TCP);
    assert_eq!((dns.int("length"), dns.int("id")), (Some(34), Some(0x77)));
    assert_eq!(summary_of(&p, "DNS"), "Qry 0x0077 AAAA? www.example.test.");
    assert_eq!(serialize(&p.layers), q);
    let expr = r#"IP(src="192.0.2.1",dst="198.51.100.2")/TCP(sport=40000,dport=53,flags="PA",seq=1,ack=1)/DNS(id=0x77,qd=DNSQR(qname="www.example.test",qtype="AAAA"))"#;
    assert_eq!(crafted(expr), q, "length computed, as scapy computes it");
    // Names point into the message after the length.
    let a = hex(TCP_ANSWER);
    let p = dissect_as_new(&ip::IP, &a);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let an = list(p.layer("DNS").unwrap(), "an");
    assert_eq!(text(an[0].get("rrname")), "www.example.test.");
    assert_eq!(text(an[1].get("rrname")), "web.example.test.");
    assert_eq!(serialize(&p.layers), a);
    // A length given is written as given; without TCP there is no length.
    assert_eq!(&crafted("TCP(dport=53)/DNS(length=5)")[20..22], &[0, 5]);
    assert_eq!(crafted("UDP()/DNS()")[8..], hex(DEFAULT));
    assert!(crate::craft::compile("UDP()/DNS(length=5)").is_err());
}

#[test]
fn a_tcp_segment_shorter_than_the_length_decodes_as_far_as_it_can() {
    let a = hex(TCP_ANSWER);
    // Cut in the A record's address: the CNAME is read, the A record lacks its rdata.
    let cut = &a[..a.len() - 2];
    let p = dissect_as_new(&ip::IP, cut);
    let dns = p.layer("DNS").unwrap();
    assert_eq!(dns.int("length"), Some(68), "the length as it was");
    let an = list(dns, "an");
    assert_eq!(an[0].name(), "DNSRR");
    assert_eq!(text(an[0].get("rdata")), "web.example.test.");
    assert_eq!(
        an[1].name(),
        "Raw",
        "a record cut short is kept as Raw (as scapy)"
    );
    assert!(p.errors.iter().any(|e| e.error.starts_with("truncated")));
    assert_eq!(serialize(&p.layers), cut);
    // The header and two bytes of the question: the header, the question as Raw, the
    // sections after it empty.
    let p = dissect_as_new(&ip::IP, &a[..40 + 16]);
    let dns = p.layer("DNS").unwrap();
    assert_eq!((dns.int("length"), dns.int("ancount")), (Some(68), Some(2)));
    assert_eq!(list(dns, "qd")[0].name(), "Raw");
    assert!(list(dns, "an").is_empty());
    assert!(
        p.errors
            .iter()
            .any(|e| e.error == "truncated: 2 records counted, 0 there")
    );
    // Less than a header (a length sent alone) is no DNS.
    let p = dissect_as_new(&ip::IP, &a[..40 + 13]);
    assert_eq!(p.layers.last().unwrap().name(), "Raw");
    assert!(p.layer("DNS").is_none());
    robust(&ip::IP, &a);
}

#[test]
fn llmnr_is_a_query_or_a_response_by_its_qr_bit() {
    let q = hex(LLMNR_QUERY_IP);
    let p = dissect_as_new(&ip::IP, &q);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let l = p.layer("LLMNRQuery").unwrap();
    assert_eq!(
        (l.int("id"), l.int("c"), l.int("t")),
        (Some(0x1234), Some(0), Some(0))
    );
    assert_eq!(text(list(l, "qd")[0].get("qname")), "host.");
    assert_eq!(summary_of(&p, "LLMNRQuery"), "Qry 0x1234 A? host.");
    let r = hex(LLMNR_RESPONSE_IP);
    let p = dissect_as_new(&ip::IP, &r);
    let l = p.layer("LLMNRResponse").unwrap();
    assert_eq!((l.int("qr"), l.int("c")), (Some(1), Some(1)));
    assert_eq!(summary_of(&p, "LLMNRResponse"), "Ans 0x1234 A 192.0.2.2");
    assert_eq!(serialize(&p.layers), r);
    // Building keeps the class named; both give UDP its ports (scapy's overload_fields).
    assert_eq!(
        crafted(
            r#"IP(src="192.0.2.1",dst="224.0.0.252")/UDP()/LLMNRQuery(id=0x1234,qd=DNSQR(qname="host"))"#
        ),
        q
    );
    let expr = r#"IP(src="192.0.2.2",dst="192.0.2.1")/UDP()/LLMNRResponse(id=0x1234,c=1,qd=DNSQR(qname="host"),an=DNSRR(rrname="host",rdata="192.0.2.2"))"#;
    assert_eq!(crafted(expr), r);
    assert_eq!(LLMNR_RESPONSE.form(None, None), &LLMNR_RESPONSE);
    assert_eq!(LLMNR_RESPONSE.form(None, Some(&q[28..])), &LLMNR_QUERY);
    robust(&ip::IP, &r);
}

#[test]
fn txt_records_are_lists_of_strings() {
    let b = hex(DNSSEC);
    let p = dissect_as_new(&DNS, &b);
    let txt = list(&p.layers[0], "an")[3];
    assert_eq!(bytes_of(txt, "rdata"), b"\x0bv=spf1 -all\x03two");
    assert_eq!(
        json(txt)["rdata"],
        serde_json::json!(["v=spf1 -all", "two"])
    );
    // As scapy builds them: a list, one string, none (one empty string).
    assert_eq!(
        crafted(r#"DNSRR(type="TXT", rdata=["a","b"])"#),
        hex("000010000100000000000401610162")
    );
    assert_eq!(
        crafted(r#"DNSRR(type="TXT", rdata="text")"#),
        hex("00001000010000000000050474657874")
    );
    assert_eq!(
        crafted(r#"DNSRR(type="TXT")"#),
        hex("000010000100000000000100")
    );
    // No strings at all is scapy's b"" (rendered "").
    let empty = dissect_as_new(&DNSRR, &hex("0000100001000000000000"));
    assert_eq!(json(&empty.layers[0])["rdata"], "");
}

#[test]
fn a_type_takes_its_own_form_of_rdata() {
    // scapy reads the value by the type's form, wherever the type is given.
    assert_eq!(
        crafted(r#"DNSRR(rdata="192.0.2.1", type="CNAME")"#),
        hex("000005000100000000000b0331393201300132013100")
    );
    assert_eq!(
        crafted(r#"DNSRR(rdata="192.0.2.1", type="A")"#),
        hex("0000010001000000000004c0000201")
    );
    // A value the type's form cannot take is refused, saying why.
    let e = crate::craft::compile(r#"DNSRR(type="A", rdata="x.example")"#).unwrap_err();
    assert!(e.message.contains("IPv4"), "{}", e.message);
    assert!(e.help.unwrap().contains("by type"));
}

#[test]
fn dnssec_records_read_as_scapy_reads_them() {
    let b = hex(DNSSEC);
    let p = dissect_as_new(&DNS, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let dns = &p.layers[0];
    let names = |f| list(dns, f).iter().map(|r| r.name()).collect::<Vec<_>>();
    assert_eq!(
        names("an"),
        ["DNSRRDNSKEY", "DNSRRRSIG", "DNSRRDS", "DNSRR"]
    );
    assert_eq!(names("ns"), ["DNSRRNSEC", "DNSRRNSEC3"]);
    assert_eq!(names("ar"), ["DNSRRNSEC3PARAM", "DNSRRTSIG"]);
    let an = list(dns, "an");
    assert_eq!(json(an[0])["flags"], "SZ");
    assert_eq!(bytes_of(an[0], "publickey"), [3, 1, 0, 1]);
    let rsig = an[1];
    assert_eq!(rsig.int("typecovered"), Some(48));
    assert_eq!(rsig.int("expiration"), Some(1_700_003_600));
    assert_eq!(text(rsig.get("signersname")), "example.");
    assert_eq!(
        bytes_of(rsig, "signature"),
        [0x99; 8],
        "the rest of the record"
    );
    assert_eq!(an[2].int("keytag"), Some(20326));
    let ns = list(dns, "ns");
    // Type bit maps: scapy's value is the bytes; show and expressions use the types.
    assert_eq!(json(ns[0])["typebitmaps"], "000722000000000380010140");
    let types = coded::bitmap_types(bytes_of(ns[0], "typebitmaps")).unwrap();
    assert_eq!(types, [2, 6, 46, 47, 48, 257]);
    assert_eq!(bytes_of(ns[1], "salt"), [0xab, 0xcd]);
    assert_eq!(bytes_of(ns[1], "nexthashedownername"), [0x11; 4]);
    assert_eq!(json(ns[1])["flags"], 1);
    let tsig = list(dns, "ar")[1];
    assert_eq!(tsig.int("time_signed"), Some(1_700_000_000));
    assert_eq!(text(tsig.get("algo_name")), "hmac-sha1.");
    assert_eq!(serialize(&p.layers), b);
    let mut built = p.layers.clone();
    clear(&mut built[0]);
    assert_eq!(build(&built), b, "scapy's bytes, lengths computed");
    robust(&DNS, &b);
}

#[test]
fn a_bitmap_window_past_its_record_stays_bytes() {
    // NSEC whose one window says 5 bytes, with 2 there before the record ends (rdlen 5).
    let rr = hex("00002f00010000000000050000050040");
    let p = dissect_as_new(&DNSRR, &rr);
    // Read as the plain class here; as a record of a message, as NSEC:
    let msg: Vec<u8> = hex("000081000000000100000000")
        .into_iter()
        .chain(rr)
        .collect();
    let p2 = dissect_as_new(&DNS, &msg);
    let nsec = list(&p2.layers[0], "an")[0];
    assert_eq!(nsec.name(), "DNSRRNSEC");
    assert_eq!(bytes_of(nsec, "typebitmaps"), [0, 5, 0, 0x40]);
    assert_eq!(coded::bitmap_types(&[0, 5, 0, 0x40]), None);
    assert_eq!(json(nsec)["typebitmaps"], "00050040");
    assert_eq!(serialize(&p2.layers), msg);
    assert_eq!(
        serialize(&p.layers).len(),
        p.layers.iter().map(|l| l.len).sum::<usize>()
    );
}

#[test]
fn a_record_is_read_within_its_rdlen() {
    // An MX record whose rdlen says 2 bytes more than its fields: they stay with it (Raw), and
    // the next record is read where its rdlen puts it.
    let mx = "00000f0001000000000005000a00" /* preference 10, exchange . */;
    let a = "0000010001000000000004c0000201";
    let msg = hex(&format!("000081000000000200000000{mx}ffff{a}"));
    let p = dissect_as_new(&DNS, &msg);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let an = list(&p.layers[0], "an");
    let names: Vec<_> = an.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["DNSRRMX", "Raw", "DNSRR"]);
    assert_eq!(an[2].get("rdata"), Some(&Value::Ip4([192, 0, 2, 1])));
    assert_eq!(serialize(&p.layers), msg);
    // Counted: the records, not the bytes between them.
    let mut l = p.layers.clone();
    clear(&mut l[0]);
    assert_eq!(build(&l)[7], 2, "ancount");
}

#[test]
fn a_record_cut_before_a_field_is_raw_as_scapy_keeps_it() {
    // tcpdump's dns_udp_2: the second answer ends inside its TTL.
    let msg = hex(
        "00008180000100020000000003777777076578616d706c6503636f6d0000010001c00c000100010000012c0004c0000201c00c0001000100",
    );
    let p = dissect_as_new(&DNS, &msg);
    let dns = &p.layers[0];
    let an = list(dns, "an");
    assert_eq!(an[1].name(), "Raw");
    assert_eq!(bytes_of(an[1], "load"), hex("c00c0001000100"));
    // The sections after it are read from no bytes: empty, as scapy has them.
    assert!(list(dns, "ns").is_empty() && list(dns, "ar").is_empty());
    assert!(!p.errors.is_empty());
    assert_eq!(serialize(&p.layers), msg);
}

#[test]
fn edns0_options_read_as_scapy_reads_them() {
    let b = hex(EDNS);
    let p = dissect_as_new(&DNS, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let opt = list(&p.layers[0], "ar")[0];
    assert_eq!(opt.name(), "DNSRROPT");
    let o = list(opt, "rdata");
    let names: Vec<_> = o.iter().map(|x| x.name()).collect();
    assert_eq!(
        names,
        [
            "EDNS0TLV",
            "EDNS0OWN",
            "EDNS0DAU",
            "EDNS0DHU",
            "EDNS0N3U",
            "EDNS0ClientSubnet",
            "EDNS0ClientSubnet",
            "EDNS0COOKIE",
            "EDNS0PADDING",
            "EDNS0ExtendedDNSError"
        ]
    );
    assert_eq!(
        o[1].get("wakeup_mac"),
        Some(&Value::Mac([2, 0, 0, 0, 0, 10]))
    );
    assert_eq!(json(o[2])["alg_code"], serde_json::json!([8, 13]));
    assert_eq!(json(o[5])["address"], "198.51.100.0");
    assert_eq!(
        bytes_of(o[5], "address"),
        [198, 51, 100],
        "24 bits: three bytes"
    );
    assert_eq!(json(o[6])["address"], "2001:db8:aa:bb00::");
    assert_eq!(o[9].int("info_code"), Some(18));
    assert_eq!(bytes_of(o[9], "extra_text"), b"policy");
    let mut built = p.layers.clone();
    clear(&mut built[0]);
    // scapy's wake-up MAC is there because its optlen was given (its condition reads it).
    let Value::Options(ar) = &mut built[0].values[18] else {
        panic!()
    };
    let Value::Options(opts) = &mut ar[0].values[7] else {
        panic!()
    };
    opts[1].values[1] = Value::Int(14);
    assert_eq!(
        build(&built),
        b,
        "scapy's bytes, every other length computed"
    );
    robust(&DNS, &b);
}

#[test]
fn client_subnet_lengths_follow_the_address_as_scapy_builds_them() {
    // scapy: EDNS0ClientSubnet() is 192.168.0.0 as two bytes, source_plen 16.
    assert_eq!(crafted("EDNS0ClientSubnet()"), hex("0008000600011000c0a8"));
    assert_eq!(
        crafted("EDNS0ClientSubnet(family=2)"),
        hex("000800080002200020010db8")
    );
    assert_eq!(
        crafted(r#"EDNS0ClientSubnet(address="192.0.2.0", source_plen=24)"#),
        hex("0008000700011800c00002")
    );
}

#[test]
fn svcb_hinfo_and_naptr_read_as_scapy_reads_them() {
    let b = hex(SVCB);
    let p = dissect_as_new(&DNS, &b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let an = list(&p.layers[0], "an");
    let params = list(an[0], "svc_params");
    let j: Vec<_> = params.iter().map(|x| json(x)["value"].clone()).collect();
    assert_eq!(
        j,
        [
            serde_json::json!(["dot", "h2"]),
            serde_json::json!(853),
            serde_json::json!(["192.0.2.1"]),
            serde_json::json!([1, 3])
        ]
    );
    assert_eq!(bytes_of(an[1], "cpu"), b"x86");
    assert_eq!(bytes_of(an[2], "services"), b"E2U+sip");
    assert_eq!(text(an[2].get("replacement")), ".");
    let mut built = p.layers.clone();
    clear(&mut built[0]);
    assert_eq!(build(&built), b);
    robust(&DNS, &b);
}

#[test]
fn counts_larger_than_the_data_are_bounded() {
    let mut b = hex(COMPRESSED);
    b[7] = 200; // ancount 200, 2 there
    let p = dissect_as_new(&DNS, &b);
    let e: Vec<_> = p.errors.iter().map(|e| e.error.as_str()).collect();
    assert!(
        e.contains(&"truncated: 200 records counted, 3 there"),
        "{e:?}"
    );
    // The authority record is read as a third answer; nothing is read past the data.
    assert_eq!(list(&p.layers[0], "an").len(), 3);
    assert_eq!(serialize(&p.layers), b);
}

#[test]
fn a_pointer_loop_is_an_error_not_a_hang() {
    let mut b = hex(COMPRESSED);
    // The CNAME's rrname pointer (at 34) to itself.
    assert_eq!(&b[34..36], &[0xc0, 0x0c]);
    b[35] = 34;
    let p = dissect_as_new(&DNS, &b);
    let e = p.errors.iter().find(|e| e.field == Some("rrname")).unwrap();
    assert_eq!((e.layer, e.offset), ("DNSRR", 34));
    assert!(e.error.contains("backwards"), "{}", e.error);
}

#[test]
fn every_cut_and_changed_byte_reads_without_panic_and_keeps_every_byte() {
    robust(&DNS, &hex(COMPRESSED));
    robust(&ip::IP, &hex(LLMNR_QUERY_IP));
}

/// `read --json` then `write`: the record's layers serialise to the packet's bytes.
fn json_round_trip(first: &'static Proto, b: &[u8]) -> crate::record::Record {
    let p = dissect_as_new(first, b);
    let layers: Vec<String> = p
        .layers
        .iter()
        .map(|l| {
            let mut s = String::new();
            crate::output::json::write_layer(l, &mut s);
            s
        })
        .collect();
    let line = format!(
        r#"{{"n":1,"time":0,"caplen":{n},"len":{n},"linktype":101,"layers":[{}]}}"#,
        layers.join(","),
        n = b.len()
    );
    let r = crate::record::parse(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(serialize(&r.layers), b, "{line}");
    r
}

#[test]
fn records_read_back_from_ndjson_byte_exact() {
    // Over TCP the record's DNS takes its TCP form again (with `length`).
    let r = json_round_trip(&ip::IP, &hex(TCP_ANSWER));
    assert_eq!(r.layers[2].proto, &DNS_TCP);
    json_round_trip(&ip::IP, &hex(LLMNR_RESPONSE_IP));
    for m in [DNSSEC, EDNS, SVCB, COMPRESSED] {
        json_round_trip(&DNS, &hex(m));
    }
    // A character-string cut short by its rdlen: its exact bytes beside it.
    let msg = hex("000081000000000100000000000010000100000000000405616263");
    let p = dissect_as_new(&DNS, &msg);
    let txt = list(&p.layers[0], "an")[0];
    assert_eq!(json(txt)["rdata"], serde_json::json!(["abc"]));
    assert_eq!(json(txt)["rdata_wire"], "05616263");
    json_round_trip(&DNS, &msg);
}

#[test]
fn a_record_cut_in_a_name_or_list_keeps_what_there_is_as_scapy_does() {
    // MX cut inside its exchange's second label: scapy's exchange is b'mx.e.'.
    let msg = hex("00008100000000010000000000000f000100000000000c000a026d780765");
    let p = dissect_as_new(&DNS, &msg);
    let mx = list(&p.layers[0], "an")[0];
    assert_eq!(mx.name(), "DNSRRMX");
    assert_eq!(text(mx.get("exchange")), "mx.e.");
    assert_eq!(serialize(&p.layers), msg);
    // HTTPS cut after its priority: the name is the root, the parameters none (scapy's `[]`).
    let msg = hex("0000810000000001000000000000410001000000000010000102");
    let p = dissect_as_new(&DNS, &msg);
    let https = list(&p.layers[0], "an")[0];
    assert_eq!(https.name(), "DNSRRHTTPS");
    assert_eq!(text(https.get("target_name")), ".");
    assert_eq!(https.get("svc_params"), Some(&Value::Options(vec![])));
    assert_eq!(serialize(&p.layers), msg);
    json_round_trip(&DNS, &msg);
}
