//! ping's loop as a state machine, iputils' semantics: probes `interval` apart (or, flooding,
//! as soon as the last is answered, at least every 10 ms), replies matched to their probe by
//! sequence (ICMP echo id/seq; for TCP and UDP, the source port), duplicates told apart,
//! ICMP errors (from any router, by the packet they quote) counted as errors; the end when the
//! count is sent and every probe answered or `linger` has passed since the last, at the
//! deadline, or when cancelled. All I/O through a [`Network`], all time from it and a [`Clock`].
//!
//! The round trip time is the reply's time stamp less the request's. When the network returns
//! the host's own outgoing frames too (a capture in both directions), the request's time is the
//! one it was captured with on its way out: both ends stamped at the same place by the kernel,
//! so the RTT is the one on the wire, not including the time the send call took.

use super::sr::{Clock, Network};
use crate::dissect::{Packet, dissect_into};
use crate::layers::{Layer, Value};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Source ports a TCP or UDP ping cycles through, one per sequence number.
pub const PORT_SPAN: u64 = 4096;

/// What is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// ICMP or ICMPv6 echo with this identifier.
    Icmp { id: u16 },
    /// TCP SYN to `dport`, from `sport_base + (seq - 1) % PORT_SPAN`.
    Tcp { dport: u16, sport_base: u16 },
    /// UDP to `dport`, from `sport_base + (seq - 1) % PORT_SPAN`.
    Udp { dport: u16, sport_base: u16 },
}

/// Whom and how to ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub dst: IpAddr,
    pub mode: Mode,
}

/// What kind of reply counted as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    Echo,
    /// TCP SYN-ACK: the port is open.
    SynAck,
    /// TCP RST: the host is up, the port closed.
    Rst,
    /// A UDP datagram back.
    Udp,
    /// ICMP port unreachable from the destination itself: the host is up.
    PortUnreachable,
}

/// What a frame means to this ping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// One of our requests on its way out.
    Request { seq: u64 },
    Reply {
        seq: u64,
        from: IpAddr,
        ttl: u8,
        /// The bytes above IP (iputils' "64 bytes").
        bytes: usize,
        kind: ReplyKind,
    },
    /// An ICMP error about one of our requests.
    Error {
        seq: u64,
        from: IpAddr,
        v6: bool,
        kind: u8,
        code: u8,
    },
}

/// What happened, for the caller to print.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Sent {
        seq: u64,
        at: Duration,
    },
    Reply {
        seq: u64,
        from: IpAddr,
        ttl: u8,
        bytes: usize,
        kind: ReplyKind,
        rtt: Duration,
        dup: bool,
        at: Duration,
    },
    Error {
        seq: u64,
        from: IpAddr,
        v6: bool,
        kind: u8,
        code: u8,
        at: Duration,
    },
    /// The next probe is going out and this one has had no answer (iputils' `-O`).
    NoAnswerYet {
        seq: u64,
    },
}

/// How the loop runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Probes to send (`None`: until the deadline or cancelled).
    pub count: Option<u64>,
    pub interval: Duration,
    /// After the last probe, how long to wait for answers (iputils' `-W`, 10 s by default).
    pub linger: Duration,
    /// Stop this long after the start whatever happens (`-w`).
    pub deadline: Option<Duration>,
    /// Send the next probe as soon as the last is answered (at least every `interval`).
    pub flood: bool,
    /// Report probes still unanswered when the next goes out.
    pub outstanding: bool,
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            count: None,
            interval: Duration::from_secs(1),
            linger: Duration::from_secs(10),
            deadline: None,
            flood: false,
            outstanding: false,
            cancel: None,
        }
    }
}

/// The statistics block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub transmitted: u64,
    pub received: u64,
    pub duplicates: u64,
    pub errors: u64,
    /// From the start to the last probe sent.
    pub time: Duration,
    pub min: Option<Duration>,
    pub max: Option<Duration>,
    rtts: super::RttSums,
    pub cancelled: bool,
}

impl Stats {
    fn add_rtt(&mut self, rtt: Duration) {
        self.min = Some(self.min.map_or(rtt, |m| m.min(rtt)));
        self.max = Some(self.max.map_or(rtt, |m| m.max(rtt)));
        self.rtts.add(rtt);
    }

    /// The mean round trip time of the replies.
    pub fn avg(&self) -> Option<Duration> {
        self.rtts.mean()
    }

    /// iputils' mdev: the standard deviation of the round trip times.
    pub fn mdev(&self) -> Option<Duration> {
        self.rtts.stdev()
    }

    /// Percent of probes without a reply, as iputils rounds it.
    pub fn loss_percent(&self) -> u64 {
        if self.transmitted == 0 {
            return 0;
        }
        let lost = self.transmitted.saturating_sub(self.received);
        ((lost as f64) * 100.0 / self.transmitted as f64) as u64
    }
}

impl Target {
    /// The source port of probe `seq` (TCP and UDP).
    pub fn sport(&self, seq: u64) -> u16 {
        let base = match self.mode {
            Mode::Tcp { sport_base, .. } | Mode::Udp { sport_base, .. } => sport_base,
            Mode::Icmp { .. } => 0,
        };
        base.wrapping_add(((seq.max(1) - 1) % PORT_SPAN) as u16)
    }

