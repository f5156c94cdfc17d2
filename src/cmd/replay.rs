//! `pkt replay`: tcpreplay from pkt. Every packet of the captures (or those a BPF filter
//! passes) goes out on an interface again, with the capture's timing (`--multiplier`), at a
//! fixed rate (`--pps`, `--mbps`) or as fast as possible (`--topspeed`, in `sendmmsg` batches);
//! `--loop`, `-c`; then tcpreplay's report. Ethernet captures leave at layer 2; raw-IP, cooked
//! (SLL, SLL2) and BSD-loopback captures leave at layer 3, routed by the kernel. A packet too long
//! for the interface is reported and skipped.

use crate::cli::{ReplayArgs, files_and_filter};
use anyhow::{Result, anyhow, bail};
use pkt::engine::pace::{Pace, Pacer};
use pkt::io::packet::{BATCH, PacketSender, hw_type, mtu};
use pkt::io::raw::RawSender;
use pkt::pcapio::{CaptureError, CaptureFile};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How the packets of one link type leave.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Link {
    /// Whole frames on the interface.
    Ether,
    /// The IP packet after a header of this many bytes, through a raw socket.
    Ip { header: usize },
}

impl Link {
    fn of(linktype: u32) -> Option<Link> {
        Some(match linktype {
            1 => Link::Ether,
            101 | 228 | 229 => Link::Ip { header: 0 },
            113 => Link::Ip { header: 16 },
            276 => Link::Ip { header: 20 },
            0 | 108 => Link::Ip { header: 4 },
            _ => return None,
        })
    }
}

/// What the replay did, as tcpreplay reports it.
#[derive(Debug, Default)]
struct Report {
    packets: u64,
    bytes: u64,
    failed: u64,
    truncated: u64,
    /// Longer than the interface takes.
    too_long: u64,
    /// Not IP, in a capture replayed at layer 3.
    not_ip: u64,
    first_error: Option<String>,
}

impl Report {
    fn too_long(&mut self, len: usize, max: usize) {
        if self.too_long == 0 {
            eprintln!(
                "pkt: skipping packets longer than the interface takes (the first: {len} bytes, \
                 at most {max})"
            );
        }
        self.too_long += 1;
    }

    fn failed(&mut self, why: String) {
        self.failed += 1;
        self.first_error.get_or_insert(why);
    }
}

