//! Capture files: classic pcap and pcapng, from a file or `-` (standard input), read by our own
//! readers (every record whole, whatever the file header's snaplen says; pcapng with any
//! number of interfaces and link types); BPF filters compiled by libpcap for each link type;
//! and savefiles for writing selected packets back unchanged.

use pcap::{BpfProgram, Capture, Linktype, PacketHeader, Precision};
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
    /// An output file could not be opened or written.
    Output(crate::io::outfile::OutError),
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
            CaptureError::Output(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaptureError::Output(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

/// One frame as read from a file; `data` borrows the reader's buffer.
pub struct Frame<'a> {
    pub ts_sec: i64,
    pub ts_nsec: u32,
    pub caplen: usize,
    pub len: usize,
    pub data: &'a [u8],
    /// The frame's LINKTYPE: the file's, or in pcapng its interface's.
    pub linktype: u32,
    /// The name of the interface it was captured on, where the file says (pcapng's if_name).
    pub iface: Option<&'static str>,
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
    /// The pcap LINKTYPE of the file (in pcapng, of its first interface; each frame has its own).
    pub linktype: u32,
    /// Records read so far (for a classic pcap file: filtered out or not).
    read: u64,
}

enum Source {
    /// Classic pcap.
    Pcap(PcapReader),
    /// pcapng (nanosecond time stamps).
    Ng(NgReader),
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
        if path == "-" {
            return CaptureFile::from_reader(Box::new(io::stdin().lock()), "<stdin>", filter);
        }
        let meta = std::fs::metadata(path).map_err(|e| open_err(io_why(&e)))?;
        if meta.is_dir() {
            return Err(open_err("is a directory".into()));
        }
        let file = File::open(path).map_err(|e| open_err(io_why(&e)))?;
        CaptureFile::from_reader(Box::new(file), path, filter)
    }

    /// Reads a capture (pcap or pcapng) from any reader; `path` names it in messages.
    pub fn from_reader(
        src: Box<dyn Read>,
        path: &str,
        filter: Option<&str>,
    ) -> Result<CaptureFile, CaptureError> {
        let open_err = |why: String| CaptureError::Open {
            path: path.to_string(),
            why,
        };
        let filter = filter.filter(|f| !f.trim().is_empty());
        let mut input = Input::new(src);
        let have = input.fill(4).map_err(|e| open_err(io_why(&e)))?;
        if have == 0 {
            return Err(open_err("empty file, not a capture".into()));
        }
        if have < 4 {
            return Err(open_err(format!(
                "not a pcap or pcapng capture (only {have} bytes)"
            )));
        }
        if input.available()[..4] == PCAPNG_MAGIC {
            let (mut reader, linktype) = NgReader::open(input, filter).map_err(open_err)?;
            // A bad filter is an error now, not at the first packet.
            if let Some(f) = filter {
                reader.keep_program(linktype, compile(f, linktype, true)?);
            }
            return Ok(CaptureFile {
                src: Source::Ng(reader),
                path: path.to_string(),
                linktype,
                read: 0,
            });
        }
        input
            .fill(FILE_HEADER_LEN)
            .map_err(|e| open_err(io_why(&e)))?;
        let header = FileHeader::parse(input.available()).map_err(open_err)?;
        input.pos = FILE_HEADER_LEN;
        let linktype = header.linktype & 0xffff;
        let filter = match filter {
            None => None,
            Some(f) => Some(compile(f, linktype, header.nano)?),
        };
        // Pseudo-headers that libpcap converts from the writing host's byte order.
        let pseudo = if header.swapped {
            Pseudo::of(linktype)
        } else {
            Pseudo::None
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

    /// Records read so far, filtered out or not.
    pub fn records_read(&self) -> u64 {
        self.read
    }

    /// The next frame (after the filter), `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        match &mut self.src {
            Source::Pcap(r) => r.next(&self.path, &mut self.read),
            Source::Ng(r) => r.next(&self.path, &mut self.read),
        }
    }

    /// A savefile with this file's link type and time precision.
    pub fn savefile(&self, path: &str) -> Result<Writer, CaptureError> {
        let (sink, nano) = match &self.src {
            Source::Pcap(r) => {
                let h = &r.header;
                let mut out = open_output(path, crate::io::outfile::Mode::Finite)?;
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
                out.write_all(&hdr)
                    .map_err(|e| CaptureError::Output(crate::io::outfile::OutError::io(path, e)))?;
                (Sink::File { out }, h.nano)
            }
            // A nanosecond pcap of the (first) link type, as libpcap wrote for pcapng input.
            Source::Ng(r) => {
                return Writer::create_snap(
                    path,
                    self.linktype,
                    true,
                    r.libpcap_snaplen(),
                    crate::io::outfile::Mode::Finite,
                );
            }
        };
        Ok(Writer {
            sink,
            nano,
            path: path.to_string(),
            linktype: self.linktype,
            written: FILE_HEADER_LEN as u64,
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

/// The snaplen libpcap gives a file from the one it states: a bogus one (0, or beyond `int`)
/// is the most its link type allows.
fn libpcap_snaplen(snaplen: u32, linktype: u32) -> u32 {
    match snaplen {
        0 | 0x8000_0000.. => match linktype {
            231 => 128 << 20, // DBUS
            279 => 8 << 20,   // EBHSCR
            249 => 1 << 20,   // USBPCAP
            _ => 262_144,
        },
        s => s,
    }
}

/// Compiles a filter for a link type, as libpcap would for a file of it.
fn compile(filter: &str, linktype: u32, nano: bool) -> Result<BpfProgram, CaptureError> {
    let err = |e: pcap::Error| CaptureError::Filter {
        filter: filter.to_string(),
        why: friendly(e),
    };
    let precision = if nano {
        Precision::Nano
    } else {
        Precision::Micro
    };
    Capture::dead_with_precision(Linktype(dlt_of_linktype(linktype)), precision)
        .map_err(err)?
        .compile(filter, true)
        .map_err(err)
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

mod classic;
mod ng;
mod swap;
mod writer;
use classic::{FileHeader, PcapReader};
use ng::NgReader;
use swap::{Pseudo, swap_pseudo_header};
use writer::{Sink, open_output};
pub use writer::{Writer, is_pcapng};

#[cfg(test)]
mod tests;
