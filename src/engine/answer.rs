//! Which received packet answers which sent one: scapy's `Packet.answers()` ([`answers`]) and
//! `Packet.hashret()` ([`hash_key`]), for the layers pkt knows, and a [`Matcher`] that uses the
//! key to find the few candidate requests of a reply in O(1) before confirming with `answers`.
//!
//! Layers are compared as dissected: build a request, dissect its bytes (computed fields are
//! then filled in), and hand those layers over. A request may start at the network layer (a
//! layer-3 send) while its reply starts at a link layer (a capture): both sides are aligned on
//! their first layer after the link layers ([`network`]), so `IP/ICMP` is answered by
//! `Ether/IP/ICMP` or `CookedLinuxV2/IP/ICMP`. This stands in for scapy's `Ether.answers` (types
//! equal, then the payloads), which the network-layer rules below imply.
//!
//! Where pkt deliberately differs from scapy, the doc comment of the rule says so.

use crate::layers::{Layer, Value};
use std::cell::Cell;
use std::collections::HashMap;

/// Link layers skipped before comparing: what a capture adds and a layer-3 send does not have.
const LINK: &[&str] = &[
    "Ether",
    "Dot3",
    "Dot1Q",
    "Dot1AD",
    "CookedLinux",
    "CookedLinuxV2",
    "Loopback",
    "LoopbackOpenBSD",
];

/// The IPv6 extension headers skipped to reach the upper layer.
const EXT6: &[&str] = &[
    "IPv6ExtHdrHopByHop",
    "IPv6ExtHdrRouting",
    "IPv6ExtHdrFragment",
    "IPv6ExtHdrDestOpt",
];

/// ICMP types that carry `id` and `seq` (scapy's `icmp_id_seq_types`, as pkt's ICMP table).
const ICMP_INFO: &[u64] = &[0, 8, 13, 14, 15, 16, 17, 18, 37, 38];

/// ICMP types that quote the offending datagram (scapy's `[3, 4, 5, 11, 12]`).
const ICMP_ERRORS: &[u64] = &[3, 4, 5, 11, 12];

/// (request type, reply type) pairs of ICMP queries (scapy's `ICMP.answers`; its (33, 34) and
/// (35, 36) have no `id`/`seq` in pkt's table, or in scapy's, so they never match).
const ICMP_PAIRS: &[(u64, u64)] = &[(8, 0), (13, 14), (15, 16), (17, 18), (37, 38)];

/// ICMPv6 error messages (type < 128): each quotes the offending packet as `IPerror6`.
const ICMP6_ERRORS: &[&str] = &[
    "ICMPv6DestUnreach",
    "ICMPv6PacketTooBig",
    "ICMPv6TimeExceeded",
    "ICMPv6ParamProblem",
];

/// Neighbour discovery messages whose key leaves the addresses out (scapy's `IPv6.hashret` for
/// types 133–136: they go to and come from multicast and unspecified addresses).
const ND: &[&str] = &["ICMPv6ND_RS", "ICMPv6ND_RA", "ICMPv6ND_NS", "ICMPv6ND_NA"];

const TCP_SYN: u64 = 0x02;
const TCP_RST: u64 = 0x04;
const TCP_ACK: u64 = 0x10;

/// The layers from the first one after the link layers (Ethernet, VLAN tags, cooked capture,
/// loopback headers).
pub fn network(layers: &[Layer]) -> &[Layer] {
    let n = layers
        .iter()
        .take_while(|l| LINK.contains(&l.name()))
        .count();
    &layers[n..]
}

