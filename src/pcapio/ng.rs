//! pcapng, read here: sections in either byte order, any number of interfaces, each with its
//! own link type, time-stamp resolution and offset (libpcap refuses a file whose interfaces
//! differ in link type, which is what `pkt write --pcapng` makes of mixed records). Enhanced,
//! simple and obsolete packet blocks are packets; every other block is skipped. BPF filters
//! are compiled once per link type met.

use super::*;

// Block types and option codes (draft-ietf-opsawg-pcapng), for the reader and the writer.
pub(super) const SHB: u32 = 0x0A0D_0D0A;
pub(super) const IDB: u32 = 1;
/// The obsolete Packet Block.
const OPB: u32 = 2;
const SPB: u32 = 3;
pub(super) const EPB: u32 = 6;
pub(super) const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// shb_userappl, if_name, if_tsresol and if_tsoffset.
pub(super) const OPT_USERAPPL: u16 = 4;
pub(super) const OPT_IF_NAME: u16 = 2;
pub(super) const OPT_TSRESOL: u16 = 9;
const OPT_TSOFFSET: u16 = 14;

/// One Interface Description Block of the current section.
#[derive(Clone, Copy, Debug)]
struct Iface {
    linktype: u32,
    snaplen: u32,
    /// Time-stamp units per second: 10^n or 2^n.
    resol: Resol,
    /// Seconds added to every time stamp (if_tsoffset).
    offset: i64,
    /// if_name: what the packets' records name as their interface.
    name: Option<&'static str>,
}

/// One `&'static str` per distinct interface name read (frames and their records borrow it
/// for as long as the output needs): each name is kept once, however many files and sections
/// name it.
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let set = names.get_or_insert_with(HashSet::new);
    if let Some(&n) = set.get(name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_string().into_boxed_str());
    set.insert(n);
    n
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Resol {
    Dec(u32),
    Bin(u32),
}

impl Resol {
    /// The if_tsresol option's byte: the high bit chooses a power of 2, else of 10.
    fn of(b: u8) -> Resol {
        if b & 0x80 != 0 {
            Resol::Bin(u32::from(b & 0x7f))
        } else {
            Resol::Dec(u32::from(b))
        }
    }

    /// Seconds and nanoseconds (truncated) of a count of units.
    fn split(self, ts: u64) -> (u64, u32) {
        match self {
            Resol::Dec(n) => {
                let Some(per) = 10u64.checked_pow(n) else {
                    // Units finer than 10^-19 s: every count is under a second.
                    return (0, 0);
                };
                let (sec, frac) = (ts / per, ts % per);
                let ns = if n <= 9 {
                    frac * 10u64.pow(9 - n)
                } else {
                    frac / 10u64.pow(n - 9)
                };
                (sec, ns as u32)
            }
            Resol::Bin(n) if n >= 64 => (0, 0),
            Resol::Bin(n) => {
                let sec = ts >> n;
                let frac = u128::from(ts & ((1u64 << n) - 1));
                (sec, ((frac * NANOS as u128) >> n) as u32)
            }
        }
    }
}

/// The pcapng reader: blocks are read whole into one reused buffer.
pub(super) struct NgReader {
    input: Input<Box<dyn Read>>,
    /// The current section is big-endian.
    big: bool,
    ifaces: Vec<Iface>,
    /// The filter's text, and its programs compiled so far, by link type.
    filter: Option<String>,
    programs: Vec<(u32, BpfProgram)>,
    /// Blocks read, for the messages about damage.
    blocks: u64,
}

/// What one block held.
enum Block {
    Packet {
        iface: usize,
        ts: u64,
        caplen: usize,
        len: usize,
        /// Where its data starts in the input's buffer.
        start: usize,
        /// The block has a time stamp (a simple packet block has none).
        stamped: bool,
    },
    Other,
}

impl NgReader {
    /// A reader past the blocks before the first interface (sections, and blocks that hold no
    /// packet), so that the file's first link type is known. A file without interfaces has
    /// no packets; it reads as empty, with link type 1.
    pub(super) fn open(
        input: Input<Box<dyn Read>>,
        filter: Option<&str>,
    ) -> Result<(NgReader, u32), String> {
        let mut r = NgReader {
            input,
            big: false,
            ifaces: Vec::new(),
            filter: filter.map(str::to_string),
            programs: Vec::new(),
            blocks: 0,
        };
        while r.ifaces.is_empty() {
            match r.block()? {
                None => return Ok((r, 1)),
                Some(Block::Other) => {}
                Some(Block::Packet { .. }) => {
                    return Err(format!(
                        "packet block {} comes before any interface block",
                        r.blocks
                    ));
                }
            }
        }
        let linktype = r.ifaces[0].linktype;
        Ok((r, linktype))
    }