pub fn run(args: &ReplayArgs) -> Result<ExitCode> {
    let (files, filter) = files_and_filter(&args.args, &args.filter).map_err(|e| anyhow!(e))?;
    if files.iter().any(|f| f == "-") && (args.loops != 1 || files.len() > 1) {
        bail!("standard input can be replayed only once, and alone");
    }
    let pace = match (args.multiplier, args.pps, args.mbps, args.topspeed) {
        (_, _, _, true) => Pace::Top,
        (_, Some(p), _, _) => Pace::Pps(p),
        (_, _, Some(m), _) => Pace::Mbps(m),
        // More than 0, checked as it is parsed (as are --pps and --mbps).
        (Some(x), _, _, _) => Pace::Original { multiplier: x },
        _ => Pace::Original { multiplier: 1.0 },
    };
    // Every file is opened (and its link type checked) before anything is sent.
    let mut opened = Vec::with_capacity(files.len());
    for f in &files {
        let cf = CaptureFile::open(f, filter.as_deref())?;
        if Link::of(cf.linktype).is_none() {
            bail!(
                "{f}: link type {} cannot be replayed (Ethernet frames leave at layer 2; raw IP, \
                 SLL, SLL2 and BSD loopback at layer 3)",
                cf.linktype
            );
        }
        opened.push(Some(cf));
    }
    let links: Vec<Link> = opened
        .iter()
        .flatten()
        .filter_map(|c| Link::of(c.linktype))
        .collect();
    let l2 = links
        .contains(&Link::Ether)
        .then(|| PacketSender::open(&args.iface))
        .transpose()?;
    let l3 = links
        .iter()
        .any(|l| matches!(l, Link::Ip { .. }))
        .then(|| RawSender::open(true, true))
        .transpose()?;
    pkt::io::drop_root_if_sudo()?;
    let stop = super::stop_flag(true);
    let mut out = Out {
        l2,
        l3,
        // The longest frame the interface takes: its MTU and an Ethernet header (and a VLAN tag
        // when the frame has one).
        mtu: mtu(&args.iface).unwrap_or(1500),
        ether_header: if hw_type(&args.iface).is_some_and(|t| t == 1 || t == 772) {
            14
        } else {
            0
        },
        arena: Vec::with_capacity(BATCH * 2048),
        spans: Vec::with_capacity(BATCH),
        report: Report::default(),
    };
    let mut pacer = Pacer::new(pace);
    // A bar of the bytes of the files (times the loops) on a terminal.
    let file_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = super::progress::Progress::new(
        !args.json && args.loops > 0 && file_bytes > 0,
        file_bytes.saturating_mul(args.loops),
        true,
        "replay",
    );
    let mut pending = 0u64;
    let start = Instant::now();
    let mut damaged = None;
    let mut round = 0u64;
    let mut first_file = true;
    'all: while args.loops == 0 || round < args.loops {
        round += 1;
        for (k, path) in files.iter().enumerate() {
            let mut cf = match opened.get_mut(k).and_then(Option::take) {
                Some(cf) => cf,
                None => CaptureFile::open(path, filter.as_deref())?,
            };
            let link = Link::of(cf.linktype).unwrap_or(Link::Ether);
            let file_linktype = cf.linktype;
            if !first_file {
                pacer.next_file();
            }
            first_file = false;
            loop {
                if stop.load(Ordering::Relaxed) || args.count.is_some_and(|c| out.taken() >= c) {
                    break 'all;
                }
                let frame = match cf.next_frame() {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        damaged = Some(e);
                        break 'all;
                    }
                };
                if frame.linktype != file_linktype {
                    // A pcapng with interfaces of several link types: the senders were opened
                    // for the first one's.
                    let why = format!(
                        "a packet has link type {}, the file's first interface {}: replay takes one link type per file",
                        frame.linktype, file_linktype
                    );
                    damaged = Some(CaptureError::Damaged {
                        path: cf.path.clone(),
                        after: cf.records_read() - 1,
                        why,
                    });
                    break 'all;
                }
                let ts = Duration::new(frame.ts_sec.max(0) as u64, frame.ts_nsec);
                let due = pacer.due(ts, frame.data.len());
                if frame.caplen < frame.len {
                    out.report.truncated += 1;
                }
                if !pacer.is_top() && start.elapsed() < due {
                    out.flush();
                    if !wait_until(start, due, &stop) {
                        break 'all;
                    }
                }
                out.take(link, frame.data);
                pending += 16 + frame.data.len() as u64;
                if pending >= 1 << 20 {
                    progress.inc(pending);
                    progress.message(format!("{} packets", out.report.packets));
                    pending = 0;
                }
            }
        }
    }
    out.flush();
    progress.inc(pending);
    progress.message(format!("{} packets", out.report.packets));
    progress.finish();
    let secs = start.elapsed().as_secs_f64();
    let r = &out.report;
    if let Some(e) = &r.first_error {
        eprintln!("pkt: {} packets not sent; the first because: {e}", r.failed);
    }
    if let Some(e) = &damaged {
        eprintln!("pkt: {e}");
    }
    print_report(args, r, secs)?;
    Ok(if damaged.is_some() || (r.packets == 0 && r.failed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Sleeps until `due` after `start` (the last stretch spun, for precision); `false` if stopped.
fn wait_until(start: Instant, due: Duration, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = start.elapsed();
        if now >= due {
            return true;
        }
        let left = due - now;
        if left > Duration::from_millis(2) {
            std::thread::sleep((left - Duration::from_millis(1)).min(Duration::from_millis(100)));
        } else {
            std::hint::spin_loop();
        }
    }
}

/// The senders, and frames waiting to go out together.
struct Out {
    l2: Option<PacketSender>,
    l3: Option<RawSender>,
    mtu: usize,
    ether_header: usize,
    arena: Vec<u8>,
    spans: Vec<(usize, usize)>,
    report: Report,
}

impl Out {
    /// Packets dealt with so far (sent, failed or skipped), for `-c`.
    fn taken(&self) -> u64 {
        let r = &self.report;
        r.packets + r.failed + r.too_long + r.not_ip + self.spans.len() as u64
    }

    /// Takes one frame of a capture of this link type: batched (layer 2) or sent at once.
    fn take(&mut self, link: Link, data: &[u8]) {
        match link {
            Link::Ether => {
                let tagged = data
                    .get(12..14)
                    .is_some_and(|t| t == [0x81, 0x00] || t == [0x88, 0xa8]);
                let max = self.mtu + self.ether_header + if tagged { 4 } else { 0 };
                if data.len() > max {
                    self.report.too_long(data.len(), max);
                    return;
                }
                let at = self.arena.len();
                self.arena.extend_from_slice(data);
                self.spans.push((at, self.arena.len()));
                if self.spans.len() >= BATCH {
                    self.flush();
                }
            }
            Link::Ip { header } => {
                let Some(ip) = data
                    .get(header..)
                    .filter(|p| matches!(p.first().map(|b| b >> 4), Some(4 | 6)))
                else {
                    self.report.not_ip += 1;
                    return;
                };
                let Some(raw) = self.l3.as_mut() else {
                    return;
                };
                match raw.send(ip) {
                    Ok(()) => {
                        self.report.packets += 1;
                        self.report.bytes += ip.len() as u64;
                    }
                    Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                        self.report.too_long(ip.len(), self.mtu)
                    }
                    Err(e) => self.report.failed(e.to_string()),
                }
            }
        }
    }

    /// Sends the waiting frames; a frame the kernel refuses is counted and skipped.
    fn flush(&mut self) {
        let Some(l2) = &self.l2 else {
            self.spans.clear();
            return;
        };
        let mut from = 0;
        while from < self.spans.len() {
            let frames: Vec<&[u8]> = self.spans[from..]
                .iter()
                .map(|&(a, b)| &self.arena[a..b])
                .collect();
            let b = l2.send_batch(&frames);
            self.report.packets += b.sent as u64;
            self.report.bytes += frames[..b.sent].iter().map(|f| f.len() as u64).sum::<u64>();
            from += b.sent;
            if let Some(e) = b.error {
                let len = frames.get(b.sent).map_or(0, |f| f.len());
                if e.raw_os_error() == Some(libc::EMSGSIZE) {
                    let max = self.mtu + self.ether_header;
                    self.report.too_long(len, max);
                } else {
                    self.report.failed(e.to_string());
                }
                from += 1;
            }
        }
        self.spans.clear();
        self.arena.clear();
    }
}

