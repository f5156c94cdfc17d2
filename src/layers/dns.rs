//! DNS (RFC 1035), as scapy's `DNS`, `DNSQR`, `DNSRR` and its typed records (`DNSRRMX`,
//! `DNSRRSOA`, `DNSRRSRV`): the header, then four lists of records counted by the header. Names
//! are [`Kind::Name`] fields (compression followed, bounded); the record class of each answer is
//! chosen by its type, as scapy's dispatch does. Bound to UDP port 53 and 5353 (mDNS), either way.

use super::field::{Auto, Def, Field, Kind, ListSpec, Names};
use super::{Layer, Proto, val};
use std::fmt::Write as _;

/// scapy's `dnstypes` (the common ones).
pub const TYPES: Names = &[
    (1, "A"),
    (2, "NS"),
    (5, "CNAME"),
    (6, "SOA"),
    (12, "PTR"),
    (13, "HINFO"),
    (15, "MX"),
    (16, "TXT"),
    (28, "AAAA"),
    (33, "SRV"),
    (35, "NAPTR"),
    (39, "DNAME"),
    (41, "OPT"),
    (43, "DS"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (99, "SPF"),
    (250, "TSIG"),
    (251, "IXFR"),
    (252, "AXFR"),
    (255, "ALL"),
    (256, "URI"),
    (257, "CAA"),
];
const CLASSES: Names = &[(1, "IN"), (2, "CS"), (3, "CH"), (4, "HS"), (255, "ANY")];
const OPCODES: Names = &[(0, "QUERY"), (1, "IQUERY"), (2, "STATUS")];
const RCODES: Names = &[
    (0, "ok"),
    (1, "format-error"),
    (2, "server-failure"),
    (3, "name-error"),
    (4, "not-implemented"),
    (5, "refused"),
];

const fn name(n: &'static str, default: &'static str) -> Field {
    Field::new(n, Kind::Name, Def::Text(default))
}

static QUESTIONS: ListSpec = ListSpec {
    what: "DNSQR",
    element: |_| &DNSQR,
    count: Some("qdcount"),
    accepts: |n| n == "DNSQR",
};
static ANSWERS: ListSpec = ListSpec {
    what: "DNSRR",
    element: record_class,
    count: Some("ancount"),
    accepts: is_record,
};
static AUTHORITY: ListSpec = ListSpec {
    what: "DNSRR",
    element: record_class,
    count: Some("nscount"),
    accepts: is_record,
};
static ADDITIONAL: ListSpec = ListSpec {
    what: "DNSRR",
    element: record_class,
    count: Some("arcount"),
    accepts: is_record,
};

/// A resource record class (`DNSRR`, `DNSRRMX`, …).
fn is_record(name: &str) -> bool {
    name.starts_with("DNSRR")
}

pub static FIELDS: [Field; 19] = [
    Field::int("id", 16, 0),
    Field::int("qr", 1, 0),
    Field::int("opcode", 4, 0).named(OPCODES),
    Field::int("aa", 1, 0),
    Field::int("tc", 1, 0),
    Field::int("rd", 1, 1),
    Field::int("ra", 1, 0),
    Field::int("z", 1, 0),
    Field::int("ad", 1, 0),
    Field::int("cd", 1, 0),
    Field::int("rcode", 4, 0).named(RCODES),
    Field::auto("qdcount", 16, Auto::CountOf("qd")),
    Field::auto("ancount", 16, Auto::CountOf("an")),
    Field::auto("nscount", 16, Auto::CountOf("ns")),
    Field::auto("arcount", 16, Auto::CountOf("ar")),
    Field::new("qd", Kind::List(&QUESTIONS), Def::Empty),
    Field::new("an", Kind::List(&ANSWERS), Def::Empty),
    Field::new("ns", Kind::List(&AUTHORITY), Def::Empty),
    Field::new("ar", Kind::List(&ADDITIONAL), Def::Empty),
];

pub static DNS: Proto = Proto {
    name: "DNS",
    title: "DNS",
    fields: &FIELDS,
    min_len: 12,
    summary: Some(summary),
    ..Proto::BASE
};

pub static DNSQR: Proto = Proto {
    name: "DNSQR",
    title: "DNS Question Record",
    fields: &[
        name("qname", "www.example.com."),
        Field::int("qtype", 16, 1).named(TYPES),
        Field::int("unicastresponse", 1, 0),
        Field::int("qclass", 15, 1).named(CLASSES),
    ],
    min_len: 5,
    ..Proto::BASE
};

/// `rdata`'s length: `rdlen`.
fn rdlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 5) as usize)
}

