//! Capture files: classic pcap read by our own reader (every record whole, whatever the file
//! header's snaplen says), pcapng and `-` (standard input) through libpcap; BPF filters compiled
//! by libpcap for the file's link type; and savefiles for writing selected packets back
//! unchanged.

use pcap::{BpfProgram, Capture, Linktype, Offline, PacketHeader, Precision, Savefile};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};

/// A problem with a capture file, worded for the person who named it.
#[derive(Debug)]
pub enum CaptureError {
    Open {
        path: String,
        why: String,
    },
    Filter {
        filter: String,
        why: String,
    },
    /// The file ended inside a record: what was read before it stands.
    Damaged {
        path: String,
        after: u64,
        why: String,
    },
    Write {
        path: String,
        why: String,
    },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Open { path, why } => write!(f, "{path}: {why}"),
            CaptureError::Filter { filter, why } => write!(f, "bad filter '{filter}': {why}"),
            CaptureError::Damaged { path, after, why } => {
                write!(
                    f,
                    "{path}: stopped after packet {after} of this file: {why}"
                )
            }
            CaptureError::Write { path, why } => write!(f, "{path}: {why}"),
        }
    }
}

impl std::error::Error for CaptureError {}

/// One frame as read from a file; `data` borrows the reader's buffer.
pub struct Frame<'a> {
    pub ts_sec: i64,
    pub ts_nsec: u32,
    pub caplen: usize,
    pub len: usize,
    pub data: &'a [u8],
    /// The time stamp as the file holds it, so that `-w` writes it back bit for bit.
    stamp: Stamp,
}

/// A record's time stamp as stored: unsigned seconds and a fraction that may be out of range.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    sec: u32,
    frac: u32,
    nano: bool,
}

/// An open capture file.
pub struct CaptureFile {
    src: Source,
    pub path: String,
    /// The pcap LINKTYPE of the file.
    pub linktype: u32,
    /// Records read so far (for a classic pcap file: filtered out or not).
    read: u64,
}

enum Source {
    /// Classic pcap, read here.
    Pcap(PcapReader),
    /// pcapng and standard input, read by libpcap (always with nanosecond time stamps).
    Lib(Capture<Offline>),
}

/// libpcap's DLT numbers are the file's LINKTYPE numbers, except for raw IP.
pub fn linktype_of_dlt(dlt: i32) -> u32 {
    match dlt {
        12 | 14 => 101,
        d => d as u32,
    }
}

/// The DLT libpcap uses (on Linux) for a file's LINKTYPE: the LINKTYPE numbers below 104 that
/// differ from their DLT numbers, else the same number.
fn dlt_of_linktype(linktype: u32) -> i32 {
    match linktype {
        100 => 11, // ATM_RFC1483
        101 => 12, // RAW
        102 => 15, // SLIP_BSDOS
        103 => 16, // PPP_BSDOS
        106 => 19, // ATM_CLIP
        l => l as i32,
    }
}

fn friendly(why: pcap::Error) -> String {
    let s = why.to_string();
    let s = s.trim_start_matches("libpcap error: ").to_string();
    if s.contains("unknown file format") || s.contains("bad dump file format") {
        return format!("not a pcap or pcapng capture ({s})");
    }
    s
}

