//! Capture files through libpcap: pcap and pcapng, `-` for stdin, BPF filters compiled for the
//! file's link type, and savefiles for writing selected packets back unchanged.

use pcap::{Capture, Offline, Precision, Savefile};
use std::fmt;
use std::io::Read;

/// A problem with a capture file, worded for the person who named it.
#[derive(Debug)]
pub enum CaptureError {
    Open { path: String, why: String },
    Filter { filter: String, why: String },
    /// The file ended inside a record: what was read before it stands.
    Damaged { path: String, after: u64, why: String },
    Write { path: String, why: String },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Open { path, why } => write!(f, "{path}: {why}"),
            CaptureError::Filter { filter, why } => write!(f, "bad filter '{filter}': {why}"),
            CaptureError::Damaged { path, after, why } => {
                write!(f, "{path}: stopped after packet {after} of this file: {why}")
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
    pub(crate) packet: pcap::Packet<'a>,
}

/// An open capture file.
pub struct CaptureFile {
    cap: Capture<Offline>,
    pub path: String,
    /// The pcap LINKTYPE of the file.
    pub linktype: u32,
    nano: bool,
    read: u64,
}

/// libpcap's DLT numbers are the file's LINKTYPE numbers, except for raw IP.
pub fn linktype_of_dlt(dlt: i32) -> u32 {
    match dlt {
        12 | 14 => 101,
        d => d as u32,
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

impl CaptureFile {
    /// Opens `path` (`-` is standard input), with an optional BPF filter.
    pub fn open(path: &str, filter: Option<&str>) -> Result<CaptureFile, CaptureError> {
        let open_err = |why: String| CaptureError::Open { path: path.to_string(), why };
        let (cap, nano) = if path == "-" {
            // SAFETY: fd 0 stays open for the life of the process; libpcap takes a FILE* on it.
            let cap = unsafe { Capture::from_raw_fd_with_precision(0, Precision::Nano) };
            (cap.map_err(|e| open_err(friendly(e)))?, true)
        } else {
            let meta = std::fs::metadata(path).map_err(|e| open_err(io_why(&e)))?;
            if meta.is_dir() {
                return Err(open_err("is a directory".into()));
            }
            // Keep a microsecond file microsecond (so `-w` writes it back unchanged).
            let mut magic = [0u8; 4];
            let micro = std::fs::File::open(path)
                .and_then(|mut f| f.read_exact(&mut magic))
                .map(|_| matches!(u32::from_le_bytes(magic), 0xa1b2c3d4 | 0xd4c3b2a1))
                .unwrap_or(false);
            let precision = if micro { Precision::Micro } else { Precision::Nano };
            let cap = Capture::from_file_with_precision(path, precision).map_err(|e| open_err(friendly(e)))?;
            (cap, !micro)
        };
        let mut cap = cap;
        if let Some(f) = filter.filter(|f| !f.trim().is_empty()) {
            cap.filter(f, true).map_err(|e| CaptureError::Filter { filter: f.to_string(), why: friendly(e) })?;
        }
        let linktype = linktype_of_dlt(cap.get_datalink().0);
        let path = if path == "-" { "<stdin>".to_string() } else { path.to_string() };
        Ok(CaptureFile { cap, path, linktype, nano, read: 0 })
    }

    /// The next frame (after the filter), `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        match self.cap.next_packet() {
            Ok(p) => {
                self.read += 1;
                let h = p.header;
                let frac = h.ts.tv_usec as u32;
                Ok(Some(Frame {
                    ts_sec: h.ts.tv_sec as i64,
                    ts_nsec: if self.nano { frac } else { frac * 1000 },
                    caplen: h.caplen as usize,
                    len: h.len as usize,
                    data: p.data,
                    packet: p,
                }))
            }
            Err(pcap::Error::NoMorePackets) => Ok(None),
            Err(e) => Err(CaptureError::Damaged { path: self.path.clone(), after: self.read, why: friendly(e) }),
        }
    }

    /// A savefile with this file's link type and time precision.
    pub fn savefile(&self, path: &str) -> Result<Writer, CaptureError> {
        let sf = self.cap.savefile(path).map_err(|e| CaptureError::Write { path: path.into(), why: friendly(e) })?;
        Ok(Writer { sf, path: path.to_string(), linktype: self.linktype })
    }
}

fn io_why(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Writes frames unchanged to a pcap savefile.
pub struct Writer {
    sf: Savefile,
    pub path: String,
    pub linktype: u32,
}

impl Writer {
    pub fn write(&mut self, frame: &Frame<'_>) {
        self.sf.write(&frame.packet);
    }
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        self.sf.flush().map_err(|e| CaptureError::Write { path: self.path.clone(), why: friendly(e) })
    }
}
