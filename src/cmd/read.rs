//! `pkt read`: capture files → views (or a sliced capture with `-w`). The reading happens here;
//! rendering runs on every core through `output::parallel`, and comes out in order.

use crate::cli::ReadArgs;
use anyhow::{Result, anyhow};
use pkt::output::FrameMeta;
use pkt::output::parallel::{self, Batch, Pipeline};
use pkt::output::time::Clock;
use pkt::pcapio::{CaptureError, CaptureFile, Writer, is_pcapng};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub fn run(args: &ReadArgs) -> Result<ExitCode> {
    let (files, filter) = args.files_and_filter().map_err(|e| anyhow!(e))?;
    if files.iter().filter(|f| f.as_str() == "-").count() > 1 {
        return Err(anyhow!("standard input can be read only once"));
    }
    let style = args.views.style();
    let print = args.write.is_none() || args.print;
    // The reader is one thread and the writer mostly waits: render on all the cores.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (result, written) = parallel::run(style, workers, std::io::stdout(), |pipeline| {
        read_all(args, &files, filter.as_deref(), print, pipeline)
    });
    let outcome = result?;
    // A closed stdout (`| head`) is a quiet success; the caller recognises it.
    written?;
    if let Some(e) = outcome {
        eprintln!("pkt: {e}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads every file in order into the pipeline (and the `-w` output). Returns the damage that
/// stopped a file early, if any.
fn read_all(
    args: &ReadArgs,
    files: &[String],
    filter: Option<&str>,
    print: bool,
    pipeline: &mut Pipeline,
) -> Result<Option<CaptureError>> {
    let mut writer: Option<Writer> = None;
    let mut batch = Batch::default();
    let mut clock: Option<Clock> = None;
    let mut n = 0u64;
    let mut damaged = None;
    // A frame whose link type the output (a classic pcap) cannot take.
    let mut mixed = None;
    // A bar on a terminal's stderr when the packets are not printed on that terminal too.
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let show = !args.views.json
        && total > 0
        && (!print || !std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let progress = super::progress::Progress::new(show, total, true, "read");
    let mut done_bytes = 0u64;
    let mut pending = 0u64;
    // Writing a file: Ctrl-C (SIGTERM, SIGHUP) stops the reading, and what was read so far
    // becomes the complete output.
    let stop = args.write.is_some().then(|| super::stop_flag(true));
    'files: for path in files {
        if let Ok(m) = std::fs::metadata(path) {
            progress.inc(pending);
            pending = 0;
            done_bytes += m.len();
        }
        let mut cf = CaptureFile::open(path, filter)?;
        if let Some(w) = &args.write {
            match &writer {
                None if is_pcapng(w) => writer = Some(Writer::create_ng(w, cf.linktype)?),
                None => writer = Some(cf.savefile(w)?),
                Some(wr) if wr.linktype != cf.linktype && !wr.is_ng() => {
                    return Err(anyhow!(
                        "{}: link type {} differs from the {} of the first file; a pcap holds one (write .pcapng for several)",
                        cf.path,
                        cf.linktype,
                        wr.linktype
                    ));
                }
                Some(_) => {}
            }
        }
        loop {
            if args.count.is_some_and(|c| n >= c)
                || stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
            {
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
            pending += 16 + frame.caplen as u64;
            if n.is_multiple_of(4096) {
                progress.inc(pending);
                progress.message(format!("{n} packets"));
                pending = 0;
            }
            let linktype = frame.linktype;
            if let Some(w) = writer.as_mut() {
                if w.is_ng() {
                    w.write_packet_on(
                        linktype,
                        frame.iface,
                        frame.ts_sec,
                        frame.ts_nsec,
                        frame.data,
                        frame.len,
                    )?;
                } else if linktype != w.linktype {
                    // A pcapng of several link types into a classic pcap: what is written so
                    // far stands, and the rest needs pcapng.
                    mixed = Some(anyhow!(
                        "{}: packet {n} has link type {linktype}, the output's is {}; a pcap holds one (write .pcapng for several)",
                        cf.path,
                        w.linktype
                    ));
                    break 'files;
                } else {
                    w.write(&frame)?;
                }
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
                iface: frame.iface,
            };
            let clock = *clock.get_or_insert_with(|| Clock::local(frame.ts_sec));
            batch.push(meta, frame.data, clock);
            if batch.is_full() && !pipeline.send(std::mem::take(&mut batch)) {
                break 'files; // the output closed
            }
        }
    }
    if !batch.is_empty() {
        pipeline.send(batch);
    }
    if damaged.is_none() && args.count.is_none_or(|c| n < c) {
        // Every file read to its end (filtered-out packets included).
        progress.inc(done_bytes.saturating_sub(progress.position()));
    } else {
        progress.inc(pending);
    }
    progress.message(format!("{n} packets"));
    progress.finish();
    if let Some(w) = writer {
        w.finish()?;
    }
    match mixed {
        Some(e) => Err(e),
        None => Ok(damaged),
    }
}
