//! mtr's report over finished rounds: per hop loss, sent, last/avg/best/worst/stdev, every
//! address seen, and which hops only rate-limit their ICMP errors.

use super::{Kind, Trace};
use std::net::IpAddr;
use std::time::Duration;

/// Per-hop statistics over rounds (mtr's report), and whether a hop's misses are its own ICMP
/// rate limit rather than loss.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HopStats {
    pub ttl: u8,
    /// Every address that answered for this hop, in order of first answer.
    pub addrs: Vec<IpAddr>,
    pub sent: u64,
    pub received: u64,
    pub last: Option<Duration>,
    pub best: Option<Duration>,
    pub worst: Option<Duration>,
    rtts: crate::engine::RttSums,
    /// The hop's misses are its own rate limiting: hops beyond it answered far more often.
    pub rate_limited: bool,
    pub annotation: Option<String>,
}

impl HopStats {
    pub fn loss(&self) -> f64 {
        if self.sent == 0 {
            return 0.0;
        }
        self.sent.saturating_sub(self.received) as f64 * 100.0 / self.sent as f64
    }
    pub fn avg(&self) -> Option<Duration> {
        self.rtts.mean()
    }
    pub fn stdev(&self) -> Option<Duration> {
        self.rtts.stdev()
    }
}

/// The report over finished rounds: a row per hop up to the farthest that answered.
pub fn report(traces: &[Trace]) -> Vec<HopStats> {
    let mut rows: Vec<HopStats> = Vec::new();
    for t in traces {
        for h in &t.hops {
            let i = match rows.iter().position(|r| r.ttl == h.ttl) {
                Some(i) => i,
                None => {
                    rows.push(HopStats {
                        ttl: h.ttl,
                        ..HopStats::default()
                    });
                    rows.len() - 1
                }
            };
            let r = &mut rows[i];
            for p in &h.probes {
                r.sent += 1;
                let Some(a) = p else { continue };
                r.received += 1;
                if !r.addrs.contains(&a.from) {
                    r.addrs.push(a.from);
                }
                r.last = Some(a.rtt);
                r.best = Some(r.best.map_or(a.rtt, |b| b.min(a.rtt)));
                r.worst = Some(r.worst.map_or(a.rtt, |w| w.max(a.rtt)));
                r.rtts.add(a.rtt);
                if let Some(n) = a.kind.annotation() {
                    r.annotation = Some(n);
                }
            }
        }
    }
    rows.sort_by_key(|r| r.ttl);
    // The destination's hop is the nearest it answered at; a probe past it that reached it
    // (its own probe lost that round) is not another hop.
    let dest = traces
        .iter()
        .flat_map(|t| &t.hops)
        .filter(|h| {
            h.probes
                .iter()
                .flatten()
                .any(|a| a.kind != Kind::TimeExceeded)
        })
        .map(|h| h.ttl)
        .min();
    if let Some(d) = dest {
        rows.retain(|r| r.ttl <= d);
    }
    // A hop that misses far more often than the hops beyond it (pooled) is rate limiting its
    // ICMP errors: real loss on the way would show at every hop beyond it as well. "Far more":
    // at least twice the loss, and a two-proportion z-score of 3 or more, so chance
    // differences between hops behind one lossy link are not taken for rate limiting.
    for i in 0..rows.len() {
        let (n, lost) = (
            rows[i].sent as f64,
            (rows[i].sent - rows[i].received) as f64,
        );
        let beyond: Vec<&HopStats> = rows[i + 1..].iter().filter(|r| r.received > 0).collect();
        let nb: f64 = beyond.iter().map(|r| r.sent as f64).sum();
        let lb: f64 = beyond.iter().map(|r| (r.sent - r.received) as f64).sum();
        rows[i].rate_limited = if rows[i].received == 0 || lost == 0.0 || nb == 0.0 {
            false
        } else {
            let (p, pb) = (lost / n, lb / nb);
            let pooled = (lost + lb) / (n + nb);
            let se = (pooled * (1.0 - pooled) * (1.0 / n + 1.0 / nb)).sqrt();
            p >= 2.0 * pb && se > 0.0 && (p - pb) / se >= 3.0
        };
    }
    rows
}
