//! What `send`, `sr` and `sr1` share: the expression built into frames, the layer they leave
//! at (3 from IP/IPv6: the kernel routes; 2 from Ether: injected on an interface, with
//! `Ether.src` from the interface and `Ether.dst` resolved by ARP when the expression leaves
//! them unset, as scapy does), the interface, and the sockets, opened before anything is sent.

use crate::cli::SendOpts;
use anyhow::{Context, Result, anyhow, bail};
use pkt::craft::{PacketSet, compile_set};
use pkt::engine::{self, Probe};
use pkt::io::live::{CaptureOptions, Live, LiveNetwork, Sender};
use pkt::io::raw::{RawSender, destination};
use pkt::io::route::{Route, route_to};
use pkt::layers::{Proto, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// The frames an expression describes, ready to leave.
pub struct Outgoing {
    pub frames: Vec<Vec<u8>>,
    pub first: &'static Proto,
    pub layer2: bool,
    /// The interface replies are captured on (and layer-2 frames injected on).
    pub iface: String,
    /// Distinct destination addresses, in order of appearance.
    pub dsts: Vec<IpAddr>,
}

impl Outgoing {
    /// The pcap link type of the frames.
    pub fn linktype(&self) -> u32 {
        if self.layer2 { 1 } else { 101 }
    }
    pub fn probes(&self) -> Vec<Probe> {
        self.frames
            .iter()
            .map(|f| Probe::new(f.clone(), self.first))
            .collect()
    }
}

pub fn prepare(expr: &str, opts: &SendOpts) -> Result<Outgoing> {
    let mut set = compile_set(expr).map_err(|d| anyhow!("bad expression\n{}", d.render(expr)))?;
    let first = set
        .base
        .first()
        .map(|l| l.proto)
        .ok_or(anyhow!("empty expression"))?;
    let layer2 = match first.name {
        "IP" | "IPv6" => false,
        "Ether" => true,
        other => bail!(
            "packets to send start at IP or IPv6 (layer 3, the kernel routes them) or at Ether \
             (layer 2); this one starts at {other}"
        ),
    };
    let mut frames = build_all(&set);
    let dsts = distinct(frames.iter().filter_map(|f| ip_destination(f, layer2)));
    let route = dsts
        .first()
        .map(|d| route_to(*d).with_context(|| format!("the route to {d}")))
        .transpose();
    // A frame sent at layer 2 on a named interface needs no route (a DHCPDISCOVER to
    // 255.255.255.255 from a host without an address): the route only fills defaults then.
    let route = match route {
        Err(_) if layer2 && opts.iface.is_some() => None,
        r => r?,
    };
    let iface = match (&opts.iface, &route) {
        (Some(i), _) => i.clone(),
        (None, Some(r)) => r.iface.clone(),
        (None, None) => bail!("say which interface to send on with -i"),
    };
    // IP.src / IPv6.src left unset: the address the kernel would use (scapy asks its routes).
    if let Some(r) = &route
        && let Some(i) = set
            .base
            .iter()
            .position(|l| matches!(l.name(), "IP" | "IPv6"))
        && !given_fields(expr, i).contains(&"src")
    {
        let k = set.base[i]
            .proto
            .fields
            .iter()
            .position(|f| f.name == "src");
        let v = match r.src {
            IpAddr::V4(a) => Value::Ip4(a.octets()),
            IpAddr::V6(a) => Value::Ip6(a.octets()),
        };
        if let Some(k) = k
            && std::mem::discriminant(&set.base[i].values[k]) == std::mem::discriminant(&v)
        {
            set.base[i].values[k] = v;
            frames = build_all(&set);
        }
    }
    if layer2 {
        let given = given_fields(expr, 0);
        let mac = iface_mac(&iface)?;
        // ARP's sender addresses left unset: this interface's (scapy does the same).
        if let Some(arp) = set.base.get_mut(1).filter(|l| l.name() == "ARP") {
            let given = given_fields(expr, 1);
            let fields = arp.proto.fields;
            for (k, f) in fields.iter().enumerate() {
                match (f.name, &arp.values[k]) {
                    ("hwsrc", Value::Mac(_)) if !given.contains(&"hwsrc") => {
                        arp.values[k] = Value::Mac(mac)
                    }
                    ("psrc", Value::Ip4(_)) if !given.contains(&"psrc") => {
                        if let Some(Route {
                            src: IpAddr::V4(a), ..
                        }) = &route
                        {
                            arp.values[k] = Value::Ip4(a.octets());
                        }
                    }
                    _ => {}
                }
            }
        }
        let ether = &mut set.base[0];
        if !given.contains(&"src") {
            ether.values[1] = Value::Mac(mac);
        }
        if !given.contains(&"dst") && first_payload_is_ip(&frames) {
            let target = dsts
                .first()
                .copied()
                .ok_or(anyhow!("no destination address to resolve Ether.dst for"))?;
            ether.values[0] = Value::Mac(resolve(&iface, mac, target)?);
        }
        frames = build_all(&set);
    }
    Ok(Outgoing {
        frames,
        first,
        layer2,
        iface,
        dsts,
    })
}

/// The layer-3 frames of `plan` framed for its interface, as scapy's `send()` does (its own
/// route and ARP/ND, then a packet socket): an Ethernet header from the interface's MAC to the
/// next hop's. `None` when the kernel had better send them itself: not Ethernet, destinations
/// behind different next hops or of both families, or a packet longer than the MTU (the kernel
/// fragments; a packet socket cannot).
pub fn frame_for_link(plan: &Outgoing) -> Result<Option<Outgoing>> {
    use pkt::io::packet::{hw_type, mtu};
    if plan.layer2 || hw_type(&plan.iface) != Some(1) {
        return Ok(None);
    }
    let mtu = mtu(&plan.iface).unwrap_or(1500);
    if plan.frames.iter().any(|f| f.len() > mtu) {
        return Ok(None);
    }
    let Some(first) = plan.dsts.first().copied() else {
        return Ok(None);
    };
    // One read of the routing tables for every destination (a set can have thousands).
    let routes = Routes::read();
    let hop = |d: IpAddr| -> Option<IpAddr> {
        routes
            .hop(d, None)
            .filter(|(i, _)| *i == plan.iface)
            .map(|(_, h)| h)
    };
    let Some(h) = hop(first) else {
        return Ok(None);
    };
    if plan.dsts.iter().any(|d| hop(*d) != Some(h)) {
        return Ok(None);
    }
    let mac = iface_mac(&plan.iface)?;
    let dst = resolve(&plan.iface, mac, first)?;
    let ethertype: [u8; 2] = if first.is_ipv4() {
        [0x08, 0x00]
    } else {
        [0x86, 0xdd]
    };
    let frames = plan
        .frames
        .iter()
        .map(|f| {
            let mut e = Vec::with_capacity(14 + f.len());
            e.extend_from_slice(&dst);
            e.extend_from_slice(&mac);
            e.extend_from_slice(&ethertype);
            e.extend_from_slice(f);
            e
        })
        .collect();
    Ok(Some(Outgoing {
        frames,
        first: pkt::layers::by_name("Ether").ok_or(anyhow!("no Ether layer"))?,
        layer2: true,
        iface: plan.iface.clone(),
        dsts: plan.dsts.clone(),
    }))
}

fn build_all(set: &PacketSet) -> Vec<Vec<u8>> {
    let mut frames = Vec::with_capacity(set.len());
    let _ = set.build_each(1, |b| {
        frames.push(b.to_vec());
        Ok::<_, ()>(())
    });
    frames
}

fn distinct(addrs: impl Iterator<Item = IpAddr>) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for a in addrs {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// The IP destination of a frame (after Ether at layer 2; ARP's target address too).
fn ip_destination(frame: &[u8], layer2: bool) -> Option<IpAddr> {
    if !layer2 {
        return destination(frame);
    }
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    match ethertype {
        0x0800 | 0x86dd => destination(frame.get(14..)?),
        0x0806 => {
            let t: [u8; 4] = frame.get(38..42)?.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(t)))
        }
        _ => None,
    }
}

