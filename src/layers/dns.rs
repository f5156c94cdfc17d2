//! DNS (RFC 1035) as scapy 2.8's `scapy/layers/dns.py` gives it: the header, then four lists of
//! records counted by the header. Names are [`Kind::Name`] fields (compression followed,
//! bounded); each record is read within the bytes its `rdlen` gives it, of the class its type
//! picks ([`record_class`], scapy's `DNSRR_DISPATCHER`). Over TCP the message has a length
//! before it ([`DNS_TCP`], scapy's `length` field, chosen by the layer below:
//! [`Proto::dispatch`]). Bound to UDP 53 and 5353 (mDNS) and TCP 53, either way; LLMNR
//! ([`llmnr`]) shares the records on UDP 5355.
//!
//! The records and options live in submodules: [`records`] (DNSRR and the classic typed
//! records), [`dnssec`], [`svcb`], [`edns`] (the OPT record and its options), [`types`] (the
//! enumerations).

use super::field::{Auto, Chain, Def, Field, Kind, ListSpec};
use super::{Layer, Proto, Value, tcp};
use std::fmt::Write as _;

/// A DNS name field with this default.
const fn name(n: &'static str, default: &'static str) -> Field {
    Field::new(n, Kind::Name, Def::Text(default))
}

/// The header every resource record shares: name, type, class (with mDNS's cache-flush bit),
/// TTL.
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

/// A record type with its own fields after `rdlen` (computed: the bytes after it). `class16`:
/// the class is a whole 16-bit field (scapy's SOA and TSIG have no cache-flush bit).
macro_rules! typed_rr {
    ($static:ident, $name:expr, $title:expr, $type:expr, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &{
                let h = rr_header!($type);
                [h[0], h[1], h[2], h[3], h[4], Field::auto("rdlen", 16, Auto::RestLen), $($field),*]
            },
            min_len: 11,
            ..Proto::BASE
        };
    };
    ($static:ident, $name:expr, $title:expr, $type:expr, class16, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &[
                name("rrname", "."),
                Field::int("type", 16, $type).named(TYPES),
                Field::int("rclass", 16, 1).named(CLASSES),
                Field::int("ttl", 32, 0),
                Field::auto("rdlen", 16, Auto::RestLen),
                $($field),*
            ],
            min_len: 11,
            ..Proto::BASE
        };
    };
}

pub mod dnssec;
pub mod edns;
pub mod llmnr;
pub mod records;
pub mod svcb;
#[cfg(test)]
mod tests;
pub mod types;

pub use dnssec::*;
pub use edns::*;
pub use llmnr::{LLMNR_QUERY, LLMNR_RESPONSE};
pub use records::*;
pub use svcb::*;
pub use types::*;

pub(crate) static QUESTIONS: ListSpec = ListSpec {
    what: "DNSQR",
    element: |_| &DNSQR,
    count: Some("qdcount"),
    accepts: |n| n == "DNSQR",
    size: None,
    chain: Chain::None,
};
pub(crate) static ANSWERS: ListSpec = records_counted_by("ancount");
pub(crate) static AUTHORITY: ListSpec = records_counted_by("nscount");
pub(crate) static ADDITIONAL: ListSpec = records_counted_by("arcount");

const fn records_counted_by(count: &'static str) -> ListSpec {
    ListSpec {
        what: "DNSRR",
        element: record_class,
        count: Some(count),
        accepts: |n| n.starts_with("DNSRR"),
        size: Some(record_size),
        chain: Chain::None,
    }
}

/// The header fields, after `lead` (DNS over TCP's length).
macro_rules! dns_fields {
    ($($lead:expr),*) => {
        [
            $($lead,)*
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
            // scapy's default question: DNSQR() (www.example.com. A IN).
            Field::new("qd", Kind::List(&QUESTIONS), Def::Element),
            Field::new("an", Kind::List(&ANSWERS), Def::Empty),
            Field::new("ns", Kind::List(&AUTHORITY), Def::Empty),
            Field::new("ar", Kind::List(&ADDITIONAL), Def::Empty),
        ]
    };
}

pub static FIELDS: [Field; 19] = dns_fields!();

const HEADER: Proto = Proto {
    name: "DNS",
    title: "DNS",
    fields: &FIELDS,
    min_len: 12,
    summary: Some(summary),
    dispatch: Some(over_tcp),
    ..Proto::BASE
};

pub static DNS: Proto = HEADER;

/// DNS over TCP (RFC 1035 §4.2.2): the message's length first (scapy's `length`, present when
/// the layer below is TCP), computed as the bytes after it. Names point into the message after
/// it.
pub static DNS_TCP: Proto = Proto {
    fields: &dns_fields!(Field::auto("length", 16, Auto::RestLen)),
    min_len: 14,
    names_from: 2,
    ..HEADER
};

/// DNS over TCP has its length first; anywhere else, not.
fn over_tcp(_: &'static Proto, lower: Option<&'static Proto>, _: Option<&[u8]>) -> &'static Proto {
    if lower.is_some_and(|l| std::ptr::eq(l, &tcp::TCP)) {
        &DNS_TCP
    } else {
        &DNS
    }
}