/// Whether `reply` answers `request` (scapy's `reply.answers(request)`), both as dissected
/// layers, outermost first; link layers on either side are skipped first ([`network`]).
///
/// Rules (each mirrors the scapy method named; differences are said where they are):
/// - `ARP.answers`: an is-at (op 2) answers a who-has (op 1) whose `pdst` is its `psrc`.
/// - `IP.answers`: the reply goes to the request's source; an ICMP error (types 3, 4, 5, 11,
///   12) may come from any router and answers when the datagram it quotes is the request
///   (`IPerror`/`TCPerror`/`UDPerror`/`ICMPerror.answers`: same addresses and protocol, same
///   ports, same ICMP type/code/id/seq); anything else comes from the request's destination,
///   with the same protocol, and its payload answers the request's payload.
/// - `IPv6.answers`: the same, with scapy's multicast rule (a request to a group is answered
///   by any address, sending to the request's source or to the group), the ICMPv6 errors
///   (destination unreachable, packet too big, time exceeded, parameter problem: the quoted
///   `IPerror6` and what follows it), and the extension headers of both sides skipped.
/// - `TCP.answers`: ports swapped, a SYN answered only by SYN-ACK or RST, the reply's `ack`
///   within 2 + the request's payload length of the request's `seq`, its `seq` near the
///   request's `ack` (unless the request is a bare SYN); a request with RST gets no answer.
/// - `UDP.answers`: ports swapped (scapy checks only the reply's destination port).
/// - `ICMP.answers`: echo, timestamp, information, address-mask and domain-name replies answer
///   their requests with the same `id` and `seq`.
/// - `ICMPv6EchoReply.answers` (same `id`, `seq`, data), `ICMPv6ND_NA.answers` (same `tgt` as
///   the solicitation), `ICMPv6ND_RA.answers` (any router solicitation).
pub fn answers(reply: &[Layer], request: &[Layer]) -> bool {
    answers_at(network(reply), network(request))
}

/// scapy's `payload.answers(other.payload)` step: the reply's layers from here on against the
/// request's.
fn answers_at(r: &[Layer], q: &[Layer]) -> bool {
    let Some(rl) = r.first() else {
        // scapy's `NoPayload.answers`: nothing answers nothing (or padding).
        return is_end(q);
    };
    match rl.name() {
        "Padding" => is_end(q),
        // scapy's `Raw.answers` is always true; pkt asks that the request has nothing decoded
        // there either (an `IP(proto=47)/"..."` probe answered by `IP(proto=47)/...`), so a
        // reply whose transport header failed to decode does not answer a TCP request.
        "Raw" => q
            .first()
            .is_none_or(|l| matches!(l.name(), "Raw" | "Padding")),
        "ARP" => q.first().is_some_and(|ql| arp(rl, ql)),
        "IP" => ip(r, q),
        "IPv6" => ipv6(r, q),
        "TCP" => q.first().is_some_and(|ql| tcp(rl, ql, q)),
        "UDP" => {
            q.first().is_some_and(|ql| udp(rl, ql))
                && (!(apps::is_app(r.get(1)) || apps::is_app(q.get(1)))
                    || answers_at(&r[1..], &q[1..]))
        }
        "DNS" | "BOOTP" => apps::answers(rl, q),
        n if n.starts_with("DHCP6") => apps::answers(rl, q),
        "ICMP" => q.first().is_some_and(|ql| icmp(rl, ql)),
        "ICMPv6EchoReply" => q.first().is_some_and(|ql| icmp6_echo(rl, ql)),
        // scapy's `ICMPv6ND_NA.answers`: a neighbour advertisement for the solicited target.
        "ICMPv6ND_NA" => q
            .first()
            .is_some_and(|ql| ql.name() == "ICMPv6ND_NS" && rl.get("tgt") == ql.get("tgt")),
        // scapy's `ICMPv6ND_RA.answers`: any router advertisement answers a solicitation.
        "ICMPv6ND_RA" => q.first().is_some_and(|ql| ql.name() == "ICMPv6ND_RS"),
        // scapy's `Packet.answers` would compare payloads of two layers of the same class; pkt
        // has no other layer that answers anything.
        _ => false,
    }
}

/// No layers, or only padding.
fn is_end(l: &[Layer]) -> bool {
    l.first().is_none_or(|l| l.name() == "Padding")
}

/// The value of the present field called `name` (for layers with several rows of that name,
/// as ARP's address forms).
fn field<'a>(l: &'a Layer, name: &str) -> Option<&'a Value> {
    l.present().find(|(f, _)| f.name == name).map(|(_, v)| v)
}

fn ip4(l: &Layer, name: &str) -> Option<[u8; 4]> {
    match l.get(name) {
        Some(Value::Ip4(a)) => Some(*a),
        _ => None,
    }
}

