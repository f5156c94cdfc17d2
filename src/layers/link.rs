//! Link-layer headers other than Ethernet: Linux cooked capture v1/v2 (`CookedLinux`,
//! `CookedLinuxV2`) and BSD loopback (`Loopback`, `LoopbackOpenBSD`); and which layer each
//! link type starts with.

use super::field::{Auto, Def, Field, Kind};
use super::{Layer, Proto, Value, ether, ip, ipv6, val};

fn eight(_: &[Value]) -> Result<usize, String> {
    Ok(8)
}

pub static SLL_FIELDS: [Field; 5] = [
    Field::int("pkttype", 16, 0),
    Field::int("lladdrtype", 16, 512),
    Field::int("lladdrlen", 16, 0),
    Field::new("src", Kind::Bytes, Def::Zeros(8)).sized(eight),
    Field::auto("proto", 16, Auto::Next(0x0800)),
];

pub static COOKED_LINUX: Proto = Proto {
    name: "CookedLinux",
    title: "cooked linux",
    fields: &SLL_FIELDS,
    min_len: 16,
    next: super::next_by_binding,
    ..Proto::BASE
};

pub static SLL2_FIELDS: [Field; 7] = [
    Field::auto("proto", 16, Auto::Next(0x0800)),
    Field::int("reserved", 16, 0),
    Field::int("ifindex", 32, 0),
    Field::int("lladdrtype", 16, 512),
    Field::int("pkttype", 8, 0),
    Field::int("lladdrlen", 8, 0),
    Field::new("src", Kind::Bytes, Def::Zeros(8)).sized(eight),
];

pub static COOKED_LINUX_V2: Proto = Proto {
    name: "CookedLinuxV2",
    title: "cooked linux v2",
    fields: &SLL2_FIELDS,
    min_len: 20,
    next: super::next_by_binding,
    ..Proto::BASE
};

pub static LOOPBACK_FIELDS: [Field; 1] = [Field::new("type", Kind::LeInt(4), Def::Int(2))];

/// DLT_NULL: the address family in the capturing host's byte order (scapy reads it
/// little-endian; a big-endian one is recognised for decoding the payload too).
pub static LOOPBACK: Proto = Proto {
    name: "Loopback",
    title: "Loopback",
    fields: &LOOPBACK_FIELDS,
    min_len: 4,
    next: loopback_next,
    ..Proto::BASE
};

pub static LOOPBACK_BE_FIELDS: [Field; 1] = [Field::int("type", 32, 2)];

/// DLT_LOOP: the address family in network byte order.
pub static LOOPBACK_BE: Proto = Proto {
    name: "LoopbackOpenBSD",
    title: "OpenBSD Loopback",
    fields: &LOOPBACK_BE_FIELDS,
    min_len: 4,
    next: loopback_next,
    ..Proto::BASE
};

/// Address families of IPv4 and IPv6 as the BSDs and Linux number them.
fn family(af: u64) -> Option<&'static Proto> {
    match af {
        2 => Some(&ip::IP),
        10 | 24 | 28 | 30 => Some(&ipv6::IPV6),
        _ => None,
    }
}

fn loopback_next(l: &Layer, _: &[u8]) -> Option<&'static Proto> {
    let t = val(&l.values, 0);
    family(t).or_else(|| family((t as u32).swap_bytes() as u64))
}

/// Raw IP: IPv4 or IPv6 by the version nibble.
fn raw_ip(data: &[u8]) -> &'static Proto {
    match data.first() {
        Some(b) if b >> 4 == 6 => &ipv6::IPV6,
        _ => &ip::IP,
    }
}

/// The first layer of a frame of this link type (pcap LINKTYPE numbers; DLT_RAW's 12 and 14
/// are accepted too), or `None` when pkt does not decode it.
pub fn proto_for(linktype: u32, data: &[u8]) -> Option<&'static Proto> {
    Some(match linktype {
        1 => ether::proto_for(data),
        113 => &COOKED_LINUX,
        276 => &COOKED_LINUX_V2,
        0 => &LOOPBACK,
        108 => &LOOPBACK_BE,
        12 | 14 | 101 => raw_ip(data),
        228 => &ip::IP,
        229 => &ipv6::IPV6,
        _ => return None,
    })
}

/// The link type's name as libpcap spells it.
pub fn name(linktype: u32) -> String {
    let n = match linktype {
        0 => "NULL",
        1 => "EN10MB",
        6 => "IEEE802",
        8 => "SLIP",
        9 => "PPP",
        10 => "FDDI",
        12 | 14 | 101 => "RAW",
        50 => "PPP_SERIAL",
        51 => "PPP_ETHER",
        104 => "C_HDLC",
        105 => "IEEE802_11",
        107 => "FRELAY",
        108 => "LOOP",
        113 => "LINUX_SLL",
        119 => "PRISM_HEADER",
        127 => "IEEE802_11_RADIO",
        192 => "PPI",
        195 => "IEEE802_15_4_WITHFCS",
        228 => "IPV4",
        229 => "IPV6",
        276 => "LINUX_SLL2",
        _ => return format!("LINKTYPE_{linktype}"),
    };
    n.to_string()
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn sll_then_ipv4() {
        let f =
            hex("0000 0001 0006 020000000001 0000 0800 4500001400010000400100000a0000010a000002");
        let p = dissect(113, &f, f.len());
        assert_eq!(p.layers[0].name(), "CookedLinux");
        assert_eq!(p.layers[0].int("proto"), Some(0x0800));
        assert_eq!(p.layers[1].name(), "IP");
    }

    #[test]
    fn sll2_then_ipv6() {
        let f = hex("86dd 0000 00000002 0001 00 06 020000000001 0000 \
             6000000000003b40 00000000000000000000000000000001 00000000000000000000000000000001");
        let p = dissect(276, &f, f.len());
        assert_eq!(p.layers[0].name(), "CookedLinuxV2");
        assert_eq!(p.layers[0].int("ifindex"), Some(2));
        assert_eq!(p.layers[1].name(), "IPv6");
    }

    #[test]
    fn null_loopback_both_byte_orders() {
        let ip = "4500001400010000400100000a0000010a000002";
        let le = hex(&format!("02000000{ip}"));
        let p = dissect(0, &le, le.len());
        assert_eq!(
            (p.layers[0].name(), p.layers[0].int("type")),
            ("Loopback", Some(2))
        );
        assert_eq!(p.layers[1].name(), "IP");
        let be = hex(&format!("00000002{ip}"));
        let p = dissect(0, &be, be.len());
        assert_eq!(p.layers[1].name(), "IP");
        let p = dissect(108, &be, be.len());
        assert_eq!(
            (p.layers[0].name(), p.layers[0].int("type")),
            ("LoopbackOpenBSD", Some(2))
        );
    }

    #[test]
    fn raw_ip_by_version() {
        let f = hex(
            "6000000000003b40 00000000000000000000000000000001 00000000000000000000000000000001",
        );
        assert_eq!(dissect(101, &f, f.len()).layers[0].name(), "IPv6");
        assert_eq!(dissect(12, &f, f.len()).layers[0].name(), "IPv6");
    }
}
