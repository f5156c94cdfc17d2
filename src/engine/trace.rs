//! traceroute as a state machine: probes for every TTL go out at once (a window of `window`
//! in flight, `sendwait` apart), replies are matched to their probe by a tag each probe carries
//! where routers quote it back (the IPv4 ID, the ICMP sequence, the TCP sequence, or two
//! checksum-neutral payload words for UDP over IPv6), and a probe is given up after `wait` —
//! sooner, as traceroute does, once its own hop or a later one has answered (`here` and `near`
//! times their RTT). The round ends as soon as every hop up to the destination is resolved.
//!
//! Paris mode keeps the flow constant — addresses, ports, and the UDP/ICMP checksums — so
//! per-flow load balancers send every probe down one path; `ecmp` varies the flow on purpose.
//! All I/O through a [`Network`] and a [`Clock`]: unit-tested with a scripted path.

use super::sr::{Clock, Network};
use crate::dissect::{Packet, dissect_into};
use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The probe's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Udp,
    Icmp,
    Tcp,
}

/// What a trace is and how it runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub dst: IpAddr,
    pub src: IpAddr,
    pub method: Method,
    /// Destination port (UDP, TCP); with `ecmp`, UDP counts up from it.
    pub port: u16,
    /// Source port (UDP, TCP), or the ICMP identifier.
    pub sport: u16,
    pub first_ttl: u8,
    pub max_ttl: u8,
    pub queries: u8,
    /// The longest wait for a probe's answer.
    pub wait: Duration,
    /// Wait no longer than `here` × the RTT of an answer from the same hop (0: off).
    pub here: f64,
    /// Wait no longer than `near` × the RTT of an answer from a later hop (0: off).
    pub near: f64,
    /// Time between probes.
    pub sendwait: Duration,
    /// Probes in flight at once.
    pub window: usize,
    /// Vary the flow per probe (ports, checksums) instead of keeping it constant.
    pub ecmp: bool,
    /// Bytes of payload (UDP and ICMP; at least the 4 the tag needs over IPv6).
    pub payload: usize,
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Config {
    pub fn new(dst: IpAddr, src: IpAddr, method: Method) -> Config {
        Config {
            dst,
            src,
            method,
            port: match method {
                Method::Tcp => 80,
                _ => 33434,
            },
            sport: 40000,
            first_ttl: 1,
            max_ttl: 30,
            queries: 3,
            wait: Duration::from_secs(5),
            here: 3.0,
            near: 10.0,
            sendwait: Duration::ZERO,
            window: 16,
            ecmp: false,
            payload: 32,
            cancel: None,
        }
    }

    fn per_round(&self) -> usize {
        let hops = usize::from(self.max_ttl.saturating_sub(self.first_ttl)) + 1;
        hops * usize::from(self.queries.max(1))
    }
}

/// How a probe was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// ICMP time exceeded from a router on the way.
    TimeExceeded,
    /// The destination itself: echo reply, port unreachable, SYN-ACK or RST.
    Reached,
    /// Destination unreachable (other than the destination's port unreachable), with the
    /// ICMP (v4) or ICMPv6 code.
    Unreachable { v6: bool, code: u8 },
}

impl Kind {
    /// traceroute's annotation: `!H`, `!N`, `!P`, `!X`, `!S`, `!F`, `!V`, `!C`, `!<code>`.
    pub fn annotation(&self) -> Option<String> {
        let Kind::Unreachable { v6, code } = *self else {
            return None;
        };
        Some(
            match (v6, code) {
                (false, 0) | (false, 6) | (false, 9) | (false, 11) => "!N",
                (false, 1) | (false, 7) | (false, 10) | (false, 12) => "!H",
                (false, 2) => "!P",
                (false, 4) => "!F",
                (false, 5) => "!S",
                (false, 13) => "!X",
                (false, 14) => "!V",
                (false, 15) => "!C",
                (true, 0) => "!N",
                (true, 1) => "!X",
                (true, 2) => "!S",
                (true, 3) => "!H",
                (true, 5) | (true, 6) => "!X",
                (_, c) => return Some(format!("!<{c}>")),
            }
            .to_string(),
        )
    }
}