pub static DNSQR: Proto = Proto {
    name: "DNSQR",
    title: "DNS Question Record",
    fields: &[
        name("qname", "www.example.com."),
        Field::int("qtype", 16, 1).named(QTYPES),
        Field::int("unicastresponse", 1, 0),
        Field::int("qclass", 15, 1).named(CLASSES),
    ],
    min_len: 5,
    ..Proto::BASE
};

/// The bytes of the name at the start of `b` (up to its final zero or its first pointer).
fn name_len(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        match *b.get(i)? {
            0 => return Some(i + 1),
            l if l >= 0xc0 => return Some(i + 2),
            l if l < 0x40 => i += 1 + l as usize,
            _ => return None,
        }
    }
}

/// The record type after the name at the start of `b`.
fn record_type(b: &[u8]) -> Option<u16> {
    let i = name_len(b)?;
    b.get(i..i + 2).map(|t| u16::from_be_bytes([t[0], t[1]]))
}

/// The bytes of the record starting at `b`: its name, type, class, TTL, `rdlen` and the data
/// `rdlen` says (scapy reads each record within them).
fn record_size(b: &[u8]) -> Option<usize> {
    let i = name_len(b)?;
    let r = b.get(i + 8..i + 10)?;
    Some(i + 10 + u16::from_be_bytes([r[0], r[1]]) as usize)
}

/// The record class for the record starting at `b`, by the type after its name (scapy's
/// `DNSRR_DISPATCHER`); `DNSRR` when the name or type cannot be read.
pub fn record_class(b: &[u8]) -> &'static Proto {
    match record_type(b) {
        Some(6) => &DNSRRSOA,
        Some(13) => &DNSRRHINFO,
        Some(15) => &DNSRRMX,
        Some(33) => &DNSRRSRV,
        Some(35) => &DNSRRNAPTR,
        Some(41) => &DNSRROPT,
        Some(43) => &DNSRRDS,
        Some(46) => &DNSRRRSIG,
        Some(47) => &DNSRRNSEC,
        Some(48) => &DNSRRDNSKEY,
        Some(50) => &DNSRRNSEC3,
        Some(51) => &DNSRRNSEC3PARAM,
        Some(64) => &DNSRRSVCB,
        Some(65) => &DNSRRHTTPS,
        Some(250) => &DNSRRTSIG,
        Some(32769) => &DNSRRDLV,
        _ => &DNSRR,
    }
}

/// The records of a list field, by name (`Raw` bytes between them left out).
fn records<'a>(l: &'a Layer, field: &str) -> impl Iterator<Item = &'a Layer> {
    let items = match l.get(field) {
        Some(Value::Options(r)) => r.as_slice(),
        _ => &[],
    };
    items.iter().filter(|r| r.proto.name != "Raw")
}

/// tcpdump's words: `Qry 0x1a2b A? example.com.` or `Ans 0x1a2b name-error` /
/// `Ans 0x1a2b A 192.0.2.1, AAAA 2001:db8::1` (DNS, mDNS and LLMNR alike).
pub(crate) fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let id = l.int("id").unwrap_or(0);
    let qr = l.int("qr").unwrap_or(0);
    let rcode = l.int("rcode").unwrap_or(0);
    let _ = write!(out, "{} {id:#06x}", if qr == 0 { "Qry" } else { "Ans" });
    if qr == 0 || records(l, "an").next().is_none() {
        for q in records(l, "qd") {
            out.push(' ');
            push_type(q.int("qtype").unwrap_or(0), out);
            out.push_str("? ");
            match q.get("qname") {
                Some(Value::Name(n)) => out.push_str(&n.text),
                _ => out.push('?'),
            }
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
    for (k, a) in records(l, "an").enumerate() {
        out.push_str(if k == 0 { " " } else { ", " });
        push_type(a.int("type").unwrap_or(0), out);
        out.push(' ');
        push_rdata(a, out);
    }
}

/// A record's data as tcpdump writes it: its address, its first name (an MX's exchange, an
/// SOA's primary server), `"text"`, or `…`.
fn push_rdata(a: &Layer, out: &mut String) {
    let text = |f: &Field| matches!(f.kind, Kind::Coded(super::coded::Coding::Text));
    let data = a
        .present()
        .skip_while(|(f, _)| f.name != "rdlen")
        .find(|(f, v)| matches!(v, Value::Ip4(_) | Value::Ip6(_) | Value::Name(_)) || text(f));
    match data {
        Some((_, Value::Ip4(x))) => super::field::fmt_ip4(x, out),
        Some((_, Value::Ip6(x))) => super::field::fmt_ip6(x, out),
        Some((_, Value::Name(n))) => out.push_str(&n.text),
        Some((_, Value::Bytes(b))) => {
            let texts = super::coded::items(super::coded::Coding::Text, b).unwrap_or_default();
            for (k, t) in texts.iter().enumerate() {
                if let super::coded::Item::Text(t) = t {
                    out.push_str(if k == 0 { "\"" } else { " \"" });
                    super::coded::escape(t, out);
                    out.push('"');
                }
            }
        }
        _ => out.push('…'),
    }
}

fn push_type(t: u64, out: &mut String) {
    match super::field::name_of(QTYPES, t) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "TYPE{t}");
        }
    }
}
