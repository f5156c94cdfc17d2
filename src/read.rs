//! `pkt read`: capture files → views (or a sliced capture with `-w`).

use crate::cli::{ReadArgs, View};
use anyhow::{Context, Result, anyhow};
use pkt::dissect::{Packet, dissect_into};
use pkt::output::{FrameMeta, hexdump, json, show, summary, time::Clock};
use pkt::pcapio::{CaptureError, CaptureFile, Writer};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &ReadArgs) -> Result<ExitCode> {
    let (files, filter) = args.files_and_filter().map_err(|e| anyhow!(e))?;
    if files.iter().filter(|f| f.as_str() == "-").count() > 1 {
        return Err(anyhow!("standard input can be read only once"));
    }
    let view = args.view();
    let print = args.write.is_none() || args.print;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut writer: Option<Writer> = None;
    let mut pkt = Packet::default();
    let mut buf = String::with_capacity(FLUSH_AT + 4096);
    let mut clock: Option<Clock> = None;
    let mut n = 0u64;
    let mut damaged: Option<CaptureError> = None;

    'files: for path in &files {
        let mut cf = CaptureFile::open(path, filter.as_deref())?;
        if let Some(w) = &args.write {
            match &writer {
                None => writer = Some(cf.savefile(w)?),
                Some(wr) if wr.linktype != cf.linktype => {
                    return Err(anyhow!(
                        "{}: link type {} differs from the {} of the first file; -w writes one link type",
                        cf.path,
                        cf.linktype,
                        wr.linktype
                    ));
                }
                Some(_) => {}
            }
        }
        let linktype = cf.linktype;
        loop {
            if args.count.is_some_and(|c| n >= c) {
                break 'files;
            }
            let frame = match cf.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    damaged = Some(e);
                    break 'files;
                }
            };
            n += 1;
            if let Some(w) = writer.as_mut() {
                w.write(&frame);
            }
            if !print {
                continue;
            }
            let meta = FrameMeta {
                n,
                ts_sec: frame.ts_sec,
                ts_nsec: frame.ts_nsec,
                caplen: frame.caplen,
                len: frame.len,
                linktype,
            };
            dissect_into(linktype, frame.data, frame.len, &mut pkt);
            // Records accumulate in one buffer that goes to stdout in large writes.
            match view {
                View::Json => json::write_record(&meta, &pkt, &mut buf),
                View::Summary | View::Hex | View::Show => {
                    let clock = clock.get_or_insert_with(|| Clock::local(frame.ts_sec));
                    write_prefix(args, &meta, clock, &mut buf);
                    summary::write(&pkt, &mut buf);
                    match view {
                        View::Hex => {
                            buf.push('\n');
                            hexdump::write(frame.data, &mut buf);
                            continue_flush(&mut buf, &mut out)?;
                            continue;
                        }
                        View::Show => {
                            buf.push('\n');
                            show::write(&pkt, &mut buf);
                            continue_flush(&mut buf, &mut out)?;
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            buf.push('\n');
            continue_flush(&mut buf, &mut out)?;
        }
    }
    out.write_all(buf.as_bytes())?;
    out.flush()?;
    if let Some(w) = writer.as_mut() {
        w.flush().context("flushing the output capture")?;
    }
    if let Some(e) = damaged {
        eprintln!("pkt: {e}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Output is written to stdout once this much has accumulated.
const FLUSH_AT: usize = 1 << 16;

fn continue_flush(buf: &mut String, out: &mut impl Write) -> std::io::Result<()> {
    if buf.len() >= FLUSH_AT {
        out.write_all(buf.as_bytes())?;
        buf.clear();
    }
    Ok(())
}

fn write_prefix(args: &ReadArgs, meta: &FrameMeta, clock: &Clock, buf: &mut String) {
    if args.number {
        let mut b = itoa::Buffer::new();
        let n = b.format(meta.n);
        for _ in n.len()..5 {
            buf.push(' ');
        }
        buf.push_str(n);
        buf.push(' ');
    }
    if args.epoch {
        pkt::output::time::push_epoch(meta.ts_sec, meta.ts_nsec, buf);
        buf.push(' ');
    } else if !args.no_time {
        clock.push_time_of_day(meta.ts_sec, meta.ts_nsec, buf);
        buf.push(' ');
    }
}