fn io_why(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "No such file or directory".into(),
        io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

impl CaptureFile {
    /// Opens `path` (`-` is standard input), with an optional BPF filter.
    pub fn open(path: &str, filter: Option<&str>) -> Result<CaptureFile, CaptureError> {
        let open_err = |why: String| CaptureError::Open {
            path: path.to_string(),
            why,
        };
        let filter = filter.filter(|f| !f.trim().is_empty());
        let filter_err = |f: &str, e: pcap::Error| CaptureError::Filter {
            filter: f.to_string(),
            why: friendly(e),
        };
        if path == "-" {
            // SAFETY: fd 0 stays open for the life of the process; libpcap takes a FILE* on it.
            let cap = unsafe { Capture::from_raw_fd_with_precision(0, Precision::Nano) };
            return CaptureFile::through_libpcap(
                cap.map_err(|e| open_err(friendly(e)))?,
                "<stdin>",
                filter,
            );
        }
        let meta = std::fs::metadata(path).map_err(|e| open_err(io_why(&e)))?;
        if meta.is_dir() {
            return Err(open_err("is a directory".into()));
        }
        let file = File::open(path).map_err(|e| open_err(io_why(&e)))?;
        let mut input = Input::new(file);
        let have = input
            .fill(FILE_HEADER_LEN)
            .map_err(|e| open_err(io_why(&e)))?;
        let head = input.available();
        if have == 0 {
            return Err(open_err("empty file, not a capture".into()));
        }
        if have < 4 {
            return Err(open_err(format!(
                "not a pcap or pcapng capture (only {have} bytes)"
            )));
        }
        if head[..4] == PCAPNG_MAGIC {
            drop(input);
            let cap = Capture::from_file_with_precision(path, Precision::Nano)
                .map_err(|e| open_err(friendly(e)))?;
            return CaptureFile::through_libpcap(cap, path, filter);
        }
        let header = FileHeader::parse(head).map_err(open_err)?;
        input.pos = FILE_HEADER_LEN;
        let linktype = header.linktype & 0xffff;
        let dlt = dlt_of_linktype(linktype);
        let filter = match filter {
            None => None,
            Some(f) => {
                let precision = if header.nano {
                    Precision::Nano
                } else {
                    Precision::Micro
                };
                let dead = Capture::dead_with_precision(Linktype(dlt), precision)
                    .map_err(|e| filter_err(f, e))?;
                Some(dead.compile(f, true).map_err(|e| filter_err(f, e))?)
            }
        };
        // Pseudo-headers that libpcap converts from the writing host's byte order.
        let pseudo = match (header.swapped, linktype) {
            (false, _) => Pseudo::None,
            (true, 113) => Pseudo::LinuxSll,
            (true, 189) => Pseudo::LinuxUsb,
            (true, 220) => Pseudo::LinuxUsbMmapped,
            (true, 239) => Pseudo::Nflog,
            (true, _) => Pseudo::None,
        };
        let reader = PcapReader {
            input,
            header,
            pseudo,
            filter,
        };
        Ok(CaptureFile {
            src: Source::Pcap(reader),
            path: path.to_string(),
            linktype,
            read: 0,
        })
    }

    fn through_libpcap(
        mut cap: Capture<Offline>,
        path: &str,
        filter: Option<&str>,
    ) -> Result<CaptureFile, CaptureError> {
        if let Some(f) = filter {
            cap.filter(f, true).map_err(|e| CaptureError::Filter {
                filter: f.to_string(),
                why: friendly(e),
            })?;
        }
        let linktype = linktype_of_dlt(cap.get_datalink().0);
        Ok(CaptureFile {
            src: Source::Lib(cap),
            path: path.to_string(),
            linktype,
            read: 0,
        })
    }

    /// The next frame (after the filter), `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        match &mut self.src {
            Source::Pcap(r) => r.next(&self.path, &mut self.read),
            Source::Lib(cap) => match cap.next_packet() {
                Ok(p) => {
                    self.read += 1;
                    let h = *p.header;
                    // pcap stores unsigned 32-bit seconds; libpcap sign-extends them.
                    // (`time_t` and `suseconds_t` are not `i64` everywhere.)
                    #[allow(clippy::unnecessary_cast)]
                    let (sec, frac) = (h.ts.tv_sec as i64, h.ts.tv_usec as i64);
                    let sec = if sec < 0 { sec & 0xffff_ffff } else { sec };
                    // libpcap does not check the fraction: carry whole seconds out of it.
                    Ok(Some(Frame {
                        ts_sec: sec.saturating_add(frac.div_euclid(NANOS)),
                        ts_nsec: frac.rem_euclid(NANOS) as u32,
                        caplen: p.data.len(),
                        len: h.len as usize,
                        data: p.data,
                        stamp: Stamp {
                            sec: h.ts.tv_sec as u32,
                            frac: h.ts.tv_usec as u32,
                            nano: true,
                        },
                    }))
                }
                Err(pcap::Error::NoMorePackets) => Ok(None),
                Err(e) => Err(CaptureError::Damaged {
                    path: self.path.clone(),
                    after: self.read,
                    why: friendly(e),
                }),
            },
        }
    }

    /// A savefile with this file's link type and time precision.
    pub fn savefile(&self, path: &str) -> Result<Writer, CaptureError> {
        let write_err = |why: String| CaptureError::Write {
            path: path.to_string(),
            why,
        };
        let (sink, nano) = match &self.src {
            Source::Pcap(r) => {
                let h = &r.header;
                let out: File = if path == "-" {
                    use std::os::fd::AsFd;
                    io::stdout().as_fd().try_clone_to_owned().map(File::from)
                } else {
                    File::create(path)
                }
                .map_err(|e| write_err(io_why(&e)))?;
                let mut out = io::BufWriter::with_capacity(WRITE_BUF, out);
                // A version 2.4 header in this host's byte order, with the input's link type
                // field (FCS bits too) and its snaplen as libpcap takes it: the header libpcap
                // wrote for `-w`.
                let magic: u32 = if h.nano { MAGIC_NSEC } else { MAGIC_USEC };
                let mut hdr = [0u8; FILE_HEADER_LEN];
                hdr[0..4].copy_from_slice(&magic.to_ne_bytes());
                hdr[4..6].copy_from_slice(&2u16.to_ne_bytes());
                hdr[6..8].copy_from_slice(&4u16.to_ne_bytes());
                hdr[16..20].copy_from_slice(&h.libpcap_snaplen().to_ne_bytes());
                hdr[20..24].copy_from_slice(&h.linktype.to_ne_bytes());
                let failed = out.write_all(&hdr).err();
                (Sink::File { out, failed }, h.nano)
            }
            Source::Lib(cap) => (
                Sink::Lib(cap.savefile(path).map_err(|e| write_err(friendly(e)))?),
                true,
            ),
        };
        Ok(Writer {
            sink,
            nano,
            path: path.to_string(),
            linktype: self.linktype,
        })
    }
}

const NANOS: i64 = 1_000_000_000;
const FILE_HEADER_LEN: usize = 24;
const MAGIC_USEC: u32 = 0xa1b2_c3d4;
const MAGIC_NSEC: u32 = 0xa1b2_3c4d;
/// Alexey Kuznetsov's "modified pcap": 8 more bytes in each record header.
const MAGIC_KUZNETSOV: u32 = 0xa1b2_cd34;
/// A pcapng Section Header Block, the same in either byte order.
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
/// A record claiming more data than this is taken for damage, not read.
const MAX_CAPLEN: u32 = 256 << 20;
const READ_BUF: usize = 1 << 20;
const WRITE_BUF: usize = 1 << 20;

/// The fields of a classic pcap file header that matter for reading (and writing back).
#[derive(Debug)]
struct FileHeader {
    /// The file is in the other byte order than this host's.
    swapped: bool,
    /// The file's fields are big-endian.
    big: bool,
    nano: bool,
    record_header_len: usize,
    lengths: Lengths,
    snaplen: u32,
    /// The whole field: LINKTYPE in the low 16 bits, FCS information in the high bits.
    linktype: u32,
}

/// Old files put the wire length before the captured length (libpcap's rules).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lengths {
    InOrder,
    Swapped,
    /// Version 2.3 files were written both ways: swapped when caplen > len.
    MaybeSwapped,
}

impl FileHeader {
    /// The snaplen libpcap gives a file: a bogus one (0, or beyond `int`) is the most its link
    /// type allows; Kuznetsov Ethernet files get 14 more (they may be cooked captures).
    fn libpcap_snaplen(&self) -> u32 {
        let linktype = self.linktype & 0xffff;
        let snaplen = match self.snaplen {
            0 | 0x8000_0000.. => match linktype {
                231 => 128 << 20, // DBUS
                279 => 8 << 20,   // EBHSCR
                249 => 1 << 20,   // USBPCAP
                _ => 262_144,
            },
            s => s,
        };
        if self.record_header_len == 24 && linktype == 1 {
            (snaplen + 14).min(i32::MAX as u32)
        } else {
            snaplen
        }
    }