    /// The snaplen libpcap gives the file: its first interface's, or when that is 0 or beyond
    /// `int`, the most its link type allows.
    pub(super) fn libpcap_snaplen(&self) -> u32 {
        let Some(i) = self.ifaces.first() else {
            return 262_144;
        };
        super::libpcap_snaplen(i.snaplen, i.linktype)
    }

    fn u16_at(&self, b: &[u8], o: usize) -> u16 {
        let v = [b[o], b[o + 1]];
        if self.big {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        }
    }

    fn u32_at(&self, b: &[u8], o: usize) -> u32 {
        let v = [b[o], b[o + 1], b[o + 2], b[o + 3]];
        if self.big {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }
    }

    /// The type and total length of the block at `pos` (12 bytes available); a section
    /// header sets the byte order first.
    fn header(&mut self) -> Result<(u32, usize), String> {
        let b = self.input.available();
        let raw: [u8; 4] = b[..4].try_into().expect("4 bytes");
        if raw == PCAPNG_MAGIC {
            let bom: [u8; 4] = b[8..12].try_into().expect("4 bytes");
            self.big = match (u32::from_be_bytes(bom), u32::from_le_bytes(bom)) {
                (BYTE_ORDER_MAGIC, _) => true,
                (_, BYTE_ORDER_MAGIC) => false,
                _ => {
                    return Err(format!(
                        "section header with a bad byte-order magic 0x{:08x}",
                        u32::from_be_bytes(bom)
                    ));
                }
            };
        }
        let b = self.input.available();
        let kind = self.u32_at(b, 0);
        let len = self.u32_at(b, 4);
        if len < 12 || !len.is_multiple_of(4) {
            return Err(format!(
                "block {} (type 0x{kind:x}) has a length of {len}, not a multiple of 4 of at least 12",
                self.blocks + 1
            ));
        }
        if len > MAX_CAPLEN {
            return Err(format!(
                "block {} claims {len} bytes, over the {MAX_CAPLEN}-byte limit",
                self.blocks + 1
            ));
        }
        Ok((kind, len as usize))
    }

    /// Reads one whole block: a packet (where its data is), or anything else (taken into
    /// account: sections and interfaces); `None` at the end of the file.
    fn block(&mut self) -> Result<Option<Block>, String> {
        let have = self.input.fill(12).map_err(|e| io_why(&e))?;
        if have < 12 {
            if have == 0 {
                return Ok(None);
            }
            return Err(format!(
                "truncated capture file: block {} header needs 12 bytes, {have} left",
                self.blocks + 1
            ));
        }
        let (kind, len) = self.header()?;
        let have = self.input.fill(len).map_err(|e| io_why(&e))?;
        if have < len {
            return Err(format!(
                "truncated capture file: block {} needs {len} bytes, {have} left",
                self.blocks + 1
            ));
        }
        let at = self.input.pos;
        let b = &self.input.buf[at..at + len];
        let trailer = self.u32_at(b, len - 4) as usize;
        if trailer != len {
            return Err(format!(
                "block {} (type 0x{kind:x}) ends with a length of {trailer}, not its {len}",
                self.blocks + 1
            ));
        }
        self.blocks += 1;
        self.input.pos = at + len;
        let body = &b[8..len - 4];
        let short = |need: usize| {
            format!(
                "block {} (type 0x{kind:x}) is {} bytes long, too short for its {need}-byte fields",
                self.blocks,
                body.len()
            )
        };
        let data_at = at + 8;
        match kind {
            SHB => {
                if body.len() < 12 {
                    return Err(short(12));
                }
                let major = self.u16_at(body, 4);
                if major != 1 {
                    return Err(format!(
                        "unsupported pcapng version {major}.{}",
                        self.u16_at(body, 6)
                    ));
                }
                self.ifaces.clear();
                Ok(Some(Block::Other))
            }
            IDB => {
                if body.len() < 8 {
                    return Err(short(8));
                }
                let mut iface = Iface {
                    linktype: u32::from(self.u16_at(body, 0)),
                    snaplen: self.u32_at(body, 4),
                    resol: Resol::Dec(6),
                    offset: 0,
                    name: None,
                };
                let mut opts = &body[8..];
                while opts.len() >= 4 {
                    let (code, olen) = (self.u16_at(opts, 0), usize::from(self.u16_at(opts, 2)));
                    if code == 0 || opts.len() < 4 + olen {
                        break;
                    }
                    let v = &opts[4..4 + olen];
                    match (code, olen) {
                        (OPT_TSRESOL, 1) => iface.resol = Resol::of(v[0]),
                        (OPT_IF_NAME, _) => {
                            // UTF-8, though some writers end it with NULs.
                            let end = v.iter().rposition(|&b| b != 0).map_or(0, |e| e + 1);
                            let name = String::from_utf8_lossy(&v[..end]);
                            if !name.is_empty() {
                                iface.name = Some(intern(&name));
                            }
                        }
                        (OPT_TSOFFSET, 8) => {
                            let raw: [u8; 8] = v.try_into().expect("8 bytes");
                            iface.offset = if self.big {
                                i64::from_be_bytes(raw)
                            } else {
                                i64::from_le_bytes(raw)
                            };
                        }
                        _ => {}
                    }
                    opts = &opts[(4 + olen.div_ceil(4) * 4).min(opts.len())..];
                }
                self.ifaces.push(iface);
                Ok(Some(Block::Other))
            }
            EPB | OPB => {
                if body.len() < 20 {
                    return Err(short(20));
                }
                let iface = if kind == EPB {
                    self.u32_at(body, 0) as usize
                } else {
                    usize::from(self.u16_at(body, 0))
                };
                let ts = u64::from(self.u32_at(body, 4)) << 32 | u64::from(self.u32_at(body, 8));
                let caplen = self.u32_at(body, 12) as usize;
                let len = self.u32_at(body, 16) as usize;
                if caplen > body.len() - 20 {
                    return Err(format!(
                        "packet block {} claims {caplen} bytes of data, its block holds {}",
                        self.blocks,
                        body.len() - 20
                    ));
                }
                Ok(Some(Block::Packet {
                    iface,
                    ts,
                    caplen,
                    len,
                    start: data_at + 20,
                    stamped: true,
                }))
            }
            SPB => {
                if body.len() < 4 {
                    return Err(short(4));
                }
                let len = self.u32_at(body, 0) as usize;
                // The captured part: the original length, cut to the interface's snaplen and to
                // what the block holds.
                let snaplen = self.ifaces.first().map_or(0, |i| i.snaplen as usize);
                let mut caplen = len.min(body.len() - 4);
                if snaplen > 0 {
                    caplen = caplen.min(snaplen);
                }
                Ok(Some(Block::Packet {
                    iface: 0,
                    ts: 0,
                    caplen,
                    len,
                    start: data_at + 4,
                    stamped: false,
                }))
            }
            _ => Ok(Some(Block::Other)),
        }
    }

