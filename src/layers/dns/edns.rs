//! EDNS0 (RFC 6891): the OPT pseudo-record and the options scapy 2.8 has classes for
//! (`EDNS0OPT_DISPATCHER`): Owner, DAU/DHU/N3U (RFC 6975), Client Subnet (RFC 7871), Cookie
//! (RFC 7873), Padding (RFC 7830), Extended DNS Error (RFC 8914); any other code is a plain TLV.

use super::{CLASSES, EDNS0_CODES, EXTENDED_ERRORS, TYPES, name};
use crate::layers::coded::Coding;
use crate::layers::field::{Auto, Chain, Def, Field, Kind, ListSpec};
use crate::layers::{Proto, Value, val};

static EDNS0_OPTIONS: ListSpec = ListSpec {
    what: "EDNS0 options",
    element: edns0_class,
    count: None,
    accepts: |n| n.starts_with("EDNS0"),
    size: None,
    chain: Chain::None,
};

/// The OPT record's option list: `rdlen` bytes.
fn opt_rdlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 6) as usize)
}

const fn size_of(name: &'static str, field: &'static str, add: u8) -> Field {
    Field::auto(
        name,
        16,
        Auto::SizeOf {
            field,
            add,
            unit: 1,
        },
    )
}

pub static DNSRROPT: Proto = Proto {
    name: "DNSRROPT",
    title: "DNS OPT Resource Record",
    fields: &[
        name("rrname", "."),
        Field::int("type", 16, 41).named(TYPES),
        Field::int("rclass", 16, 4096).named(CLASSES),
        Field::int("extrcode", 8, 0),
        Field::int("version", 8, 0),
        Field::int("z", 16, 32768).named(&[(32768, "D0")]),
        size_of("rdlen", "rdata", 0),
        Field::new("rdata", Kind::List(&EDNS0_OPTIONS), Def::Empty).sized(opt_rdlen),
    ],
    min_len: 11,
    ..Proto::BASE
};

/// An option's data: `optlen` bytes (less what fixed fields before it took, `less`).
fn optlen_less(v: &[Value], less: usize) -> usize {
    (val(v, 1) as usize).saturating_sub(less)
}

const fn code(default: u64) -> Field {
    Field::int("optcode", 16, default).named(EDNS0_CODES)
}

/// The length of everything after it.
const OPTLEN: Field = Field::auto("optlen", 16, Auto::RestLen);

/// An option class: its code, `optlen`, then `fields`.
macro_rules! option {
    ($static:ident, $name:expr, $title:expr, $min:expr, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &[$($field),*],
            min_len: $min,
            ..Proto::BASE
        };
    };
}

option!(
    EDNS0TLV,
    "EDNS0TLV",
    "DNS EDNS0 TLV",
    4,
    [
        code(0),
        OPTLEN,
        Field::bytes("optdata").sized(|v| Ok(optlen_less(v, 0)))
    ]
);

// draft-cheshire-edns0-owner-option: the wake-up MAC and password only when `optlen` says
// (scapy's conditions; its password is `optlen - 14` bytes).
option!(
    EDNS0OWN,
    "EDNS0OWN",
    "EDNS0 Owner (OWN)",
    12,
    [
        code(4),
        OPTLEN,
        Field::int("v", 8, 0),
        Field::int("s", 8, 0),
        Field::mac("primary_mac", "00:00:00:00:00:00"),
        Field::mac("wakeup_mac", "00:00:00:00:00:00").when(|v| val(v, 1) >= 14),
        Field::bytes("password")
            .when(|v| val(v, 1) >= 18)
            .sized(|v| Ok(optlen_less(v, 14))),
    ]
);

/// DAU, DHU, N3U: a list of algorithm numbers (DNSSEC algorithms, DS digest types, NSEC3
/// hashes), one byte each.
macro_rules! algorithms {
    ($static:ident, $name:expr, $title:expr, $code:expr) => {
        option!(
            $static,
            $name,
            $title,
            4,
            [
                code($code),
                size_of("optlen", "alg_code", 0),
                Field::new("alg_code", Kind::Coded(Coding::Ints(1)), Def::Empty)
                    .sized(|v| Ok(optlen_less(v, 0))),
            ]
        );
    };
}

algorithms!(EDNS0DAU, "EDNS0DAU", "DNSSEC Algorithm Understood (DAU)", 5);
algorithms!(EDNS0DHU, "EDNS0DHU", "DS Hash Understood (DHU)", 6);
algorithms!(EDNS0N3U, "EDNS0N3U", "NSEC3 Hash Understood (N3U)", 7);

/// The address's bytes: as many as `source_plen` needs, at most the address's (unknown while
/// building until `source_plen` is given: the address then decides it).
fn prefix_len(v: &[Value], max: usize) -> Result<usize, String> {
    match v.get(3) {
        Some(Value::Int(p)) => Ok((*p as usize).div_ceil(8).min(max)),
        _ => Err("source_plen is not known yet".into()),
    }
}

option!(
    EDNS0CLIENTSUBNET,
    "EDNS0ClientSubnet",
    "DNS EDNS0 Client Subnet",
    8,
    [
        code(8),
        size_of("optlen", "address", 4),
        Field::int("family", 16, 1),
        Field::auto("source_plen", 8, Auto::BitsOf("address")),
        Field::int("scope_plen", 8, 0),
        // IPv6 for family 2, IPv4 for any other (scapy's default form).
        Field::new(
            "address",
            Kind::Coded(Coding::Prefix(4)),
            Def::Text("192.168.0.0")
        )
        .when(|v| val(v, 2) != 2)
        .sized(|v| prefix_len(v, 4)),
        Field::new(
            "address",
            Kind::Coded(Coding::Prefix(16)),
            Def::Text("2001:db8::")
        )
        .when(|v| val(v, 2) == 2)
        .sized(|v| prefix_len(v, 16)),
    ]
);

option!(
    EDNS0COOKIE,
    "EDNS0COOKIE",
    "DNS EDNS0 COOKIE",
    12,
    [
        code(10),
        OPTLEN,
        Field::new("client_cookie", Kind::Bytes, Def::Zeros(8)).sized(|_| Ok(8)),
        Field::bytes("server_cookie").sized(|v| Ok(optlen_less(v, 8))),
    ]
);

option!(
    EDNS0PADDING,
    "EDNS0PADDING",
    "DNS EDNS0 Padding",
    4,
    [
        code(12),
        OPTLEN,
        Field::bytes("padding").sized(|v| Ok(optlen_less(v, 0)))
    ]
);

option!(
    EDNS0EXTENDEDDNSERROR,
    "EDNS0ExtendedDNSError",
    "DNS EDNS0 Extended DNS Error",
    6,
    [
        code(15),
        size_of("optlen", "extra_text", 2),
        Field::int("info_code", 16, 0).named(EXTENDED_ERRORS),
        Field::bytes("extra_text").sized(|v| Ok(optlen_less(v, 2))),
    ]
);

/// The option class by its code (scapy's `EDNS0OPT_DISPATCHER`); a cookie shorter than its
/// client part, as anything unknown, is a plain TLV.
fn edns0_class(b: &[u8]) -> &'static Proto {
    let code = b.get(..2).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    let len = b.get(2..4).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    match code {
        4 => &EDNS0OWN,
        5 => &EDNS0DAU,
        6 => &EDNS0DHU,
        7 => &EDNS0N3U,
        8 => &EDNS0CLIENTSUBNET,
        10 if len >= 8 => &EDNS0COOKIE,
        12 => &EDNS0PADDING,
        15 => &EDNS0EXTENDEDDNSERROR,
        _ => &EDNS0TLV,
    }
}