    /// The header from a file's first (up to 24) bytes, or why it is not a pcap file.
    fn parse(b: &[u8]) -> Result<FileHeader, String> {
        let magic: [u8; 4] = b[..4].try_into().expect("4 bytes");
        let (big, m) = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
            (m @ (MAGIC_USEC | MAGIC_NSEC | MAGIC_KUZNETSOV), _) => (false, m),
            (_, m @ (MAGIC_USEC | MAGIC_NSEC | MAGIC_KUZNETSOV)) => (true, m),
            (_, m) => {
                return Err(format!(
                    "not a pcap or pcapng capture (unknown magic 0x{m:08x})"
                ));
            }
        };
        if b.len() < FILE_HEADER_LEN {
            return Err(format!(
                "truncated pcap file header ({} of {FILE_HEADER_LEN} bytes)",
                b.len()
            ));
        }
        let u16_at = |o: usize| {
            let v = [b[o], b[o + 1]];
            if big {
                u16::from_be_bytes(v)
            } else {
                u16::from_le_bytes(v)
            }
        };
        let u32_at = |o: usize| {
            let v = [b[o], b[o + 1], b[o + 2], b[o + 3]];
            if big {
                u32::from_be_bytes(v)
            } else {
                u32::from_le_bytes(v)
            }
        };
        let (major, minor) = (u16_at(4), u16_at(6));
        // libpcap reads versions 2.0 to 2.4 and DG/UX's 543.0.
        if major < 2 {
            return Err("archaic pcap savefile format".into());
        }
        let lengths = match (major, minor) {
            (2, 0..=2) | (543, 0) => Lengths::Swapped,
            (2, 3) => Lengths::MaybeSwapped,
            (2, 4) => Lengths::InOrder,
            _ => return Err(format!("unsupported pcap savefile version {major}.{minor}")),
        };
        Ok(FileHeader {
            swapped: big != cfg!(target_endian = "big"),
            big,
            nano: m == MAGIC_NSEC,
            record_header_len: if m == MAGIC_KUZNETSOV { 24 } else { 16 },
            lengths,
            snaplen: u32_at(16),
            linktype: u32_at(20),
        })
    }
}

/// A link-layer pseudo-header written in the capturing host's byte order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pseudo {
    None,
    LinuxSll,
    LinuxUsb,
    LinuxUsbMmapped,
    Nflog,
}

/// The classic pcap reader: records are read whole into one reused buffer.
struct PcapReader {
    input: Input<File>,
    header: FileHeader,
    pseudo: Pseudo,
    filter: Option<BpfProgram>,
}

impl PcapReader {
    fn next(&mut self, path: &str, read: &mut u64) -> Result<Option<Frame<'_>>, CaptureError> {
        let damaged = |after: u64, why: String| CaptureError::Damaged {
            path: path.to_string(),
            after,
            why,
        };
        let hl = self.header.record_header_len;
        let (start, stamp, caplen, len) = loop {
            let have = self
                .input
                .fill(hl)
                .map_err(|e| damaged(*read, io_why(&e)))?;
            if have < hl {
                if have == 0 {
                    return Ok(None);
                }
                let why = format!(
                    "truncated capture file: record {} header needs {hl} bytes, {have} left",
                    *read + 1
                );
                return Err(damaged(*read, why));
            }
            let h = &self.input.available()[..16];
            let big = self.header.big;
            let u32_at = |o: usize| {
                let v = [h[o], h[o + 1], h[o + 2], h[o + 3]];
                if big {
                    u32::from_be_bytes(v)
                } else {
                    u32::from_le_bytes(v)
                }
            };
            let stamp = Stamp {
                sec: u32_at(0),
                frac: u32_at(4),
                nano: self.header.nano,
            };
            let (mut caplen, mut len) = (u32_at(8), u32_at(12));
            match self.header.lengths {
                Lengths::InOrder => {}
                Lengths::MaybeSwapped if caplen <= len => {}
                Lengths::MaybeSwapped | Lengths::Swapped => std::mem::swap(&mut caplen, &mut len),
            }
            if caplen > MAX_CAPLEN {
                let why = format!(
                    "record {} claims {caplen} bytes of data, over the {MAX_CAPLEN}-byte limit",
                    *read + 1
                );
                return Err(damaged(*read, why));
            }
            let caplen = caplen as usize;
            let have = self
                .input
                .fill(hl + caplen)
                .map_err(|e| damaged(*read, io_why(&e)))?;
            if have < hl + caplen {
                let why = format!(
                    "truncated capture file: record {} needs {caplen} bytes of data, {} left",
                    *read + 1,
                    have - hl
                );
                return Err(damaged(*read, why));
            }
            let start = self.input.pos + hl;
            self.input.pos = start + caplen;
            *read += 1;
            let len = len as usize;
            let data = &mut self.input.buf[start..start + caplen];
            if self.pseudo != Pseudo::None {
                swap_pseudo_header(self.pseudo, data, len);
            }
            match &self.filter {
                Some(prog) if !filter_accepts(prog, data, len) => continue,
                _ => break (start, stamp, caplen, len),
            }
        };
        let (ts_sec, ts_nsec) = normalise(stamp);
        let data = &self.input.buf[start..start + caplen];
        Ok(Some(Frame {
            ts_sec,
            ts_nsec,
            caplen,
            len,
            data,
            stamp,
        }))
    }
}

/// Seconds and nanoseconds from a stored stamp, whole seconds carried out of the fraction.
#[inline]
fn normalise(s: Stamp) -> (i64, u32) {
    let ns = if s.nano {
        u64::from(s.frac)
    } else {
        u64::from(s.frac) * 1000
    };
    if ns < NANOS as u64 {
        (i64::from(s.sec), ns as u32)
    } else {
        (
            i64::from(s.sec) + (ns / NANOS as u64) as i64,
            (ns % NANOS as u64) as u32,
        )
    }
}

unsafe extern "C" {
    /// libpcap's `pcap_offline_filter(const struct bpf_program *, const struct pcap_pkthdr *,
    /// const u_char *)`.
    fn pcap_offline_filter(
        prog: *const BpfProgram,
        h: *const PacketHeader,
        pkt: *const u8,
    ) -> libc::c_int;
}

/// Runs the compiled filter on a frame with its wire length (for `len`, `greater`, `less`),
/// as libpcap does when it reads a file itself.
fn filter_accepts(prog: &BpfProgram, data: &[u8], len: usize) -> bool {
    let h = PacketHeader {
        ts: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        caplen: data.len() as u32,
        len: len.min(u32::MAX as usize) as u32,
    };
    // SAFETY: `BpfProgram` is a `#[repr(transparent)]` wrapper of libpcap's `struct bpf_program`
    // and `PacketHeader` is `#[repr(C)]` with the layout of `struct pcap_pkthdr`; the filter reads
    // at most `caplen` bytes of `data`, all of which are there.
    unsafe { pcap_offline_filter(prog, &h, data.as_ptr()) != 0 }
}

/// Converts the pseudo-headers libpcap converts from the writing host's byte order (and only
/// those fields, under the same length checks), so frames read the same as through libpcap.
fn swap_pseudo_header(kind: Pseudo, d: &mut [u8], len: usize) {
    match kind {
        Pseudo::None => {}
        Pseudo::LinuxSll => {
            // SocketCAN (0x000c) and CAN FD (0x000d) frames: the CAN ID after the 16-byte header.
            if d.len() < 16
                || len < 16
                || !matches!(u16::from_be_bytes([d[14], d[15]]), 0x000c | 0x000d)
            {
                return;
            }
            if d.len() >= 20 && len >= 20 {
                d[16..20].reverse();
            }
        }
        Pseudo::LinuxUsb => swap_linux_usb(d, false),
        Pseudo::LinuxUsbMmapped => swap_linux_usb(d, true),
        Pseudo::Nflog => swap_nflog(d, len),
    }
}