fn first_payload_is_ip(frames: &[Vec<u8>]) -> bool {
    frames
        .first()
        .and_then(|f| f.get(12..14))
        .is_some_and(|t| t == [0x08, 0x00] || t == [0x86, 0xdd])
}

/// The field names (of those that are filled when left unset) the expression gives its layer
/// `i`.
fn given_fields(expr: &str, i: usize) -> Vec<&'static str> {
    let Ok(e) = pkt::expr::parse(expr) else {
        return Vec::new();
    };
    let Some(l) = e.layers.get(i) else {
        return Vec::new();
    };
    ["src", "dst", "type", "hwsrc", "psrc"]
        .into_iter()
        .filter(|n| l.args.iter().any(|a| a.name == *n))
        .collect()
}

/// The interface's MAC address.
pub fn iface_mac(iface: &str) -> Result<[u8; 6]> {
    let text = std::fs::read_to_string(format!("/sys/class/net/{iface}/address"))
        .map_err(|_| anyhow!("no interface '{iface}' (see `pkt ifaces` or `ip link`)"))?;
    pkt::build::parse_mac(text.trim()).ok_or(anyhow!("{iface} has no MAC address"))
}

/// The MAC address of the next hop to `target` on `iface`, asked as scapy does: ARP who-has
/// (IPv4) or an ICMPv6 neighbour solicitation to the solicited-node group (IPv6), through the
/// same engine as `sr`.
fn resolve(iface: &str, mac: [u8; 6], target: IpAddr) -> Result<[u8; 6]> {
    let route = route_to(target)?;
    let routes = Routes::read();
    let next_hop = routes.hop(target, Some(iface)).map_or(target, |(_, h)| h);
    let m = |b: [u8; 6]| {
        let mut s = String::new();
        pkt::layers::field::fmt_mac(&b, &mut s);
        s
    };
    let (hop, expr, filter, answer_layer, answer_field) = match (target, route.src) {
        (IpAddr::V4(t), src) => {
            let hop = match next_hop {
                IpAddr::V4(h) => h,
                IpAddr::V6(_) => t,
            };
            let src = match src {
                IpAddr::V4(s) => s,
                IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
            };
            let expr = format!(
                "Ether(dst=\"ff:ff:ff:ff:ff:ff\",src=\"{}\")/ARP(hwsrc=\"{}\",psrc=\"{src}\",pdst=\"{hop}\")",
                m(mac),
                m(mac)
            );
            (IpAddr::V4(hop), expr, "arp", "ARP", "hwsrc")
        }
        (IpAddr::V6(t), src) => {
            let hop = match next_hop {
                IpAddr::V6(h) => h,
                IpAddr::V4(_) => t,
            };
            let o = hop.octets();
            let group = Ipv6Addr::new(
                0xff02,
                0,
                0,
                0,
                0,
                1,
                0xff00 | u16::from(o[13]),
                u16::from_be_bytes([o[14], o[15]]),
            );
            let gmac = [0x33, 0x33, 0xff, o[13], o[14], o[15]];
            let expr = format!(
                "Ether(dst=\"{}\",src=\"{}\")/IPv6(src=\"{src}\",dst=\"{group}\",hlim=255)/ICMPv6ND_NS(tgt=\"{hop}\")/ICMPv6NDOptSrcLLAddr(lladdr=\"{}\")",
                m(gmac),
                m(mac),
                m(mac)
            );
            (
                IpAddr::V6(hop),
                expr,
                "icmp6",
                "ICMPv6NDOptDstLLAddr",
                "lladdr",
            )
        }
    };
    let set = compile_set(&expr).map_err(|d| anyhow!("{}", d.render(&expr)))?;
    let probes: Vec<Probe> = build_all(&set)
        .into_iter()
        .map(|f| Probe::new(f, set.base[0].proto))
        .collect();
    let mut net = open(iface, true, Some(filter), &[])?;
    let opts = engine::Options {
        timeout: Some(Duration::from_secs(1)),
        retry: 2,
        ..Default::default()
    };
    let mut found = None;
    engine::run(&mut net, &pkt::io::SystemClock, &probes, &opts, |ev| {
        if let engine::Event::Answer { reply, .. } = ev
            && let Some(Value::Mac(m)) = reply
                .packet
                .layers
                .iter()
                .find(|l| l.name() == answer_layer)
                .and_then(|l| l.get(answer_field))
        {
            found.get_or_insert(*m);
        }
    })?;
    found.ok_or_else(|| anyhow!("{hop} did not answer on {iface} ({filter}): set Ether(dst=…)"))
}

