//! `pkt send EXPR`: scapy's send()/sendp() from a shell. Every packet of the expression's set,
//! `-c` times (or until Ctrl-C with `--loop`), paced by `--interval`/`--rate` or as fast as
//! possible; a final report of what was sent.

use super::net::{self, Outgoing};
use crate::cli::SendArgs;
use anyhow::Result;
use pkt::dissect::dissect_as_new;
use pkt::io::live::{CaptureOptions, Live};
use pkt::io::raw::RawSender;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

enum Out {
    L3(RawSender),
    L2(Live),
}

impl Out {
    fn send(&mut self, frame: &[u8]) -> std::io::Result<()> {
        match self {
            Out::L3(s) => s.send(frame),
            Out::L2(l) => l.inject(frame),
        }
    }
}

pub fn run(args: &SendArgs) -> Result<ExitCode> {
    let plan: Outgoing = net::prepare(&args.expr, &args.net)?;
    let mut out = if plan.layer2 {
        let mut o = CaptureOptions::new(&plan.iface);
        o.snaplen = 64;
        Out::L2(Live::open(&o)?)
    } else {
        Out::L3(RawSender::open(
            plan.dsts.iter().any(IpAddr::is_ipv4),
            plan.dsts.iter().any(IpAddr::is_ipv6),
        )?)
    };
    pkt::io::drop_root_if_sudo()?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second Ctrl-C exits at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let gap = match (args.interval, args.rate, args.flood) {
        (Some(s), _, _) => Duration::from_secs_f64(s.max(0.0)),
        (_, Some(r), _) if r > 0.0 => Duration::from_secs_f64(1.0 / r),
        _ => Duration::ZERO,
    };
    let stdout = std::io::stdout();
    let mut so = std::io::BufWriter::new(stdout.lock());
    let start = Instant::now();
    let (mut sent, mut errors, mut bytes) = (0u64, 0u64, 0u64);
    let mut first_error: Option<std::io::Error> = None;
    let mut line = String::new();
    let mut round = 0u64;
    'all: while args.repeat || round < args.count {
        round += 1;
        for frame in &plan.frames {
            if stop.load(Ordering::Relaxed) {
                break 'all;
            }
            if !gap.is_zero() && sent + errors > 0 {
                // Paced from the start, so the rate holds however long each send takes.
                let due = start + gap * (sent + errors) as u32;
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
            match out.send(frame) {
                Ok(()) => {
                    sent += 1;
                    bytes += frame.len() as u64;
                    if args.verbose {
                        line.clear();
                        pkt::output::summary::write(&dissect_as_new(plan.first, frame), &mut line);
                        writeln!(so, "{line}")?;
                        so.flush()?;
                    }
                }
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
    }
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
