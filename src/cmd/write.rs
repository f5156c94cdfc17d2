//! `pkt write`: NDJSON records (the `read --json` contract, perhaps edited) back into a pcap.
//!
//! Every field is written as the record gives it, so an unedited record gives back its packet
//! byte for byte. Then the packet is repaired the way an edit expects: when its size changed,
//! lengths are recomputed; checksums that were right in the original (the record's `errors`
//! does not name them) are recomputed; those it names stay wrong. `--fix` recomputes them all.

use crate::cli::WriteArgs;
use anyhow::{Context, Result, anyhow, bail};
use pkt::build::{FitError, serialize, try_build};
use pkt::dissect::{Packet, dissect_into};
use pkt::layers::{Auto, Def, Layer, Value};
use pkt::pcapio::{Writer, is_pcapng};
use pkt::record::{Record, parse};
use std::io::{BufRead, BufReader, Read};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// The longest record line taken: above the JSON of the largest packet (a 256 KiB packet's hex
/// is 512 KiB; the corpus's largest record, 10,520 DNS questions in 63 KB, is 9.2 MB), far below
/// what would exhaust memory.
pub const MAX_RECORD: usize = 32 << 20;

pub fn run(args: &WriteArgs) -> Result<ExitCode> {
    let file: std::fs::File = match args.input.as_deref() {
        None | Some("-") => {
            use std::os::fd::AsFd;
            std::io::stdin().as_fd().try_clone_to_owned()?.into()
        }
        Some(p) => std::fs::File::open(p).with_context(|| p.to_string())?,
    };
    // Ctrl-C (SIGTERM, SIGHUP) ends the input, even while it waits for more: what was written
    // so far becomes the file. Every signal only asks, so the output is always put in place.
    let stop = super::stop_flag(false);
    let input = Stoppable {
        file,
        stop: stop.clone(),
    };
    let mut input = BufReader::with_capacity(1 << 20, input);
    // A finite output: nothing replaces the target until every record is written (see
    // `pkt::io::outfile`); an error leaves it as it was.
    let writer = write_all(args, &mut input, &stop)?;
    let n = writer.packets;
    writer.w.finish()?;
    if args.verbose {
        match args.output.as_str() {
            "-" => eprintln!("pkt: wrote {n} packets to standard output"),
            out => eprintln!("pkt: wrote {n} packets to {out}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

struct Written {
    w: Writer,
    packets: u64,
}

fn write_all(args: &WriteArgs, input: &mut impl BufRead, stop: &AtomicBool) -> Result<Written> {
    let path = args.output.as_str();
    let ng = args.pcapng || is_pcapng(path);
    let mut writer: Option<Writer> = None;
    let mut pkt = Packet::default();
    let mut n = 0u64;
    let mut line = Vec::new();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) && next_line(input, &mut line, i + 1)? {
        i += 1;
        let Ok(line) = std::str::from_utf8(&line) else {
            bail!("record {i}: not UTF-8 text, so not a packet record");
        };
        if line.trim().is_empty() {
            continue;
        }
        let rec = parse(line).map_err(|e| anyhow!("record {i}: {e}"))?;
        if rec.linktype > 0xffff {
            bail!(
                "record {i}: link type {} does not fit a capture file (0 to 65535)",
                rec.linktype
            );
        }
        let w = match writer.as_mut() {
            Some(w) => w,
            None if ng => writer.insert(Writer::create_ng(path, rec.linktype)?),
            None => {
                let nano = args.nano || rec.ts_nsec % 1000 != 0;
                writer.insert(Writer::create(path, rec.linktype, nano)?)
            }
        };
        if w.linktype != rec.linktype && !ng {
            bail!(
                "record {i}: link type {} differs from the {} of the first record; a pcap holds one (write pcapng for several: --pcapng)",
                rec.linktype,
                w.linktype
            );
        }
        if rec.ts_sec < 0 || (!ng && rec.ts_sec > u32::MAX as i64) {
            bail!(
                "record {i}: time {} does not fit a pcap file (seconds from 1970 to 2106; pcapng: --pcapng, to 2554)",
                rec.ts_sec
            );
        }
        if ng && rec.ts_sec > (u64::MAX / 1_000_000_000) as i64 - 1 {
            bail!(
                "record {i}: time {} does not fit a pcapng file (nanoseconds from 1970 to 2554)",
                rec.ts_sec
            );
        }
        if rec.ts_nsec % 1000 != 0 && !w.is_nano() {
            bail!("record {i}: its time has nanoseconds; use --nano");
        }
        let (bytes, len) = packet_of(&rec, args.fix, &mut pkt)
            .map_err(|e| anyhow!("record {i}: its edited size does not fit: {e}"))?;
        w.write_packet_on(
            rec.linktype,
            rec.iface.as_deref(),
            rec.ts_sec,
            rec.ts_nsec,
            &bytes,
            len,
        )?;
        n += 1;
    }
    let w = match writer {
        Some(w) => w,
        // No records: an empty capture (Ethernet, as tcpdump's of nothing).
        None if ng => Writer::create_ng(path, 1)?,
        None => Writer::create(path, 1, false)?,
    };
    Ok(Written { w, packets: n })
}

/// Reads the next line (without its newline) into `line`; false at the end of the input. A line
/// longer than [`MAX_RECORD`] is an error as soon as the cap is passed: it is never held whole.
fn next_line(input: &mut impl BufRead, line: &mut Vec<u8>, record: u64) -> Result<bool> {
    line.clear();
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(anyhow!(e).context("reading the records")),
        };
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match memchr(buf) {
            Some(k) => (k, true),
            None => (buf.len(), false),
        };
        if line.len() + take > MAX_RECORD {
            bail!(
                "record {record}: longer than {} MiB without a newline, so not a packet record (one record per line)",
                MAX_RECORD >> 20
            );
        }
        line.extend_from_slice(&buf[..take]);
        input.consume(take + usize::from(done));
        if done {
            return Ok(true);
        }
    }
}

/// An input that ends (reads 0 bytes) once `stop` is set, also while it waits for data: it polls
/// for input every 100 ms.
struct Stoppable {
    file: std::fs::File,
    stop: std::sync::Arc<AtomicBool>,
}

impl Read for Stoppable {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            let mut p = libc::pollfd {
                fd: self.file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            match unsafe { libc::poll(&mut p, 1, 100) } {
                0 => continue,
                n if n < 0 => {
                    let e = std::io::Error::last_os_error();
                    if e.kind() == std::io::ErrorKind::Interrupted {
                        continue; // a signal: the flag says whether to stop
                    }
                    return Err(e);
                }
                // Readable, at its end, or an error: read says which.
                _ => {}
            }
            match self.file.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// The packet's bytes and original length; an error when a recomputed length does not fit.
fn packet_of(rec: &Record, fix: bool, pkt: &mut Packet) -> Result<(Vec<u8>, usize), FitError> {
    let snapped = rec.len > rec.caplen;
    let mut bytes = serialize(&rec.layers);
    if stale_names(rec, &bytes, pkt) {
        // A name was edited but its old bytes (`_wire`) kept: the names as their texts say, and
        // the message rebuilt around them.
        let mut layers = rec.layers.clone();
        plain_names(&mut layers);
        for l in &mut layers {
            clear_computed(l, false);
        }
        bytes = try_build(&layers)?;
        repair_checksums(rec, fix, &mut bytes, pkt);
        let len = bytes.len();
        return Ok((bytes, len));
    }
    let resized = bytes.len() != rec.caplen;
    let truncated = rec.errors.iter().any(|(_, _, f)| f.is_none());
    if (resized || fix) && !snapped && !truncated {
        // Sizes changed (or --fix): lengths and checksums from the layers, as `craft` builds.
        let mut layers = rec.layers.clone();
        for l in &mut layers {
            clear_computed(l, fix);
        }
        bytes = try_build(&layers)?;
    }
    if !snapped {
        repair_checksums(rec, fix, &mut bytes, pkt);
    }
    let len = if bytes.len() == rec.caplen {
        rec.len
    } else if snapped {
        (rec.len as isize + bytes.len() as isize - rec.caplen as isize).max(bytes.len() as isize)
            as usize
    } else {
        bytes.len()
    };
    Ok((bytes, len))
}

/// Whether a name written from its exact bytes (a compression pointer) no longer reads as the
/// text the record gives it.
fn stale_names(rec: &Record, bytes: &[u8], pkt: &mut Packet) -> bool {
    if !rec.layers.iter().any(has_wire_name) {
        return false;
    }
    dissect_into(rec.linktype, bytes, bytes.len(), pkt);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    rec.layers.iter().for_each(|l| name_texts(l, &mut want));
    pkt.layers.iter().for_each(|l| name_texts(l, &mut got));
    want != got
}

fn has_wire_name(l: &Layer) -> bool {
    l.values.iter().any(|v| match v {
        Value::Name(n) => !n.is_plain(),
        Value::Options(items) => items.iter().any(has_wire_name),
        _ => false,
    })
}

fn name_texts(l: &Layer, out: &mut Vec<String>) {
    for v in &l.values {
        match v {
            Value::Name(n) => out.push(n.text.clone()),
            Value::Options(items) => items.iter().for_each(|i| name_texts(i, out)),
            _ => {}
        }
    }
}

/// Every name in its plain form, from its text.
fn plain_names(layers: &mut [Layer]) {
    for l in layers {
        for v in &mut l.values {
            match v {
                Value::Name(n) => {
                    if let Ok(p) = pkt::layers::field::Name::from_text(&n.text) {
                        **n = p;
                    }
                }
                Value::Options(items) => plain_names(items),
                _ => {}
            }
        }
    }
}

/// Unsets the length fields (and, with `fix`, the checksums) so the builder computes them.
fn clear_computed(l: &mut Layer, fix: bool) {
    if l.proto.quoted {
        return;
    }
    let checksum = l.proto.checksum.map(|c| c.field);
    for (f, v) in l.proto.fields.iter().zip(l.values.iter_mut()) {
        let length = matches!(
            f.default,
            Def::Auto(Auto::CountOf(_) | Auto::RestLen | Auto::SizeOf { .. } | Auto::Align { .. })
        ) || matches!(
            (l.proto.name, f.name),
            ("IP", "ihl" | "len")
                | ("IPv6", "plen")
                | ("UDP", "len")
                | ("TCP", "dataofs")
                | ("Dot3", "len")
                | (
                    "IPv6ExtHdrHopByHop" | "IPv6ExtHdrDestOpt" | "IPv6ExtHdrRouting",
                    "len"
                )
        );
        if length || (fix && Some(f.name) == checksum) {
            *v = Value::Absent;
        }
        if let Value::Options(opts) = v {
            for o in opts {
                clear_computed(o, fix);
            }
        }
    }
}

/// Recomputes every checksum dissection finds wrong, except those the record says were wrong in
/// the original (matched by layer, field and occurrence).
fn repair_checksums(rec: &Record, fix: bool, bytes: &mut [u8], pkt: &mut Packet) {
    let wrong_before = original_wrong(rec);
    for _ in 0..4 {
        dissect_into(rec.linktype, bytes, bytes.len(), pkt);
        let mut patched = false;
        for e in pkt.errors.iter().rev() {
            let (Some(field), Some(expected)) = (e.field, e.expected) else {
                continue;
            };
            let (k, l) = match pkt
                .layers
                .iter()
                .enumerate()
                .find(|(_, l)| l.offset == e.offset && l.name() == e.layer)
            {
                Some(x) => x,
                None => continue,
            };
            let occurrence = pkt.layers[..k]
                .iter()
                .filter(|m| m.name() == l.name())
                .count();
            if !fix && wrong_before.contains(&(e.layer.to_string(), field.to_string(), occurrence))
            {
                continue;
            }
            let Some(ck) = l.proto.checksum else { continue };
            let at = l.offset + ck.at;
            if at + 2 <= bytes.len() {
                bytes[at..at + 2].copy_from_slice(&(expected as u16).to_be_bytes());
                patched = true;
            }
        }
        if !patched {
            break;
        }
    }
}

/// The checksums the record says were wrong: (layer, field, occurrence of that layer name).
fn original_wrong(rec: &Record) -> Vec<(String, String, usize)> {
    let mut offsets = Vec::with_capacity(rec.layers.len());
    let mut at = 0;
    for l in &rec.layers {
        offsets.push(at);
        at += serialize(std::slice::from_ref(l)).len();
    }
    rec.errors
        .iter()
        .filter_map(|(layer, offset, field)| {
            let field = field.clone()?;
            let k = rec
                .layers
                .iter()
                .zip(&offsets)
                .position(|(l, o)| l.name() == layer && o == offset)?;
            let occurrence = rec.layers[..k].iter().filter(|m| m.name() == layer).count();
            Some((layer.clone(), field, occurrence))
        })
        .collect()
}
