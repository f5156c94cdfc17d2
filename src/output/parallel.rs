//! Rendering on every core, output in order. The reader fills [`Batch`]es of frames; workers
//! render whole batches into text; a writer puts the texts out in batch order. Memory stays
//! bounded: only a few batches are in flight at once.

use super::FrameMeta;
use super::render::{Style, render};
use super::time::Clock;
use crate::dissect::Packet;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

/// Frames (their facts and bytes) waiting to be rendered together.
#[derive(Default)]
pub struct Batch {
    metas: Vec<FrameMeta>,
    /// End offset of each frame's bytes in `data`.
    ends: Vec<usize>,
    data: Vec<u8>,
    clock: Option<Clock>,
}

impl Batch {
    /// A batch is sent off at this many frames or bytes.
    const FRAMES: usize = 512;
    const BYTES: usize = 256 << 10;

    pub fn push(&mut self, meta: FrameMeta, data: &[u8], clock: Clock) {
        self.metas.push(meta);
        self.data.extend_from_slice(data);
        self.ends.push(self.data.len());
        self.clock = Some(clock);
    }

    pub fn is_full(&self) -> bool {
        self.metas.len() >= Self::FRAMES || self.data.len() >= Self::BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
    }

    fn render(&self, style: &Style, pkt: &mut Packet, out: &mut String) {
        let clock = self.clock.unwrap_or_else(Clock::utc);
        let mut start = 0;
        for (meta, &end) in self.metas.iter().zip(&self.ends) {
            render(style, &clock, meta, &self.data[start..end], pkt, out);
            start = end;
        }
    }
}

/// The reader's end of the pipeline.
pub struct Pipeline {
    work: SyncSender<(u64, Batch)>,
    /// One token per batch that may be in flight; the writer returns them as it writes.
    tokens: Receiver<()>,
    next: u64,
}

impl Pipeline {
    /// Hands a full batch to the workers, waiting while too many are in flight. `false` when
    /// the output has closed (stop reading).
    pub fn send(&mut self, batch: Batch) -> bool {
        if self.tokens.recv().is_err() {
            return false;
        }
        let seq = self.next;
        self.next += 1;
        self.work.send((seq, batch)).is_ok()
    }
}

/// Runs `read` with a [`Pipeline`] to feed, rendering on `workers` threads and writing to `out`
/// in order. Returns what `read` returned and the output's result (a closed pipe is an error
/// there, for the caller to judge).
pub fn run<W: Write + Send, T>(
    style: Style,
    workers: usize,
    out: W,
    read: impl FnOnce(&mut Pipeline) -> T,
) -> (T, std::io::Result<()>) {
    let workers = workers.max(1);
    let (work_tx, work_rx) = sync_channel::<(u64, Batch)>(workers);
    let (done_tx, done_rx) = sync_channel::<(u64, String)>(workers);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let in_flight = workers * 3;
    let (token_tx, token_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            scope.spawn(move || worker(&style, &rx, &tx));
        }
        drop(done_tx);
        // Only the workers hold the work queue's receiving end: when they are gone, sends fail.
        drop(work_rx);
        let writer = scope.spawn(move || write_in_order(out, &done_rx, &token_tx));
        let mut pipeline = Pipeline {
            work: work_tx,
            tokens: token_rx,
            next: 0,
        };
        let result = read(&mut pipeline);
        drop(pipeline);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("output thread failed")));
        (result, written)
    })
}

fn worker(style: &Style, rx: &Mutex<Receiver<(u64, Batch)>>, tx: &SyncSender<(u64, String)>) {
    let mut pkt = Packet::default();
    loop {
        let Ok((seq, batch)) = rx
            .lock()
            .map_err(|_| ())
            .and_then(|r| r.recv().map_err(|_| ()))
        else {
            return;
        };
        let mut text = String::with_capacity(batch.data.len() * 3 + batch.metas.len() * 256);
        batch.render(style, &mut pkt, &mut text);
        if tx.send((seq, text)).is_err() {
            return;
        }
    }
}

fn write_in_order<W: Write>(
    mut out: W,
    rx: &Receiver<(u64, String)>,
    tokens: &SyncSender<()>,
) -> std::io::Result<()> {
    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    for (seq, text) in rx {
        pending.insert(seq, text);
        while let Some(text) = pending.remove(&next) {
            out.write_all(text.as_bytes())?;
            next += 1;
            let _ = tokens.send(());
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::render::{TimeStyle, View};

    #[test]
    fn output_keeps_the_order_of_the_frames() {
        let style = Style {
            view: View::Json,
            time: TimeStyle::Epoch,
            number: false,
            iface: false,
            color: false,
        };
        let frame = [0u8; 20];
        let mut out = Vec::new();
        let (sent, written) = run(style, 3, &mut out, |p| {
            for b in 0..50u64 {
                let mut batch = Batch::default();
                for i in 0..(b % 7 + 1) {
                    let meta = FrameMeta {
                        n: b * 100 + i,
                        caplen: 20,
                        len: 20,
                        linktype: 101,
                        ..Default::default()
                    };
                    batch.push(meta, &frame, Clock::utc());
                }
                assert!(p.send(batch));
            }
            50
        });
        assert_eq!(sent, 50);
        written.unwrap();
        let ns: Vec<u64> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["n"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        let mut sorted = ns.clone();
        sorted.sort();
        assert_eq!(ns, sorted);
        assert_eq!(
            ns.len(),
            (0..50u64).map(|b| b % 7 + 1).sum::<u64>() as usize
        );
    }

    #[test]
    fn a_closed_output_stops_the_reader() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let style = Style {
            view: View::Summary,
            time: TimeStyle::None,
            number: false,
            iface: false,
            color: false,
        };
        let (stopped, written) = run(style, 2, Closed, |p| {
            for _ in 0..10_000 {
                let mut batch = Batch::default();
                batch.push(
                    FrameMeta {
                        linktype: 101,
                        ..Default::default()
                    },
                    &[0x45],
                    Clock::utc(),
                );
                if !p.send(batch) {
                    return true;
                }
            }
            false
        });
        assert!(stopped, "the reader was not told the output closed");
        assert_eq!(written.unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
    }
}