    /// Keeps the filter's program compiled for a link type.
    pub(super) fn keep_program(&mut self, linktype: u32, prog: BpfProgram) {
        self.programs.push((linktype, prog));
    }

    /// Whether the filter (if any) takes a frame of a link type: compiled on first use.
    fn accepts(
        &mut self,
        linktype: u32,
        start: usize,
        caplen: usize,
        len: usize,
    ) -> Result<bool, CaptureError> {
        let Some(f) = &self.filter else {
            return Ok(true);
        };
        let k = match self.programs.iter().position(|(lt, _)| *lt == linktype) {
            Some(k) => k,
            None => {
                let prog = compile(f, linktype, true)?;
                self.programs.push((linktype, prog));
                self.programs.len() - 1
            }
        };
        let data = &self.input.buf[start..start + caplen];
        Ok(filter_accepts(&self.programs[k].1, data, len))
    }

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
        let (start, caplen, len, iface, ts, stamped) = loop {
            let block = match self.block() {
                Ok(Some(b)) => b,
                Ok(None) => return Ok(None),
                Err(why) => return Err(damaged(*read, why)),
            };
            let Block::Packet {
                iface,
                ts,
                caplen,
                len,
                start,
                stamped,
            } = block
            else {
                continue;
            };
            let Some(&ifc) = self.ifaces.get(iface) else {
                let why = format!(
                    "packet block {} names interface {iface}, but the section has {} interface{} before it",
                    self.blocks,
                    self.ifaces.len(),
                    if self.ifaces.len() == 1 { "" } else { "s" }
                );
                return Err(damaged(*read, why));
            };
            *read += 1;
            let swapped = self.big != cfg!(target_endian = "big");
            if swapped {
                let pseudo = Pseudo::of(ifc.linktype);
                if pseudo != Pseudo::None {
                    let data = &mut self.input.buf[start..start + caplen];
                    swap_pseudo_header(pseudo, data, len);
                }
            }
            if self.accepts(ifc.linktype, start, caplen, len)? {
                break (start, caplen, len, ifc, ts, stamped);
            }
        };
        let (ts_sec, ts_nsec) = if stamped {
            let (sec, ns) = iface.resol.split(ts);
            (
                i64::try_from(sec)
                    .unwrap_or(i64::MAX)
                    .saturating_add(iface.offset),
                ns,
            )
        } else {
            (0, 0)
        };
        Ok(Some(Frame {
            ts_sec,
            ts_nsec,
            caplen,
            len,
            data: &self.input.buf[start..start + caplen],
            linktype: iface.linktype,
            iface: iface.name,
            stamp: Stamp {
                sec: ts_sec as u32,
                frac: ts_nsec,
                nano: true,
            },
        }))
    }
}