use super::Value;

/// The form of `rdata` for this type and length (A with 4 bytes, AAAA with 16, a name).
fn rdata_is(v: &[Value], types: &[u64], len: Option<u64>) -> bool {
    // While building, `rdlen` is not computed yet: the type alone decides.
    types.contains(&val(v, 1)) && len.is_none_or(|n| v[5].is_absent() || val(v, 5) == n)
}

/// The types whose `rdata` is one name.
const NAME_TYPES: [u64; 4] = [2, 5, 12, 39];

/// The header every resource record shares: name, type, class (with mDNS's cache-flush bit),
/// TTL, and the length of its data.
macro_rules! rr_header {
    ($type:expr) => {
        [
            name("rrname", "."),
            Field::int("type", 16, $type).named(TYPES),
            Field::int("cacheflush", 1, 0),
            Field::int("rclass", 15, 1).named(CLASSES),
            Field::int("ttl", 32, 0),
        ]
    };
}

const RR_HEADER: [Field; 5] = rr_header!(1);

pub static DNSRR: Proto = Proto {
    name: "DNSRR",
    title: "DNS Resource Record",
    fields: &[
        RR_HEADER[0],
        RR_HEADER[1],
        RR_HEADER[2],
        RR_HEADER[3],
        RR_HEADER[4],
        Field::auto(
            "rdlen",
            16,
            Auto::SizeOf {
                field: "rdata",
                add: 0,
                unit: 1,
            },
        ),
        Field::new("rdata", Kind::Ip4, Def::Text("0.0.0.0")).when(|v| rdata_is(v, &[1], Some(4))),
        Field::new("rdata", Kind::Ip6, Def::Text("::")).when(|v| rdata_is(v, &[28], Some(16))),
        name("rdata", ".").when(|v| rdata_is(v, &NAME_TYPES, None)),
        Field::bytes("rdata")
            .when(|v| {
                !rdata_is(v, &[1], Some(4))
                    && !rdata_is(v, &[28], Some(16))
                    && !rdata_is(v, &NAME_TYPES, None)
            })
            .sized(rdlen),
    ],
    min_len: 11,
    ..Proto::BASE
};

/// A record type with its own fields after `rdlen`.
macro_rules! typed_rr {
    ($static:ident, $name:expr, $title:expr, $type:expr, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &{
                let h = rr_header!($type);
                [
                    h[0],
                    h[1],
                    h[2],
                    h[3],
                    h[4],
                    Field::auto("rdlen", 16, Auto::RestLen),
                    $($field),*
                ]
            },
            min_len: 11,
            ..Proto::BASE
        };
    };
}

typed_rr!(
    DNSRRMX,
    "DNSRRMX",
    "DNS MX Resource Record",
    15,
    [Field::int("preference", 16, 0), name("exchange", "."),]
);
typed_rr!(
    DNSRRSOA,
    "DNSRRSOA",
    "DNS SOA Resource Record",
    6,
    [
        name("mname", "."),
        name("rname", "."),
        Field::int("serial", 32, 0),
        Field::int("refresh", 32, 0),
        Field::int("retry", 32, 0),
        Field::int("expire", 32, 0),
        Field::int("minimum", 32, 0),
    ]
);
typed_rr!(
    DNSRRSRV,
    "DNSRRSRV",
    "DNS SRV Resource Record",
    33,
    [
        Field::int("priority", 16, 0),
        Field::int("weight", 16, 0),
        Field::int("port", 16, 0),
        name("target", "."),
    ]
);

// ---- EDNS0 (RFC 6891): the OPT pseudo-record and its options ----

static EDNS0_OPTIONS: ListSpec = ListSpec {
    what: "EDNS0 options",
    element: edns0_class,
    count: None,
    accepts: |n| n.starts_with("EDNS0"),
};

/// The OPT record's option list: `rdlen` bytes.
fn opt_rdlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 6) as usize)
}

pub static DNSRROPT: Proto = Proto {
    name: "DNSRROPT",
    title: "DNS OPT Resource Record",
    fields: &[
        name("rrname", "."),
        Field::int("type", 16, 41).named(TYPES),
        Field::int("rclass", 16, 4096),
        Field::int("extrcode", 8, 0),
        Field::int("version", 8, 0),
        Field::int("z", 16, 32768),
        Field::auto(
            "rdlen",
            16,
            Auto::SizeOf {
                field: "rdata",
                add: 0,
                unit: 1,
            },
        ),
        Field::new("rdata", Kind::List(&EDNS0_OPTIONS), Def::Empty).sized(opt_rdlen),
    ],
    min_len: 11,
    ..Proto::BASE
};