fn ip6(l: &Layer, name: &str) -> Option<[u8; 16]> {
    match l.get(name) {
        Some(Value::Ip6(a)) => Some(*a),
        _ => None,
    }
}

/// Both present and equal (an absent field, cut from a quoted header, never matches).
fn same_int(a: &Layer, an: &str, b: &Layer, bn: &str) -> bool {
    matches!((a.int(an), b.int(bn)), (Some(x), Some(y)) if x == y)
}

/// scapy's `ARP.answers`: `op` is-at (2) answers who-has (1), and the reply's `psrc` is the
/// address asked for (`pdst` of the request).
fn arp(r: &Layer, q: &Layer) -> bool {
    q.name() == "ARP"
        && r.int("op") == Some(2)
        && q.int("op") == Some(1)
        && field(r, "psrc").is_some()
        && field(r, "psrc") == field(q, "pdst")
}

/// Whether an `ICMP` layer is an error that quotes a datagram.
fn icmp_error(l: Option<&Layer>) -> bool {
    l.is_some_and(|l| l.name() == "ICMP" && l.int("type").is_some_and(|t| ICMP_ERRORS.contains(&t)))
}

/// scapy's `IP.answers` (with `conf.checkIPaddr`): the reply goes to the request's source; an
/// ICMP error is matched by the datagram it quotes (scapy's `IPerror.answers`), from any
/// source; anything else comes from the request's destination with the same protocol and its
/// payload answers the request's payload. (scapy's mDNS and IP-in-IP special cases are not
/// kept: `conf.checkIPinIP` is true by default, so IP in IP is compared layer by layer.)
fn ip(r: &[Layer], q: &[Layer]) -> bool {
    let (rl, Some(ql)) = (&r[0], q.first()) else {
        return false;
    };
    if ql.name() != "IP" {
        return false;
    }
    if apps::unaddressed(&q[1..], ip4(ql, "dst").as_ref().map(|a| &a[..])) {
        return same_int(rl, "proto", ql, "proto") && answers_at(&r[1..], &q[1..]);
    }
    if ip4(rl, "dst").is_none() || ip4(rl, "dst") != ip4(ql, "src") {
        return false;
    }
    if icmp_error(r.get(1)) {
        return quoted4(&r[2..], q);
    }
    ip4(rl, "src") == ip4(ql, "dst")
        && same_int(rl, "proto", ql, "proto")
        && answers_at(&r[1..], &q[1..])
}

/// scapy's `IPerror.answers`: the quoted header's source, destination and protocol are the
/// request's (`conf.checkIPID` is off by default: the id is not compared), then the quoted
/// transport header ([`quoted_upper`]).
fn quoted4(e: &[Layer], q: &[Layer]) -> bool {
    let (Some(el), Some(ql)) = (e.first(), q.first()) else {
        return false;
    };
    el.name() == "IPerror"
        && ql.name() == "IP"
        && ip4(el, "src").is_some()
        && ip4(el, "src") == ip4(ql, "src")
        && ip4(el, "dst") == ip4(ql, "dst")
        && same_int(el, "proto", ql, "proto")
        && quoted_upper(&e[1..], &q[1..])
}

