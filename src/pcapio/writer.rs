//! Writing captures: classic pcap (written here, like the input, stamps bit for bit) and pcapng
//! (written here: one interface block per link type, nanosecond stamps), to a file or `-`.

use super::*;

/// An output capture file, buffered; `-` is standard output.
pub(super) fn open_output(path: &str) -> Result<io::BufWriter<File>, CaptureError> {
    let out = if path == "-" {
        use std::os::fd::AsFd;
        io::stdout().as_fd().try_clone_to_owned().map(File::from)
    } else {
        File::create(path)
    }
    .map_err(|e| CaptureError::Write {
        path: path.to_string(),
        why: io_why(&e),
    })?;
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
    /// A classic pcap file written here, like the input; the first write error is kept for
    /// `flush`.
    File {
        out: io::BufWriter<File>,
        failed: Option<io::Error>,
    },
    /// A pcapng file written here: one interface block per link type and interface name
    /// met, nanosecond stamps.
    Ng {
        out: io::BufWriter<File>,
        failed: Option<io::Error>,
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
        Writer::create_snap(path, linktype, nano, 262_144)
    }

    /// The same, with the header's snaplen given.
    pub(super) fn create_snap(
        path: &str,
        linktype: u32,
        nano: bool,
        snaplen: u32,
    ) -> Result<Writer, CaptureError> {
        let mut out = open_output(path)?;
        let magic: u32 = if nano { MAGIC_NSEC } else { MAGIC_USEC };
        let mut hdr = [0u8; FILE_HEADER_LEN];
        hdr[0..4].copy_from_slice(&magic.to_ne_bytes());
        hdr[4..6].copy_from_slice(&2u16.to_ne_bytes());
        hdr[6..8].copy_from_slice(&4u16.to_ne_bytes());
        hdr[16..20].copy_from_slice(&snaplen.to_ne_bytes());
        hdr[20..24].copy_from_slice(&linktype.to_ne_bytes());
        let failed = out.write_all(&hdr).err();
        Ok(Writer {
            sink: Sink::File { out, failed },
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
        let mut out = open_output(path)?;
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
        let failed = out.write_all(&block).err();
        Ok(Writer {
            sink: Sink::Ng {
                out,
                failed,
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
    ) {
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
    ) {
        let Sink::Ng {
            out,
            failed,
            interfaces,
        } = &mut self.sink
        else {
            return self.write_packet(ts_sec, ts_nsec, data, len);
        };
        if failed.is_some() {
            return;
        }
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
        if let Err(e) = out.write_all(&block) {
            *failed = Some(e);
        }
    }

    /// Whether the file has nanosecond time stamps.
    pub fn is_nano(&self) -> bool {
        self.nano
    }

    /// Writes one packet given by its time, bytes and original length.
    pub fn write_packet(&mut self, ts_sec: i64, ts_nsec: u32, data: &[u8], len: usize) {
        if self.is_ng() {
            let lt = self.linktype;
            return self.write_packet_as(lt, ts_sec, ts_nsec, data, len);
        }
        let frac = if self.nano { ts_nsec } else { ts_nsec / 1000 };
        self.write_record(ts_sec as u32, frac, data, len);
    }

    pub fn write(&mut self, frame: &Frame<'_>) {
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
        self.written += 16 + u64::from(caplen);
        match &mut self.sink {
            Sink::Ng { .. } => {}
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
            Sink::File { out, failed } | Sink::Ng { out, failed, .. } => match failed.take() {
                Some(e) => Err(err(io_why(&e))),
                None => out.flush().map_err(|e| err(io_why(&e))),
            },
        }
    }
}