/// An option's data: `optlen` bytes (less what fixed fields before it took).
fn optlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 1) as usize)
}
fn server_cookie_len(v: &[Value]) -> Result<usize, String> {
    Ok((val(v, 1) as usize).saturating_sub(8))
}

const OPTLEN: Field = Field::auto("optlen", 16, Auto::RestLen);

pub static EDNS0TLV: Proto = Proto {
    name: "EDNS0TLV",
    title: "DNS EDNS0 TLV",
    fields: &[
        Field::int("optcode", 16, 0),
        OPTLEN,
        Field::bytes("optdata").sized(optlen),
    ],
    min_len: 4,
    ..Proto::BASE
};

pub static EDNS0COOKIE: Proto = Proto {
    name: "EDNS0COOKIE",
    title: "DNS EDNS0 COOKIE",
    fields: &[
        Field::int("optcode", 16, 10),
        OPTLEN,
        Field::new("client_cookie", Kind::Bytes, Def::Zeros(8)).sized(|_| Ok(8)),
        Field::bytes("server_cookie").sized(server_cookie_len),
    ],
    min_len: 12,
    ..Proto::BASE
};

pub static EDNS0PADDING: Proto = Proto {
    name: "EDNS0PADDING",
    title: "DNS EDNS0 Padding",
    fields: &[
        Field::int("optcode", 16, 12),
        OPTLEN,
        Field::bytes("padding").sized(optlen),
    ],
    min_len: 4,
    ..Proto::BASE
};

/// The option class by its code (scapy's `EDNS0OPT_DISPATCHER`); a cookie shorter than its
/// client part, as anything unknown, is a plain TLV.
fn edns0_class(b: &[u8]) -> &'static Proto {
    let code = b.get(..2).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    let len = b.get(2..4).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    match code {
        10 if len >= 8 => &EDNS0COOKIE,
        12 => &EDNS0PADDING,
        _ => &EDNS0TLV,
    }
}

/// The record class for the record starting at `b`, by the type after its name (scapy's
/// dispatch); `DNSRR` when the name or type cannot be read.
fn record_class(b: &[u8]) -> &'static Proto {
    let mut i = 0;
    loop {
        match b.get(i) {
            Some(0) => {
                i += 1;
                break;
            }
            Some(&l) if l >= 0xc0 => {
                i += 2;
                break;
            }
            Some(&l) if l < 0x40 => i += 1 + l as usize,
            _ => return &DNSRR,
        }
    }
    let Some(t) = b.get(i..i + 2) else {
        return &DNSRR;
    };
    match u16::from_be_bytes([t[0], t[1]]) {
        15 => &DNSRRMX,
        6 => &DNSRRSOA,
        33 => &DNSRRSRV,
        41 => &DNSRROPT,
        _ => &DNSRR,
    }
}

fn records(l: &Layer, field: usize) -> &[Layer] {
    match l.values.get(field) {
        Some(Value::Options(r)) => r,
        _ => &[],
    }
}

fn name_text<'a>(l: &'a Layer, field: &str) -> &'a str {
    match l.get(field) {
        Some(Value::Name(n)) => &n.text,
        _ => "?",
    }
}

/// tcpdump's words: `Qry 0x1a2b A? example.com.` or `Ans 0x1a2b name-error` /
/// `Ans 0x1a2b A 192.0.2.1, AAAA 2001:db8::1`.
fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let id = val(&l.values, 0);
    let qr = val(&l.values, 1);
    let rcode = val(&l.values, 10);
    let _ = write!(out, "{} {id:#06x}", if qr == 0 { "Qry" } else { "Ans" });
    if qr == 0 || records(l, 16).is_empty() {
        for q in records(l, 15) {
            out.push(' ');
            push_type(val(&q.values, 1), out);
            out.push_str("? ");
            out.push_str(name_text(q, "qname"));
        }
    }
    if rcode != 0 {
        out.push(' ');
        match super::field::name_of(RCODES, rcode) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "rcode={rcode}");
            }
        }
    }
    for (k, a) in records(l, 16).iter().enumerate() {
        out.push_str(if k == 0 { " " } else { ", " });
        push_type(val(&a.values, 1), out);
        out.push(' ');
        match a.values.iter().rev().find(|v| !v.is_absent()) {
            Some(Value::Ip4(x)) => super::field::fmt_ip4(x, out),
            Some(Value::Ip6(x)) => super::field::fmt_ip6(x, out),
            Some(Value::Name(n)) => out.push_str(&n.text),
            Some(Value::Int(x)) => super::field::push_int(*x, out),
            _ => out.push('…'),
        }
    }
}

