//! The binding table: "this field of the lower layer has this value ⇒ this upper layer"
//! (scapy's `bind_layers`). Dissection reads it forwards; building reads it backwards to fill
//! the lower layer's field for the layer stacked on it, and an expression takes from it the
//! defaults an upper layer gives the layer below (scapy's `overload_fields`: Neighbor Discovery
//! sets the IPv6 hop limit to 255).
//!
//! A protocol is bound by rows of [`TABLE`], one list: adding one is adding rows, nothing else.
//! The rows are grouped by lower layer once, at first use.

use super::field::Def;
use super::{
    Layer, Proto, arp, dhcp, dhcp6, dns, dot1q, ether, icmp, icmpv6, ip, ipv6, link, ntp, tcp, udp,
};
use std::sync::OnceLock;

/// What selects the upper layer.
#[derive(Clone, Copy, Debug)]
pub enum When {
    /// `lower.field == value`, both ways: dissection selects by it, building sets it.
    Is(&'static str, u64),
    /// Either field has the value (`sport == 53 || dport == 53`): dissection only; building
    /// leaves both as given (their defaults, or the row's overloads).
    Either(&'static str, &'static str, u64),
    /// A bytes field holds these bytes (BOOTP's `options` is DHCP's magic cookie), both ways:
    /// building sets it through the row's overloads.
    Bytes(&'static str, &'static [u8]),
    /// Building only: dissection finds the upper layer another way (ICMPv6 by its type), but
    /// building sets `field = value`.
    Built(&'static str, u64),
    /// Dissection only (scapy's `bind_bottom_up`): `lower.field == value` selects the upper
    /// layer; building sets nothing (the upper layer's overloads may).
    Read(&'static str, u64),
}

/// One row: `lower` + `when` ⇒ `upper`; `overload` are defaults `upper` gives fields of
/// `lower` that the expression leaves unset.
#[derive(Debug)]
pub struct Binding {
    pub lower: &'static Proto,
    pub when: When,
    pub upper: &'static Proto,
    pub overload: &'static [(&'static str, Def)],
}

const fn b(
    lower: &'static Proto,
    field: &'static str,
    value: u64,
    upper: &'static Proto,
) -> Binding {
    Binding {
        lower,
        when: When::Is(field, value),
        upper,
        overload: &[],
    }
}

/// `lower.field == value` ⇒ `upper`, when dissecting only (scapy's `bind_bottom_up`).
const fn bottom_up(
    lower: &'static Proto,
    field: &'static str,
    value: u64,
    upper: &'static Proto,
) -> Binding {
    Binding {
        lower,
        when: When::Read(field, value),
        upper,
        overload: &[],
    }
}

/// `lower.sport == port || lower.dport == port` ⇒ `upper`.
const fn port(lower: &'static Proto, port: u64, upper: &'static Proto) -> Binding {
    Binding {
        lower,
        when: When::Either("sport", "dport", port),
        upper,
        overload: &[],
    }
}

impl Binding {
    /// The same row, with these lower-layer defaults.
    const fn overloads(self, overload: &'static [(&'static str, Def)]) -> Binding {
        Binding { overload, ..self }
    }
    /// The same row, for building only.
    const fn built(self) -> Binding {
        let when = match self.when {
            When::Is(f, v) | When::Built(f, v) => When::Built(f, v),
            w => w,
        };
        Binding { when, ..self }
    }
    /// Whether a dissected `l` (of `self.lower`) selects `self.upper`.
    #[inline]
    fn selects(&self, l: &Layer) -> bool {
        match self.when {
            When::Is(f, v) | When::Read(f, v) => l.int(f) == Some(v),
            When::Either(f, g, v) => l.int(f) == Some(v) || l.int(g) == Some(v),
            When::Bytes(f, b) => matches!(l.get(f), Some(super::Value::Bytes(v)) if v == b),
            When::Built(..) => false,
        }
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

/// Build-only rows giving these DHCPv6 messages' ports to UDP.
macro_rules! dhcp6_ports {
    ($ports:expr; $($m:ident),* $(,)?) => {
        [$(b(&udp::UDP, "dport", 547, &dhcp6::$m).built().overloads($ports)),*]
    };
}

/// Neighbor Discovery's defaults for the IPv6 header (scapy's `overload_fields`): RFC 4861
/// hosts drop ND whose hop limit is not 255.
const ND_ALL_NODES: &[(&str, Def)] = &[("hlim", Def::Int(255)), ("dst", Def::Text("ff02::1"))];
const ND_ALL_ROUTERS: &[(&str, Def)] = &[("hlim", Def::Int(255)), ("dst", Def::Text("ff02::2"))];
/// MLD's (RFC 2710: sent with hop limit 1; a query to all nodes, a done to all routers).
const MLD_QUERY: &[(&str, Def)] = &[("hlim", Def::Int(1)), ("dst", Def::Text("ff02::1"))];
const MLD_REPORT: &[(&str, Def)] = &[("hlim", Def::Int(1))];
const MLD_DONE: &[(&str, Def)] = &[("hlim", Def::Int(1)), ("dst", Def::Text("ff02::2"))];

/// LLMNR's ports (scapy's `overload_fields`).
const LLMNR_PORTS: &[(&str, Def)] = &[("sport", Def::Int(5355)), ("dport", Def::Int(5355))];

/// scapy binds NTP with `sport` and `dport` 123 last: what building under UDP gives.
const NTP_PORTS: &[(&str, Def)] = &[("sport", Def::Int(123)), ("dport", Def::Int(123))];

/// Every row, in the order dissection tries them for a lower layer (in blocks, so a macro can
/// give several rows at once).
pub static TABLE: &[&[Binding]] = &[
    &ethertypes!(&ether::ETHER, "type"),
    &ethertypes!(&dot1q::DOT1Q, "type"),
    &ethertypes!(&dot1q::DOT1AD, "type"),
    &ethertypes!(&link::COOKED_LINUX, "proto"),
    &ethertypes!(&link::COOKED_LINUX_V2, "proto"),
    &[
        b(&ip::IP, "proto", 1, &icmp::ICMP),
        b(&ip::IP, "proto", 6, &tcp::TCP),
        b(&ip::IP, "proto", 17, &udp::UDP),
        b(&ip::IP, "proto", 4, &ip::IP),
        b(&ip::IP, "proto", 41, &ipv6::IPV6),
        b(&ip::IPERROR, "proto", 1, &icmp::ICMPERROR),
        b(&ip::IPERROR, "proto", 6, &tcp::TCPERROR),
        b(&ip::IPERROR, "proto", 17, &udp::UDPERROR),
        b(&ip::IPERROR, "proto", 4, &ip::IPERROR),
    ],
    &next_headers!(&ipv6::IPV6),
    &[
        b(&ipv6::IPERROR6, "nh", 6, &tcp::TCPERROR),
        b(&ipv6::IPERROR6, "nh", 17, &udp::UDPERROR),
        b(&ipv6::IPERROR6, "nh", 0, &ipv6::HOP_BY_HOP),
        b(&ipv6::IPERROR6, "nh", 43, &ipv6::ROUTING),
        b(&ipv6::IPERROR6, "nh", 44, &ipv6::FRAGMENT),
        b(&ipv6::IPERROR6, "nh", 60, &ipv6::DEST_OPT),
    ],
    &next_headers!(&ipv6::HOP_BY_HOP),
    &next_headers!(&ipv6::ROUTING),
    &next_headers!(&ipv6::FRAGMENT),
    &next_headers!(&ipv6::DEST_OPT),
    // Services by port, either way (scapy binds each on sport and dport).
    &[
        port(&udp::UDP, 53, &dns::DNS),
        port(&udp::UDP, 5353, &dns::DNS),
        port(&udp::UDP, 67, &dhcp::BOOTP).overloads(dhcp::PORTS_OVERLOAD),
        port(&udp::UDP, 68, &dhcp::BOOTP),
        // DNS over TCP: `dns::DNS_TCP` (with its length) is the form DNS takes over TCP. scapy's
        // last binding gives TCP()/DNS() its source port.
        port(&tcp::TCP, 53, &dns::DNS).overloads(&[("sport", Def::Int(53))]),
        // LLMNR: a query or a response by its QR bit (`Proto::dispatch`); both set the ports.
        port(&udp::UDP, 5355, &dns::LLMNR_QUERY).overloads(LLMNR_PORTS),
        port(&udp::UDP, 5355, &dns::LLMNR_RESPONSE).overloads(LLMNR_PORTS),
        // NTP: the class its mode says (`Proto::dispatch`); each class's row gives it the
        // ports when building (scapy binds NTP with sport and dport 123 last).
        port(&udp::UDP, 123, &ntp::NTP).overloads(NTP_PORTS),
        port(&udp::UDP, 123, &ntp::NTP_CONTROL).overloads(NTP_PORTS),
        port(&udp::UDP, 123, &ntp::NTP_PRIVATE).overloads(NTP_PORTS),
    ],
    // DHCPv6: scapy binds it by the destination port only, 547 (server) or 546 (client); the
    // message class is chosen by its type (`dhcp6::DHCP6`'s dispatch). When building, each
    // message gives UDP scapy's ports (its `overload_fields`).
    &[
        bottom_up(&udp::UDP, "dport", 547, &dhcp6::DHCP6).overloads(dhcp6::TO_SERVER),
        bottom_up(&udp::UDP, "dport", 546, &dhcp6::DHCP6),
    ],
    &dhcp6_ports!(dhcp6::TO_SERVER; SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE, DECLINE,
        INFO_REQUEST, ADDR_REG_INFORM, ADDR_REG_REPLY),
    &dhcp6_ports!(dhcp6::TO_CLIENT; ADVERTISE, REPLY, RECONF),
    &dhcp6_ports!(dhcp6::RELAYS; RELAY_FORWARD, RELAY_REPLY),
    &[Binding {
        lower: &dhcp::BOOTP,
        when: When::Bytes("options", dhcp::MAGIC),
        upper: &dhcp::DHCP,
        overload: dhcp::MAGIC_OVERLOAD,
    }],
    &[
        b(&link::LOOPBACK, "type", 2, &ip::IP),
        b(&link::LOOPBACK, "type", 24, &ipv6::IPV6),
    ],
    // ICMPv6 is chosen by its type when dissecting (`icmpv6::by_type`); these rows give
    // Neighbor Discovery's and MLD's defaults to the IPv6 header when building.
    &[
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ND_RS)
            .built()
            .overloads(ND_ALL_ROUTERS),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ML_QUERY)
            .built()
            .overloads(MLD_QUERY),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ML_REPORT)
            .built()
            .overloads(MLD_REPORT),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ML_DONE)
            .built()
            .overloads(MLD_DONE),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ND_RA)
            .built()
            .overloads(ND_ALL_NODES),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ND_NS)
            .built()
            .overloads(ND_ALL_NODES),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ND_NA)
            .built()
            .overloads(ND_ALL_NODES),
        b(&ipv6::IPV6, "nh", 58, &icmpv6::ND_REDIRECT)
            .built()
            .overloads(ND_ALL_NODES),
    ],
];