    /// The sequence number a source port stands for, the latest not after `last`.
    fn seq_of_port(&self, port: u64, last: u64) -> Option<u64> {
        let base = u64::from(self.sport(1));
        let off = (port + 65536 - base) % 65536;
        if off >= PORT_SPAN || last == 0 {
            return None;
        }
        // The latest seq ≤ last with (seq - 1) % SPAN == off.
        let top = last - 1;
        let k = top - ((top % PORT_SPAN + PORT_SPAN - off) % PORT_SPAN);
        Some(k + 1)
    }

    /// The sequence number an ICMP echo seq field stands for, the latest not after `last`.
    fn seq_of_echo(seq16: u64, last: u64) -> Option<u64> {
        if last == 0 {
            return None;
        }
        let diff = (last + 65536 - seq16 % 65536) % 65536;
        last.checked_sub(diff).filter(|s| *s > 0)
    }

    /// What a dissected frame means for this ping, with `last` the latest seq sent.
    pub fn classify(&self, pkt: &Packet, last: u64) -> Option<Seen> {
        let layers = &pkt.layers;
        let i = layers
            .iter()
            .position(|l| matches!(l.name(), "IP" | "IPv6"))?;
        let ip = &layers[i];
        let v6 = ip.name() == "IPv6";
        let (src, dst) = (addr(ip.get("src"))?, addr(ip.get("dst"))?);
        let ttl = ip.int(if v6 { "hlim" } else { "ttl" }).unwrap_or(0) as u8;
        let l4 = layers.get(i + 1)?;
        let bytes = above_ip(ip);
        // Our own packets, going out.
        if dst == self.dst
            && let Some(seq) = self.request_seq(l4, last)
        {
            return Some(Seen::Request { seq });
        }
        let reply = |seq, kind| Seen::Reply {
            seq,
            from: src,
            ttl,
            bytes,
            kind,
        };
        match (self.mode, l4.name()) {
            (Mode::Icmp { id }, "ICMP" | "ICMPv6EchoReply") if src == self.dst => {
                let echo_reply = if v6 { true } else { l4.int("type") == Some(0) };
                if echo_reply && l4.int("id") == Some(u64::from(id)) {
                    let seq = Self::seq_of_echo(l4.int("seq")?, last)?;
                    return Some(reply(seq, ReplyKind::Echo));
                }
            }
            (Mode::Tcp { dport, .. }, "TCP")
                if src == self.dst && l4.int("sport") == Some(u64::from(dport)) =>
            {
                let seq = self.seq_of_port(l4.int("dport")?, last)?;
                let flags = l4.int("flags")?;
                let kind = if flags & 0x04 != 0 {
                    ReplyKind::Rst
                } else if flags & 0x12 == 0x12 {
                    ReplyKind::SynAck
                } else {
                    return None;
                };
                return Some(reply(seq, kind));
            }
            (Mode::Udp { dport, .. }, "UDP")
                if src == self.dst && l4.int("sport") == Some(u64::from(dport)) =>
            {
                let seq = self.seq_of_port(l4.int("dport")?, last)?;
                return Some(reply(seq, ReplyKind::Udp));
            }
            _ => {}
        }
        // An ICMP error quoting one of our requests.
        let is_error = if v6 {
            l4.name().starts_with("ICMPv6") && l4.int("type").is_some_and(|t| (1..=4).contains(&t))
        } else {
            l4.name() == "ICMP"
                && l4
                    .int("type")
                    .is_some_and(|t| matches!(t, 3 | 4 | 5 | 11 | 12))
        };
        if !is_error {
            return None;
        }
        let (kind, code) = (l4.int("type")? as u8, l4.int("code").unwrap_or(0) as u8);
        let quoted_ip = layers.get(i + 2)?;
        if addr(quoted_ip.get("dst"))? != self.dst {
            return None;
        }
        let seq = self.request_seq(layers.get(i + 3)?, last)?;
        let port_unreachable = if v6 {
            kind == 1 && code == 4
        } else {
            kind == 3 && code == 3
        };
        if port_unreachable && src == self.dst && matches!(self.mode, Mode::Udp { .. }) {
            return Some(reply(seq, ReplyKind::PortUnreachable));
        }
        Some(Seen::Error {
            seq,
            from: src,
            v6,
            kind,
            code,
        })
    }

    /// The seq of one of our requests (or the quoted start of one), from its layer above IP.
    fn request_seq(&self, l: &Layer, last: u64) -> Option<u64> {
        match (self.mode, l.name()) {
            (Mode::Icmp { id }, "ICMP" | "ICMPerror") => {
                if l.int("type") == Some(8) && l.int("id") == Some(u64::from(id)) {
                    return Self::seq_of_echo(l.int("seq")?, last);
                }
                None
            }
            (Mode::Icmp { id }, "ICMPv6EchoRequest") => {
                if l.int("id") == Some(u64::from(id)) {
                    return Self::seq_of_echo(l.int("seq")?, last);
                }
                None
            }
            (Mode::Tcp { dport, .. }, "TCP" | "TCPerror")
            | (Mode::Udp { dport, .. }, "UDP" | "UDPerror") => {
                if l.int("dport") != Some(u64::from(dport)) {
                    return None;
                }
                if l.name() == "TCP" && l.int("flags").is_some_and(|f| f & 0x12 != 0x02) {
                    return None;
                }
                self.seq_of_port(l.int("sport")?, last)
            }
            _ => None,
        }
    }
}

