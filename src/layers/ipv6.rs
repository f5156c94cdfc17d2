//! IPv6 (`IPv6`), the IPv6 header quoted in an ICMPv6 error (`IPerror6`), the extension headers
//! (hop-by-hop, routing, fragment, destination options) and their options.

use super::field::{Auto, Def, Field, Kind, OptionSet, Value};
use super::{Layer, Proto, bind, fmt_addr, icmpv6, ip, val};

pub static FIELDS: [Field; 8] = [
    Field::int("version", 4, 6),
    Field::int("tc", 8, 0),
    Field::int("fl", 20, 0),
    Field::auto("plen", 16, Auto::PayloadLen),
    Field::auto("nh", 8, Auto::Next(59)),
    Field::int("hlim", 8, 64),
    Field::ip6("src", "::1"),
    Field::ip6("dst", "::1"),
];

/// `plen` says how much follows the fixed header (0 with a hop-by-hop header: a jumbogram).
fn payload_len(l: &Layer) -> Option<usize> {
    let plen = val(&l.values, 3) as usize;
    if plen == 0 && val(&l.values, 4) == 0 {
        return None;
    }
    Some(plen)
}

/// What an IPv6 `nh` (or an extension header's `nh`) leads to: the binding table, with ICMPv6
/// chosen by its type.
pub fn next(l: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    let nh_index = if l.proto.name == "IPv6" || l.proto.name == "IPerror6" {
        4
    } else {
        0
    };
    if val(&l.values, nh_index) == 58 {
        return icmpv6::by_type(payload);
    }
    bind::lookup(l)
}

pub static IPV6: Proto = Proto {
    name: "IPv6",
    title: "IPv6",
    fields: &FIELDS,
    min_len: 40,
    payload_len,
    next,
    summary: Some(summary),
    ..Proto::BASE
};

pub static IPERROR6: Proto = Proto {
    name: "IPerror6",
    title: "IPv6 in ICMPv6",
    fields: &FIELDS,
    min_len: 40,
    quoted: true,
    payload_len,
    next,
    ..Proto::BASE
};

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    fmt_addr(l.get("src"), out);
    out.push_str(" > ");
    fmt_addr(l.get("dst"), out);
    let nh = val(&l.values, 4);
    out.push(' ');
    match ip::proto_name(nh) {
        Some(n) => out.push_str(n),
        None => out.push_str(&format!("nh={nh}")),
    }
}

// ---- extension headers ----

/// Hop-by-hop and destination options: `len` counts 8-byte units after the first 8 bytes.
fn opts_len(v: &[Value]) -> Result<usize, String> {
    Ok((val(v, 1) as usize + 1) * 8 - 2)
}

pub static OPTS_FIELDS: [Field; 3] = [
    Field::auto("nh", 8, Auto::Next(59)),
    Field::auto("len", 8, Auto::ExtLen),
    Field::new("options", Kind::Options(OptionSet::Ip6), Def::Empty).sized(opts_len),
];

pub static HOP_BY_HOP: Proto = Proto {
    name: "IPv6ExtHdrHopByHop",
    title: "IPv6 Extension Header - Hop-by-Hop Options Header",
    fields: &OPTS_FIELDS,
    min_len: 8,
    next,
    ..Proto::BASE
};

pub static DEST_OPT: Proto = Proto {
    name: "IPv6ExtHdrDestOpt",
    title: "IPv6 Extension Header - Destination Options Header",
    fields: &OPTS_FIELDS,
    min_len: 8,
    next,
    ..Proto::BASE
};

fn addresses_len(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 1) as usize * 8)
}

pub static ROUTING_FIELDS: [Field; 6] = [
    Field::auto("nh", 8, Auto::Next(59)),
    Field::auto(
        "len",
        8,
        Auto::SizeOf {
            field: "addresses",
            add: 0,
            unit: 8,
        },
    ),
    Field::int("type", 8, 0),
    Field::auto(
        "segleft",
        8,
        Auto::SizeOf {
            field: "addresses",
            add: 0,
            unit: 16,
        },
    ),
    Field::int("reserved", 32, 0),
    Field::new("addresses", Kind::Ip6List, Def::Empty).sized(addresses_len),
];

pub static ROUTING: Proto = Proto {
    name: "IPv6ExtHdrRouting",
    title: "IPv6 Option Header Routing",
    fields: &ROUTING_FIELDS,
    min_len: 8,
    next,
    ..Proto::BASE
};

pub static FRAGMENT_FIELDS: [Field; 6] = [
    Field::auto("nh", 8, Auto::Next(59)),
    Field::int("res1", 8, 0),
    Field::int("offset", 13, 0),
    Field::int("res2", 2, 0),
    Field::int("m", 1, 0),
    Field::auto("id", 32, Auto::Zero),
];

/// Only the first fragment's payload can be decoded.
fn fragment_next(l: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    if val(&l.values, 2) != 0 {
        return None;
    }
    next(l, payload)
}