/// Every row, in order.
pub fn all_rows() -> impl Iterator<Item = &'static Binding> {
    TABLE.iter().flat_map(|g| g.iter())
}

/// The rows of each lower layer, grouped once.
fn groups() -> &'static [(&'static Proto, Vec<&'static Binding>)] {
    static GROUPS: OnceLock<Vec<(&'static Proto, Vec<&'static Binding>)>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut g: Vec<(&'static Proto, Vec<&'static Binding>)> = Vec::new();
        for r in all_rows() {
            match g.iter_mut().find(|(p, _)| std::ptr::eq(*p, r.lower)) {
                Some((_, rows)) => rows.push(r),
                None => g.push((r.lower, vec![r])),
            }
        }
        g
    })
}

fn rows(lower: &'static Proto) -> &'static [&'static Binding] {
    groups()
        .iter()
        .find(|(p, _)| std::ptr::eq(*p, lower))
        .map_or(&[], |(_, rows)| rows.as_slice())
}

/// The upper layer a dissected layer's fields select, if any.
pub fn lookup(l: &Layer) -> Option<&'static Proto> {
    rows(l.proto).iter().find(|r| r.selects(l)).map(|r| r.upper)
}

/// As [`lookup`], given the payload: a port is a guess (anything may use port 53), so a
/// payload too short for the header a port row names is left as `Raw`, not read as a broken
/// header.
pub fn lookup_payload(l: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    rows(l.proto)
        .iter()
        .find(|r| {
            r.selects(l)
                && (!matches!(r.when, When::Either(..))
                    || payload.len() >= r.upper.form(Some(l.proto), Some(payload)).min_len)
        })
        .map(|r| r.upper)
}