fn push_type(t: u64, out: &mut String) {
    match super::field::name_of(TYPES, t) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "TYPE{t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{build, serialize};
    use crate::dissect::dissect_as_new;
    use crate::test_util::hex;

    /// scapy: `DNS(id=0xbeef, qr=1, aa=1, rd=1, ra=1, qd=DNSQR(qname="www.example.test"),
    /// an=[CNAME www → web, A web 192.0.2.7], ns=[DNSRRSOA(...)]).compress()`.
    const COMPRESSED: &str = "beef8580000100020001000003777777076578616d706c6504746573740000010001c00c000500010000012c000603776562c010c02e000100010000012c0004c0000207c01000060001000000000020026e73c01004686f7374c0100000000700000000000000000000000000000000";
    /// The same without compression (what scapy builds).
    const PLAIN: &str = "beef8580000100020001000003777777076578616d706c650474657374000001000103777777076578616d706c65047465737400000500010000012c001203776562076578616d706c6504746573740003776562076578616d706c65047465737400000100010000012c0004c0000207076578616d706c6504746573740000060001000000000038026e73076578616d706c6504746573740004686f7374076578616d706c650474657374000000000700000000000000000000000000000000";

    fn text(v: Option<&Value>) -> &str {
        match v {
            Some(Value::Name(n)) => &n.text,
            other => panic!("not a name: {other:?}"),
        }
    }

    #[test]
    fn a_compressed_answer_reads_as_scapy_reads_it_and_serialises_back_exactly() {
        let b = hex(COMPRESSED);
        let p = dissect_as_new(&DNS, &b);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.layers.len(), 1);
        let dns = &p.layers[0];
        let an = records(dns, 16);
        assert_eq!(an.len(), 2);
        assert_eq!(text(an[0].get("rrname")), "www.example.test.");
        assert_eq!(text(an[0].get("rdata")), "web.example.test.");
        assert_eq!(text(an[1].get("rrname")), "web.example.test.");
        assert_eq!(an[1].get("rdata"), Some(&Value::Ip4([192, 0, 2, 7])));
        let ns = records(dns, 17);
        assert_eq!(ns[0].name(), "DNSRRSOA");
        assert_eq!(text(ns[0].get("rname")), "host.example.test.");
        assert_eq!(ns[0].int("serial"), Some(7));
        assert_eq!(
            serialize(&p.layers),
            b,
            "every byte as it was, pointers too"
        );
        let mut s = String::new();
        summary(&p.layers, 0, &mut s);
        assert_eq!(s, "Ans 0xbeef CNAME web.example.test., A 192.0.2.7");
    }

    #[test]
    fn building_computes_counts_and_lengths_as_scapy_does() {
        let plain = hex(PLAIN);
        let mut layers = dissect_as_new(&DNS, &hex(COMPRESSED)).layers;
        // Names given as text, counts and lengths left to compute: scapy's bytes.
        clear(&mut layers[0]);
        assert_eq!(build(&layers), plain);
    }

    /// Unsets the computed fields and makes every name plain text (as an expression gives it).
    fn clear(l: &mut Layer) {
        for (f, v) in l.proto.fields.iter().zip(l.values.iter_mut()) {
            if matches!(f.default, Def::Auto(_)) && !v.is_absent() {
                *v = Value::Absent;
            }
            match v {
                Value::Name(n) => **n = super::super::field::Name::from_text(&n.text).unwrap(),
                Value::Options(items) => items.iter_mut().for_each(clear),
                _ => {}
            }
        }
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
        assert_eq!(records(&p.layers[0], 16).len(), 3);
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
        let b = hex(COMPRESSED);
        for cut in 0..b.len() {
            let p = dissect_as_new(&DNS, &b[..cut]);
            let total: usize = p.layers.iter().map(|l| l.len).sum();
            assert!(total <= cut);
            assert_eq!(serialize(&p.layers), &b[..total], "cut {cut}");
        }
        for i in 0..b.len() {
            for x in [0u8, 0x3f, 0xc0, 0xff] {
                let mut m = b.clone();
                m[i] = x;
                let _ = dissect_as_new(&DNS, &m);
            }
        }
    }
}
