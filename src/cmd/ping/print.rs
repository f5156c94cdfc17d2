//! ping's output: iputils' lines (replies, errors, `(DUP!)`, the flood dots, `-D` stamps) and
//! statistics block, or `--json` records.

use crate::cli::PingArgs;
use anyhow::Result;
use pkt::engine::ping::{Event, Mode, ReplyKind, Stats};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

/// Prints the events as iputils does (or as JSON records), and the statistics.
pub(super) struct Printer<'a, W: Write> {
    pub(super) so: W,
    pub(super) args: &'a PingArgs,
    pub(super) v6: bool,
    pub(super) mode: Mode,
    /// Send time of every probe, and which have had an answer (a reply or an error).
    pub(super) sent: BTreeMap<u64, Duration>,
    pub(super) answered: BTreeMap<u64, bool>,
    /// iputils' smoothed RTT, for flood statistics.
    pub(super) ewma: Option<f64>,
    /// The first output error (a closed pipe ends the run quietly in `main`).
    pub(super) failed: Option<std::io::Error>,
}

impl<W: Write> Printer<'_, W> {
    pub(super) fn line(&mut self, s: &str) {
        if self.failed.is_none()
            && let Err(e) = writeln!(self.so, "{s}").and_then(|_| self.so.flush())
        {
            self.failed = Some(e);
        }
    }

    fn raw(&mut self, s: &str) {
        if self.failed.is_none()
            && let Err(e) = write!(self.so, "{s}").and_then(|_| self.so.flush())
        {
            self.failed = Some(e);
        }
    }

    fn stamp(&self, at: Duration) -> String {
        if self.args.timestamps {
            format!("[{}.{:06}] ", at.as_secs(), at.subsec_micros())
        } else {
            String::new()
        }
    }

    fn seq_name(&self) -> &'static str {
        match self.mode {
            Mode::Icmp { .. } => "icmp_seq",
            Mode::Tcp { .. } => "tcp_seq",
            Mode::Udp { .. } => "udp_seq",
        }
    }

    pub(super) fn event(&mut self, e: &Event) {
        match e {
            Event::Sent { seq, at } => {
                self.sent.insert(*seq, *at);
                if self.args.flood && !self.args.quiet && !self.args.json {
                    self.raw(".");
                }
            }
            Event::Reply {
                seq,
                from,
                ttl,
                bytes,
                kind,
                rtt,
                dup,
                at,
            } => {
                if !dup {
                    self.answered.insert(*seq, true);
                    let r = rtt.as_secs_f64();
                    self.ewma = Some(self.ewma.map_or(r, |e| e + (r - e) / 8.0));
                }
                if self.args.json {
                    let v = serde_json::json!({
                        "type": "reply", "seq": seq, "from": from.to_string(), "ttl": ttl,
                        "bytes": bytes, "kind": kind_name(*kind), "rtt": secs(*rtt),
                        // Sent as the capture saw it leave: time less rtt.
                        "dup": dup, "sent": secs(at.saturating_sub(*rtt)),
                        "time": secs(*at),
                    });
                    self.line(&v.to_string());
                } else if self.args.flood {
                    if !dup && !self.args.quiet {
                        self.raw("\x08 \x08");
                    }
                } else if !self.args.quiet {
                    let what = match kind {
                        ReplyKind::Echo => String::new(),
                        ReplyKind::SynAck => " flags=SA".into(),
                        ReplyKind::Rst => " flags=RA".into(),
                        ReplyKind::Udp => " udp".into(),
                        ReplyKind::PortUnreachable => " port-unreachable".into(),
                    };
                    let s = format!(
                        "{}{bytes} bytes from {from}: {}={seq}{what} ttl={ttl} time={}{}",
                        self.stamp(*at),
                        self.seq_name(),
                        iputils_time(*rtt),
                        if *dup { " (DUP!)" } else { "" }
                    );
                    self.line(&s);
                }
            }
            Event::Error {
                seq,
                from,
                v6,
                kind,
                code,
                at,
            } => {
                self.answered.insert(*seq, true);
                let text = error_text(*v6, *kind, *code);
                if self.args.json {
                    let v = serde_json::json!({
                        "type": "error", "seq": seq, "from": from.to_string(),
                        "icmp_type": kind, "icmp_code": code, "error": text,
                        "sent": self.sent.get(seq).map(|t| secs(*t)), "time": secs(*at),
                    });
                    self.line(&v.to_string());
                } else if self.args.flood {
                    if !self.args.quiet {
                        self.raw("\x08E");
                    }
                } else if !self.args.quiet {
                    let s = format!(
                        "{}From {from} {}={seq} {text}",
                        self.stamp(*at),
                        self.seq_name()
                    );
                    self.line(&s);
                }
            }
            Event::NoAnswerYet { seq } => {
                if !self.args.json && !self.args.quiet && !self.args.flood {
                    let s = format!(
                        "{}no answer yet for {}={seq}",
                        self.stamp(pkt::io::now()),
                        self.seq_name()
                    );
                    self.line(&s);
                }
            }
        }
    }

    pub(super) fn finish(&mut self, host: &str, s: &Stats) -> Result<()> {
        let _ = self.v6;
        if self.args.json {
            let unanswered: Vec<(u64, Duration)> = self
                .sent
                .iter()
                .filter(|(k, _)| !self.answered.contains_key(k))
                .map(|(k, t)| (*k, *t))
                .collect();
            for (seq, t) in unanswered {
                let v = serde_json::json!({"type": "timeout", "seq": seq, "sent": secs(t)});
                self.line(&v.to_string());
            }
            let ms = |d: Option<Duration>| d.map(|d| d.as_nanos() as f64 / 1e6);
            let v = serde_json::json!({
                "type": "statistics", "host": host, "transmitted": s.transmitted,
                "received": s.received, "duplicates": s.duplicates, "errors": s.errors,
                "loss": (loss(s) * 1e4).round() / 1e4, "time_ms": s.time.as_millis() as u64,
                "rtt_min_ms": ms(s.min), "rtt_avg_ms": ms(s.avg()), "rtt_max_ms": ms(s.max),
                "rtt_mdev_ms": ms(s.mdev()),
            });
            self.line(&v.to_string());
        } else {
            for l in statistics(host, s, self.args.flood, self.ewma) {
                self.line(&l);
            }
        }
        match self.failed.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e9).round() / 1e9
}

