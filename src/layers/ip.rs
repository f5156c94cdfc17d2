//! IPv4 (`IP`), the IPv4 header quoted in an ICMP error (`IPerror`), and IPv4 options.

use super::field::{Auto, Field, FlagNames, Kind, OptionSet, Value};
use super::{Checksum, Layer, Proto, Scope, bind, fmt_addr, val};
use std::fmt::Write as _;

const IHL: usize = 1;
const LEN: usize = 3;
const FRAG: usize = 6;

fn options_len(v: &[Value]) -> Result<usize, String> {
    let ihl = val(v, IHL) as usize;
    if ihl < 5 {
        return Err(format!("IP.ihl={ihl} < 5"));
    }
    Ok(ihl * 4 - 20)
}

pub static FIELDS: [Field; 13] = [
    Field::int("version", 4, 4),
    Field::auto("ihl", 4, Auto::HeaderLen(4)),
    Field::int("tos", 8, 0),
    Field::auto("len", 16, Auto::TotalLen),
    Field::int("id", 16, 1),
    Field::flags("flags", 3, FlagNames::Words(&["MF", "DF", "evil"]), 0),
    Field::int("frag", 13, 0),
    Field::int("ttl", 8, 64),
    Field::auto("proto", 8, Auto::Next(0)),
    Field::auto("chksum", 16, Auto::Checksum),
    Field::ip4("src", "127.0.0.1"),
    Field::ip4("dst", "127.0.0.1"),
    Field::new("options", Kind::Options(OptionSet::Ip), super::Def::Empty).sized(options_len),
];

/// Payload ends where `len` says (when it says anything sensible); the rest is padding.
fn payload_len(l: &Layer) -> Option<usize> {
    let total = val(&l.values, LEN) as usize;
    total.checked_sub(l.len).filter(|_| total >= 20)
}

fn next(l: &Layer, _: &[u8]) -> Option<&'static Proto> {
    // A fragment other than the first carries no decodable header: Raw, as scapy.
    if val(&l.values, FRAG) != 0 && val(&l.values, 8) != 41 {
        return None;
    }
    bind::lookup(l)
}

pub static IP: Proto = Proto {
    name: "IP",
    title: "IP",
    fields: &FIELDS,
    min_len: 20,
    payload_len,
    next,
    summary: Some(summary),
    checksum: Some(Checksum {
        field: "chksum",
        at: 10,
        scope: Scope::Header,
    }),
    ..Proto::BASE
};

pub static IPERROR: Proto = Proto {
    name: "IPerror",
    title: "IP in ICMP",
    fields: &FIELDS,
    min_len: 20,
    quoted: true,
    payload_len,
    next,
    // Computed when building; a quoted packet is usually cut, so dissection does not verify it.
    checksum: Some(Checksum {
        field: "chksum",
        at: 10,
        scope: Scope::Header,
    }),
    ..Proto::BASE
};

/// A short name for common IP protocol numbers, for summaries.
pub fn proto_name(p: u64) -> Option<&'static str> {
    Some(match p {
        0 => "hopopt",
        1 => "icmp",
        2 => "igmp",
        4 => "ipencap",
        6 => "tcp",
        17 => "udp",
        41 => "ipv6",
        43 => "ipv6-route",
        44 => "ipv6-frag",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        59 => "ipv6-nonxt",
        60 => "ipv6-opts",
        89 => "ospf",
        103 => "pim",
        112 => "vrrp",
        132 => "sctp",
        _ => return None,
    })
}

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    fmt_addr(l.get("src"), out);
    out.push_str(" > ");
    fmt_addr(l.get("dst"), out);
    let p = val(&l.values, 8);
    match proto_name(p) {
        Some(n) => {
            out.push(' ');
            out.push_str(n);
        }
        None => {
            let _ = write!(out, " proto={p}");
        }
    }
    let frag = val(&l.values, FRAG);
    if frag != 0 {
        let _ = write!(out, " frag:{}", frag * 8);
    }
}

// ---- IPv4 options: each one a small layer, as scapy's IPOption classes ----

fn opt_len(v: &[Value]) -> Result<usize, String> {
    let length = val(v, 3) as usize;
    if length < 2 {
        return Err(format!("IP option length={length} < 2"));
    }
    Ok(length - 2)
}

/// The option type byte, split as scapy splits it, with this class's defaults.
const fn opt_head(copy: u64, class: u64, option: u64) -> [Field; 3] {
    [
        Field::int("copy_flag", 1, copy),
        Field::int("optclass", 2, class),
        Field::int("option", 5, option),
    ]
}

pub static OPT_EOL_FIELDS: [Field; 3] = opt_head(0, 0, 0);
pub static OPT_NOP_FIELDS: [Field; 3] = opt_head(0, 0, 1);

