//! ICMP (IPv4), and the ICMP header quoted in an ICMP error (`ICMPerror`). Which fields follow
//! the checksum depends on the type, as in scapy: each is a conditional row of the table.

use super::field::{Auto, Field, Value};
use super::{Checksum, Layer, Proto, Scope, fmt_hosts, ip, val};
use std::fmt::Write as _;

fn t(v: &[Value]) -> u64 {
    val(v, 0)
}
fn id_seq(v: &[Value]) -> bool {
    matches!(t(v), 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18 | 37 | 38)
}
fn timestamps(v: &[Value]) -> bool {
    matches!(t(v), 13 | 14)
}

pub static FIELDS: [Field; 16] = [
    Field::int("type", 8, 8),
    Field::int("code", 8, 0),
    Field::auto("chksum", 16, Auto::Checksum),
    Field::int("id", 16, 0).when(id_seq),
    Field::int("seq", 16, 0).when(id_seq),
    Field::int("ts_ori", 32, 0).when(timestamps),
    Field::int("ts_rx", 32, 0).when(timestamps),
    Field::int("ts_tx", 32, 0).when(timestamps),
    Field::ip4("gw", "0.0.0.0").when(|v| t(v) == 5),
    Field::int("ptr", 8, 0).when(|v| t(v) == 12),
    Field::int("reserved", 8, 0).when(|v| matches!(t(v), 3 | 11)),
    Field::int("length", 8, 0).when(|v| matches!(t(v), 3 | 11 | 12)),
    Field::ip4("addr_mask", "0.0.0.0").when(|v| matches!(t(v), 17 | 18)),
    Field::int("nexthopmtu", 16, 0).when(|v| t(v) == 3),
    Field::int("unused", 16, 0).when(|v| matches!(t(v), 11 | 12)),
    Field::int("unused", 32, 0).when(|v| !matches!(t(v), 0 | 3 | 5 | 8 | 11..=18)),
];

/// Errors quote the offending datagram.
fn next(l: &Layer, _: &[u8]) -> Option<&'static Proto> {
    match val(&l.values, 0) {
        3 | 4 | 5 | 11 | 12 => Some(&ip::IPERROR),
        _ => None,
    }
}

pub static ICMP: Proto = Proto {
    name: "ICMP",
    title: "ICMP",
    fields: &FIELDS,
    min_len: 8,
    next,
    summary: Some(summary),
    checksum: Some(Checksum {
        field: "chksum",
        at: 2,
        scope: Scope::Message,
    }),
    ..Proto::BASE
};

pub static ICMPERROR: Proto = Proto {
    name: "ICMPerror",
    title: "ICMP in ICMP",
    fields: &FIELDS,
    min_len: 8,
    quoted: true,
    // Computed when building; a quoted packet is usually cut, so dissection does not verify it.
    checksum: Some(Checksum {
        field: "chksum",
        at: 2,
        scope: Scope::Message,
    }),
    ..Proto::BASE
};

/// scapy's names for ICMP types.
pub fn type_name(t: u64) -> Option<&'static str> {
    Some(match t {
        0 => "echo-reply",
        3 => "dest-unreach",
        4 => "source-quench",
        5 => "redirect",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicitation",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp-request",
        14 => "timestamp-reply",
        15 => "information-request",
        16 => "information-response",
        17 => "address-mask-request",
        18 => "address-mask-reply",
        _ => return None,
    })
}

/// scapy's names for the codes of dest-unreach and time-exceeded.
pub fn code_name(t: u64, c: u64) -> Option<&'static str> {
    Some(match (t, c) {
        (3, 0) => "network-unreachable",
        (3, 1) => "host-unreachable",
        (3, 2) => "protocol-unreachable",
        (3, 3) => "port-unreachable",
        (3, 4) => "fragmentation-needed",
        (3, 5) => "source-route-failed",
        (3, 6) => "network-unknown",
        (3, 7) => "host-unknown",
        (3, 9) => "network-prohibited",
        (3, 10) => "host-prohibited",
        (3, 13) => "communication-prohibited",
        (11, 0) => "ttl-zero-during-transit",
        (11, 1) => "ttl-zero-during-reassembly",
        _ => return None,
    })
}

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    fmt_hosts(layers, i, out);
    let (ty, code) = (val(&l.values, 0), val(&l.values, 1));
    match type_name(ty) {
        Some(n) => {
            let _ = write!(out, " {n}");
        }
        None => {
            let _ = write!(out, " type={ty}");
        }
    }
    match code_name(ty, code) {
        Some(n) => {
            let _ = write!(out, " {n}");
        }
        None => {
            let _ = write!(out, " {code}");
        }
    }
    if let (Some(id), Some(seq)) = (l.int("id"), l.int("seq")) {
        let _ = write!(out, " id={id} seq={seq}");
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn echo_request_has_id_seq_and_raw_data() {
        // Ether/IP/ICMP(id=7, seq=1)/"xx" as scapy builds it.
        let f = hex(
            "ffffffffffff0000000000000800 4500001e0001000040017cdc7f0000017f000001 08007f7f00070001 7878",
        );
        let p = dissect(1, &f, f.len());
        let i = &p.layers[2];
        assert_eq!((i.int("id"), i.int("seq")), (Some(7), Some(1)));
        assert_eq!(i.int("unused"), None);
        assert_eq!(p.layers[3].name(), "Raw");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn time_exceeded_quotes_the_datagram() {
        // Ether/IP(dst=192.0.2.1)/ICMP(type=11)/IP(dst=192.0.2.1, flags=DF)/ICMP(), by scapy.
        let f = hex(
            "ffffffffffff000000000000080045000038000100004001f6c0c0000202c0000201 0b00f4ff00000000 \
             4500001c000140004001b6dcc0000202c0000201 0800f7ff00000000",
        );
        let p = dissect(1, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["Ether", "IP", "ICMP", "IPerror", "ICMPerror"]);
        let i = &p.layers[2];
        assert_eq!(
            (i.int("reserved"), i.int("length"), i.int("unused")),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(i.int("id"), None);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }
}