fn kind_name(k: ReplyKind) -> &'static str {
    match k {
        ReplyKind::Echo => "echo-reply",
        ReplyKind::SynAck => "syn-ack",
        ReplyKind::Rst => "rst",
        ReplyKind::Udp => "udp",
        ReplyKind::PortUnreachable => "port-unreachable",
    }
}

fn loss(s: &Stats) -> f64 {
    if s.transmitted == 0 {
        return 0.0;
    }
    s.transmitted.saturating_sub(s.received) as f64 * 100.0 / s.transmitted as f64
}

/// iputils' statistics block (the blank line first).
pub fn statistics(host: &str, s: &Stats, flood: bool, ewma: Option<f64>) -> Vec<String> {
    let mut v = vec![String::new(), format!("--- {host} ping statistics ---")];
    let mut l = format!(
        "{} packets transmitted, {} received",
        s.transmitted, s.received
    );
    if s.duplicates > 0 {
        l += &format!(", +{} duplicates", s.duplicates);
    }
    if s.errors > 0 {
        l += &format!(", +{} errors", s.errors);
    }
    if s.transmitted > 0 {
        l += &format!(
            ", {}% packet loss, time {}ms",
            fmt_g(loss(s)),
            (s.time.as_micros() + 500) / 1000
        );
    }
    v.push(l);
    if let (Some(min), Some(avg), Some(max), Some(mdev)) = (s.min, s.avg(), s.max, s.mdev()) {
        let mut l = format!(
            "rtt min/avg/max/mdev = {}/{}/{}/{} ms",
            ms3(min),
            ms3(avg),
            ms3(max),
            ms3(mdev)
        );
        if flood && s.transmitted > 1 {
            let ipg = s.time / (s.transmitted - 1) as u32;
            l += &format!(
                ", ipg/ewma {}/{} ms",
                ms3(ipg),
                ms3(Duration::from_secs_f64(ewma.unwrap_or(0.0)))
            );
        }
        v.push(l);
    }
    v
}

