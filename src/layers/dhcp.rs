//! BOOTP (RFC 951) and DHCP (RFC 2131), as scapy's `BOOTP` and `DHCP`: the fixed BOOTP
//! header, its `options` field holding the magic cookie when DHCP follows, and DHCP's options
//! as a [`Kind::Tlv`] field read by scapy's option table (`dhcp/options.rs`). Bound to UDP
//! ports 67 and 68, either way; building `UDP()/BOOTP()` gives scapy's ports (67 to 68) and
//! `BOOTP()/DHCP()` the magic cookie.

mod options;

pub use options::{DHCP_TYPES, OPTIONS};

use super::field::{Def, Field, FlagNames, Kind, Names, fmt_ip4, fmt_mac, name_of};
use super::tlv::{Item, items};
use super::{Layer, Proto, Value, val};
use std::fmt::Write as _;

/// The magic cookie that starts DHCP's options in BOOTP's `options` field.
pub const MAGIC: &[u8] = &[0x63, 0x82, 0x53, 0x63];

/// The defaults DHCP gives BOOTP below it (scapy's `bind_layers(BOOTP, DHCP, options=…)`).
pub const MAGIC_OVERLOAD: &[(&str, Def)] = &[("options", Def::Bytes(MAGIC))];

/// scapy's `UDP()/BOOTP()` ports (its last `bind_layers` row wins: server to client).
pub const PORTS_OVERLOAD: &[(&str, Def)] = &[("sport", Def::Int(67)), ("dport", Def::Int(68))];

const OPS: Names = &[(1, "BOOTREQUEST"), (2, "BOOTREPLY")];
/// scapy's `HARDWARE_TYPES` (the common ones).
const HW_TYPES: Names = &[
    (1, "Ethernet (10Mb)"),
    (6, "IEEE 802 Networks"),
    (7, "ARCNET"),
    (15, "Frame Relay"),
    (16, "ATM"),
    (20, "Serial Line"),
    (32, "InfiniBand"),
];

/// BOOTP's `options`: the magic cookie when it is there (DHCP's options follow as the
/// payload, as scapy's `extract_padding` splits them), else every byte left.
fn magic_or_rest(b: &[u8]) -> usize {
    if b.starts_with(MAGIC) { 4 } else { b.len() }
}

const fn fixed(name: &'static str, len: u8, mac: bool) -> Field {
    Field::new(name, Kind::Fixed { len, mac }, Def::Zeros(len as usize))
}

pub static BOOTP: Proto = Proto {
    name: "BOOTP",
    title: "BOOTP",
    fields: &[
        Field::int("op", 8, 1).named(OPS),
        Field::int("htype", 8, 1).named(HW_TYPES),
        Field::int("hlen", 8, 6),
        Field::int("hops", 8, 0),
        Field::int("xid", 32, 0),
        Field::int("secs", 16, 0),
        Field::flags("flags", 16, FlagNames::Chars("???????????????B"), 0),
        Field::ip4("ciaddr", "0.0.0.0"),
        Field::ip4("yiaddr", "0.0.0.0"),
        Field::ip4("siaddr", "0.0.0.0"),
        Field::ip4("giaddr", "0.0.0.0"),
        fixed("chaddr", 16, true),
        fixed("sname", 64, false),
        fixed("file", 128, false),
        Field::bytes("options").peeked(magic_or_rest),
    ],
    min_len: 236,
    next: super::next_by_binding,
    summary: Some(summary),
    ..Proto::BASE
};

pub static DHCP: Proto = Proto {
    name: "DHCP",
    title: "DHCP options",
    fields: &[Field::new("options", Kind::Tlv(&OPTIONS), Def::Empty)],
    summary: Some(summary),
    ..Proto::BASE
};

/// The message type of DHCP's options (option 53), if there is one.
fn message_type(l: &Layer) -> Option<u8> {
    let Some(Value::Bytes(b)) = l.get("options") else {
        return None;
    };
    items(&OPTIONS, b).find_map(|(_, i)| match i {
        Item::Opt(53, [t]) => Some(*t),
        _ => None,
    })
}

/// scapy's `DHCP Discover` with what tcpdump shows: the client's hardware address, the
/// address offered or given, the transaction id:
/// `DHCP Discover from 02:00:00:00:00:01 xid 0x1a2b3c4d`,
/// `DHCP Offer 192.0.2.9 to 02:00:00:00:00:01 xid 0x1a2b3c4d`; without options
/// `BOOTP Request …`.
fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let bootp = layers[..=i]
        .iter()
        .rev()
        .find(|b| std::ptr::eq(b.proto, &BOOTP));
    let op = bootp.map_or(0, |b| val(&b.values, 0));
    if std::ptr::eq(l.proto, &DHCP) {
        match message_type(l) {
            Some(t) => match name_of(DHCP_TYPES, t as u64) {
                Some(n) => {
                    // scapy's `capitalize()`: `Discover`, `Force_renew`.
                    let mut c = n.chars();
                    out.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    out.push_str(c.as_str());
                }
                None => {
                    let _ = write!(out, "message-type {t}");
                }
            },
            None => out.push_str("options"),
        }
    } else {
        out.push_str(if op == 2 { "Reply" } else { "Request" });
    }
    let Some(b) = bootp else {
        return;
    };
    let mac = match (b.get("chaddr"), val(&b.values, 2)) {
        (Some(Value::Bytes(c)), 6) if c.len() >= 6 => Some(&c[..6]),
        _ => None,
    };
    let addr = |name: &str| match b.get(name) {
        Some(Value::Ip4(a)) if *a != [0; 4] => Some(*a),
        _ => None,
    };
    if op == 2 {
        if let Some(a) = addr("yiaddr") {
            out.push(' ');
            fmt_ip4(&a, out);
        }
        if let Some(m) = mac {
            out.push_str(" to ");
            fmt_mac(m, out);
        }
    } else {
        if let Some(m) = mac {
            out.push_str(" from ");
            fmt_mac(m, out);
        }
        if let Some(a) = addr("ciaddr") {
            out.push_str(" ciaddr ");
            fmt_ip4(&a, out);
        }
    }
    let _ = write!(out, " xid {:#010x}", val(&b.values, 4));
}

#[cfg(test)]
#[path = "dhcp/tests.rs"]
mod tests;