/// The kernel's main routing tables, read once: the outgoing interface and next hop for a
/// destination by longest prefix.
struct Routes {
    v4: String,
    v6: String,
}

impl Routes {
    fn read() -> Routes {
        let r = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        Routes {
            v4: r("/proc/net/route"),
            v6: r("/proc/net/ipv6_route"),
        }
    }

    /// The interface and next hop (the destination itself when on-link) for `dst`, among the
    /// routes of interface `on` when given.
    fn hop(&self, dst: IpAddr, on: Option<&str>) -> Option<(&str, IpAddr)> {
        match dst {
            IpAddr::V4(d) => self.hop_v4(d, on).map(|(i, h)| (i, IpAddr::V4(h))),
            IpAddr::V6(d) => self.hop_v6(d, on).map(|(i, h)| (i, IpAddr::V6(h))),
        }
    }

    fn hop_v6(&self, dst: Ipv6Addr, on: Option<&str>) -> Option<(&str, Ipv6Addr)> {
        let addr = |s: &str| u128::from_str_radix(s, 16).ok().map(Ipv6Addr::from);
        let d = u128::from(dst);
        let mut best: Option<(u32, &str, Ipv6Addr)> = None;
        for line in self.v6.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || on.is_some_and(|i| i != f[9]) {
                continue;
            }
            let (Some(net), Ok(plen), Some(gw)) =
                (addr(f[0]), u32::from_str_radix(f[1], 16), addr(f[4]))
            else {
                continue;
            };
            let mask = if plen == 0 {
                0
            } else {
                u128::MAX << (128 - plen.min(128))
            };
            if d & mask == u128::from(net) & mask && best.is_none_or(|(p, _, _)| plen > p) {
                let hop = if gw.is_unspecified() { dst } else { gw };
                best = Some((plen, f[9], hop));
            }
        }
        best.map(|(_, i, h)| (i, h))
    }

    fn hop_v4(&self, dst: Ipv4Addr, on: Option<&str>) -> Option<(&str, Ipv4Addr)> {
        // Each word is printed as the host reads the network-order bytes: its native bytes are
        // the address.
        let hex = |s: &str| {
            u32::from_str_radix(s, 16)
                .ok()
                .map(|v| u32::from(Ipv4Addr::from(v.to_ne_bytes())))
        };
        let d = u32::from(dst);
        let mut best: Option<(u32, &str, Ipv4Addr)> = None;
        for line in self.v4.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 8 || on.is_some_and(|i| i != f[0]) {
                continue;
            }
            let (Some(net), Some(gw), Some(mask)) = (hex(f[1]), hex(f[2]), hex(f[7])) else {
                continue;
            };
            if d & mask == net && best.is_none_or(|(m, _, _)| mask.count_ones() > m) {
                let hop = if gw == 0 { dst } else { Ipv4Addr::from(gw) };
                best = Some((mask.count_ones(), f[0], hop));
            }
        }
        best.map(|(_, i, h)| (i, h))
    }
}

