//! Writing captures: classic pcap (written here, like the input, stamps bit for bit) and pcapng
//! (written here: one interface block per link type, nanosecond stamps), to a file or `-`,
//! through [`crate::io::outfile`]'s rule. The first write error is returned at once, naming the
//! file; [`Writer::finish`] puts a finite output in place.

use super::*;
use crate::io::outfile::{Mode, OutError, OutFile};

/// An output capture file, buffered; `-` is standard output.
pub(super) fn open_output(path: &str, mode: Mode) -> Result<io::BufWriter<OutFile>, CaptureError> {
    let out = OutFile::create(path, mode).map_err(CaptureError::Output)?;
    Ok(io::BufWriter::with_capacity(WRITE_BUF, out))
}

/// Whether an output path asks for pcapng (by its extension).
pub fn is_pcapng(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pcapng"))
}

/// Writes frames unchanged to a pcap savefile.
pub struct Writer {
    pub(super) sink: Sink,
    /// The savefile has nanosecond time stamps.
    pub(super) nano: bool,
    pub path: String,
    pub linktype: u32,
    /// Bytes written so far (headers included).
    pub(super) written: u64,
}

pub(super) enum Sink {
    /// A classic pcap file written here, like the input.
    File { out: io::BufWriter<OutFile> },
    /// A pcapng file written here: one interface block per link type and interface name
    /// met, nanosecond stamps.
    Ng {
        out: io::BufWriter<OutFile>,
        interfaces: Vec<(u32, Option<String>)>,
    },
}

use super::ng::{BYTE_ORDER_MAGIC, EPB, IDB, OPT_IF_NAME, OPT_TSRESOL, OPT_USERAPPL, SHB};

/// Appends one pcapng block: type, total length, body (padded to 4), total length again.
fn ng_block(kind: u32, body: &[u8], out: &mut Vec<u8>) {
    let padded = body.len().next_multiple_of(4);
    let total = (12 + padded) as u32;
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&total.to_ne_bytes());
    out.extend_from_slice(body);
    out.resize(out.len() + padded - body.len(), 0);
    out.extend_from_slice(&total.to_ne_bytes());
}

/// Appends one option (code, length, value padded to 4).
fn ng_option(code: u16, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&code.to_ne_bytes());
    out.extend_from_slice(&(value.len() as u16).to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(out.len().next_multiple_of(4), 0);
}

impl Writer {
    /// A new classic pcap file (µs or ns time stamps) of this link type; `-` is stdout.
    pub fn create(path: &str, linktype: u32, nano: bool) -> Result<Writer, CaptureError> {
        Writer::create_snap(path, linktype, nano, 262_144, Mode::Finite)
    }

    /// A capture written as it grows (`sniff -w`): in place, not renamed at the end; pcapng or
    /// classic pcap with microsecond stamps, as tcpdump writes by default.
    pub fn live(path: &str, ng: bool, linktype: u32) -> Result<Writer, CaptureError> {
        if ng {
            Writer::create_ng_mode(path, linktype, Mode::Live)
        } else {
            Writer::create_snap(path, linktype, false, 262_144, Mode::Live)
        }
    }

    /// The same, with the header's snaplen given.
    pub(super) fn create_snap(
        path: &str,
        linktype: u32,
        nano: bool,
        snaplen: u32,
        mode: Mode,
    ) -> Result<Writer, CaptureError> {
        check_linktype(path, linktype)?;
        let mut out = open_output(path, mode)?;
        let magic: u32 = if nano { MAGIC_NSEC } else { MAGIC_USEC };
        let mut hdr = [0u8; FILE_HEADER_LEN];
        hdr[0..4].copy_from_slice(&magic.to_ne_bytes());
        hdr[4..6].copy_from_slice(&2u16.to_ne_bytes());
        hdr[6..8].copy_from_slice(&4u16.to_ne_bytes());
        hdr[16..20].copy_from_slice(&snaplen.to_ne_bytes());
        hdr[20..24].copy_from_slice(&linktype.to_ne_bytes());
        out.write_all(&hdr).map_err(|e| write_error(path, e))?;
        Ok(Writer {
            sink: Sink::File { out },
            nano,
            path: path.to_string(),
            linktype,
            written: FILE_HEADER_LEN as u64,
        })
    }