/// The quoted transport header against the request's:
/// - `TCPerror`: same ports (scapy's `TCPerror.answers`; `conf.check_TCPerror_seqack` is off
///   by default, so `seq`/`ack` are not compared);
/// - `UDPerror`: same ports (scapy's `UDPerror.answers`);
/// - `ICMPerror`: same type and code, and for queries the same `id` and `seq` (scapy's
///   `ICMPerror.answers`, which tests the code where it means the type: pkt tests the type);
/// - an ICMPv6 message quoted in an ICMPv6 error: same type and code (scapy's `_ICMPv6.answers`
///   under `IPerror6`), and for echo the same `id` and `seq` (scapy compares the quoted bytes);
/// - `IPerror` (IP in IP): [`quoted4`];
/// - nothing decoded on either side: answers (a protocol scan's `IP(proto=47)` probe).
fn quoted_upper(e: &[Layer], q: &[Layer]) -> bool {
    let (Some(el), Some(ql)) = (e.first(), q.first()) else {
        return is_end(e) && is_end(q);
    };
    match (el.name(), ql.name()) {
        ("TCPerror", "TCP") | ("UDPerror", "UDP") => {
            same_int(el, "sport", ql, "sport") && same_int(el, "dport", ql, "dport")
        }
        ("ICMPerror", "ICMP") => {
            same_int(el, "type", ql, "type")
                && same_int(el, "code", ql, "code")
                && (!ql.int("type").is_some_and(|t| ICMP_INFO.contains(&t))
                    || (same_int(el, "id", ql, "id") && same_int(el, "seq", ql, "seq")))
        }
        ("IPerror", "IP") => quoted4(e, q),
        (a, b) if a.starts_with("ICMPv6") && a == b => {
            same_int(el, "type", ql, "type")
                && same_int(el, "code", ql, "code")
                && (ql.int("id").is_none()
                    || (same_int(el, "id", ql, "id") && same_int(el, "seq", ql, "seq")))
        }
        ("Raw" | "Padding", "Raw" | "Padding") => true,
        _ => false,
    }
}

/// An IPv6 header (or `IPerror6`) followed by its extension headers: where the upper layer
/// starts, the upper layer's protocol number, the final destination (the last address of a
/// routing header with segments left, as scapy's `IPv6.hashret`), and whether there was a
/// routing header.
struct Chain6 {
    upper: usize,
    nh: u64,
    final_dst: Option<[u8; 16]>,
    routed: bool,
}

fn chain6(l: &[Layer]) -> Chain6 {
    let mut c = Chain6 {
        upper: 1,
        nh: l[0].int("nh").unwrap_or(0),
        final_dst: ip6(&l[0], "dst"),
        routed: false,
    };
    while let Some(x) = l.get(c.upper).filter(|x| EXT6.contains(&x.name())) {
        c.nh = x.int("nh").unwrap_or(0);
        if x.name() == "IPv6ExtHdrRouting" {
            c.routed = true;
            if let Some(Value::Ip6List(a)) = x.get("addresses")
                && x.int("segleft").unwrap_or(0) > 0
                && let Some(last) = a.last()
            {
                c.final_dst = Some(*last);
            }
        }
        c.upper += 1;
    }
    c
}

fn multicast6(a: &[u8; 16]) -> bool {
    a[0] == 0xff
}

