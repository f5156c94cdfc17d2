//! A trace's probes and how their answers are read: the packet each probe is (made once from
//! the layer tables, its TTL, tag and ports set per probe) and, from a dissected reply, which
//! probe it answers and how.

use super::{Config, Kind, Method};
use crate::build::{build, new_layer};
use crate::dissect::Packet;
use crate::layers::{Layer, Value, icmp, icmpv6, ip, ipv6, raw, tcp, udp};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Builds probes and reads answers for one configuration.
pub struct Prober<'a> {
    cfg: &'a Config,
    /// The probe's IP/IPv6 and transport layers, made once; each probe sets its own TTL, tag
    /// and ports in a copy.
    base: Vec<Layer>,
}

/// Sets a field of a layer by its (scapy) name.
fn set(layer: &mut Layer, name: &str, v: Value) {
    if let Some(k) = layer.proto.fields.iter().position(|f| f.name == name) {
        layer.values[k] = v;
    }
}

/// Sets an integer field of a layer by its (scapy) name.
fn set_int(layer: &mut Layer, name: &str, v: u64) {
    set(layer, name, Value::Int(v));
}

impl<'a> Prober<'a> {
    pub fn new(cfg: &'a Config) -> Prober<'a> {
        let c = cfg;
        // Built from the layers' tables directly, not an expression: the parser's code is not
        // touched (page faults, at start-up, before the first probe).
        let l3 = match (c.src, c.dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let mut l = new_layer(&ipv6::IPV6);
                set(&mut l, "src", Value::Ip6(s.octets()));
                set(&mut l, "dst", Value::Ip6(d.octets()));
                l
            }
            (s, d) => {
                let mut l = new_layer(&ip::IP);
                let v4 = |a: IpAddr| match a {
                    IpAddr::V4(a) => a.octets(),
                    IpAddr::V6(_) => [0; 4],
                };
                set(&mut l, "src", Value::Ip4(v4(s)));
                set(&mut l, "dst", Value::Ip4(v4(d)));
                l
            }
        };
        let mut l4 = match (c.method, c.dst.is_ipv6()) {
            (Method::Udp, _) => new_layer(&udp::UDP),
            (Method::Icmp, true) => new_layer(&icmpv6::ECHO_REQUEST),
            (Method::Icmp, false) => new_layer(&icmp::ICMP),
            (Method::Tcp, _) => new_layer(&tcp::TCP),
        };
        match c.method {
            Method::Udp | Method::Tcp => {
                set(&mut l4, "sport", Value::Int(u64::from(c.sport)));
                set(&mut l4, "dport", Value::Int(u64::from(c.port)));
            }
            Method::Icmp => set(&mut l4, "id", Value::Int(u64::from(c.sport))),
        }
        if c.method == Method::Tcp {
            set(&mut l4, "flags", Value::Int(0x02)); // S
            set(&mut l4, "window", Value::Int(5840));
        }
        Prober {
            cfg,
            base: vec![l3, l4],
        }
    }

    /// The bytes (an IP or IPv6 packet) of the probe tagged `tag`, with this TTL, the
    /// `query`th to its hop.
    pub fn probe(&self, tag: u16, ttl: u8, query: u8) -> Vec<u8> {
        let c = self.cfg;
        let v6 = c.dst.is_ipv6();
        let mut layers = self.base.clone();
        let (ip, l4) = match layers.as_mut_slice() {
            [ip, l4] => (ip, l4),
            _ => return build(&layers),
        };
        if v6 {
            set_int(ip, "hlim", u64::from(ttl));
        } else {
            set_int(ip, "ttl", u64::from(ttl));
            set_int(ip, "id", u64::from(tag));
        }
        // The payload: over IPv6 its first two words are the tag and its complement (their
        // one's-complement sum is constant, so the checksum is too); the rest zeros.
        let mut data = vec![0u8; c.payload.max(if v6 { 4 } else { 0 })];
        match c.method {
            Method::Udp => {
                if c.ecmp {
                    set_int(l4, "dport", u64::from(c.port.wrapping_add(tag)));
                }
                if v6 {
                    data[..2].copy_from_slice(&tag.to_be_bytes());
                    data[2..4].copy_from_slice(&(!tag).to_be_bytes());
                }
            }
            Method::Icmp => {
                // The sequence carries the tag; a payload word cancels it out of the checksum.
                if !c.ecmp && data.len() >= 2 {
                    data[..2].copy_from_slice(&(!tag).to_be_bytes());
                }
                set_int(l4, "seq", u64::from(tag));
            }
            Method::Tcp => {
                data.clear();
                // Paris for TCP: one flow per query column, the same for every TTL — so the
                // destination answers each column's SYN (a second SYN on one flow gets only a
                // challenge ACK) and each column follows one path.
                let sport = if c.ecmp {
                    c.sport.wrapping_add(tag)
                } else {
                    c.sport.wrapping_add(u16::from(query))
                };
                set_int(l4, "sport", u64::from(sport));
                set_int(l4, "seq", u64::from(tag) << 16);
            }
        }
        if !data.is_empty() {
            let mut r = new_layer(&raw::RAW);
            r.values[0] = Value::Bytes(data);
            layers.push(r);
        }
        build(&layers)
    }