    /// A new pcapng file whose packets are of `linktype` unless given; `-` is stdout. It takes
    /// packets of any link type
    /// ([`Writer::write_packet_as`]) and times from 1970 to 2554, in nanoseconds.
    pub fn create_ng(path: &str, linktype: u32) -> Result<Writer, CaptureError> {
        Writer::create_ng_mode(path, linktype, Mode::Finite)
    }

    fn create_ng_mode(path: &str, linktype: u32, mode: Mode) -> Result<Writer, CaptureError> {
        check_linktype(path, linktype)?;
        let mut out = open_output(path, mode)?;
        let mut body = Vec::with_capacity(64);
        body.extend_from_slice(&BYTE_ORDER_MAGIC.to_ne_bytes());
        body.extend_from_slice(&1u16.to_ne_bytes());
        body.extend_from_slice(&0u16.to_ne_bytes());
        body.extend_from_slice(&(-1i64).to_ne_bytes()); // section length: not given
        let app = concat!("pkt ", env!("CARGO_PKG_VERSION"));
        ng_option(OPT_USERAPPL, app.as_bytes(), &mut body);
        ng_option(0, &[], &mut body);
        let mut block = Vec::with_capacity(80);
        ng_block(SHB, &body, &mut block);
        out.write_all(&block).map_err(|e| write_error(path, e))?;
        Ok(Writer {
            sink: Sink::Ng {
                out,
                interfaces: Vec::new(),
            },
            nano: true,
            path: path.to_string(),
            linktype,
            written: block.len() as u64,
        })
    }

    /// Bytes written so far, headers included (what the file's size will be once flushed).
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Whether this writer makes pcapng (any link type per packet).
    pub fn is_ng(&self) -> bool {
        matches!(self.sink, Sink::Ng { .. })
    }

    /// Writes one packet of this link type (pcapng: a new interface block when the link type
    /// is new; classic pcap: the file's link type is assumed).
    pub fn write_packet_as(
        &mut self,
        linktype: u32,
        ts_sec: i64,
        ts_nsec: u32,
        data: &[u8],
        len: usize,
    ) -> Result<(), CaptureError> {
        self.write_packet_on(linktype, None, ts_sec, ts_nsec, data, len)
    }

    /// The same, captured on the interface named `iface`: pcapng gives each link type and
    /// name an interface block of its own, the name as its if_name.
    pub fn write_packet_on(
        &mut self,
        linktype: u32,
        iface: Option<&str>,
        ts_sec: i64,
        ts_nsec: u32,
        data: &[u8],
        len: usize,
    ) -> Result<(), CaptureError> {
        let Sink::Ng { out, interfaces } = &mut self.sink else {
            return self.write_packet(ts_sec, ts_nsec, data, len);
        };
        check_linktype(&self.path, linktype)?;
        let mut block = Vec::with_capacity(data.len() + 64);
        let id = match interfaces
            .iter()
            .position(|(l, n)| *l == linktype && n.as_deref() == iface)
        {
            Some(id) => id,
            None => {
                let mut body = Vec::with_capacity(24);
                body.extend_from_slice(&(linktype as u16).to_ne_bytes());
                body.extend_from_slice(&0u16.to_ne_bytes());
                body.extend_from_slice(&262_144u32.to_ne_bytes());
                if let Some(name) = iface {
                    ng_option(OPT_IF_NAME, name.as_bytes(), &mut body);
                }
                ng_option(OPT_TSRESOL, &[9], &mut body);
                ng_option(0, &[], &mut body);
                ng_block(IDB, &body, &mut block);
                interfaces.push((linktype, iface.map(str::to_string)));
                interfaces.len() - 1
            }
        };
        let ts = (ts_sec.max(0) as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(ts_nsec));
        let mut body = Vec::with_capacity(data.len() + 20);
        body.extend_from_slice(&(id as u32).to_ne_bytes());
        body.extend_from_slice(&((ts >> 32) as u32).to_ne_bytes());
        body.extend_from_slice(&(ts as u32).to_ne_bytes());
        body.extend_from_slice(&(data.len() as u32).to_ne_bytes());
        body.extend_from_slice(&(len.min(u32::MAX as usize) as u32).to_ne_bytes());
        body.extend_from_slice(data);
        ng_block(EPB, &body, &mut block);
        self.written += block.len() as u64;
        out.write_all(&block)
            .map_err(|e| write_error(&self.path, e))
    }

