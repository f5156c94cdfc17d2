//! `pkt craft EXPR`: build packets from a scapy expression and print them in any view, as raw
//! bytes, or into a pcap.

use crate::cli::CraftArgs;
use anyhow::{Result, anyhow};
use pkt::craft::compile_set;
use pkt::dissect::{Packet, dissect_as};
use pkt::layers::Proto;
use pkt::output::FrameMeta;
use pkt::output::render::write_views;
use pkt::output::time::Clock;
use pkt::pcapio::{Writer, is_pcapng};
use std::io::Write;
use std::process::ExitCode;

/// The pcap link type for packets that start with this layer.
pub fn linktype_for(first: &Proto) -> Option<u32> {
    Some(match first.name {
        "Ether" | "Dot3" => 1,
        "IP" | "IPv6" => 101,
        "CookedLinux" => 113,
        "CookedLinuxV2" => 276,
        "Loopback" => 0,
        "LoopbackOpenBSD" => 108,
        _ => return None,
    })
}

pub fn run(args: &CraftArgs) -> Result<ExitCode> {
    let packets =
        compile_set(&args.expr).map_err(|d| anyhow!("bad expression\n{}", d.render(&args.expr)))?;
    let first = packets.base.first().map(|l| l.proto);
    let linktype = first.and_then(linktype_for);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (sec, nsec) = match args.time {
        Some(t) => {
            let us = (t * 1e6).round() as i64;
            (
                us.div_euclid(1_000_000),
                (us.rem_euclid(1_000_000) * 1000) as u32,
            )
        }
        None => (now.as_secs() as i64, now.subsec_micros() * 1000),
    };
    // With --time, packet i is stamped 1001 µs after packet i-1 (reproducible fixtures).
    let step = args.time.map_or(0, |_| 1001);
    let stamp = |i: u64| {
        let us = sec * 1_000_000 + (nsec / 1000) as i64 + i as i64 * step;
        (
            us.div_euclid(1_000_000),
            (us.rem_euclid(1_000_000) * 1000) as u32,
        )
    };
    if let Some(path) = &args.write {
        let lt = linktype.ok_or_else(|| {
            anyhow!(
                "a capture needs packets that start with a link layer or IP (Ether(), IP(), IPv6(), CookedLinux(), Loopback()); this one starts with {}",
                first.map_or("nothing", |p| p.name)
            )
        })?;
        let mut w = if is_pcapng(path) {
            Writer::create_ng(path, lt)?
        } else {
            Writer::create(path, lt, false)?
        };
        let mut i = 0;
        packets.build_each(args.count, |b| {
            let (s, ns) = stamp(i);
            w.write_packet(s, ns, b, b.len())?;
            i += 1;
            Ok::<_, anyhow::Error>(())
        })?;
        w.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if args.raw {
        packets.build_each(args.count, |b| out.write_all(b))?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = args.views.style();
    let clock = Clock::local(sec);
    let mut pkt = Packet::default();
    let mut text = String::new();
    let first = first.unwrap_or(&pkt::layers::raw::RAW);
    let mut i = 0u64;
    packets.build_each(args.count, |bytes| {
        let (ts_sec, ts_nsec) = stamp(i);
        i += 1;
        let meta = FrameMeta {
            n: i,
            ts_sec,
            ts_nsec,
            caplen: bytes.len(),
            len: bytes.len(),
            linktype: linktype.unwrap_or(147),
            iface: None,
        };
        dissect_as(first, bytes, bytes.len(), &mut pkt);
        text.clear();
        write_views(&style, &clock, &meta, bytes, &pkt, &mut text);
        out.write_all(text.as_bytes())
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