    /// The tag of the probe this frame answers, and how it answers it.
    pub fn answer(&self, pkt: &Packet) -> Option<(u16, IpAddr, Kind)> {
        let c = self.cfg;
        let l = &pkt.layers;
        let i = l.iter().position(|x| matches!(x.name(), "IP" | "IPv6"))?;
        let v6 = l[i].name() == "IPv6";
        let from = addr(l[i].get("src"))?;
        let up = l.get(i + 1)?;
        let ty = up.int("type");
        // Direct answers from the destination.
        if from == c.dst {
            match (c.method, up.name()) {
                (Method::Icmp, "ICMP") if ty == Some(0) && up.int("id") == Some(c.sport.into()) => {
                    return Some((up.int("seq")? as u16, from, Kind::Reached));
                }
                (Method::Icmp, "ICMPv6EchoReply") if up.int("id") == Some(c.sport.into()) => {
                    return Some((up.int("seq")? as u16, from, Kind::Reached));
                }
                (Method::Tcp, "TCP") if up.int("sport") == Some(c.port.into()) => {
                    let tag = (up.int("ack")?.wrapping_sub(1) >> 16) as u16;
                    let dport = up.int("dport")?;
                    let ours = u64::from(c.sport)..u64::from(c.sport) + u64::from(c.queries.max(1));
                    if !c.ecmp && !ours.contains(&dport) {
                        return None;
                    }
                    return Some((tag, from, Kind::Reached));
                }
                _ => {}
            }
        }
        // ICMP errors, by the probe they quote.
        let (kind, code) = (ty? as u8, up.int("code").unwrap_or(0) as u8);
        let err = if v6 {
            match kind {
                3 => Kind::TimeExceeded,
                1 if code == 4 && from == c.dst => Kind::Reached,
                1 => Kind::Unreachable { v6, code },
                _ => return None,
            }
        } else {
            match kind {
                11 => Kind::TimeExceeded,
                3 if code == 3 && from == c.dst => Kind::Reached,
                3 => Kind::Unreachable { v6, code },
                _ => return None,
            }
        };
        if !(up.name() == "ICMP" || up.name().starts_with("ICMPv6")) {
            return None;
        }
        let qip = l.get(i + 2)?;
        if addr(qip.get("dst"))? != c.dst {
            return None;
        }
        let q = l.get(i + 3)?;
        let tag = match (c.method, q.name()) {
            (Method::Udp, "UDPerror" | "UDP") => {
                if q.int("sport") != Some(c.sport.into()) {
                    return None;
                }
                if v6 {
                    match l.get(i + 4).and_then(|r| r.get("load")) {
                        Some(Value::Bytes(b)) if b.len() >= 2 => u16::from_be_bytes([b[0], b[1]]),
                        _ => return None,
                    }
                } else {
                    qip.int("id")? as u16
                }
            }
            (Method::Icmp, "ICMPerror" | "ICMPv6EchoRequest") => {
                if q.int("id") != Some(c.sport.into()) {
                    return None;
                }
                q.int("seq")? as u16
            }
            (Method::Tcp, "TCPerror" | "TCP") => {
                if q.int("dport") != Some(c.port.into()) {
                    return None;
                }
                (q.int("seq")? >> 16) as u16
            }
            _ => return None,
        };
        Some((tag, from, err))
    }
}

fn addr(v: Option<&Value>) -> Option<IpAddr> {
    match v? {
        Value::Ip4(a) => Some(IpAddr::V4(Ipv4Addr::from(*a))),
        Value::Ip6(a) => Some(IpAddr::V6(Ipv6Addr::from(*a))),
        _ => None,
    }
}