/// ff02::1, all nodes on the link.
const ALL_NODES: [u8; 16] = [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// ff02::2, all routers on the link (scapy's `in6_isaddrllallservers`).
const ALL_ROUTERS: [u8; 16] = [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// scapy's `IPv6.answers` (with `conf.checkIPaddr`):
/// - to a multicast request, a multicast reply answers when sent to the same group (or to all
///   nodes for a request to all routers), a unicast one when sent to the request's source;
/// - to a unicast request, the reply goes to the request's source, and (unless it is an
///   ICMPv6 error, which any router may send) comes from the request's final destination —
///   scapy leaves this last test out, pkt keeps it as its IPv4 rule does (its key needs it);
/// - an ICMPv6 error answers when the packet it quotes is the request ([`quoted6`]);
/// - otherwise the upper layers (after the extension headers of each side) answer.
fn ipv6(r: &[Layer], q: &[Layer]) -> bool {
    let (rl, Some(ql)) = (&r[0], q.first()) else {
        return false;
    };
    if ql.name() != "IPv6" {
        return false;
    }
    let (Some(rdst), Some(qsrc), Some(qdst)) = (ip6(rl, "dst"), ip6(ql, "src"), ip6(ql, "dst"))
    else {
        return false;
    };
    let rc = chain6(r);
    let qc = chain6(q);
    let error = r
        .get(rc.upper)
        .is_some_and(|l| ICMP6_ERRORS.contains(&l.name()));
    if multicast6(&qdst) {
        let ok = if multicast6(&rdst) {
            rdst == qdst || (rdst == ALL_NODES && qdst == ALL_ROUTERS)
        } else {
            rdst == qsrc
        };
        if !ok {
            return false;
        }
    } else if rdst != qsrc || (!error && ip6(rl, "src") != qc.final_dst) {
        return false;
    }
    if error {
        return quoted6(&r[rc.upper + 1..], q);
    }
    rc.nh == qc.nh && answers_at(&r[rc.upper..], &q[qc.upper..])
}

/// scapy's `IPerror6.answers`: the quoted packet has the request's source and destination (the
/// destination is not compared when the request has a routing header), then, past the
/// extension headers of both, the quoted upper layer matches the request's
/// ([`quoted_upper`]; scapy compares the quoted bytes, pkt the ports and ids, so a checksum
/// or MSS rewritten on the way does not matter).
fn quoted6(e: &[Layer], q: &[Layer]) -> bool {
    let (Some(el), Some(ql)) = (e.first(), q.first()) else {
        return false;
    };
    if el.name() != "IPerror6" || ql.name() != "IPv6" {
        return false;
    }
    let ec = chain6(e);
    let qc = chain6(q);
    ip6(el, "src").is_some()
        && ip6(el, "src") == ip6(ql, "src")
        && (qc.routed || ip6(el, "dst") == ip6(ql, "dst"))
        && ec.nh == qc.nh
        && quoted_upper(&e[ec.upper..], &q[qc.upper..])
}

/// 32-bit sequence-space distance (scapy uses a plain `abs`, which fails across the wrap).
fn seq_dist(a: u64, b: u64) -> u64 {
    let d = (a.wrapping_sub(b)) as u32;
    d.min(d.wrapping_neg()) as u64
}

/// Bytes of payload after the layer at `q[0]` (its `Raw` layers).
fn payload_len(q: &[Layer]) -> u64 {
    q[1..]
        .iter()
        .filter(|l| l.name() == "Raw")
        .map(|l| match l.values.first() {
            Some(Value::Bytes(b)) => b.len() as u64,
            _ => 0,
        })
        .sum()
}

/// scapy's `TCP.answers`:
/// - a request with RST gets no answer;
/// - a reply with SYN must have ACK too, and answers only a SYN;
/// - ports swapped;
/// - unless the request is a bare SYN, the reply's `seq` is within 2 of the request's `ack`;
/// - a bare RST (no ACK) answers from there on;
/// - the reply's `ack` is within 2 + the request's payload length of the request's `seq` —
///   which holds for `seq + 1` acknowledging a SYN or a FIN, `seq + len` acknowledging data,
///   and for a RST-ACK refusing a SYN.
///
/// Distances are taken in 32-bit sequence space (scapy's `abs` is not).
fn tcp(r: &Layer, q: &Layer, ql: &[Layer]) -> bool {
    if q.name() != "TCP" {
        return false;
    }
    let (Some(rf), Some(qf)) = (r.int("flags"), q.int("flags")) else {
        return false;
    };
    if qf & TCP_RST != 0 {
        return false;
    }
    if rf & TCP_SYN != 0 && (rf & TCP_ACK == 0 || qf & TCP_SYN == 0) {
        return false;
    }
    if !(same_int(r, "sport", q, "dport") && same_int(r, "dport", q, "sport")) {
        return false;
    }
    let (Some(rseq), Some(rack), Some(qseq), Some(qack)) =
        (r.int("seq"), r.int("ack"), q.int("seq"), q.int("ack"))
    else {
        return false;
    };
    let bare_syn = qf & TCP_SYN != 0 && qf & TCP_ACK == 0;
    if !bare_syn && seq_dist(qack, rseq) > 2 {
        return false;
    }
    if rf & TCP_RST != 0 && rf & TCP_ACK == 0 {
        return true;
    }
    // SYN and FIN each take one sequence number: scapy's 2 of slack covers them.
    seq_dist(qseq, rack) <= 2 + payload_len(ql)
}

/// scapy's `UDP.answers` checks only that the reply goes to the request's source port (a
/// TFTP server answers from another port); pkt wants the ports swapped, so that its key can
/// hold them (scapy's `UDP.hashret` holds none, which makes a UDP scan of one host quadratic).
/// The payloads are not compared (pkt decodes no UDP application).
fn udp(r: &Layer, q: &Layer) -> bool {
    q.name() == "UDP" && same_int(r, "dport", q, "sport") && same_int(r, "sport", q, "dport")
}

/// scapy's `ICMP.answers`: echo reply answers echo request (and timestamp, information and
/// address-mask replies their requests) with the same `id` and `seq`.
fn icmp(r: &Layer, q: &Layer) -> bool {
    let (Some(rt), Some(qt)) = (r.int("type"), q.int("type")) else {
        return false;
    };
    q.name() == "ICMP"
        && ICMP_PAIRS.contains(&(qt, rt))
        && same_int(r, "id", q, "id")
        && same_int(r, "seq", q, "seq")
}

/// scapy's `ICMPv6EchoReply.answers`: same `id`, `seq` and data.
fn icmp6_echo(r: &Layer, q: &Layer) -> bool {
    q.name() == "ICMPv6EchoRequest"
        && same_int(r, "id", q, "id")
        && same_int(r, "seq", q, "seq")
        && r.get("data") == q.get("data")
}

// ---- the key ----

/// FxHash's step: enough to spread the few words of a key (the map hashes the key again).
struct Key(u64);

impl Key {
    fn word(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn bytes(&mut self, b: &[u8]) {
        for c in b.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.word(u64::from_be_bytes(w));
        }
    }
}

/// A key (scapy's `hashret()`) of a request or a reply, such that a reply and every request it
/// answers have the same key; unrelated packets mostly do not. It is direction-symmetric: the
/// address pair and the port pair enter by XOR, so the reply's swapped pair gives the same
/// value; an ICMP or ICMPv6 error takes the key of the packet it quotes.
///
/// What enters, layer by layer (link layers skipped):
/// - `ARP`: `hwtype`, `ptype`, `(op + 1) / 2`, and the address asked about (`pdst` of a
///   who-has, `psrc` of an is-at; scapy leaves it out, which makes an ARP scan quadratic);
/// - `IP`: `src XOR dst`, `proto`, then the payload's key; an ICMP error: the quoted packet's;
/// - `IPv6`: `src XOR final destination` (left out for a multicast destination), the upper
///   layer's protocol number, then its key; an ICMPv6 error: the quoted packet's; ND (RS, RA,
///   NS, NA): no addresses, only 58 and the message's key;
/// - `TCP`, `UDP`: `sport XOR dport` (scapy's UDP key has no ports, see [`answers`]' UDP rule);
/// - `ICMP` queries and replies, `ICMPv6` echo: `id`, `seq`;
/// - `ICMPv6ND_NS`, `ICMPv6ND_NA`: `tgt`.
pub fn hash_key(layers: &[Layer]) -> u64 {
    key(layers, true).0
}

/// The key, with the IPv6 addresses left out when `addresses` is false; and whether a
/// multicast IPv6 destination left them out.
fn key(layers: &[Layer], addresses: bool) -> (u64, bool) {
    let mut k = Key(0);
    let mut multicast = false;
    key_into(network(layers), addresses, &mut k, &mut multicast);
    (k.0, multicast)
}

fn key_into(l: &[Layer], addresses: bool, k: &mut Key, multicast: &mut bool) {
    let Some(first) = l.first() else {
        return;
    };
    let int = |name| first.int(name).unwrap_or(0);
    match first.name() {
        "ARP" => {
            k.word(1);
            k.word(int("hwtype"));
            k.word(int("ptype"));
            let op = int("op");
            k.word(op.div_ceil(2));
            let asked = match op {
                1 => field(first, "pdst"),
                2 => field(first, "psrc"),
                _ => None,
            };
            match asked {
                Some(Value::Ip4(a)) => k.bytes(a),
                Some(Value::Ip6(a)) => k.bytes(a),
                Some(Value::Bytes(b)) => k.bytes(b),
                _ => {}
            }
        }
        "IP" | "IPerror" => {
            if first.name() == "IP" && icmp_error(l.get(1)) {
                return key_into(&l[2..], addresses, k, multicast);
            }
            k.word(4);
            let (s, d) = (ip4(first, "src"), ip4(first, "dst"));
            let free = apps::unaddressed(&l[1..], d.as_ref().map(|a| &a[..]));
            let (s, d) = if free { (None, None) } else { (s, d) };
            let s = s.map_or(0, u32::from_be_bytes);
            let d = d.map_or(0, u32::from_be_bytes);
            k.word((s ^ d) as u64);
            k.word(int("proto"));
            key_into(&l[1..], addresses, k, multicast);
        }
        "IPv6" | "IPerror6" => {
            let c = chain6(l);
            let up = &l[c.upper..];
            let upn = up.first().map(Layer::name);
            if first.name() == "IPv6" && upn.is_some_and(|n| ICMP6_ERRORS.contains(&n)) {
                return key_into(&up[1..], addresses, k, multicast);
            }
            k.word(6);
            if upn.is_some_and(|n| ND.contains(&n)) {
                k.word(58);
                return key_into(up, addresses, k, multicast);
            }
            let dst = c.final_dst.unwrap_or_default();
            if multicast6(&dst) {
                *multicast = true;
            } else if addresses {
                let s = ip6(first, "src").map_or(0, u128::from_be_bytes);
                let x = s ^ u128::from_be_bytes(dst);
                k.word((x >> 64) as u64);
                k.word(x as u64);
            }
            k.word(c.nh);
            key_into(up, addresses, k, multicast);
        }
        "TCP" | "TCPerror" | "UDP" | "UDPerror" => k.word(int("sport") ^ int("dport")),
        "ICMP" | "ICMPerror" if first.int("type").is_some_and(|t| ICMP_INFO.contains(&t)) => {
            k.word(int("id"));
            k.word(int("seq"));
        }
        "ICMPv6EchoRequest" | "ICMPv6EchoReply" => {
            k.word(int("id"));
            k.word(int("seq"));
        }
        "ICMPv6ND_NS" | "ICMPv6ND_NA" => {
            if let Some(t) = ip6(first, "tgt") {
                k.bytes(&t);
            }
        }
        _ => {}
    }
}

/// Requests indexed by [`hash_key`]: a reply's candidates are found in O(1) and confirmed with
/// [`answers`], as scapy's `sndrcv` does with its `hsent` dictionary.
///
/// A request to an IPv6 multicast group is keyed without addresses (its answers come from
/// unicast addresses): once there is such a request, a reply is looked up under its key without
/// addresses too.
#[derive(Default)]
pub struct Matcher {
    slots: Vec<(usize, Vec<Layer>)>,
    index: HashMap<u64, Vec<usize>>,
    multicast: bool,
    calls: Cell<u64>,
}

impl Matcher {
    pub fn new() -> Matcher {
        Matcher::default()
    }

    /// Adds a request under the caller's `id` (its layers as dissected, so that computed
    /// fields have their values). Ids should be unique; the same id twice is two requests.
    pub fn add(&mut self, id: usize, request: Vec<Layer>) {
        let (k, multicast) = key(&request, true);
        self.multicast |= multicast;
        self.index.entry(k).or_default().push(self.slots.len());
        self.slots.push((id, request));
    }

    /// Requests held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The ids of the requests `reply` answers, in the order they were added (within each key
    /// looked up). Lazy: `answers` runs as the iterator is advanced, so taking the first match
    /// costs no more than that.
    pub fn matches<'a>(&'a self, reply: &'a [Layer]) -> impl Iterator<Item = usize> + 'a {
        let empty: &[usize] = &[];
        let (k, _) = key(reply, true);
        let first = self.index.get(&k).map_or(empty, Vec::as_slice);
        let mut second = empty;
        if self.multicast {
            let (k2, _) = key(reply, false);
            if k2 != k {
                second = self.index.get(&k2).map_or(empty, Vec::as_slice);
            }
        }
        first.iter().chain(second).filter_map(move |&slot| {
            self.calls.set(self.calls.get() + 1);
            let (id, request) = &self.slots[slot];
            answers(reply, request).then_some(*id)
        })
    }

    /// How many times [`answers`] has run (for checking that matching stays linear).
    pub fn comparisons(&self) -> u64 {
        self.calls.get()
    }
}

mod apps;
#[cfg(test)]
mod tests;