fn addr(v: Option<&Value>) -> Option<IpAddr> {
    match v? {
        Value::Ip4(a) => Some(IpAddr::V4(Ipv4Addr::from(*a))),
        Value::Ip6(a) => Some(IpAddr::V6(Ipv6Addr::from(*a))),
        _ => None,
    }
}

/// The bytes above the IP header, from its length fields.
fn above_ip(ip: &Layer) -> usize {
    if ip.name() == "IPv6" {
        return ip.int("plen").unwrap_or(0) as usize;
    }
    let (len, ihl) = (ip.int("len").unwrap_or(0), ip.int("ihl").unwrap_or(5));
    (len as usize).saturating_sub(ihl as usize * 4)
}

/// Per-probe state.
#[derive(Clone, Copy, Debug)]
struct Probe {
    sent: Duration,
    /// A reply or an error has come.
    done: bool,
}

/// Runs the ping. `probe(seq)` builds the frame of probe `seq` (1, 2, …).
pub fn run<N: Network, C: Clock>(
    net: &mut N,
    clock: &C,
    target: &Target,
    mut probe: impl FnMut(u64) -> Vec<u8>,
    opts: &Options,
    mut on_event: impl FnMut(Event),
) -> io::Result<Stats> {
    let mut stats = Stats::default();
    let start = clock.now();
    let deadline = opts.deadline.map(|d| start + d);
    let cancelled = || {
        opts.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let mut probes: HashMap<u64, Probe> = HashMap::new();
    let mut seq = 0u64;
    let mut done = 0u64;
    let mut next_send = start;
    let mut last_send = start;
    let mut pkt = Packet::default();
    let linktype = net.linktype();
    loop {
        if cancelled() {
            stats.cancelled = true;
            break;
        }
        let now = clock.now();
        if deadline.is_some_and(|d| now >= d) {
            break;
        }
        let all_sent = opts.count.is_some_and(|c| seq >= c);
        if all_sent && (done >= seq || now >= last_send + opts.linger) {
            break;
        }
        let answered_last = seq == 0 || probes.get(&seq).is_some_and(|p| p.done);
        let due = if opts.flood && answered_last {
            now
        } else {
            next_send
        };
        if !all_sent && now >= due {
            if opts.outstanding && seq > 0 && !answered_last {
                on_event(Event::NoAnswerYet { seq });
            }
            seq += 1;
            let frame = probe(seq);
            let at = net.send(&frame)?;
            probes.insert(
                seq,
                Probe {
                    sent: at,
                    done: false,
                },
            );
            // Old probes are forgotten once their sequence numbers could come round again.
            if seq > PORT_SPAN {
                probes.remove(&(seq - PORT_SPAN));
            }
            stats.transmitted += 1;
            stats.time = at.saturating_sub(start);
            last_send = at;
            next_send = at.max(next_send) + opts.interval;
            on_event(Event::Sent { seq, at });
            continue;
        }
        let mut wake = if all_sent {
            last_send + opts.linger
        } else {
            next_send
        };
        if let Some(d) = deadline {
            wake = wake.min(d);
        }
        let Some(r) = net.recv(wake)? else {
            continue;
        };
        dissect_into(linktype, &r.data, r.wire_len, &mut pkt);
        match target.classify(&pkt, seq) {
            Some(Seen::Request { seq: s }) => {
                if let Some(p) = probes.get_mut(&s)
                    && !p.done
                {
                    // Stamped on its way out: the wire's own send time.
                    p.sent = r.time;
                }
            }
            Some(Seen::Reply {
                seq: s,
                from,
                ttl,
                bytes,
                kind,
            }) => {
                let Some(p) = probes.get_mut(&s) else {
                    continue;
                };
                let rtt = r.time.saturating_sub(p.sent);
                let dup = p.done;
                if dup {
                    stats.duplicates += 1;
                } else {
                    p.done = true;
                    done += 1;
                    stats.received += 1;
                    stats.add_rtt(rtt);
                }
                on_event(Event::Reply {
                    seq: s,
                    from,
                    ttl,
                    bytes,
                    kind,
                    rtt,
                    dup,
                    at: r.time,
                });
            }
            Some(Seen::Error {
                seq: s,
                from,
                v6,
                kind,
                code,
            }) => {
                let Some(p) = probes.get_mut(&s) else {
                    continue;
                };
                stats.errors += 1;
                if !p.done {
                    p.done = true;
                    done += 1;
                }
                on_event(Event::Error {
                    seq: s,
                    from,
                    v6,
                    kind,
                    code,
                    at: r.time,
                });
            }
            None => {}
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests;