/// Reverses `d[at..at + n]`; false (and nothing done) if the frame is shorter.
fn reverse_field(d: &mut [u8], at: usize, n: usize) -> bool {
    match d.get_mut(at..at + n) {
        Some(f) => {
            f.reverse();
            true
        }
        None => false,
    }
}

/// The Linux USB header (`pcap_usb_header_mmapped`): libpcap's `swap_linux_usb_header`.
fn swap_linux_usb(d: &mut [u8], mmapped: bool) {
    // id, bus_id, ts_sec, ts_usec, status, urb_len, data_len.
    for (at, n) in [(0, 8), (12, 2), (16, 8), (24, 4), (28, 4), (32, 4), (36, 4)] {
        if !reverse_field(d, at, n) {
            return;
        }
    }
    let isochronous = d[9] == 0;
    // error_count and numdesc, else the setup packet (bytes, left alone).
    if isochronous && !(reverse_field(d, 40, 4) && reverse_field(d, 44, 4)) {
        return;
    }
    if !mmapped {
        return;
    }
    // interval, start_frame, xfer_flags, ndesc.
    for at in [48, 52, 56, 60] {
        if !reverse_field(d, at, 4) {
            return;
        }
    }
    if isochronous {
        let ndesc = u32::from_ne_bytes([d[60], d[61], d[62], d[63]]);
        let mut at = 64;
        for _ in 0..ndesc {
            // status, offset, len, then 4 bytes of padding.
            for field in [at, at + 4, at + 8] {
                if !reverse_field(d, field, 4) {
                    return;
                }
            }
            at += 16;
        }
    }
}

/// NFLOG TLVs: type and length in the writing host's byte order (libpcap's `swap_nflog_header`);
/// the 4-byte header is family, version (0), resource id.
fn swap_nflog(d: &mut [u8], len: usize) {
    let (mut caplen, mut length) = (d.len(), len);
    if caplen < 4 || length < 4 || d[1] != 0 {
        return;
    }
    caplen -= 4;
    length -= 4;
    let mut at = 4;
    while caplen >= 4 {
        d[at..at + 2].reverse();
        d[at + 2..at + 4].reverse();
        // The length, rounded up to 4 in 16 bits as libpcap does.
        let mut size = u16::from_ne_bytes([d[at], d[at + 1]]);
        if !size.is_multiple_of(4) {
            size = size.wrapping_add(4 - size % 4);
        }
        let size = usize::from(size);
        if size < 4 || caplen < size || length < size {
            return;
        }
        caplen -= size;
        length -= size;
        at += size;
    }
}