/// Milliseconds with three decimals, truncated to the microsecond as iputils prints them.
fn ms3(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// A reply's time as iputils prints it: three decimals under 1 ms … none from 100 ms.
pub fn iputils_time(rtt: Duration) -> String {
    let t = rtt.as_micros();
    if t >= 100_000 - 50 {
        format!("{} ms", (t + 500) / 1000)
    } else if t >= 10_000 - 5 {
        format!("{}.{} ms", (t + 50) / 1000, ((t + 50) % 1000) / 100)
    } else if t >= 1000 {
        format!("{}.{:02} ms", (t + 5) / 1000, ((t + 5) % 1000) / 10)
    } else {
        format!("{}.{:03} ms", t / 1000, t % 1000)
    }
}

/// C's `%g`: six significant digits, no trailing zeros.
pub fn fmt_g(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = 6 - 1 - x.abs().log10().floor() as i32;
    let s = format!("{:.*}", digits.max(0) as usize, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// iputils' words for an ICMP or ICMPv6 error.
pub fn error_text(v6: bool, kind: u8, code: u8) -> String {
    if v6 {
        return match (kind, code) {
            (1, 0) => "Destination unreachable: No route".into(),
            (1, 1) => "Destination unreachable: Administratively prohibited".into(),
            (1, 2) => "Destination unreachable: Beyond scope of source address".into(),
            (1, 3) => "Destination unreachable: Address unreachable".into(),
            (1, 4) => "Destination unreachable: Port unreachable".into(),
            (1, 5) => "Destination unreachable: Source address failed ingress/egress policy".into(),
            (1, 6) => "Destination unreachable: Reject route to destination".into(),
            (1, c) => format!("Destination unreachable: Unknown code {c}"),
            (2, _) => "Packet too big".into(),
            (3, 0) => "Time exceeded: Hop limit".into(),
            (3, 1) => "Time exceeded: Defragmentation failure".into(),
            (3, c) => format!("Time exceeded: code {c}"),
            (4, c) => format!("Parameter problem: code {c}"),
            (t, c) => format!("Unknown icmp type: {t} code {c}"),
        };
    }
    match (kind, code) {
        (3, 0) => "Destination Net Unreachable".into(),
        (3, 1) => "Destination Host Unreachable".into(),
        (3, 2) => "Destination Protocol Unreachable".into(),
        (3, 3) => "Destination Port Unreachable".into(),
        (3, 4) => "Frag needed and DF set".into(),
        (3, 5) => "Source Route Failed".into(),
        (3, 6) => "Destination Net Unknown".into(),
        (3, 7) => "Destination Host Unknown".into(),
        (3, 8) => "Source Host Isolated".into(),
        (3, 9) => "Destination Net Prohibited".into(),
        (3, 10) => "Destination Host Prohibited".into(),
        (3, 11) => "Destination Net Unreachable for Type of Service".into(),
        (3, 12) => "Destination Host Unreachable for Type of Service".into(),
        (3, 13) => "Packet filtered".into(),
        (3, 14) => "Precedence Violation".into(),
        (3, 15) => "Precedence Cutoff".into(),
        (3, c) => format!("Dest Unreachable, Bad Code: {c}"),
        (4, _) => "Source Quench".into(),
        (5, 0) => "Redirect Network".into(),
        (5, 1) => "Redirect Host".into(),
        (5, c) => format!("Redirect, Bad Code: {c}"),
        (11, 0) => "Time to live exceeded".into(),
        (11, 1) => "Frag reassembly time exceeded".into(),
        (11, c) => format!("Time exceeded, Bad Code: {c}"),
        (12, c) => format!("Parameter problem: pointer = {c}"),
        (t, c) => format!("Bad ICMP type: {t} code {c}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn reply_times_round_as_iputils_does() {
        assert_eq!(iputils_time(us(45)), "0.045 ms");
        assert_eq!(iputils_time(us(999)), "0.999 ms");
        assert_eq!(iputils_time(us(1234)), "1.23 ms");
        assert_eq!(iputils_time(us(9996)), "10.0 ms");
        assert_eq!(iputils_time(us(41_260)), "41.3 ms");
        assert_eq!(iputils_time(us(123_456)), "123 ms");
    }

    #[test]
    fn loss_prints_like_c_percent_g() {
        assert_eq!(fmt_g(0.0), "0");
        assert_eq!(fmt_g(100.0), "100");
        assert_eq!(fmt_g(50.0), "50");
        assert_eq!(fmt_g(100.0 / 3.0), "33.3333");
        assert_eq!(fmt_g(200.0 / 3.0), "66.6667");
        assert_eq!(fmt_g(0.1), "0.1");
    }

    #[test]
    fn error_words_are_iputils() {
        assert_eq!(error_text(false, 11, 0), "Time to live exceeded");
        assert_eq!(error_text(false, 3, 1), "Destination Host Unreachable");
        assert_eq!(error_text(true, 3, 0), "Time exceeded: Hop limit");
        assert_eq!(
            error_text(true, 1, 3),
            "Destination unreachable: Address unreachable"
        );
    }
}
