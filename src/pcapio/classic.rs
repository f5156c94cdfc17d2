//! Classic pcap, read here: every version libpcap reads, either byte order, micro- or
//! nanosecond stamps, Kuznetsov's longer record headers; every record whole, whatever the
//! header's snaplen says.

use super::*;

/// The fields of a classic pcap file header that matter for reading (and writing back).
#[derive(Debug)]
pub(super) struct FileHeader {
    /// The file is in the other byte order than this host's.
    pub(super) swapped: bool,
    /// The file's fields are big-endian.
    pub(super) big: bool,
    pub(super) nano: bool,
    pub(super) record_header_len: usize,
    pub(super) lengths: Lengths,
    pub(super) snaplen: u32,
    /// The whole field: LINKTYPE in the low 16 bits, FCS information in the high bits.
    pub(super) linktype: u32,
}

/// Old files put the wire length before the captured length (libpcap's rules).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Lengths {
    InOrder,
    Swapped,
    /// Version 2.3 files were written both ways: swapped when caplen > len.
    MaybeSwapped,
}

impl FileHeader {
    /// The snaplen libpcap gives a file: a bogus one (0, or beyond `int`) is the most its link
    /// type allows; Kuznetsov Ethernet files get 14 more (they may be cooked captures).
    pub(super) fn libpcap_snaplen(&self) -> u32 {
        let linktype = self.linktype & 0xffff;
        let snaplen = libpcap_snaplen(self.snaplen, linktype);
        if self.record_header_len == 24 && linktype == 1 {
            (snaplen + 14).min(i32::MAX as u32)
        } else {
            snaplen
        }
    }

    /// The header from a file's first (up to 24) bytes, or why it is not a pcap file.
    pub(super) fn parse(b: &[u8]) -> Result<FileHeader, String> {
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

/// The classic pcap reader: records are read whole into one reused buffer.
pub(super) struct PcapReader {
    pub(super) input: Input<Box<dyn Read>>,
    pub(super) header: FileHeader,
    pub(super) pseudo: Pseudo,
    pub(super) filter: Option<BpfProgram>,
}

impl PcapReader {
    pub(super) fn next(
        &mut self,
        path: &str,
        read: &mut u64,
    ) -> Result<Option<Frame<'_>>, CaptureError> {
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
            linktype: self.header.linktype & 0xffff,
            iface: None,
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
