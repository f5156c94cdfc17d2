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
use pkt::layers::{Layer, Value};
use pkt::pcapio::{Writer, is_pcapng};
use pkt::record::{Record, parse};
use std::io::{BufRead, BufReader, Read};
use std::process::ExitCode;

pub fn run(args: &WriteArgs) -> Result<ExitCode> {
    let input: Box<dyn Read> = match args.input.as_deref() {
        None | Some("-") => Box::new(std::io::stdin()),
        Some(p) => Box::new(std::fs::File::open(p).with_context(|| p.to_string())?),
    };
    if args.output == "-" {
        // Standard output, as tcpdump's `-w -`: straight through (nothing to rename).
        let n = write_all(args, BufReader::with_capacity(1 << 20, input), "-")?;
        if args.verbose {
            eprintln!("pkt: wrote {n} packets to standard output");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Written to a temporary file first: an error leaves nothing half-written behind.
    let partial = format!("{}.partial", args.output);
    let result = write_all(args, BufReader::with_capacity(1 << 20, input), &partial);
    match result {
        Ok(n) => {
            std::fs::rename(&partial, &args.output).with_context(|| args.output.clone())?;
            if args.verbose {
                eprintln!("pkt: wrote {n} packets to {}", args.output);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn write_all(args: &WriteArgs, input: impl BufRead, path: &str) -> Result<u64> {
    let ng = args.pcapng || is_pcapng(&args.output);
    let mut writer: Option<Writer> = None;
    let mut pkt = Packet::default();
    let mut n = 0u64;
    for (i, line) in input.lines().enumerate() {
        let line = line.context("reading the records")?;
        if line.trim().is_empty() {
            continue;
        }
        let rec = parse(&line).map_err(|e| anyhow!("record {}: {e}", i + 1))?;
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
                "record {}: link type {} differs from the {} of the first record; a pcap holds one (write pcapng for several: --pcapng)",
                i + 1,
                rec.linktype,
                w.linktype
            );
        }
        if rec.ts_sec < 0 || (!ng && rec.ts_sec > u32::MAX as i64) {
            bail!(
                "record {}: time {} does not fit a pcap file (seconds from 1970 to 2106; pcapng: --pcapng, to 2554)",
                i + 1,
                rec.ts_sec
            );
        }
        if ng && rec.ts_sec > (u64::MAX / 1_000_000_000) as i64 - 1 {
            bail!(
                "record {}: time {} does not fit a pcapng file (nanoseconds from 1970 to 2554)",
                i + 1,
                rec.ts_sec
            );
        }
        if rec.ts_nsec % 1000 != 0 && !w.is_nano() {
            bail!("record {}: its time has nanoseconds; use --nano", i + 1);
        }
        let (bytes, len) = packet_of(&rec, args.fix, &mut pkt)
            .map_err(|e| anyhow!("record {}: its edited size does not fit: {e}", i + 1))?;
        w.write_packet_on(
            rec.linktype,
            rec.iface.as_deref(),
            rec.ts_sec,
            rec.ts_nsec,
            &bytes,
            len,
        );
        n += 1;
    }
    match writer.as_mut() {
        Some(w) => w.flush()?,
        None if ng => Writer::create_ng(path, 1)?.flush()?,
        None => Writer::create(path, 1, false)?.flush()?,
    }
    Ok(n)
}

/// The packet's bytes and original length; an error when a recomputed length does not fit.
fn packet_of(rec: &Record, fix: bool, pkt: &mut Packet) -> Result<(Vec<u8>, usize), FitError> {
    let snapped = rec.len > rec.caplen;
    let mut bytes = serialize(&rec.layers);
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

/// Unsets the length fields (and, with `fix`, the checksums) so the builder computes them.
fn clear_computed(l: &mut Layer, fix: bool) {
    if l.proto.quoted {
        return;
    }
    let checksum = l.proto.checksum.map(|c| c.field);
    for (f, v) in l.proto.fields.iter().zip(l.values.iter_mut()) {
        let length = matches!(
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
