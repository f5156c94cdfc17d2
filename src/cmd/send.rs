//! `pkt send EXPR`: scapy's send()/sendp() from a shell. Every packet of the expression's set,
//! `-c` times (or until Ctrl-C with `--loop`), paced by `--interval`/`--rate` or as fast as
//! possible; a final report of what was sent.

use super::net::{self, Outgoing};
use crate::cli::SendArgs;
use anyhow::Result;
use pkt::dissect::dissect_as_new;
use pkt::io::packet::{BATCH, PacketSender};
use pkt::io::raw::RawSender;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

enum Out {
    L3(RawSender),
    L2(PacketSender),
}

impl Out {
    fn send(&mut self, frame: &[u8]) -> std::io::Result<()> {
        match self {
            Out::L3(s) => s.send(frame),
            Out::L2(p) => p.send(frame),
        }
    }
}

/// What has been sent so far.
#[derive(Default)]
struct Tally {
    sent: u64,
    errors: u64,
    bytes: u64,
    first_error: Option<std::io::Error>,
}

impl Tally {
    fn error(&mut self, e: std::io::Error) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

/// `gap` times `n`, saturating (a day's gap times `--loop`'s count does not overflow).
fn times(gap: Duration, n: u64) -> Duration {
    let ns = gap.as_nanos().saturating_mul(u128::from(n));
    let secs = u64::try_from(ns / 1_000_000_000).unwrap_or(u64::MAX);
    Duration::new(secs, (ns % 1_000_000_000) as u32)
}

pub fn run(args: &SendArgs) -> Result<ExitCode> {
    let mut plan: Outgoing = net::prepare(&args.expr, &args.net)?;
    // Flooding IP packets: framed here and batched on a packet socket, as scapy's send() does,
    // when the route's interface is Ethernet (else the kernel's raw socket, one call a packet).
    if args.flood
        && let Some(framed) = net::frame_for_link(&plan)?
    {
        plan = framed;
    }
    let mut out = if plan.layer2 {
        Out::L2(PacketSender::open(&plan.iface)?)
    } else {
        Out::L3(RawSender::open(
            plan.dsts.iter().any(IpAddr::is_ipv4),
            plan.dsts.iter().any(IpAddr::is_ipv6),
        )?)
    };
    pkt::io::drop_root_if_sudo()?;
    let stop = super::stop_flag(true);
    let gap = match (args.interval, args.rate, args.flood) {
        (Some(s), _, _) => s,
        // --rate is at least 0.001 (checked as it is parsed): a gap of at most 1000 s.
        (_, Some(r), _) => Duration::from_secs_f64(1.0 / r),
        _ => Duration::ZERO,
    };
    let stdout = std::io::stdout();
    let mut so = std::io::BufWriter::new(stdout.lock());
    let start = Instant::now();
    let mut t = Tally::default();
    let total = if args.repeat {
        u64::MAX
    } else {
        args.count.saturating_mul(plan.frames.len() as u64)
    };
    if let Out::L2(p) = &out
        && gap.is_zero()
        && !args.verbose
    {
        send_batched(p, &plan.frames, total, &stop, &mut t);
    } else {
        let mut line = String::new();
        let mut i = 0u64;
        while i < total && !stop.load(Ordering::Relaxed) {
            let frame = &plan.frames[(i % plan.frames.len() as u64) as usize];
            if !gap.is_zero() && i > 0 {
                // Paced from the start, so the rate holds however long each send takes.
                let due = start.checked_add(times(gap, i));
                if let Some(wait) = due.and_then(|d| d.checked_duration_since(Instant::now())) {
                    std::thread::sleep(wait);
                }
            }
            i += 1;
            match out.send(frame) {
                Ok(()) => {
                    t.sent += 1;
                    t.bytes += frame.len() as u64;
                    if args.verbose {
                        line.clear();
                        pkt::output::summary::write(&dissect_as_new(plan.first, frame), &mut line);
                        writeln!(so, "{line}")?;
                        so.flush()?;
                    }
                }
                Err(e) => t.error(e),
            }
        }
    }
    let Tally {
        sent,
        errors,
        bytes,
        first_error,
    } = t;
    let secs = start.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { sent as f64 / secs } else { 0.0 };
    if let Some(e) = &first_error {
        eprintln!("pkt: {errors} packets not sent; the first because: {e}");
    }
    if args.json {
        let report = serde_json::json!({
            "sent": sent, "errors": errors, "bytes": bytes,
            "elapsed": (secs * 1e6).round() / 1e6, "rate": rate.round(),
            "iface": plan.iface, "layer": if plan.layer2 { 2 } else { 3 },
        });
        writeln!(so, "{report}")?;
    } else {
        writeln!(
            so,
            "Sent {sent} packets ({bytes} bytes), {errors} errors, in {secs:.3} s ({rate:.0} packets/s)"
        )?;
    }
    so.flush()?;
    Ok(if sent > 0 || errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Sends `total` frames (the set over and over) in batches until done or stopped; a frame the
/// kernel refuses is counted as an error and skipped.
fn send_batched(
    p: &PacketSender,
    frames: &[Vec<u8>],
    total: u64,
    stop: &AtomicBool,
    t: &mut Tally,
) {
    let mut next = 0usize;
    let mut left = total;
    let mut batch: Vec<&[u8]> = Vec::with_capacity(BATCH);
    while left > 0 && !stop.load(Ordering::Relaxed) {
        batch.clear();
        while batch.len() < BATCH && (batch.len() as u64) < left {
            batch.push(&frames[next]);
            next = (next + 1) % frames.len();
        }
        let r = p.send_batch(&batch);
        t.sent += r.sent as u64;
        t.bytes += batch[..r.sent].iter().map(|f| f.len() as u64).sum::<u64>();
        let mut used = r.sent;
        if let Some(e) = r.error {
            t.error(e);
            used += 1;
        }
        left -= used as u64;
        // What was not taken (after a refused frame) goes first in the next batch.
        let back = batch.len() - used;
        next = (next + frames.len() - back % frames.len()) % frames.len();
    }
}
