//! `pkt traceroute`: traceroute's options and lines over the trace engine
//! (`pkt::engine::trace`), every TTL in flight at once; `--report` runs rounds and prints mtr's
//! table (plus which hops only rate-limit their ICMP errors); `--json` gives per-probe events
//! and per-hop statistics.

use super::ping::source;
use crate::cli::TracerouteArgs;
use anyhow::{Context, Result, bail};
use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{CellAlignment, Table};
use pkt::engine::trace::{self, Config, Event, HopStats, Kind, Method, Trace};
use pkt::io::rawrecv::RawNetwork;
use pkt::io::route::source_for;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: &TracerouteArgs) -> Result<ExitCode> {
    let dst = args.target.resolve()?;
    let v6 = dst.is_ipv6();
    // -s or -i choose the source address; -i also the interface the probes leave by.
    let (src_addr, _) = match (&args.source, &args.iface) {
        (Some(s), _) => source(Some(s), v6)?,
        (None, Some(i)) => source(Some(i), v6)?,
        (None, None) => (None, None),
    };
    // The source address only: naming the interface would list them all (getifaddrs).
    let route_src = source_for(dst).with_context(|| format!("the route to {dst}"))?;
    let method = if args.icmp {
        Method::Icmp
    } else if args.tcp {
        Method::Tcp
    } else {
        Method::Udp
    };
    if args.first_ttl == 0 || args.first_ttl > args.max_ttl {
        bail!(
            "-f {} must be from 1 to the max TTL ({})",
            args.first_ttl,
            args.max_ttl
        );
    }
    let mut cfg = Config::new(dst, src_addr.unwrap_or(route_src), method);
    if let Some(p) = args.port {
        cfg.port = p;
    }
    let pid = std::process::id();
    cfg.sport = match method {
        Method::Icmp => pid as u16,
        _ => 32768 + (pid % 16384) as u16,
    };
    cfg.first_ttl = args.first_ttl;
    cfg.max_ttl = args.max_ttl;
    cfg.queries = args.queries;
    cfg.wait = args.wait.max;
    cfg.here = args.wait.here;
    cfg.near = args.wait.near;
    cfg.sendwait = args.sendwait;
    cfg.window = args.window;
    cfg.ecmp = args.ecmp;

    // Raw sockets, not a capture: a packet socket's ring costs tens of milliseconds to set up
    // and as many to close, more than a whole trace on a LAN.
    let mut net = RawNetwork::open(dst, method == Method::Tcp)?;
    if let Some(i) = &args.iface {
        net.sender.bind_to(i)?;
    }
    pkt::io::drop_root_if_sudo()?;
    let cancel = super::stop_flag(true);
    cfg.cancel = Some(cancel.clone());
    net.cancel = Some(cancel);

    let stdout = std::io::stdout();
    let mut so = std::io::BufWriter::new(stdout.lock());
    let size = trace::Prober::new(&cfg).probe(1, 1, 0).len();
    if !args.json && !args.report {
        writeln!(
            so,
            "traceroute to {} ({dst}), {} hops max, {size} byte packets",
            args.target.host, cfg.max_ttl
        )?;
        so.flush()?;
    }
    let rounds = if args.report { args.rounds } else { 1 };
    let per_round = usize::from(cfg.max_ttl - cfg.first_ttl + 1) * usize::from(cfg.queries);
    let mut traces: Vec<Trace> = Vec::new();
    let start = Instant::now();
    let mut failed: Option<std::io::Error> = None;
    for round in 0..rounds {
        if round > 0 {
            // At most a day times a million rounds: far from overflowing an Instant.
            let due = start + args.interval.saturating_mul(round);
            while Instant::now() < due
                && !cfg
                    .cancel
                    .as_ref()
                    .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
            {
                std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
            }
        }
        let mut lines = Lines::new(&cfg);
        let tag_base = (round as usize * per_round) as u16;
        let t = trace::run(&mut net, &pkt::io::SystemClock, &cfg, tag_base, |e| {
            let r = if args.json {
                json_event(&mut so, round, &e)
            } else if !args.report {
                lines.on(&mut so, &e)
            } else {
                Ok(())
            };
            if let Err(e) = r {
                failed.get_or_insert(e);
            }
        })?;
        if let Some(e) = failed.take() {
            return Err(e.into());
        }
        if !args.json && !args.report {
            lines.flush_rest(&mut so, &t)?;
        }
        let cancelled = t.cancelled;
        traces.push(t);
        if cancelled {
            break;
        }
    }
    let reached = traces.iter().any(|t| t.reached);
    let rows = trace::report(&traces);
    if args.json {
        for r in &rows {
            writeln!(so, "{}", hop_json(r))?;
        }
        writeln!(
            so,
            "{}",
            serde_json::json!({"type": "summary", "host": args.target.host, "dst": dst.to_string(),
                "reached": reached, "rounds": traces.len()})
        )?;
    } else if args.report {
        writeln!(
            so,
            "HOST: {} → {} ({dst}), {} rounds",
            hostname(),
            args.target.host,
            traces.len()
        )?;
        writeln!(so, "{}", report_table(&rows))?;
        let limited: Vec<String> = rows
            .iter()
            .filter(|r| r.rate_limited)
            .map(|r| r.ttl.to_string())
            .collect();
        if !limited.is_empty() {
            writeln!(
                so,
                "rate-limited: hop {} drops its own ICMP errors, not traffic (hops beyond it answer)",
                limited.join(", ")
            )?;
        }
    }
    so.flush()?;
    Ok(if reached {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// traceroute's lines, printed hop by hop in order as each hop's probes are all resolved.
struct Lines {
    first: u8,
    queries: usize,
    /// Per hop: its probes' results so far (by query).
    hops: Vec<Vec<Option<Option<trace::Answer>>>>,
    printed: usize,
    /// The hop after which nothing is printed (the destination, or an unreachable).
    last: Option<usize>,
}

impl Lines {
    fn new(cfg: &Config) -> Lines {
        let n = usize::from(cfg.max_ttl - cfg.first_ttl + 1);
        Lines {
            first: cfg.first_ttl,
            queries: usize::from(cfg.queries),
            hops: vec![vec![None; usize::from(cfg.queries)]; n],
            printed: 0,
            last: None,
        }
    }

    fn on(&mut self, so: &mut impl Write, e: &Event) -> std::io::Result<()> {
        let Event::Probe { ttl, query, answer } = e else {
            return Ok(());
        };
        let h = usize::from(ttl - self.first);
        if let Some(slot) = self
            .hops
            .get_mut(h)
            .and_then(|x| x.get_mut(usize::from(*query)))
        {
            *slot = Some(*answer);
        }
        if answer.is_some_and(|a| a.kind != Kind::TimeExceeded) {
            self.last = Some(self.last.map_or(h, |l| l.min(h)));
        }
        while self.printed < self.hops.len()
            && self.last.is_none_or(|l| self.printed <= l)
            && self.hops[self.printed].iter().all(Option::is_some)
        {
            let probes: Vec<Option<trace::Answer>> = self.hops[self.printed]
                .iter()
                .map(|p| p.flatten())
                .collect();
            writeln!(so, "{}", hop_line(self.first + self.printed as u8, &probes))?;
            so.flush()?;
            self.printed += 1;
        }
        Ok(())
    }

    /// Whatever the events left unprinted (a cancelled round).
    fn flush_rest(&mut self, so: &mut impl Write, t: &Trace) -> std::io::Result<()> {
        for h in t.hops.iter().skip(self.printed) {
            if h.probes.len() == self.queries {
                writeln!(so, "{}", hop_line(h.ttl, &h.probes))?;
            }
        }
        self.printed = t.hops.len().max(self.printed);
        Ok(())
    }
}

/// One traceroute line: ` 3  192.0.2.3  5.123 ms  5.080 ms !H  *`.
pub fn hop_line(ttl: u8, probes: &[Option<trace::Answer>]) -> String {
    let mut s = format!("{ttl:2} ");
    let mut last: Option<IpAddr> = None;
    for p in probes {
        match p {
            None => s.push_str(" *"),
            Some(a) => {
                if last != Some(a.from) {
                    s.push_str(&format!(" {}", a.from));
                    last = Some(a.from);
                }
                s.push_str(&format!("  {:.3} ms", a.rtt.as_secs_f64() * 1e3));
                if let Some(n) = a.kind.annotation() {
                    s.push(' ');
                    s.push_str(&n);
                }
            }
        }
    }
    s
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::TimeExceeded => "time-exceeded",
        Kind::Reached => "reached",
        Kind::Unreachable { .. } => "unreachable",
    }
}

fn json_event(so: &mut impl Write, round: u32, e: &Event) -> std::io::Result<()> {
    let Event::Probe { ttl, query, answer } = e else {
        return Ok(());
    };
    let v = match answer {
        Some(a) => serde_json::json!({
            "type": "probe", "round": round + 1, "ttl": ttl, "query": query + 1,
            "from": a.from.to_string(), "rtt": a.rtt.as_secs_f64(), "kind": kind_name(a.kind),
            "annotation": a.kind.annotation(),
        }),
        None => serde_json::json!({
            "type": "probe", "round": round + 1, "ttl": ttl, "query": query + 1,
            "from": null, "rtt": null, "kind": "timeout",
        }),
    };
    writeln!(so, "{v}")?;
    so.flush()
}

fn ms(d: Option<Duration>) -> Option<f64> {
    d.map(|d| (d.as_secs_f64() * 1e6).round() / 1e3)
}

fn hop_json(r: &HopStats) -> serde_json::Value {
    serde_json::json!({
        "type": "hop", "ttl": r.ttl,
        "addrs": r.addrs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "sent": r.sent, "received": r.received, "loss": (r.loss() * 10.0).round() / 10.0,
        "last_ms": ms(r.last), "avg_ms": ms(r.avg()), "best_ms": ms(r.best),
        "worst_ms": ms(r.worst), "stdev_ms": ms(r.stdev()),
        "rate_limited": r.rate_limited, "annotation": r.annotation,
    })
}

/// mtr's report as a table (one decimal, as mtr -r prints), with a note per hop.
fn report_table(rows: &[HopStats]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    t.set_header([
        "hop", "host", "loss%", "snt", "last", "avg", "best", "wrst", "stdev", "note",
    ]);
    let f = |d: Option<Duration>| d.map_or("-".into(), |d| format!("{:.1}", d.as_secs_f64() * 1e3));
    for r in rows {
        let host = if r.addrs.is_empty() {
            "???".to_string()
        } else {
            r.addrs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let note = if r.rate_limited {
            "rate-limited".to_string()
        } else {
            r.annotation.clone().unwrap_or_default()
        };
        t.add_row([
            format!("{}.", r.ttl),
            host,
            format!("{:.1}%", r.loss()),
            r.sent.to_string(),
            f(r.last),
            f(r.avg()),
            f(r.best),
            f(r.worst),
            f(r.stdev()),
            note,
        ]);
    }
    for c in [0usize, 2, 3, 4, 5, 6, 7, 8] {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkt::engine::trace::Answer;

    fn a(from: &str, us: u64, kind: Kind) -> Option<Answer> {
        Some(Answer {
            from: from.parse().unwrap(),
            rtt: Duration::from_micros(us),
            kind,
            at: Duration::ZERO,
        })
    }

    #[test]
    fn lines_look_like_traceroutes() {
        let te = Kind::TimeExceeded;
        assert_eq!(
            hop_line(
                1,
                &[
                    a("198.51.100.2", 52, te),
                    a("198.51.100.2", 12, te),
                    a("198.51.100.2", 9, te)
                ]
            ),
            " 1  198.51.100.2  0.052 ms  0.012 ms  0.009 ms"
        );
        assert_eq!(hop_line(3, &[None, None, None]), " 3  * * *");
        let h = Kind::Unreachable { v6: false, code: 1 };
        assert_eq!(
            hop_line(
                12,
                &[None, a("192.0.2.1", 5123, h), a("192.0.2.9", 5080, te)]
            ),
            "12  * 192.0.2.1  5.123 ms !H 192.0.2.9  5.080 ms"
        );
    }
}
