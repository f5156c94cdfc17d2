//! `pkt ping`: iputils' ping, line for line (header, replies, errors, `(DUP!)`, the statistics
//! block, exit status), over the ping engine (`pkt::engine::ping`); also TCP and UDP probes, and
//! `--json`. Requests leave through a raw socket; replies — and the requests themselves, on
//! their way out — come from a capture on the route's interface, so both ends of every round
//! trip are kernel time stamps taken at the same place.

use crate::cli::PingArgs;
use anyhow::{Context, Result, anyhow, bail};
use pkt::build::{build, new_layer};
use pkt::engine::ping::{self, Mode, Target};
use pkt::io::dgram::DgramNetwork;
use pkt::io::live::{CaptureOptions, Live, LiveNetwork, Sender};
use pkt::io::raw::RawSender;
use pkt::io::route::route_to;
use pkt::layers::{Value, raw};
use std::collections::BTreeMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: &PingArgs) -> Result<ExitCode> {
    let dst = args.target.resolve()?;
    let v6 = dst.is_ipv6();
    let (src_addr, src_iface) = source(args.source.as_deref(), v6)?;
    let route = route_to(dst).with_context(|| format!("the route to {dst}"))?;
    let iface = src_iface.clone().unwrap_or(route.iface.clone());
    let src = src_addr.unwrap_or(route.src);
    let interval = args.interval.unwrap_or(if args.flood {
        Duration::from_millis(10)
    } else {
        Duration::from_secs(1)
    });
    if interval < Duration::from_millis(2) && !args.flood {
        bail!(
            "-i {}: below 2 ms only with -f (flood)",
            interval.as_secs_f64()
        );
    }
    let pattern = match &args.pattern {
        Some(p) => parse_pattern(p)?,
        None => Vec::new(),
    };
    // A per-run identifier (and source ports) from the process id, as ping does.
    let pid = std::process::id();
    let mode = match (args.tcp, args.udp) {
        (Some(p), _) => Mode::Tcp {
            dport: p,
            sport_base: 32768 + (pid % 16384) as u16,
        },
        (_, Some(p)) => Mode::Udp {
            dport: p,
            sport_base: 32768 + (pid % 16384) as u16,
        },
        _ => Mode::Icmp { id: pid as u16 },
    };
    let mut target = Target { dst, mode };

    // Sockets first (so a missing privilege shows before anything is sent), then root goes.
    // Without CAP_NET_RAW an ICMP ping falls back to the kernel's ICMP datagram sockets, as
    // iputils does (allowed by net.ipv4.ping_group_range): replies stamped on arrival, requests
    // when sent.
    let ttl = args.ttl.unwrap_or(64);
    let cancel = super::stop_flag(true);
    // -I IFACE binds the requests to it; -I ADDR only picks the source.
    let bind = args
        .source
        .as_deref()
        .is_some_and(|s| s.parse::<IpAddr>().is_err());
    let mut net = match open_capture(&iface, bind, dst, v6) {
        Ok(mut live) => {
            live.cancel = Some(cancel.clone());
            Net::Live(live)
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::PermissionDenied
                && matches!(mode, Mode::Icmp { .. }) =>
        {
            let mut d = DgramNetwork::open(dst, src, ttl).map_err(|_| e)?;
            d.cancel = Some(cancel.clone());
            target.mode = Mode::Icmp { id: d.id };
            Net::Dgram(d)
        }
        Err(e) => return Err(e.into()),
    };
    pkt::io::drop_root_if_sudo()?;
    let opts = ping::Options {
        count: args.count,
        interval,
        linger: args.timeout.unwrap_or(Duration::from_secs(10)),
        deadline: args.deadline,
        flood: args.flood,
        outstanding: args.outstanding,
        cancel: Some(cancel),
    };
    let probe = |seq: u64| probe_frame(&target, src, ttl, args.size, &pattern, seq);

    let stdout = std::io::stdout();
    let mut out = Printer {
        so: std::io::BufWriter::new(stdout.lock()),
        args,
        v6,
        mode: target.mode,
        sent: BTreeMap::new(),
        answered: BTreeMap::new(),
        ewma: None,
        failed: None,
    };
    if !args.json {
        let from = match (&args.source, src_iface.is_some()) {
            (Some(_), true) => format!(" from {src} {iface}"),
            (Some(_), false) => format!(" from {src}"),
            _ => String::new(),
        };
        let what = match target.mode {
            Mode::Icmp { .. } if v6 => format!("{} data bytes", args.size),
            Mode::Icmp { .. } => format!("{}({}) bytes of data.", args.size, args.size + 28),
            // SYNs of 24 bytes (a 20-byte header and MSS), no data.
            Mode::Tcp { dport, .. } if v6 => format!("TCP port {dport}, 24 data bytes"),
            Mode::Tcp { dport, .. } => format!("TCP port {dport}, 24(44) bytes of data."),
            Mode::Udp { dport, .. } if v6 => format!("UDP port {dport}, {} data bytes", args.size),
            Mode::Udp { dport, .. } => format!(
                "UDP port {dport}, {}({}) bytes of data.",
                args.size,
                args.size + 28
            ),
        };
        let sep = if from.is_empty() { "" } else { ":" };
        // iputils writes no space before an IPv6 address's parenthesis.
        let gap = if v6 { "" } else { " " };
        out.line(&format!(
            "PING {}{gap}({dst}){from}{sep} {what}",
            args.target.host
        ));
    }
    let stats = ping::run(
        &mut net,
        &pkt::io::SystemClock,
        &target,
        probe,
        &opts,
        |e| out.event(&e),
    )?;
    if let Some(e) = out.failed.take() {
        return Err(e.into());
    }
    out.finish(&args.target.host, &stats)?;
    let enough = match (args.deadline, args.count) {
        (Some(_), Some(c)) => stats.received >= c,
        _ => true,
    };
    Ok(if stats.received > 0 && enough {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The capture (replies, and requests as they leave) and the raw sender.
/// With `bind`, requests leave only by `iface` (`-I`, as iputils binds the socket to it).
fn open_capture(iface: &str, bind: bool, dst: IpAddr, v6: bool) -> std::io::Result<LiveNetwork> {
    let mut o = CaptureOptions::new(iface);
    o.filter = Some(format!("icmp or icmp6 or host {dst}"));
    o.snaplen = 512;
    let capture = Live::open(&o)?;
    let mut raw = RawSender::open(!v6, v6)?;
    if bind {
        raw.bind_to(iface)?;
    }
    let sender = Sender::L3(raw);
    Ok(LiveNetwork {
        capture,
        sender,
        cancel: None,
    })
}

/// Where probes go: raw sockets and a capture, or (unprivileged) an ICMP datagram socket.
enum Net {
    Live(LiveNetwork),
    Dgram(DgramNetwork),
}

impl pkt::engine::Network for Net {
    fn linktype(&self) -> u32 {
        match self {
            Net::Live(n) => n.linktype(),
            Net::Dgram(n) => n.linktype(),
        }
    }
    fn send(&mut self, frame: &[u8]) -> std::io::Result<Duration> {
        match self {
            Net::Live(n) => n.send(frame),
            Net::Dgram(n) => n.send(frame),
        }
    }
    fn recv(&mut self, deadline: Duration) -> std::io::Result<Option<pkt::engine::Received>> {
        match self {
            Net::Live(n) => n.recv(deadline),
            Net::Dgram(n) => n.recv(deadline),
        }
    }
}

/// The address of `host`: itself, or the system resolver's first of the family asked for.
pub fn resolve(host: &str, v4: bool, v6: bool) -> Result<IpAddr> {
    if let Ok(a) = host.parse::<IpAddr>() {
        if (v4 && a.is_ipv6()) || (v6 && a.is_ipv4()) {
            bail!("{host}: Address family for hostname not supported");
        }
        return Ok(a);
    }
    let addrs = (host, 0)
        .to_socket_addrs()
        .map_err(|_| anyhow!("{host}: Name or service not known"))?;
    addrs
        .map(|s| s.ip())
        .find(|a| (!v4 || a.is_ipv4()) && (!v6 || a.is_ipv6()))
        .ok_or_else(|| anyhow!("{host}: Address family for hostname not supported"))
}

/// `-I`: an address (the source) or an interface (captured on, its address the source).
pub fn source(s: Option<&str>, v6: bool) -> Result<(Option<IpAddr>, Option<String>)> {
    let Some(s) = s else {
        return Ok((None, None));
    };
    if let Ok(a) = s.parse::<IpAddr>() {
        let iface = pkt::io::route::iface_with(a)?
            .ok_or_else(|| anyhow!("-I {s}: no interface holds this address"))?;
        return Ok((Some(a), Some(iface)));
    }
    pkt::io::packet::if_index(s).map_err(|e| anyhow!("-I {s}: {e}"))?;
    let all = pkt::io::route::addresses()?;
    let a = all
        .iter()
        .filter(|(n, _, _)| n == s)
        .map(|(_, a, _)| *a)
        .find(|a| a.is_ipv6() == v6 && !matches!(a, IpAddr::V6(x) if x.segments()[0] == 0xfe80))
        .ok_or_else(|| anyhow!("-I {s}: no IPv{} address", if v6 { 6 } else { 4 }))?;
    Ok((Some(a), Some(s.to_string())))
}

/// `-p`: up to 16 bytes of hex.
fn parse_pattern(p: &str) -> Result<Vec<u8>> {
    let p = p.trim_start_matches("0x");
    if p.is_empty() || p.len() > 32 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("-p {p}: up to 16 bytes of hex digits, e.g. -p ff00");
    }
    let p = if p.len() % 2 == 1 {
        format!("0{p}")
    } else {
        p.to_string()
    };
    Ok((0..p.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&p[i..i + 2], 16).unwrap_or(0))
        .collect())
}

/// The data of a probe, as iputils fills it: the send time (a 16-byte timeval) when it fits,
/// then the pattern, or bytes counting up from the offset.
pub fn payload(size: usize, pattern: &[u8], now: Duration) -> Vec<u8> {
    let mut d = Vec::with_capacity(size);
    let stamp = size >= 16;
    if stamp {
        d.extend_from_slice(&now.as_secs().to_le_bytes());
        d.extend_from_slice(&u64::from(now.subsec_micros()).to_le_bytes());
    }
    for i in d.len()..size {
        d.push(if pattern.is_empty() {
            i as u8
        } else {
            pattern[(i - if stamp { 16 } else { 0 }) % pattern.len()]
        });
    }
    d
}

/// The bytes of probe `seq`: an IP (IPv6) packet the raw socket sends.
fn probe_frame(t: &Target, src: IpAddr, ttl: u8, size: usize, pattern: &[u8], seq: u64) -> Vec<u8> {
    let ip = match (t.dst, src) {
        (IpAddr::V6(d), s) => format!("IPv6(src=\"{s}\",dst=\"{d}\",hlim={ttl})"),
        (IpAddr::V4(d), s) => format!("IP(src=\"{s}\",dst=\"{d}\",ttl={ttl})"),
    };
    let (l4, data) = match t.mode {
        Mode::Icmp { id } if t.dst.is_ipv6() => (
            format!("ICMPv6EchoRequest(id={id},seq={})", seq % 65536),
            true,
        ),
        Mode::Icmp { id } => (format!("ICMP(id={id},seq={})", seq % 65536), true),
        Mode::Tcp { dport, .. } => (
            format!(
                "TCP(sport={},dport={dport},flags=\"S\",seq={},window=64240,options=[(\"MSS\",1460)])",
                t.sport(seq),
                (u64::from(std::process::id()) << 16 | seq) & 0xffff_ffff
            ),
            false,
        ),
        Mode::Udp { dport, .. } => (format!("UDP(sport={},dport={dport})", t.sport(seq)), true),
    };
    let expr = format!("{ip}/{l4}");
    let mut layers = pkt::craft::compile(&expr)
        .ok()
        .and_then(|mut v| v.pop())
        .unwrap_or_default();
    if data && size > 0 {
        let mut r = new_layer(&raw::RAW);
        r.values[0] = Value::Bytes(payload(size, pattern, pkt::io::now()));
        layers.push(r);
    }
    build(&layers)
}

mod print;
use print::Printer;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_starts_with_the_send_time_then_counts_up_or_repeats_the_pattern() {
        let d = payload(56, &[], Duration::new(0x0102, 3000));
        assert_eq!(d.len(), 56);
        assert_eq!(&d[..2], &[2, 1]);
        assert_eq!(&d[8..9], &[3]);
        assert_eq!(d[16], 16);
        assert_eq!(d[55], 55);
        let d = payload(20, &[0xff, 0], Duration::ZERO);
        assert_eq!(&d[16..], &[0xff, 0, 0xff, 0]);
        assert_eq!(payload(4, &[], Duration::ZERO), [0, 1, 2, 3]);
        assert_eq!(parse_pattern("ff0").unwrap(), [0x0f, 0xf0]);
        assert!(parse_pattern("xyz").is_err());
    }
}
