//! SVCB and HTTPS records (RFC 9460) as scapy 2.8 has them: a priority, a target name and a
//! list of `SvcParam`s, each a key, a length and a value of the form its key gives it
//! (mandatory keys, ALPN character-strings, a port, address hints, bytes for the rest).

use super::{CLASSES, SVC_KEYS, TYPES, name};
use crate::layers::coded::Coding;
use crate::layers::field::{Auto, Chain, Def, Field, Kind, ListSpec};
use crate::layers::{Proto, Value, val};

/// `value`'s length: `len`.
fn len(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 1) as usize)
}

/// `value` of the form this key's row takes.
const fn value(coding: Coding, row: fn(&[Value]) -> bool) -> Field {
    Field::new("value", Kind::Coded(coding), Def::Empty)
        .when(row)
        .sized(len)
}

pub static SVC_PARAM: Proto = Proto {
    name: "SvcParam",
    title: "SvcParam",
    fields: &[
        Field::int("key", 16, 0).named(SVC_KEYS),
        Field::auto(
            "len",
            16,
            Auto::SizeOf {
                field: "value",
                add: 0,
                unit: 1,
            },
        ),
        value(Coding::Ints(2), |v| val(v, 0) == 0),
        value(Coding::Text, |v| matches!(val(v, 0), 1 | 2)),
        Field::int("value", 16, 0).when(|v| val(v, 0) == 3),
        value(Coding::Ip4s, |v| val(v, 0) == 4),
        value(Coding::Ip6s, |v| val(v, 0) == 6),
        Field::bytes("value")
            .when(|v| !matches!(val(v, 0), 0..=4 | 6))
            .sized(len),
    ],
    min_len: 4,
    ..Proto::BASE
};

static SVC_PARAMS: ListSpec = ListSpec {
    what: "SvcParam",
    element: |_| &SVC_PARAM,
    count: None,
    accepts: |n| n == "SvcParam",
    size: None,
    chain: Chain::None,
};

const PARAMS: [Field; 3] = [
    Field::int("svc_priority", 16, 0),
    name("target_name", "."),
    Field::new("svc_params", Kind::List(&SVC_PARAMS), Def::Empty),
];

typed_rr!(
    DNSRRSVCB,
    "DNSRRSVCB",
    "DNS SVCB Resource Record",
    64,
    [PARAMS[0], PARAMS[1], PARAMS[2]]
);
typed_rr!(
    DNSRRHTTPS,
    "DNSRRHTTPS",
    "DNS HTTPS Resource Record",
    65,
    [PARAMS[0], PARAMS[1], PARAMS[2]]
);
