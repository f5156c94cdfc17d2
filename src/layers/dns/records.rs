//! `DNSRR`, whose `rdata` takes the form its type gives it (scapy's `MultipleTypeField`: an
//! IPv4 or IPv6 address, a name, character-strings for TXT, bytes for anything else), and the
//! classic typed records scapy has classes for: MX, SOA, SRV, HINFO, NAPTR, TSIG.

use super::{CLASSES, TYPES, name};
use crate::layers::coded::Coding;
use crate::layers::field::{Auto, Field, Kind};
use crate::layers::{Proto, Value, val};

/// The types whose `rdata` is one name (NS, MD, MF, CNAME, PTR, DNAME).
const NAME_TYPES: [u64; 6] = [2, 3, 4, 5, 12, 39];

/// The row of `rdata` the type picks (scapy's conditions, in its order).
fn rdata_row(v: &[Value]) -> u8 {
    match val(v, 1) {
        1 => 0,
        28 => 1,
        t if NAME_TYPES.contains(&t) => 2,
        16 => 3,
        _ => 4,
    }
}

/// `rdata`'s length: `rdlen`.
fn rdlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 5) as usize)
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
        Field::ip4("rdata", "0.0.0.0").when(|v| rdata_row(v) == 0),
        Field::ip6("rdata", "::").when(|v| rdata_row(v) == 1),
        name("rdata", ".").when(|v| rdata_row(v) == 2),
        // TXT: scapy's default is one empty string (a zero byte).
        Field::new(
            "rdata",
            Kind::Coded(Coding::Text),
            crate::layers::Def::Text(""),
        )
        .when(|v| rdata_row(v) == 3)
        .sized(rdlen),
        Field::bytes("rdata")
            .when(|v| rdata_row(v) == 4)
            .sized(rdlen),
    ],
    min_len: 11,
    ..Proto::BASE
};

typed_rr!(
    DNSRRMX,
    "DNSRRMX",
    "DNS MX Resource Record",
    15,
    [Field::int("preference", 16, 0), name("exchange", ".")]
);
typed_rr!(
    DNSRRSOA,
    "DNSRRSOA",
    "DNS SOA Resource Record",
    6,
    class16,
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

/// A length byte counting the bytes of the field `of`.
const fn len8(name: &'static str, of: &'static str) -> Field {
    Field::auto(
        name,
        8,
        Auto::SizeOf {
            field: of,
            add: 0,
            unit: 1,
        },
    )
}

/// The same with 16 bits.
const fn len16(name: &'static str, of: &'static str) -> Field {
    Field::auto(
        name,
        16,
        Auto::SizeOf {
            field: of,
            add: 0,
            unit: 1,
        },
    )
}

typed_rr!(
    DNSRRHINFO,
    "DNSRRHINFO",
    "DNS HINFO Resource Record",
    13,
    [
        len8("cpulen", "cpu"),
        Field::bytes("cpu").sized(|v| Ok(val(v, 6) as usize)),
        len8("oslen", "os"),
        Field::bytes("os").sized(|v| Ok(val(v, 8) as usize)),
    ]
);
typed_rr!(
    DNSRRNAPTR,
    "DNSRRNAPTR",
    "DNS NAPTR Resource Record",
    35,
    [
        Field::int("order", 16, 0),
        Field::int("preference", 16, 0),
        len8("flags_len", "flags"),
        Field::bytes("flags").sized(|v| Ok(val(v, 8) as usize)),
        len8("services_len", "services"),
        Field::bytes("services").sized(|v| Ok(val(v, 10) as usize)),
        len8("regexp_len", "regexp"),
        Field::bytes("regexp").sized(|v| Ok(val(v, 12) as usize)),
        name("replacement", "."),
    ]
);
typed_rr!(
    DNSRRTSIG,
    "DNSRRTSIG",
    "DNS TSIG Resource Record",
    250,
    class16,
    [
        name("algo_name", "hmac-sha1."),
        // Seconds since 1970 in 48 bits (RFC 8945 §4.2).
        Field::int("time_signed", 48, 0),
        Field::int("fudge", 16, 0),
        len16("mac_len", "mac_data"),
        Field::bytes("mac_data").sized(|v| Ok(val(v, 8) as usize)),
        Field::int("original_id", 16, 0),
        Field::int("error", 16, 0),
        len16("other_len", "other_data"),
        Field::bytes("other_data").sized(|v| Ok(val(v, 12) as usize)),
    ]
);