/// The field and value that stack `upper` on `lower` (for building).
pub fn field_for(lower: &'static Proto, upper: &'static Proto) -> Option<(&'static str, u64)> {
    rows(lower)
        .iter()
        .filter(|r| std::ptr::eq(r.upper, upper))
        .find_map(|r| match r.when {
            When::Is(f, v) | When::Built(f, v) => Some((f, v)),
            When::Either(..) | When::Bytes(..) | When::Read(..) => None,
        })
}

/// The defaults `upper` gives the fields of `lower` below it that an expression leaves unset
/// (`upper` may be the form its row's protocol takes over `lower`: DNS over TCP).
pub fn overloads(lower: &'static Proto, upper: &'static Proto) -> &'static [(&'static str, Def)] {
    rows(lower)
        .iter()
        .find(|r| std::ptr::eq(r.upper.form(Some(lower), None), upper) && !r.overload.is_empty())
        .map_or(&[], |r| r.overload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_agree() {
        for r in all_rows() {
            if let When::Is(field, value) = r.when {
                assert_eq!(field_for(r.lower, r.upper), Some((field, value)), "{r:?}");
            }
        }
        assert_eq!(field_for(&ip::IP, &tcp::TCP), Some(("proto", 6)));
        assert_eq!(
            field_for(&ether::ETHER, &ipv6::IPV6),
            Some(("type", 0x86dd))
        );
    }

    #[test]
    fn rows_group_by_lower_layer_in_order() {
        let ip_rows: Vec<_> = rows(&ip::IP).iter().map(|r| r.upper.name).collect();
        assert_eq!(ip_rows, ["ICMP", "TCP", "UDP", "IP", "IPv6"]);
        let total: usize = groups().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(total, all_rows().count());
    }

    #[test]
    fn a_form_chosen_by_the_layer_below_has_its_rows_overloads() {
        // DNS over TCP is DNS's row, in the form TCP gives it.
        assert_eq!(dns::DNS.form(Some(&tcp::TCP), None), &dns::DNS_TCP);
        assert_eq!(
            overloads(&tcp::TCP, &dns::DNS_TCP),
            &[("sport", Def::Int(53))]
        );
        assert!(overloads(&udp::UDP, &dns::DNS).is_empty());
        assert_eq!(overloads(&udp::UDP, &dns::LLMNR_RESPONSE), LLMNR_PORTS);
        // Dissection finds the row, then the bytes choose the class (a response: QR set).
        let mut l = crate::build::new_layer(&udp::UDP);
        l.values[0] = crate::layers::Value::Int(40000);
        l.values[1] = crate::layers::Value::Int(5355);
        let response = [0x12, 0x34, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let p = lookup_payload(&l, &response).unwrap();
        assert_eq!(p, &dns::LLMNR_QUERY);
        assert_eq!(
            p.form(Some(&udp::UDP), Some(&response)),
            &dns::LLMNR_RESPONSE
        );
    }

    #[test]
    fn ntp_reads_as_the_class_its_mode_says_and_every_class_builds_its_ports() {
        let mut u = crate::build::new_layer(&udp::UDP);
        u.values[0] = crate::layers::Value::Int(40000);
        u.values[1] = crate::layers::Value::Int(123);
        let client = [0x23u8; 48];
        let control = [0x16u8; 12];
        // The row names NTP; its form is the class the bytes' mode picks.
        let p = lookup_payload(&u, &client).expect("port 123");
        assert_eq!(p, &ntp::NTP);
        let form = |b: &[u8]| p.form(Some(&udp::UDP), Some(b)).name;
        assert_eq!(form(&client), "NTPHeader");
        assert_eq!(form(&control), "NTPControl");
        assert_eq!(form(&[0x17; 8]), "NTPPrivate");
        assert_eq!(form(&[0x23; 7]), "Raw", "fewer than 8 bytes");
        // Too short for the class picked: not taken (a port is a guess), by any NTP row.
        assert!(lookup_payload(&u, &client[..47]).is_none());
        assert!(lookup_payload(&u, &control[..11]).is_none());
        assert!(lookup_payload(&u, &control).is_some());
        // Building: `NTP()` is an NTPHeader; every class has the ports 123 both ways.
        assert_eq!(ntp::NTP.form(Some(&udp::UDP), None), &ntp::NTP_HEADER);
        assert_eq!(ntp::NTP_CONTROL.form(None, None), &ntp::NTP_CONTROL);
        for class in [&ntp::NTP_HEADER, &ntp::NTP_CONTROL, &ntp::NTP_PRIVATE] {
            assert_eq!(overloads(&udp::UDP, class), NTP_PORTS, "{}", class.name);
        }
    }

    #[test]
    fn build_only_rows_do_not_dissect_but_give_overloads() {
        let mut l = crate::build::new_layer(&ipv6::IPV6);
        l.values[4] = crate::layers::Value::Int(58);
        assert_eq!(
            lookup(&l),
            None,
            "ICMPv6 is chosen by type, not by this table"
        );
        assert_eq!(field_for(&ipv6::IPV6, &icmpv6::ND_NS), Some(("nh", 58)));
        assert_eq!(
            overloads(&ipv6::IPV6, &icmpv6::ND_NS),
            &[("hlim", Def::Int(255)), ("dst", Def::Text("ff02::1"))]
        );
        assert!(overloads(&ipv6::IPV6, &tcp::TCP).is_empty());
    }
}
