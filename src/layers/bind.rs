//! The binding table: "this field of the lower layer has this value ⇒ this upper layer"
//! (scapy's `bind_layers`). Dissection reads it forwards; building reads it backwards to fill
//! the lower layer's field for the layer stacked on it.

use super::{Layer, Proto, arp, dot1q, ether, icmp, ip, ipv6, link, tcp, udp};

/// One row: `lower.field == value` ⇒ `upper`.
pub struct Binding {
    pub lower: &'static Proto,
    pub field: &'static str,
    pub value: u64,
    pub upper: &'static Proto,
}

const fn b(
    lower: &'static Proto,
    field: &'static str,
    value: u64,
    upper: &'static Proto,
) -> Binding {
    Binding {
        lower,
        field,
        value,
        upper,
    }
}

/// The EtherTypes every Ethernet-like header dispatches on.
macro_rules! ethertypes {
    ($lower:expr, $field:expr) => {
        [
            b($lower, $field, 0x0800, &ip::IP),
            b($lower, $field, 0x86dd, &ipv6::IPV6),
            b($lower, $field, 0x0806, &arp::ARP),
            b($lower, $field, 0x8100, &dot1q::DOT1Q),
            b($lower, $field, 0x88a8, &dot1q::DOT1AD),
        ]
    };
}

/// The IPv6 next-header values shared by IPv6 and its extension headers.
macro_rules! next_headers {
    ($lower:expr) => {
        [
            b($lower, "nh", 0, &ipv6::HOP_BY_HOP),
            b($lower, "nh", 43, &ipv6::ROUTING),
            b($lower, "nh", 44, &ipv6::FRAGMENT),
            b($lower, "nh", 60, &ipv6::DEST_OPT),
            b($lower, "nh", 6, &tcp::TCP),
            b($lower, "nh", 17, &udp::UDP),
            b($lower, "nh", 41, &ipv6::IPV6),
            b($lower, "nh", 4, &ip::IP),
        ]
    };
}

static ETHER: [Binding; 5] = ethertypes!(&ether::ETHER, "type");
static DOT1Q: [Binding; 5] = ethertypes!(&dot1q::DOT1Q, "type");
static DOT1AD: [Binding; 5] = ethertypes!(&dot1q::DOT1AD, "type");
static SLL: [Binding; 5] = ethertypes!(&link::COOKED_LINUX, "proto");
static SLL2: [Binding; 5] = ethertypes!(&link::COOKED_LINUX_V2, "proto");
static IP: [Binding; 5] = [
    b(&ip::IP, "proto", 1, &icmp::ICMP),
    b(&ip::IP, "proto", 6, &tcp::TCP),
    b(&ip::IP, "proto", 17, &udp::UDP),
    b(&ip::IP, "proto", 4, &ip::IP),
    b(&ip::IP, "proto", 41, &ipv6::IPV6),
];
static IPERROR: [Binding; 4] = [
    b(&ip::IPERROR, "proto", 1, &icmp::ICMPERROR),
    b(&ip::IPERROR, "proto", 6, &tcp::TCPERROR),
    b(&ip::IPERROR, "proto", 17, &udp::UDPERROR),
    b(&ip::IPERROR, "proto", 4, &ip::IPERROR),
];
static IPV6: [Binding; 8] = next_headers!(&ipv6::IPV6);
static IPERROR6: [Binding; 6] = [
    b(&ipv6::IPERROR6, "nh", 6, &tcp::TCPERROR),
    b(&ipv6::IPERROR6, "nh", 17, &udp::UDPERROR),
    b(&ipv6::IPERROR6, "nh", 0, &ipv6::HOP_BY_HOP),
    b(&ipv6::IPERROR6, "nh", 43, &ipv6::ROUTING),
    b(&ipv6::IPERROR6, "nh", 44, &ipv6::FRAGMENT),
    b(&ipv6::IPERROR6, "nh", 60, &ipv6::DEST_OPT),
];
static HOP_BY_HOP: [Binding; 8] = next_headers!(&ipv6::HOP_BY_HOP);
static ROUTING: [Binding; 8] = next_headers!(&ipv6::ROUTING);
static FRAGMENT: [Binding; 8] = next_headers!(&ipv6::FRAGMENT);
static DEST_OPT: [Binding; 8] = next_headers!(&ipv6::DEST_OPT);
static LOOPBACK: [Binding; 2] = [
    b(&link::LOOPBACK, "type", 2, &ip::IP),
    b(&link::LOOPBACK, "type", 24, &ipv6::IPV6),
];

/// The whole table, one group per lower layer.
pub static TABLE: [&[Binding]; 14] = [
    &ETHER,
    &DOT1Q,
    &DOT1AD,
    &SLL,
    &SLL2,
    &IP,
    &IPERROR,
    &IPV6,
    &IPERROR6,
    &HOP_BY_HOP,
    &ROUTING,
    &FRAGMENT,
    &DEST_OPT,
    &LOOPBACK,
];

fn rows(lower: &'static Proto) -> &'static [Binding] {
    TABLE
        .iter()
        .find(|g| std::ptr::eq(g[0].lower, lower))
        .copied()
        .unwrap_or(&[])
}

/// The upper layer a dissected layer's fields select, if any.
pub fn lookup(l: &Layer) -> Option<&'static Proto> {
    rows(l.proto)
        .iter()
        .find(|r| l.int(r.field) == Some(r.value))
        .map(|r| r.upper)
}

/// The field and value that stack `upper` on `lower` (for building).
pub fn field_for(lower: &'static Proto, upper: &'static Proto) -> Option<(&'static str, u64)> {
    rows(lower)
        .iter()
        .find(|r| std::ptr::eq(r.upper, upper))
        .map(|r| (r.field, r.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_agree() {
        for group in TABLE {
            for r in group {
                assert_eq!(field_for(r.lower, r.upper).map(|(f, _)| f), Some(r.field));
            }
        }
        assert_eq!(field_for(&ip::IP, &tcp::TCP), Some(("proto", 6)));
        assert_eq!(
            field_for(&ether::ETHER, &ipv6::IPV6),
            Some(("type", 0x86dd))
        );
    }
}