pub static FRAGMENT: Proto = Proto {
    name: "IPv6ExtHdrFragment",
    title: "IPv6 Extension Header - Fragmentation header",
    fields: &FRAGMENT_FIELDS,
    min_len: 8,
    next: fragment_next,
    ..Proto::BASE
};

// ---- hop-by-hop / destination options ----

fn optlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 1) as usize)
}

pub static PAD1_FIELDS: [Field; 1] = [Field::int("otype", 8, 0)];
pub static PAD1: Proto = Proto {
    name: "Pad1",
    title: "Pad1",
    fields: &PAD1_FIELDS,
    min_len: 1,
    ..Proto::BASE
};

pub static PADN_FIELDS: [Field; 3] = [
    Field::int("otype", 8, 1),
    Field::auto(
        "optlen",
        8,
        Auto::SizeOf {
            field: "optdata",
            add: 0,
            unit: 1,
        },
    ),
    Field::bytes("optdata").sized(optlen),
];
pub static PADN: Proto = Proto {
    name: "PadN",
    title: "PadN",
    fields: &PADN_FIELDS,
    min_len: 2,
    ..Proto::BASE
};

pub static ROUTER_ALERT_FIELDS: [Field; 3] = [
    Field::int("otype", 8, 5),
    Field::int("optlen", 8, 2),
    Field::int("value", 16, 0),
];
pub static ROUTER_ALERT: Proto = Proto {
    name: "RouterAlert",
    title: "Router Alert",
    fields: &ROUTER_ALERT_FIELDS,
    min_len: 4,
    ..Proto::BASE
};

pub static JUMBO_FIELDS: [Field; 3] = [
    Field::int("otype", 8, 0xc2),
    Field::int("optlen", 8, 4),
    Field::auto("jumboplen", 32, Auto::Zero),
];
pub static JUMBO: Proto = Proto {
    name: "Jumbo",
    title: "Jumbo Payload",
    fields: &JUMBO_FIELDS,
    min_len: 6,
    ..Proto::BASE
};

pub static HAO_FIELDS: [Field; 3] = [
    Field::int("otype", 8, 0xc9),
    Field::int("optlen", 8, 16),
    Field::ip6("hoa", "::"),
];
pub static HAO: Proto = Proto {
    name: "HAO",
    title: "Home Address Option",
    fields: &HAO_FIELDS,
    min_len: 18,
    ..Proto::BASE
};

pub static UNKNOWN_OPT: Proto = Proto {
    name: "HBHOptUnknown",
    title: "Scapy6 Unknown Option",
    fields: &PADN_FIELDS,
    min_len: 2,
    ..Proto::BASE
};

/// The option class for the option starting at `b[0]`; a fixed-size class whose length byte
/// disagrees is read as unknown, so its bytes are kept.
pub fn option_proto(b: &[u8]) -> &'static Proto {
    match (b.first(), b.get(1)) {
        (Some(0), _) => &PAD1,
        (Some(1), _) => &PADN,
        (Some(5), Some(2)) => &ROUTER_ALERT,
        (Some(0xc2), Some(4)) => &JUMBO,
        (Some(0xc9), Some(16)) => &HAO,
        _ => &UNKNOWN_OPT,
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::layers::Value;
    use crate::test_util::hex;

    #[test]
    fn extension_header_chain() {
        // Ether/IPv6/HopByHop(RouterAlert, Jumbo, PadN)/Routing(2001:db8::1)/Fragment/DestOpt/UDP, by scapy.
        let f = hex(
            "ffffffffffff00000000000086dd 6000000000400040 00000000000000000000000000000001 00000000000000000000000000000001 \
             2b01 05020000 c20400000000 01020000 \
             2c02 00 01 00000000 20010db8000000000000000000000001 \
             3c00 0000 00000000 \
             1100 01040000 0000 \
             00350035 0008 d1b9",
        );
        let p = dissect(1, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(
            names,
            [
                "Ether",
                "IPv6",
                "IPv6ExtHdrHopByHop",
                "IPv6ExtHdrRouting",
                "IPv6ExtHdrFragment",
                "IPv6ExtHdrDestOpt",
                "UDP"
            ]
        );
        let Some(Value::Options(o)) = p.layers[2].get("options") else {
            panic!()
        };
        let on: Vec<_> = o.iter().map(|l| l.name()).collect();
        assert_eq!(on, ["RouterAlert", "Jumbo", "PadN"]);
        let Some(Value::Ip6List(a)) = p.layers[3].get("addresses") else {
            panic!()
        };
        assert_eq!(a.len(), 1);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn later_fragment_is_raw() {
        let f = hex(
            "6000000000102c40 00000000000000000000000000000001 00000000000000000000000000000001 \
             3a00 0009 00000000 0102030405060708",
        );
        let p = dissect(101, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["IPv6", "IPv6ExtHdrFragment", "Raw"]);
        assert_eq!(p.layers[1].int("offset"), Some(1));
        assert_eq!(p.layers[1].int("m"), Some(1));
    }
}