pub static OPT_EOL: Proto = Proto {
    name: "IPOption_EOL",
    title: "IP Option End of Options List",
    fields: &OPT_EOL_FIELDS,
    min_len: 1,
    ..Proto::BASE
};
pub static OPT_NOP: Proto = Proto {
    name: "IPOption_NOP",
    title: "IP Option No Operation",
    fields: &OPT_NOP_FIELDS,
    min_len: 1,
    ..Proto::BASE
};

pub static OPT_ROUTER_ALERT_FIELDS: [Field; 5] = {
    let [a, b, c] = opt_head(1, 0, 20);
    [
        a,
        b,
        c,
        Field::int("length", 8, 4),
        Field::int("alert", 16, 0),
    ]
};
pub static OPT_ROUTER_ALERT: Proto = Proto {
    name: "IPOption_Router_Alert",
    title: "IP Option Router Alert",
    fields: &OPT_ROUTER_ALERT_FIELDS,
    min_len: 4,
    ..Proto::BASE
};

pub static OPT_GENERIC_FIELDS: [Field; 5] = {
    let [a, b, c] = opt_head(0, 0, 0);
    [
        a,
        b,
        c,
        Field::auto(
            "length",
            8,
            Auto::SizeOf {
                field: "value",
                add: 2,
                unit: 1,
            },
        ),
        Field::bytes("value").sized(opt_len),
    ]
};
pub static OPT_GENERIC: Proto = Proto {
    name: "IPOption",
    title: "IP Option",
    fields: &OPT_GENERIC_FIELDS,
    min_len: 2,
    ..Proto::BASE
};

/// The option class for the option starting at `b[0]`.
pub fn option_proto(b: &[u8]) -> &'static Proto {
    match b.first().map(|o| o & 0x1f) {
        Some(0) => &OPT_EOL,
        Some(1) => &OPT_NOP,
        Some(20) if b.get(1) == Some(&4) => &OPT_ROUTER_ALERT,
        _ => &OPT_GENERIC,
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::layers::Value;
    use crate::test_util::hex;

    const ETH: &str = "ffffffffffff 020000000001 0800";

    #[test]
    fn header_fields_and_padding_past_len() {
        // IP(len=20, flags=DF, ttl=64, proto=0) + 4 bytes of Ethernet padding.
        let f = hex(&format!(
            "{ETH} 4500 0014 0001 4000 4000 3ce7 7f000001 7f000001 00000000"
        ));
        let p = dissect(1, &f, f.len());
        let ip = &p.layers[1];
        assert_eq!(ip.name(), "IP");
        assert_eq!(ip.int("ihl"), Some(5));
        assert_eq!(ip.int("flags"), Some(2));
        assert_eq!(ip.get("src"), Some(&Value::Ip4([127, 0, 0, 1])));
        assert_eq!(p.layers[2].name(), "Padding");
        assert_eq!(p.layers[2].len, 4);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn wrong_checksum_is_reported_with_the_right_value() {
        let f = hex(&format!(
            "{ETH} 4500 0014 0001 4000 4000 1234 7f000001 7f000001"
        ));
        let p = dissect(1, &f, f.len());
        let e = &p.errors[0];
        assert_eq!(
            (e.layer, e.field, e.expected),
            ("IP", Some("chksum"), Some(0x3ce7))
        );
        assert_eq!(e.error, "bad checksum 0x1234, should be 0x3ce7");
    }

    #[test]
    fn ihl_below_five_is_an_error_and_keeps_fields() {
        let f = hex(&format!(
            "{ETH} 4300 0018 0001 0000 40ff 0000 7f000001 7f000001 abcdabcd"
        ));
        let p = dissect(1, &f, f.len());
        assert_eq!(p.layers[1].int("ttl"), Some(64));
        assert!(
            p.errors.iter().any(|e| e.error == "IP.ihl=3 < 5"),
            "{:?}",
            p.errors
        );
        assert_eq!(p.layers.last().unwrap().name(), "Raw");
    }

    #[test]
    fn options_are_sub_layers() {
        // NOP, Router Alert, EOL, padding EOL: ihl=7.
        let f = hex(&format!(
            "{ETH} 4700 001c 0001 0000 4000 0000 7f000001 7f000001 01 94040000 00 0000"
        ));
        let p = dissect(1, &f, f.len());
        let Some(Value::Options(o)) = p.layers[1].get("options") else {
            panic!()
        };
        let names: Vec<_> = o.iter().map(|l| l.name()).collect();
        assert_eq!(
            names,
            [
                "IPOption_NOP",
                "IPOption_Router_Alert",
                "IPOption_EOL",
                "IPOption_EOL",
                "IPOption_EOL"
            ]
        );
        assert_eq!(o[1].int("copy_flag"), Some(1));
        assert_eq!(o[1].int("option"), Some(20));
    }

    #[test]
    fn later_fragment_is_raw() {
        let f = hex(&format!(
            "{ETH} 4500 0017 0001 0005 4006 0000 7f000001 7f000001 616263"
        ));
        let p = dissect(1, &f, f.len());
        assert_eq!(p.layers[2].name(), "Raw");
    }
}