/// A reader that keeps the bytes a caller asks for contiguous in one reused buffer.
struct Input<R> {
    src: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Input<R> {
    fn new(src: R) -> Input<R> {
        Input {
            src,
            buf: vec![0; READ_BUF],
            pos: 0,
            end: 0,
            eof: false,
        }
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Makes `n` bytes available at `pos` if the file has them; the number available (less than
    /// `n` only at the end of the file).
    #[inline]
    fn fill(&mut self, n: usize) -> io::Result<usize> {
        let have = self.end - self.pos;
        if have >= n || self.eof {
            Ok(have)
        } else {
            self.refill(n)
        }
    }

    #[inline(never)]
    fn refill(&mut self, n: usize) -> io::Result<usize> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        while self.end < n {
            if self.end == self.buf.len() {
                // Grow toward `n` at most twofold a step, so that a damaged length costs memory
                // only as far as the file really has data.
                let size = n.min(self.buf.len().saturating_mul(2)).max(READ_BUF);
                self.buf.resize(size, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end)
    }
}

/// Writes frames unchanged to a pcap savefile.
pub struct Writer {
    sink: Sink,
    /// The savefile has nanosecond time stamps.
    nano: bool,
    pub path: String,
    pub linktype: u32,
}

enum Sink {
    /// A savefile libpcap writes (for pcapng and standard input).
    Lib(Savefile),
    /// A classic pcap file written here, like the input; the first write error is kept for
    /// `flush`.
    File {
        out: io::BufWriter<File>,
        failed: Option<io::Error>,
    },
}

impl Writer {
    /// A new classic pcap file (µs or ns time stamps) of this link type; `-` is stdout.
    pub fn create(path: &str, linktype: u32, nano: bool) -> Result<Writer, CaptureError> {
        let out: File = if path == "-" {
            use std::os::fd::AsFd;
            io::stdout().as_fd().try_clone_to_owned().map(File::from)
        } else {
            File::create(path)
        }
        .map_err(|e| CaptureError::Write {
            path: path.to_string(),
            why: io_why(&e),
        })?;
        let mut out = io::BufWriter::with_capacity(WRITE_BUF, out);
        let magic: u32 = if nano { MAGIC_NSEC } else { MAGIC_USEC };
        let mut hdr = [0u8; FILE_HEADER_LEN];
        hdr[0..4].copy_from_slice(&magic.to_ne_bytes());
        hdr[4..6].copy_from_slice(&2u16.to_ne_bytes());
        hdr[6..8].copy_from_slice(&4u16.to_ne_bytes());
        hdr[16..20].copy_from_slice(&262_144u32.to_ne_bytes());
        hdr[20..24].copy_from_slice(&linktype.to_ne_bytes());
        let failed = out.write_all(&hdr).err();
        Ok(Writer {
            sink: Sink::File { out, failed },
            nano,
            path: path.to_string(),
            linktype,
        })
    }

    /// Whether the file has nanosecond time stamps.
    pub fn is_nano(&self) -> bool {
        self.nano
    }

    /// Writes one packet given by its time, bytes and original length.
    pub fn write_packet(&mut self, ts_sec: i64, ts_nsec: u32, data: &[u8], len: usize) {
        let frac = if self.nano { ts_nsec } else { ts_nsec / 1000 };
        self.write_record(ts_sec as u32, frac, data, len);
    }

    pub fn write(&mut self, frame: &Frame<'_>) {
        // The stored stamp when the precision matches (bit for bit, even out of range), else the
        // normalised time in this file's precision.
        let s = frame.stamp;
        let (sec, frac) = if s.nano == self.nano {
            (s.sec, s.frac)
        } else {
            (
                frame.ts_sec as u32,
                if self.nano {
                    frame.ts_nsec
                } else {
                    frame.ts_nsec / 1000
                },
            )
        };
        self.write_record(sec, frac, frame.data, frame.len);
    }

    fn write_record(&mut self, sec: u32, frac: u32, data: &[u8], len: usize) {
        let caplen = data.len() as u32;
        let len = len.min(u32::MAX as usize) as u32;
        match &mut self.sink {
            Sink::Lib(sf) => {
                let h = PacketHeader {
                    ts: libc::timeval {
                        tv_sec: sec as libc::time_t,
                        tv_usec: frac as libc::suseconds_t,
                    },
                    caplen,
                    len,
                };
                sf.write(&pcap::Packet::new(&h, data));
            }
            Sink::File { out, failed } => {
                if failed.is_some() {
                    return;
                }
                let mut h = [0u8; 16];
                h[0..4].copy_from_slice(&sec.to_ne_bytes());
                h[4..8].copy_from_slice(&frac.to_ne_bytes());
                h[8..12].copy_from_slice(&caplen.to_ne_bytes());
                h[12..16].copy_from_slice(&len.to_ne_bytes());
                if let Err(e) = out.write_all(&h).and_then(|_| out.write_all(data)) {
                    *failed = Some(e);
                }
            }
        }
    }

    pub fn flush(&mut self) -> Result<(), CaptureError> {
        let err = |why: String| CaptureError::Write {
            path: self.path.clone(),
            why,
        };
        match &mut self.sink {
            Sink::Lib(sf) => sf.flush().map_err(|e| err(friendly(e))),
            Sink::File { out, failed } => match failed.take() {
                Some(e) => Err(err(io_why(&e))),
                None => out.flush().map_err(|e| err(io_why(&e))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// scapy: Ether / IP(192.0.2.1 > 192.0.2.2) / TCP(40000 > 80, S).
    const TCP_SYN: &str = "020000000002020000000001080045000028000100004006f6cbc0000201c0000202\
                           9c400050000003e800000000500220006b660000";
    /// scapy: Ether / IP(192.0.2.1 > 192.0.2.3) / UDP(5353 > 53) / b'hello'.
    const UDP_HELLO: &str = "020000000002020000000001080045000021000100004011f6c6c0000201c0000203\
                             14e90035000d22df68656c6c6f";
    const T0: u32 = 1_700_000_000;

    /// A path in the temp dir, unique to this process and call, removed when dropped.
    struct Tmp(PathBuf);

    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            let _ = std::fs::remove_dir(&self.0);
        }
    }

    impl std::ops::Deref for Tmp {
        type Target = str;
        fn deref(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }

    fn temp(name: &str) -> Tmp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        Tmp(std::env::temp_dir().join(format!("pkt-pcapio-{}-{n}-{name}", std::process::id())))
    }

    #[derive(Clone)]
    struct Rec {
        sec: u32,
        frac: u32,
        /// Stored as the record's caplen unless `caplen` says otherwise.
        data: Vec<u8>,
        len: u32,
    }

    fn rec(sec: u32, frac: u32, data: &[u8]) -> Rec {
        Rec {
            sec,
            frac,
            data: data.to_vec(),
            len: data.len() as u32,
        }
    }

    /// What a pcap file's header says.
    #[derive(Clone, Copy)]
    struct Head {
        magic: u32,
        big: bool,
        version: (u16, u16),
        snaplen: u32,
        linktype: u32,
    }

    /// Microseconds, in this host's byte order (as `-w` writes).
    const USEC: Head = Head {
        magic: MAGIC_USEC,
        big: cfg!(target_endian = "big"),
        version: (2, 4),
        snaplen: 65535,
        linktype: 1,
    };
    const NSEC: Head = Head {
        magic: MAGIC_NSEC,
        ..USEC
    };

    fn pcap_bytes(h: Head, recs: &[Rec]) -> Vec<u8> {
        let u16b = |v: u16| {
            if h.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if h.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut v = Vec::new();
        v.extend(u32b(h.magic));
        v.extend(u16b(h.version.0));
        v.extend(u16b(h.version.1));
        v.extend(u32b(0));
        v.extend(u32b(0));
        v.extend(u32b(h.snaplen));
        v.extend(u32b(h.linktype));
        for r in recs {
            v.extend(u32b(r.sec));
            v.extend(u32b(r.frac));
            v.extend(u32b(r.data.len() as u32));
            v.extend(u32b(r.len));
            if h.magic == MAGIC_KUZNETSOV {
                v.extend([0xee; 8]);
            }
            v.extend(&r.data);
        }
        v
    }

    fn write_file(name: &str, bytes: &[u8]) -> Tmp {
        let p = temp(name);
        std::fs::write(&p.0, bytes).unwrap();
        p
    }

    /// (sec, nsec, caplen, len, data) of every frame, and the error that ended the file if any.
    type Got = (i64, u32, usize, usize, Vec<u8>);
    fn read_all(cf: &mut CaptureFile) -> (Vec<Got>, Option<CaptureError>) {
        let mut got = Vec::new();
        loop {
            match cf.next_frame() {
                Ok(Some(f)) => {
                    assert_eq!(f.caplen, f.data.len());
                    got.push((f.ts_sec, f.ts_nsec, f.caplen, f.len, f.data.to_vec()))
                }
                Ok(None) => return (got, None),
                Err(e) => return (got, Some(e)),
            }
        }
    }

    fn read_path(path: &str, filter: Option<&str>) -> (Vec<Got>, Option<CaptureError>) {
        read_all(&mut CaptureFile::open(path, filter).unwrap())
    }

    fn open_err(bytes: &[u8]) -> String {
        let path = write_file("bad.pcap", bytes);
        match CaptureFile::open(&path, None) {
            Err(e @ CaptureError::Open { .. }) => e.to_string(),
            Err(e) => panic!("not an open error: {e}"),
            Ok(_) => panic!("opened"),
        }
    }

    #[test]
    fn reads_both_precisions_in_both_byte_orders() {
        let syn = hex(TCP_SYN);
        for nano in [false, true] {
            for big in [false, true] {
                let head = Head {
                    big,
                    ..if nano { NSEC } else { USEC }
                };
                let frac = if nano { 123_456_789 } else { 123_456 };
                let recs = [
                    rec(T0, frac, &syn),
                    Rec {
                        len: 1514,
                        ..rec(T0 + 1, 0, &syn[..20])
                    },
                ];
                let path = write_file("orders.pcap", &pcap_bytes(head, &recs));
                let mut cf = CaptureFile::open(&path, None).unwrap();
                assert_eq!(cf.linktype, 1);
                let (got, err) = read_all(&mut cf);
                assert!(err.is_none(), "{err:?}");
                let nsec = if nano { 123_456_789 } else { 123_456_000 };
                assert_eq!(
                    got[0],
                    (T0 as i64, nsec, syn.len(), syn.len(), syn.clone()),
                    "nano {nano} big {big}"
                );
                assert_eq!(
                    got[1],
                    (T0 as i64 + 1, 0, 20, 1514, syn[..20].to_vec()),
                    "nano {nano} big {big}"
                );
                assert_eq!(got.len(), 2);
            }
        }
    }

    #[test]
    fn reads_the_same_as_libpcap() {
        let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
        let recs: Vec<Rec> = (0..50)
            .map(|i| rec(T0 + i, i * 1000, if i % 3 == 0 { &udp } else { &syn }))
            .collect();
        for head in [
            USEC,
            NSEC,
            Head { big: true, ..USEC },
            Head { big: true, ..NSEC },
        ] {
            let path = write_file("libpcap.pcap", &pcap_bytes(head, &recs));
            let ours = read_path(&path, None).0;
            let mut cap = Capture::from_file_with_precision(&*path, Precision::Nano).unwrap();
            let mut theirs = Vec::new();
            while let Ok(p) = cap.next_packet() {
                let h = p.header;
                theirs.push((
                    h.ts.tv_sec,
                    h.ts.tv_usec as u32,
                    h.caplen as usize,
                    h.len as usize,
                    p.data.to_vec(),
                ));
            }
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn record_longer_than_snaplen_is_read_whole() {
        let big: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        let recs = [rec(T0, 0, &big), rec(T0, 1, &big[..10])];
        let path = write_file(
            "snaplen.pcap",
            &pcap_bytes(
                Head {
                    snaplen: 64,
                    ..USEC
                },
                &recs,
            ),
        );
        let (got, err) = read_path(&path, None);
        assert!(err.is_none(), "{err:?}");
        assert_eq!((got[0].2, got[0].3), (3000, 3000));
        assert_eq!(got[0].4, big);
        assert_eq!(got[1].4, &big[..10]);
        // (libpcap keeps only the snaplen.)
        let mut cap = Capture::from_file(&*path).unwrap();
        assert_eq!(cap.next_packet().unwrap().data.len(), 64);
    }

    #[test]
    fn records_across_buffer_refills_and_bigger_than_the_buffer() {
        let mut recs: Vec<Rec> = (0..3000u32)
            .map(|i| {
                rec(
                    T0 + i,
                    0,
                    &(0..(i % 1500) as usize + 1)
                        .map(|b| (b as u32 ^ i) as u8)
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let huge: Vec<u8> = (0..(READ_BUF * 5 / 2) as u32)
            .map(|i| (i % 251) as u8)
            .collect();
        recs.insert(1234, rec(T0, 0, &huge));
        let path = write_file("refill.pcap", &pcap_bytes(USEC, &recs));
        let (got, err) = read_path(&path, None);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(got.len(), recs.len());
        for (g, r) in got.iter().zip(&recs) {
            assert_eq!((g.0, &g.4), (r.sec as i64, &r.data));
        }
    }

    #[test]
    fn truncated_record_is_damaged_after_the_complete_records() {
        let syn = hex(TCP_SYN);
        let recs: Vec<Rec> = (0..4).map(|i| rec(T0 + i, 0, &syn)).collect();
        let bytes = pcap_bytes(USEC, &recs);
        let last = 16 + syn.len();
        for (cut, wants) in [
            (bytes.len() - 10, "record 4 needs 54 bytes of data, 44 left"),
            (
                bytes.len() - last + 16,
                "record 4 needs 54 bytes of data, 0 left",
            ),
            (
                bytes.len() - last + 5,
                "record 4 header needs 16 bytes, 5 left",
            ),
        ] {
            let path = write_file("cut.pcap", &bytes[..cut]);
            let (got, err) = read_path(&path, None);
            assert_eq!(got.len(), 3);
            match err {
                Some(e @ CaptureError::Damaged { after: 3, .. }) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains(wants) && msg.contains("stopped after packet 3"),
                        "{msg}"
                    );
                    assert_eq!(msg.lines().count(), 1);
                }
                other => panic!("{other:?}"),
            }
        }
        // Only the complete records count, filtered out or not.
        let path = write_file("cut.pcap", &bytes[..bytes.len() - 1]);
        let (got, err) = read_path(&path, Some("udp"));
        assert!(got.is_empty());
        assert!(
            matches!(err, Some(CaptureError::Damaged { after: 3, .. })),
            "{err:?}"
        );
        // A record claiming an absurd length is damage, found without reading (or allocating) it.
        let mut bytes = pcap_bytes(USEC, &recs[..1]);
        bytes.extend(
            pcap_bytes(
                USEC,
                &[Rec {
                    len: 60,
                    ..rec(T0, 0, &[])
                }],
            )[24..]
                .iter(),
        );
        let n = bytes.len();
        bytes[n - 8..n - 4].copy_from_slice(&u32::MAX.to_ne_bytes());
        let path = write_file("absurd.pcap", &bytes);
        let (got, err) = read_path(&path, None);
        assert_eq!(got.len(), 1);
        assert!(
            matches!(err, Some(CaptureError::Damaged { after: 1, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn fraction_out_of_range_carries_into_seconds() {
        let d = [0u8; 14];
        let recs = [
            rec(T0, 999_999, &d),
            rec(T0, 1_000_000, &d),
            rec(T0, 4_294_968, &d),
            rec(T0, u32::MAX, &d),
        ];
        let path = write_file("usec.pcap", &pcap_bytes(USEC, &recs));
        let got: Vec<(i64, u32)> = read_path(&path, None)
            .0
            .iter()
            .map(|g| (g.0, g.1))
            .collect();
        let t = T0 as i64;
        assert_eq!(
            got,
            [
                (t, 999_999_000),
                (t + 1, 0),
                (t + 4, 294_968_000),
                (t + 4294, 967_295_000)
            ]
        );

        let recs = [
            rec(T0, 999_999_999, &d),
            rec(T0, 1_000_000_000, &d),
            rec(u32::MAX, u32::MAX, &d),
        ];
        let path = write_file("nsec.pcap", &pcap_bytes(NSEC, &recs));
        let got: Vec<(i64, u32)> = read_path(&path, None)
            .0
            .iter()
            .map(|g| (g.0, g.1))
            .collect();
        assert_eq!(
            got,
            [
                (t, 999_999_999),
                (t + 1, 0),
                (u32::MAX as i64 + 4, 294_967_295)
            ]
        );
    }

    #[test]
    fn seconds_past_2038_stay_positive() {
        let d = [0u8; 14];
        let recs = [rec(0x8000_0000, 0, &d), rec(u32::MAX, 5, &d)];
        for head in [USEC, Head { big: true, ..NSEC }] {
            let path = write_file("y2038.pcap", &pcap_bytes(head, &recs));
            let got = read_path(&path, None).0;
            assert_eq!((got[0].0, got[1].0), (0x8000_0000, 0xffff_ffff));
        }
    }

    #[test]
    fn filter_selects_by_compiled_bpf() {
        let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
        // The UDP frame is snapped: `greater` must see its wire length.
        let recs = [
            rec(T0, 0, &syn),
            Rec {
                len: 1000,
                ..rec(T0 + 1, 0, &udp)
            },
            rec(T0 + 2, 0, &syn),
        ];
        for head in [USEC, Head { big: true, ..NSEC }] {
            let path = write_file("filter.pcap", &pcap_bytes(head, &recs));
            let secs = |f: &str| {
                read_path(&path, Some(f))
                    .0
                    .iter()
                    .map(|g| g.0 - T0 as i64)
                    .collect::<Vec<_>>()
            };
            assert_eq!(secs("udp"), [1]);
            assert_eq!(secs("tcp"), [0, 2]);
            assert_eq!(secs("greater 500"), [1]);
            assert_eq!(secs("udp or tcp[13] & 2 != 0"), [0, 1, 2]);
            assert_eq!(secs("  "), [0, 1, 2]);
            match CaptureFile::open(&path, Some("tcp and")) {
                Err(e @ CaptureError::Filter { .. }) => {
                    assert!(e.to_string().starts_with("bad filter 'tcp and': "))
                }
                Err(e) => panic!("{e}"),
                Ok(_) => panic!("a bad filter compiled"),
            }
        }
        // Raw IP files: LINKTYPE 101 is libpcap's DLT_RAW.
        let ip = &syn[14..];
        let path = write_file(
            "raw.pcap",
            &pcap_bytes(
                Head {
                    linktype: 101,
                    ..USEC
                },
                &[rec(T0, 0, ip)],
            ),
        );
        assert_eq!(CaptureFile::open(&path, None).unwrap().linktype, 101);
        assert_eq!(read_path(&path, Some("tcp port 80")).0.len(), 1);
        assert_eq!(read_path(&path, Some("udp")).0.len(), 0);
    }

    fn write_through(path: &str, out: &str) {
        let mut cf = CaptureFile::open(path, None).unwrap();
        let mut w = cf.savefile(out).unwrap();
        while let Some(f) = cf.next_frame().unwrap() {
            w.write(&f);
        }
        w.flush().unwrap();
    }

    #[test]
    fn savefile_round_trip_is_byte_exact() {
        let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
        for head in [
            USEC,
            NSEC,
            Head {
                snaplen: 20,
                linktype: 0x3000_0001,
                ..USEC
            },
        ] {
            let recs = [
                rec(T0, 123_456, &syn),
                Rec {
                    len: 9000,
                    ..rec(T0 + 1, 999_999_999, &udp[..30])
                },
                rec(T0 + 2, 1_000_000, &udp),       // out of range in µs
                rec(u32::MAX, 4_000_000_000, &syn), // out of range in both
                rec(0x8000_0000, 7, &[]),
            ];
            let bytes = pcap_bytes(head, &recs);
            let path = write_file("roundtrip.pcap", &bytes);
            let out = temp("roundtrip-out.pcap");
            write_through(&path, &out);
            assert!(
                std::fs::read(&*out).unwrap() == bytes,
                "magic {:x}",
                head.magic
            );
        }
    }

    #[test]
    fn savefile_of_other_forms_is_a_plain_host_order_file() {
        let syn = hex(TCP_SYN);
        let recs = [
            rec(T0, 5, &syn),
            Rec {
                len: 100,
                ..rec(T0 + 1, 6, &syn[..40])
            },
        ];
        let plain = pcap_bytes(NSEC, &recs);
        // Big-endian, and version 2.2 with the two lengths the other way round.
        let mut swapped_lengths = pcap_bytes(
            Head {
                big: true,
                version: (2, 2),
                ..NSEC
            },
            &recs,
        );
        // Swap each record's caplen and len fields in place.
        let mut at = 24;
        for r in &recs {
            let (c, l) = (at + 8, at + 12);
            let caplen: [u8; 4] = swapped_lengths[c..c + 4].try_into().unwrap();
            swapped_lengths.copy_within(l..l + 4, c);
            swapped_lengths[l..l + 4].copy_from_slice(&caplen);
            at += 16 + r.data.len();
        }
        for (name, bytes) in [
            ("big", pcap_bytes(Head { big: true, ..NSEC }, &recs)),
            ("v2.2", swapped_lengths),
        ] {
            let path = write_file("other.pcap", &bytes);
            let out = temp("other-out.pcap");
            write_through(&path, &out);
            assert!(std::fs::read(&*out).unwrap() == plain, "{name}");
        }
        // Kuznetsov's modified pcap: microseconds, 24-byte record headers.
        let kuz = Head {
            magic: MAGIC_KUZNETSOV,
            ..USEC
        };
        for big in [false, true] {
            let path = write_file("kuznetsov.pcap", &pcap_bytes(Head { big, ..kuz }, &recs));
            let (got, err) = read_path(&path, None);
            assert!(err.is_none(), "{err:?}");
            assert_eq!(got[0], (T0 as i64, 5000, syn.len(), syn.len(), syn.clone()));
            assert_eq!(got[1], (T0 as i64 + 1, 6000, 40, 100, syn[..40].to_vec()));
            let out = temp("kuznetsov-out.pcap");
            write_through(&path, &out);
            let mut want = pcap_bytes(
                Head {
                    snaplen: 65535 + 14,
                    ..USEC
                },
                &recs,
            );
            want[16..20].copy_from_slice(&(65535u32 + 14).to_ne_bytes());
            assert!(std::fs::read(&*out).unwrap() == want);
        }
    }

    #[test]
    fn open_errors_say_what_is_wrong() {
        assert!(open_err(b"").ends_with(": empty file, not a capture"));
        let text = open_err(b"These are some notes, not a packet capture.");
        assert!(
            text.ends_with(": not a pcap or pcapng capture (unknown magic 0x54686573)"),
            "{text}"
        );
        assert!(open_err(b"ab").contains("not a pcap or pcapng capture"));
        let bytes = pcap_bytes(USEC, &[]);
        assert!(open_err(&bytes[..10]).contains("truncated pcap file header (10 of 24 bytes)"));
        assert!(
            open_err(&pcap_bytes(
                Head {
                    version: (1, 0),
                    ..USEC
                },
                &[]
            ))
            .contains("archaic")
        );
        assert!(
            open_err(&pcap_bytes(
                Head {
                    version: (2, 5),
                    ..USEC
                },
                &[]
            ))
            .contains("unsupported pcap savefile version 2.5")
        );
        let dir = temp("dir");
        std::fs::create_dir(&*dir).unwrap();
        assert!(matches!(
            CaptureFile::open(&dir, None),
            Err(CaptureError::Open { .. })
        ));
        let missing = temp("missing.pcap");
        let e = CaptureFile::open(&missing, None).err().unwrap().to_string();
        assert!(e.ends_with(": No such file or directory"), "{e}");
        // A header alone is an empty capture.
        let path = write_file("header-only.pcap", &bytes);
        let (got, err) = read_path(&path, None);
        assert!(got.is_empty() && err.is_none());
    }

    #[test]
    fn write_errors_name_the_path_once() {
        let path = write_file("w.pcap", &pcap_bytes(USEC, &[]));
        let cf = CaptureFile::open(&path, None).unwrap();
        let bad = temp("no-such-dir").0.join("out.pcap");
        let e = cf
            .savefile(bad.to_str().unwrap())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(e, format!("{}: No such file or directory", bad.display()));
    }

    /// Byte-swapped files carry some pseudo-headers in the writer's byte order; they come out
    /// as libpcap hands them over.
    #[test]
    fn swapped_pseudo_headers_read_as_through_libpcap() {
        let seq: Vec<u8> = (1..=100).collect();
        let mut sll = vec![0u8; 14];
        sll.extend([0x00, 0x0c]);
        sll.extend(&seq[..20]);
        let mut usb_iso = seq.clone();
        usb_iso[9] = 0; // isochronous
        usb_iso[60..64].copy_from_slice(&[0, 0, 0, 2]); // two descriptors (big-endian)
        let nflog = [
            2, 0, 0, 5, 0, 8, 0, 1, b'A', b'B', b'C', b'D', 0, 6, 0, 2, b'E', b'F', 0, 0, 0, 3,
        ];
        for (linktype, data) in [
            (113, sll),
            (189, seq.clone()),
            (220, seq.clone()),
            (220, usb_iso),
            (239, nflog.to_vec()),
            (117, seq.clone()),
        ] {
            let recs: Vec<Rec> = (0..data.len())
                .step_by(7)
                .map(|n| rec(T0, 0, &data[..n]))
                .chain([rec(T0, 0, &data)])
                .collect();
            let path = write_file(
                "pseudo.pcap",
                &pcap_bytes(
                    Head {
                        big: true,
                        linktype,
                        ..USEC
                    },
                    &recs,
                ),
            );
            let ours: Vec<Vec<u8>> = read_path(&path, None).0.into_iter().map(|g| g.4).collect();
            let mut cap = Capture::from_file(&*path).unwrap();
            let mut theirs = Vec::new();
            while let Ok(p) = cap.next_packet() {
                theirs.push(p.data.to_vec());
            }
            assert_eq!(ours, theirs, "linktype {linktype}");
        }
    }

    /// pcapng goes through libpcap: a section, an Ethernet interface and one enhanced packet.
    #[test]
    fn pcapng_is_read_through_libpcap() {
        let syn = hex(TCP_SYN);
        let mut b = Vec::new();
        let block = |b: &mut Vec<u8>, kind: u32, body: &[u8]| {
            let len = 12 + body.len().div_ceil(4) * 4;
            b.extend(kind.to_le_bytes());
            b.extend((len as u32).to_le_bytes());
            b.extend(body);
            b.resize(b.len() + (4 - body.len() % 4) % 4, 0);
            b.extend((len as u32).to_le_bytes());
        };
        block(
            &mut b,
            0x0a0d_0d0a,
            &[
                0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        );
        block(&mut b, 1, &[1, 0, 0, 0, 0, 0, 0, 0]);
        let us = T0 as u64 * 1_000_000 + 250_000;
        let mut epb = Vec::new();
        epb.extend(0u32.to_le_bytes());
        epb.extend(((us >> 32) as u32).to_le_bytes());
        epb.extend((us as u32).to_le_bytes());
        epb.extend((syn.len() as u32).to_le_bytes());
        epb.extend(1514u32.to_le_bytes());
        epb.extend(&syn);
        block(&mut b, 6, &epb);
        let path = write_file("ng.pcapng", &b);
        let mut cf = CaptureFile::open(&path, None).unwrap();
        assert_eq!(cf.linktype, 1);
        let (got, err) = read_all(&mut cf);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(
            got,
            [(T0 as i64, 250_000_000, syn.len(), 1514, syn.clone())]
        );
        assert_eq!(read_path(&path, Some("udp")).0.len(), 0);
        assert_eq!(read_path(&path, Some("tcp")).0.len(), 1);
        // -w writes a nanosecond pcap of it.
        let out = temp("ng-out.pcap");
        write_through(&path, &out);
        let recs = [Rec {
            len: 1514,
            ..rec(T0, 250_000_000, &syn)
        }];
        let mut want = pcap_bytes(NSEC, &recs);
        want[16..20].copy_from_slice(&262_144u32.to_ne_bytes());
        assert!(std::fs::read(&*out).unwrap() == want);
    }

    /// A writer takes frames of another precision too (`pkt read a.pcap b.pcap -w out`).
    #[test]
    fn writer_converts_other_precisions() {
        let syn = hex(TCP_SYN);
        let usec = write_file("a.pcap", &pcap_bytes(USEC, &[rec(T0, 123_456, &syn)]));
        let nsec = write_file(
            "b.pcap",
            &pcap_bytes(NSEC, &[rec(T0 + 1, 987_654_321, &syn)]),
        );
        for (first, second, want) in [
            (
                &usec,
                &nsec,
                pcap_bytes(USEC, &[rec(T0, 123_456, &syn), rec(T0 + 1, 987_654, &syn)]),
            ),
            (
                &nsec,
                &usec,
                pcap_bytes(
                    NSEC,
                    &[rec(T0 + 1, 987_654_321, &syn), rec(T0, 123_456_000, &syn)],
                ),
            ),
        ] {
            let out = temp("mixed.pcap");
            let mut a = CaptureFile::open(first, None).unwrap();
            let mut w = a.savefile(&out).unwrap();
            w.write(&a.next_frame().unwrap().unwrap());
            let mut b = CaptureFile::open(second, None).unwrap();
            w.write(&b.next_frame().unwrap().unwrap());
            w.flush().unwrap();
            assert!(std::fs::read(&*out).unwrap() == want);
        }
    }
}
