//! `pkt sniff`: live capture, as tcpdump does it: an interface (tcpdump's default, or `any`), a
//! BPF filter, the views of `read` (each record naming its interface), `-w` to pcap or pcapng
//! with tcpdump's `-C`/`-G`/`-W` rotation, and tcpdump's three counts on stderr at the end. Ctrl-C,
//! SIGTERM and a closed stdout end the capture cleanly: the file is flushed and complete.

use crate::cli::SniffArgs;
use anyhow::{Result, anyhow, bail};
use pkt::dissect::Packet;
use pkt::io::live::{CaptureOptions, Live, stamp};
use pkt::output::FrameMeta;
use pkt::output::render::render;
use pkt::output::time::Clock;
use pkt::pcapio::{Writer, is_pcapng};
use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// SLL2, the link type of `-i any` here: its header names each packet's interface.
const LINKTYPE_SLL2: u32 = 276;

pub fn run(args: &SniffArgs) -> Result<ExitCode> {
    let filter = args.filter().map_err(|e| anyhow!(e))?;
    let iface = match &args.iface {
        Some(i) => i.clone(),
        None => default_iface()?,
    };
    let print = args.write.is_none() || args.print;
    if print && args.write.as_deref() == Some("-") {
        bail!("-w - writes the capture to standard output: it cannot also print packets there");
    }
    let mut o = CaptureOptions::new(&iface);
    o.filter = filter;
    o.snaplen = args.snaplen;
    o.promisc = !args.no_promisc;
    o.buffer = args.buffer.map(|k| k.saturating_mul(1024));
    o.immediate = args.immediate || print;
    if iface == "any" {
        o.linktype = Some(LINKTYPE_SLL2);
    }
    let mut live = Live::open(&o)?;
    let linktype = live.linktype();
    let stop = super::stop_flag(false);
    // Files are created as -Z's user, or as the user who ran sudo (tcpdump drops to a user
    // of its own the same way).
    match &args.user {
        Some(u) => pkt::io::drop_root_to(u).map(|_| ())?,
        None => pkt::io::drop_root_if_sudo().map(|_| ())?,
    }
    // The file is opened before the "listening" line, as tcpdump does: a bad path is the only line.
    let mut files = match &args.write {
        Some(w) => Some(Rotation::start(args, w, linktype)?),
        None => None,
    };
    let lt = pcap::Linktype(linktype as i32);
    eprintln!(
        "pkt: listening on {iface}, link-type {} ({}), snapshot length {} bytes",
        lt.get_name().unwrap_or_else(|_| linktype.to_string()),
        lt.get_description().unwrap_or_default(),
        args.snaplen
    );
    let mut style = args.views.style();
    style.iface = iface == "any";
    let deadline = args.timeout.map(|s| Instant::now() + s);
    let mut names = IfaceNames::new(&iface);
    let stdout = std::io::stdout();
    let mut so = stdout.lock();
    let mut text = String::new();
    let mut pkt = Packet::default();
    let mut clock: Option<Clock> = None;
    let mut n = 0u64;
    let mut closed = false;
    let mut drain_until: Option<Instant> = None;
    loop {
        if args.count.is_some_and(|c| n >= c) {
            break;
        }
        let now = Instant::now();
        if drain_until.is_none()
            && (stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d))
        {
            if o.immediate {
                break;
            }
            // Without immediate mode the kernel hands packets over in blocks, a partly filled
            // one after its timeout (100 ms): wait for that last block, so nothing seen is lost.
            drain_until = Some(now + Duration::from_millis(150));
        }
        if drain_until.is_some_and(|d| now >= d) {
            break;
        }
        let Some(p) = live.try_next()? else {
            if !text.is_empty() {
                closed |= put(&mut so, &mut text)?;
            }
            // Idle: the file is written out, so it can be watched and a write error (a full
            // disk) stops the capture now, not at the next packet.
            if let Some(f) = files.as_mut() {
                f.w.flush()?;
            }
            if closed {
                break;
            }
            let mut wait = Duration::from_millis(100);
            if let Some(d) = deadline.or(drain_until) {
                wait = wait.min(d.saturating_duration_since(now));
            }
            live.wait(wait);
            continue;
        };
        let t = stamp(p.header);
        let (ts_sec, ts_nsec) = (t.as_secs() as i64, t.subsec_nanos());
        // Each packet's interface: printed, and named in a pcapng's interface blocks.
        let iface = if print || files.as_ref().is_some_and(|f| f.ng) {
            names.of(linktype, p.data)
        } else {
            None
        };
        if let Some(f) = files.as_mut()
            && !f.write(iface, ts_sec, ts_nsec, p.data, p.header.len as usize)?
        {
            // -G with -W: the last file is full (in time), as tcpdump, stop.
            break;
        }
        n += 1;
        if print {
            let meta = FrameMeta {
                n,
                ts_sec,
                ts_nsec,
                caplen: p.data.len(),
                len: p.header.len as usize,
                linktype,
                iface,
            };
            let clock = *clock.get_or_insert_with(|| Clock::local(ts_sec));
            render(&style, &clock, &meta, p.data, &mut pkt, &mut text);
            // Out whenever the capture is idle, and in 64 KiB writes under load.
            if text.len() >= 64 << 10 {
                closed |= put(&mut so, &mut text)?;
                if closed {
                    break;
                }
            }
        }
    }
    if !closed && !text.is_empty() {
        put(&mut so, &mut text)?;
    }
    if let Some(f) = files {
        f.w.finish()?;
    }
    let (recv, drop, ifdrop) = live
        .stats()
        .map_or((0, 0, 0), |s| (s.received, s.dropped, s.if_dropped));
    eprintln!("{n} packets captured");
    eprintln!("{recv} packets received by filter");
    eprintln!("{drop} packets dropped by kernel");
    if ifdrop > 0 {
        eprintln!("{ifdrop} packets dropped by interface");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes and clears `text`; `true` when stdout has closed (a quiet end, as tcpdump's).
fn put(so: &mut impl Write, text: &mut String) -> Result<bool> {
    let r = so.write_all(text.as_bytes()).and_then(|_| so.flush());
    text.clear();
    match r {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// The interface tcpdump picks when none is given: libpcap's first up, non-loopback one.
fn default_iface() -> Result<String> {
    let d = pcap::Device::lookup()
        .map_err(|e| anyhow!("finding an interface to capture on: {e}"))?
        .ok_or_else(|| {
            anyhow!("no interface to capture on: name one with -i (see `pkt ifaces`)")
        })?;
    Ok(d.name)
}

/// Interface names for records: the one captured on, or per packet from SLL2's index.
struct IfaceNames {
    fixed: Option<&'static str>,
    by_index: HashMap<u32, &'static str>,
}

impl IfaceNames {
    fn new(iface: &str) -> IfaceNames {
        IfaceNames {
            // A handful per run: kept for the life of the process.
            fixed: (iface != "any").then(|| &*Box::leak(iface.to_string().into_boxed_str())),
            by_index: HashMap::new(),
        }
    }

    fn of(&mut self, linktype: u32, frame: &[u8]) -> Option<&'static str> {
        if self.fixed.is_some() || linktype != LINKTYPE_SLL2 {
            return self.fixed;
        }
        let index = u32::from_be_bytes(frame.get(4..8)?.try_into().ok()?);
        if let Some(n) = self.by_index.get(&index) {
            return Some(n);
        }
        let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
        let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
        let name = if p.is_null() {
            format!("if{index}")
        } else {
            unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
                .to_string_lossy()
                .into_owned()
        };
        let name: &'static str = Box::leak(name.into_boxed_str());
        self.by_index.insert(index, name);
        Some(name)
    }
}

/// The `-w` file, and tcpdump's rotation:
/// - `-C SIZE`: a new file once this one passes SIZE million bytes, named FILE, FILE1, FILE2, …
///   — or, with `-W N`, FILE0 … FILE<N-1> (numbers padded to one width) over and over, the
///   oldest overwritten;
/// - `-G SECONDS`: a new file every SECONDS, FILE expanded by strftime(3) as it opens (with -C
///   too, the numbering starts again in each); with `-W N` and no -C, the capture stops after N
///   files.
struct Rotation {
    base: String,
    /// `base` expanded for the file open now (its time).
    current: String,
    ng: bool,
    linktype: u32,
    limit: Option<u64>,
    files: Option<u32>,
    interval: Option<u64>,
    /// When the file open now was opened (seconds since the epoch: the wall clock for the
    /// first, then the time stamp of the packet that started each).
    opened: i64,
    /// Files opened by -G so far.
    opened_count: u32,
    index: u32,
    w: Writer,
}

impl Rotation {
    fn start(args: &SniffArgs, base: &str, linktype: u32) -> Result<Rotation> {
        let ng = args.pcapng || is_pcapng(base);
        let limit = args.file_size.map(|mb| (mb.max(0.0) * 1e6) as u64);
        let interval = args.rotate_seconds;
        if args.file_count == Some(0) {
            bail!("-W needs at least 1 file");
        }
        if args.file_count.is_some() && limit.is_none() && interval.is_none() {
            bail!("-W counts the files -C or -G makes: it needs one of them");
        }
        if interval == Some(0) {
            bail!("-G needs at least 1 second");
        }
        if (limit.is_some() || interval.is_some()) && base == "-" {
            bail!("-C and -G rotate files: they need a file name, not -");
        }
        let opened = pkt::io::now().as_secs() as i64;
        let current = if interval.is_some() {
            strftime(base, opened)
        } else {
            base.to_string()
        };
        let c_files = if limit.is_some() {
            args.file_count
        } else {
            None
        };
        let w = create(&file_name(&current, 0, c_files), ng, linktype)?;
        Ok(Rotation {
            base: base.to_string(),
            current,
            ng,
            linktype,
            limit,
            files: args.file_count,
            interval,
            opened,
            opened_count: 1,
            index: 0,
            w,
        })
    }

    /// Writes a packet, into a new file first when one is due; `false` (nothing written) when
    /// -G and -W say the capture is over.
    fn write(
        &mut self,
        iface: Option<&str>,
        ts_sec: i64,
        ts_nsec: u32,
        data: &[u8],
        len: usize,
    ) -> Result<bool> {
        let c_files = if self.limit.is_some() {
            self.files
        } else {
            None
        };
        if let Some(g) = self.interval {
            // The packet's kernel time stamp: no clock read per packet.
            let now = ts_sec;
            if now - self.opened >= g as i64 {
                if self.limit.is_none()
                    && let Some(n) = self.files
                    && self.opened_count >= n
                {
                    return Ok(false);
                }
                self.opened = now;
                self.opened_count += 1;
                self.index = 0;
                self.current = strftime(&self.base, now);
                let next = create(
                    &file_name(&self.current, 0, c_files),
                    self.ng,
                    self.linktype,
                )?;
                std::mem::replace(&mut self.w, next).finish()?;
            }
        }
        if let Some(limit) = self.limit
            && self.w.bytes_written() > limit
        {
            self.index += 1;
            if let Some(n) = c_files {
                self.index %= n;
            }
            let name = file_name(&self.current, self.index, c_files);
            self.w.flush()?;
            let next = create(&name, self.ng, self.linktype)?;
            std::mem::replace(&mut self.w, next).finish()?;
        }
        self.w
            .write_packet_on(self.linktype, iface, ts_sec, ts_nsec, data, len)?;
        Ok(true)
    }
}

/// `pattern` through strftime(3) for the local time `t` (seconds since the epoch), as tcpdump
/// names `-G` files; a pattern without `%` is the name itself.
fn strftime(pattern: &str, t: i64) -> String {
    if !pattern.contains('%') {
        return pattern.to_string();
    }
    let Ok(fmt) = std::ffi::CString::new(pattern) else {
        return pattern.to_string();
    };
    // SAFETY: localtime_r and strftime write only into the buffers given.
    unsafe {
        let tt = t as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&tt, &mut tm).is_null() {
            return pattern.to_string();
        }
        let mut buf = vec![0u8; pattern.len() * 8 + 256];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm);
        if n == 0 {
            return pattern.to_string();
        }
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

/// A capture file written as it grows (in place, see `pkt::io::outfile`); its header is written
/// out at once, so a device that takes nothing (a full disk) stops the capture before it starts.
fn create(path: &str, ng: bool, linktype: u32) -> Result<Writer> {
    let mut w = Writer::live(path, ng, linktype)?;
    w.flush()?;
    Ok(w)
}

/// tcpdump's names for rotated files.
fn file_name(base: &str, index: u32, files: Option<u32>) -> String {
    match files {
        None if index == 0 => base.to_string(),
        None => format!("{base}{index}"),
        Some(n) => {
            let width = (n.saturating_sub(1)).checked_ilog10().map_or(0, |d| d + 1) as usize;
            if width == 0 {
                base.to_string()
            } else {
                format!("{base}{index:0width$}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{file_name, strftime};

    #[test]
    fn g_files_are_named_by_strftime() {
        assert_eq!(
            strftime("cap-%s.pcap", 1_700_000_000),
            "cap-1700000000.pcap"
        );
        assert_eq!(strftime("a%%b-%s", 5), "a%b-5");
        assert_eq!(strftime("plain.pcap", 5), "plain.pcap");
        // Local time: the year of a day well inside one is that year, in any time zone.
        assert_eq!(strftime("%Y", 1_719_792_000), "2024");
    }

    #[test]
    fn rotated_files_are_named_as_tcpdump_names_them() {
        assert_eq!(file_name("a.pcap", 0, None), "a.pcap");
        assert_eq!(file_name("a.pcap", 2, None), "a.pcap2");
        assert_eq!(file_name("a.pcap", 0, Some(3)), "a.pcap0");
        assert_eq!(file_name("a.pcap", 9, Some(10)), "a.pcap9");
        assert_eq!(file_name("a.pcap", 3, Some(11)), "a.pcap03");
        assert_eq!(file_name("a.pcap", 0, Some(1)), "a.pcap");
    }
}