/// Opens the network the engine runs on: a capture on `iface` (its filter set before anything
/// is sent) and the sender.
pub fn open(
    iface: &str,
    layer2: bool,
    filter: Option<&str>,
    dsts: &[IpAddr],
) -> Result<LiveNetwork> {
    let sender = if layer2 {
        Sender::L2
    } else {
        let v4 = dsts.iter().any(IpAddr::is_ipv4);
        let v6 = dsts.iter().any(IpAddr::is_ipv6);
        Sender::L3(RawSender::open(v4, v6)?)
    };
    let mut o = CaptureOptions::new(iface);
    o.filter = filter.map(str::to_string);
    o.inbound_only = true;
    let capture = Live::open(&o)?;
    Ok(LiveNetwork {
        capture,
        sender,
        cancel: None,
    })
}

/// A BPF filter that lets through what can answer these requests: traffic from their
/// destinations, ICMP/ICMPv6 (errors come from routers), and ARP.
pub fn reply_filter(dsts: &[IpAddr]) -> String {
    // Answers to a broadcast or a group come from unicast addresses (a DHCP offer, mDNS).
    let group = |d: &IpAddr| match d {
        IpAddr::V4(a) => a.is_broadcast() || a.is_multicast(),
        IpAddr::V6(a) => a.is_multicast(),
    };
    if dsts.is_empty() || dsts.len() > 64 || dsts.iter().any(group) {
        return "ip or ip6 or arp".into();
    }
    let hosts: Vec<String> = dsts.iter().map(|d| format!("src host {d}")).collect();
    format!("icmp or icmp6 or arp or {}", hosts.join(" or "))
}