fn print_report(args: &ReplayArgs, r: &Report, secs: f64) -> Result<()> {
    let pps = if secs > 0.0 {
        r.packets as f64 / secs
    } else {
        0.0
    };
    let bps = if secs > 0.0 {
        r.bytes as f64 / secs
    } else {
        0.0
    };
    let stdout = std::io::stdout();
    let mut so = stdout.lock();
    if args.json {
        let v = serde_json::json!({
            "iface": args.iface,
            "packets": r.packets,
            "bytes": r.bytes,
            "elapsed": (secs * 1e6).round() / 1e6,
            "pps": (pps * 100.0).round() / 100.0,
            "mbps": (bps * 8.0 / 1e4).round() / 100.0,
            "successful": r.packets,
            "failed": r.failed,
            "truncated": r.truncated,
            "too_long": r.too_long,
            "not_ip": r.not_ip,
        });
        writeln!(so, "{v}")?;
    } else {
        writeln!(
            so,
            "Actual: {} packets ({} bytes) sent in {secs:.2} seconds",
            r.packets, r.bytes
        )?;
        writeln!(
            so,
            "Rated: {bps:.1} Bps, {:.2} Mbps, {pps:.2} pps",
            bps * 8.0 / 1e6
        )?;
        writeln!(so, "Statistics for network device: {}", args.iface)?;
        writeln!(so, "\tSuccessful packets:        {}", r.packets)?;
        writeln!(so, "\tFailed packets:            {}", r.failed)?;
        writeln!(so, "\tTruncated packets:         {}", r.truncated)?;
        writeln!(so, "\tToo long, skipped:         {}", r.too_long)?;
        if r.not_ip > 0 {
            writeln!(so, "\tNot IP, skipped:           {}", r.not_ip)?;
        }
    }
    so.flush()?;
    Ok(())
}