    /// Whether the file has nanosecond time stamps.
    pub fn is_nano(&self) -> bool {
        self.nano
    }

    /// Writes one packet given by its time, bytes and original length.
    pub fn write_packet(
        &mut self,
        ts_sec: i64,
        ts_nsec: u32,
        data: &[u8],
        len: usize,
    ) -> Result<(), CaptureError> {
        if self.is_ng() {
            let lt = self.linktype;
            return self.write_packet_as(lt, ts_sec, ts_nsec, data, len);
        }
        let frac = if self.nano { ts_nsec } else { ts_nsec / 1000 };
        let sec = self.pcap_seconds(ts_sec)?;
        self.write_record(sec, frac, data, len)
    }

    pub fn write(&mut self, frame: &Frame<'_>) -> Result<(), CaptureError> {
        if self.is_ng() {
            let lt = self.linktype;
            return self.write_packet_as(lt, frame.ts_sec, frame.ts_nsec, frame.data, frame.len);
        }
        // The stored stamp when the precision matches (bit for bit, even out of range), else the
        // normalised time in this file's precision.
        let s = frame.stamp;
        let (sec, frac) = if s.nano == self.nano {
            (s.sec, s.frac)
        } else {
            (
                self.pcap_seconds(frame.ts_sec)?,
                if self.nano {
                    frame.ts_nsec
                } else {
                    frame.ts_nsec / 1000
                },
            )
        };
        self.write_record(sec, frac, frame.data, frame.len)
    }

    /// A time in a classic pcap's 32-bit seconds (1970 to 2106), or the error that it does not
    /// fit (pcapng holds it).
    fn pcap_seconds(&self, ts_sec: i64) -> Result<u32, CaptureError> {
        u32::try_from(ts_sec).map_err(|_| {
            CaptureError::Output(OutError {
                path: self.path.clone(),
                why: format!(
                    "time {ts_sec} does not fit a pcap file (seconds from 1970 to 2106; pcapng: .pcapng, to 2554)"
                ),
                source: None,
            })
        })
    }

    fn write_record(
        &mut self,
        sec: u32,
        frac: u32,
        data: &[u8],
        len: usize,
    ) -> Result<(), CaptureError> {
        let caplen = data.len() as u32;
        let len = len.min(u32::MAX as usize) as u32;
        self.written += 16 + u64::from(caplen);
        match &mut self.sink {
            Sink::Ng { .. } => Ok(()),
            Sink::File { out } => {
                let mut h = [0u8; 16];
                h[0..4].copy_from_slice(&sec.to_ne_bytes());
                h[4..8].copy_from_slice(&frac.to_ne_bytes());
                h[8..12].copy_from_slice(&caplen.to_ne_bytes());
                h[12..16].copy_from_slice(&len.to_ne_bytes());
                out.write_all(&h)
                    .and_then(|_| out.write_all(data))
                    .map_err(|e| write_error(&self.path, e))
            }
        }
    }

    /// Writes out what is buffered (the file stays open).
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        let (Sink::File { out } | Sink::Ng { out, .. }) = &mut self.sink;
        out.flush().map_err(|e| write_error(&self.path, e))
    }

    /// Flushes and closes the file; a finite output is put in place now. A `Writer` dropped
    /// without this leaves its target as it was (a live one as far as it was flushed).
    pub fn finish(mut self) -> Result<(), CaptureError> {
        self.flush()?;
        let (Sink::File { out } | Sink::Ng { out, .. }) = self.sink;
        let out = out
            .into_inner()
            .map_err(|e| write_error(&self.path, e.into_error()))?;
        out.commit().map_err(CaptureError::Output)
    }
}

/// A write error on `path`, with the OS's reason.
fn write_error(path: &str, e: io::Error) -> CaptureError {
    CaptureError::Output(OutError::io(path, e))
}

/// A pcap header and a pcapng interface block hold a 16-bit link type (pcap's upper bits are
/// flags, FCS length and the like, kept as read): a larger one is refused, not cut.
fn check_linktype(path: &str, linktype: u32) -> Result<(), CaptureError> {
    if linktype > 0xffff {
        return Err(CaptureError::Output(OutError {
            path: path.to_string(),
            why: format!("link type {linktype} does not fit a capture file (0 to 65535)"),
            source: None,
        }));
    }
    Ok(())
}