/// One probe's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub from: IpAddr,
    pub rtt: Duration,
    pub kind: Kind,
    /// When it arrived.
    pub at: Duration,
}

/// What happened, as it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Sent {
        ttl: u8,
        query: u8,
        at: Duration,
    },
    /// A probe resolved: answered, or given up (`None`).
    Probe {
        ttl: u8,
        query: u8,
        answer: Option<Answer>,
    },
}

/// One hop's probes, in query order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hop {
    pub ttl: u8,
    pub probes: Vec<Option<Answer>>,
}

/// A finished round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// From `first_ttl` up to the destination (or the hop that said unreachable, or max_ttl).
    pub hops: Vec<Hop>,
    pub reached: bool,
    pub cancelled: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct State {
    sent: Option<Duration>,
    answer: Option<Answer>,
    given_up: bool,
}

impl State {
    fn resolved(&self) -> bool {
        self.answer.is_some() || self.given_up
    }
}

/// Runs one round. Probe tags start at `tag_base` (give each round its own range, so late
/// answers to an earlier round are not taken for this one's).
pub fn run<N: Network, C: Clock>(
    net: &mut N,
    clock: &C,
    cfg: &Config,
    tag_base: u16,
    mut on_event: impl FnMut(Event),
) -> io::Result<Trace> {
    let prober = Prober::new(cfg);
    let q = usize::from(cfg.queries.max(1));
    let total = cfg.per_round();
    let ttl_of = |k: usize| cfg.first_ttl + (k / q) as u8;
    let mut st = vec![State::default(); total];
    let mut next = 0usize;
    let mut next_send = clock.now();
    // The last probe index that matters: the destination's (or an unreachable's) hop's last.
    let mut end = total;
    let mut reached = false;
    let mut pkt = Packet::default();
    let mut limits = Limits::new();
    let linktype = net.linktype();
    let cancelled = || {
        cfg.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    loop {
        if cancelled() {
            return Ok(finish(cfg, &st, end, reached, true));
        }
        let now = clock.now();
        limits.update(cfg, &st, q, end);
        // Give up on probes past their time.
        for (k, s) in st.iter_mut().enumerate().take(end.min(next)) {
            if s.resolved() {
                continue;
            }
            let sent = s.sent.unwrap_or(now);
            if now >= sent + limits.of(k, q) {
                s.given_up = true;
                on_event(Event::Probe {
                    ttl: ttl_of(k),
                    query: (k % q) as u8,
                    answer: None,
                });
            }
        }
        let in_flight = (0..next.min(end)).filter(|&k| !st[k].resolved()).count();
        if next >= end && in_flight == 0 {
            return Ok(finish(cfg, &st, end, reached, false));
        }
        if next < end && in_flight < cfg.window.max(1) && now >= next_send {
            let ttl = ttl_of(next);
            let tag = tag_of(tag_base, next);
            let at = net.send(&prober.probe(tag, ttl, (next % q) as u8))?;
            st[next].sent = Some(at);
            on_event(Event::Sent {
                ttl,
                query: (next % q) as u8,
                at,
            });
            next += 1;
            next_send = at + cfg.sendwait;
            continue;
        }
        // Wait for an answer until the next probe may go or the next one expires.
        let mut wake = Duration::MAX;
        if next < end && in_flight < cfg.window.max(1) {
            wake = next_send;
        }
        for (k, s) in st.iter().enumerate().take(end.min(next)) {
            if !s.resolved()
                && let Some(sent) = s.sent
            {
                wake = wake.min(sent + limits.of(k, q));
            }
        }
        let Some(r) = net.recv(wake)? else {
            continue;
        };
        dissect_into(linktype, &r.data, r.wire_len, &mut pkt);
        let Some((tag, from, kind)) = prober.answer(&pkt) else {
            continue;
        };
        let k = index_of(tag_base, tag);
        // Too late (already given up and shown as such), or a second answer.
        if k >= next || st[k].resolved() {
            continue;
        }
        let Some(sent) = st[k].sent else {
            continue;
        };
        let a = Answer {
            from,
            rtt: r.time.saturating_sub(sent),
            kind,
            at: r.time,
        };
        st[k].answer = Some(a);
        on_event(Event::Probe {
            ttl: ttl_of(k),
            query: (k % q) as u8,
            answer: Some(a),
        });
        if kind != Kind::TimeExceeded {
            // Nothing past this hop matters.
            let hop_end = (k / q + 1) * q;
            if hop_end < end {
                end = hop_end;
            }
            if kind == Kind::Reached {
                reached = true;
            }
        }
    }
}

/// The tag of probe `k` of a round starting at `base`: never 0, which the kernel would replace
/// with an IP ID of its own.
fn tag_of(base: u16, k: usize) -> u16 {
    ((u64::from(base) + k as u64) % 65535 + 1) as u16
}

/// The probe index a tag stands for (large for tags of other rounds).
fn index_of(base: u16, tag: u16) -> usize {
    ((u64::from(tag) + 65535 - 1 - u64::from(base) % 65535) % 65535) as usize
}

/// The shortest wait `here` and `near` can cut a probe's to.
pub const MIN_WAIT: Duration = Duration::from_millis(50);

/// How long each hop's probes are waited for: `wait`, cut to `here` × the best RTT from the same
/// hop or `near` × the best from a later one (traceroute's -w MAX,HERE,NEAR). Computed once
/// per pass of the loop from the answers so far, in one walk over them.
struct Limits {
    /// Per hop: the wait for its probes.
    wait: Vec<Duration>,
    /// Per hop: the best RTT answered there.
    best: Vec<Option<Duration>>,
}

impl Limits {
    fn new() -> Limits {
        Limits {
            wait: Vec::new(),
            best: Vec::new(),
        }
    }

    /// From the answers of the probes before `end` (`q` per hop).
    fn update(&mut self, cfg: &Config, st: &[State], q: usize, end: usize) {
        let hops = end.div_ceil(q);
        // The best RTT answered at each hop, then from each hop on.
        self.best.clear();
        self.best.extend(
            st[..end.min(st.len())]
                .chunks(q)
                .map(|c| c.iter().filter_map(|s| s.answer.map(|a| a.rtt)).min()),
        );
        let best = &self.best;
        let cut = |factor: f64, rtt: Option<Duration>| match rtt {
            // Never below MIN_WAIT: at LAN round trips (tens of µs) a factor of them would give
            // up on answers still in the router's queue behind the other probes.
            Some(r) if factor > 0.0 => r.mul_f64(factor).max(MIN_WAIT),
            _ => Duration::MAX,
        };
        self.wait.clear();
        self.wait.resize(hops, cfg.wait);
        let mut beyond: Option<Duration> = None;
        for h in (0..best.len()).rev() {
            self.wait[h] = cfg
                .wait
                .min(cut(cfg.here, best[h]))
                .min(cut(cfg.near, beyond));
            beyond = match (beyond, best[h]) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// The wait for probe `k`.
    fn of(&self, k: usize, q: usize) -> Duration {
        self.wait[k / q]
    }
}

fn finish(cfg: &Config, st: &[State], end: usize, reached: bool, cancelled: bool) -> Trace {
    let q = usize::from(cfg.queries.max(1));
    let sent = st.iter().take_while(|s| s.sent.is_some()).count();
    let hops = st[..end.min(sent.div_ceil(q) * q).min(st.len())]
        .chunks(q)
        .enumerate()
        .map(|(h, c)| Hop {
            ttl: cfg.first_ttl + h as u8,
            probes: c.iter().map(|s| s.answer).collect(),
        })
        .collect();
    Trace {
        hops,
        reached,
        cancelled,
    }
}

mod probe;
mod report;
pub use probe::Prober;
pub use report::{HopStats, report};

#[cfg(test)]
mod tests;
