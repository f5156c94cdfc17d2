//! DUIDs (RFC 8415 §11, RFC 6355), as scapy's `DUID_LLT`, `DUID_EN`, `DUID_LL` and
//! `DUID_UUID`: the packet a Client or Server Identifier option holds (scapy's
//! `PacketLenField`), chosen by its type; bytes after its fields are its `Raw` payload (a link
//! layer address longer than Ethernet's).

use super::names::{DUID_TYPES, HW_TYPES};
use crate::layers::coded::Coding;
use crate::layers::field::{Chain, Def, Field, Kind, ListSpec};
use crate::layers::{Proto, raw};

const fn duid_type(t: u64) -> Field {
    Field::int("type", 16, t).named(DUID_TYPES)
}

const HWTYPE: Field = Field::int("hwtype", 16, 1).named(HW_TYPES);
const LLADDR: Field = Field::mac("lladdr", "00:00:00:00:00:00");

pub static DUID_LLT: Proto = Proto {
    name: "DUID_LLT",
    title: "DUID - Link-layer address plus time",
    fields: &[duid_type(1), HWTYPE, Field::int("timeval", 32, 0), LLADDR],
    min_len: 14,
    ..Proto::BASE
};

pub static DUID_EN: Proto = Proto {
    name: "DUID_EN",
    title: "DUID - Assigned by Vendor Based on Enterprise Number",
    fields: &[
        duid_type(2),
        Field::int("enterprisenum", 32, 311),
        Field::bytes("id"),
    ],
    min_len: 6,
    ..Proto::BASE
};

pub static DUID_LL: Proto = Proto {
    name: "DUID_LL",
    title: "DUID - Based on Link-layer Address",
    fields: &[duid_type(3), HWTYPE, LLADDR],
    min_len: 10,
    ..Proto::BASE
};

pub static DUID_UUID: Proto = Proto {
    name: "DUID_UUID",
    title: "DUID - Based on UUID",
    fields: &[
        duid_type(4),
        Field::new("uuid", Kind::Coded(Coding::Uuid), Def::Zeros(16)),
    ],
    min_len: 18,
    ..Proto::BASE
};

/// The DUID class by its type (scapy's `_duid_dispatcher`: more than 4 bytes and a known
/// type, else `Raw`).
fn duid_class(b: &[u8]) -> &'static Proto {
    if b.len() <= 4 {
        return &raw::RAW;
    }
    match u16::from_be_bytes([b[0], b[1]]) {
        1 => &DUID_LLT,
        2 => &DUID_EN,
        3 => &DUID_LL,
        4 => &DUID_UUID,
        _ => &raw::RAW,
    }
}

/// The `duid` of a Client or Server Identifier option: one DUID and its payload.
pub(super) static DUID: ListSpec = ListSpec {
    what: "DUID",
    element: duid_class,
    count: None,
    accepts: |n| n.starts_with("DUID_") || n == "Raw",
    size: None,
    chain: Chain::One,
};
