//! scapy's `sr()` loop as a state machine: send the requests, collect what comes back, say which
//! reply answers which request ([`super::answer`]), resend the unanswered ones. All I/O goes
//! through a [`Network`] and all time comes from it and a [`Clock`], so the loop runs the same
//! against a socket, a pcap handle or a scripted fake.
//!
//! The semantics are scapy's `sndrcv`:
//! - requests are sent in order, `inter` apart (what arrives in between is processed then);
//! - replies are collected until `timeout` after the last request of the round was sent, or —
//!   unless `multi` — as soon as every request has its answer;
//! - a reply answers at most one request: the first (in sending order) it answers that has no
//!   answer yet; with `multi` the first it answers at all, so a request collects every answer;
//! - a reply that answers nothing is still received (scapy's "Received N packets"), as is a
//!   second answer to an answered request without `multi`;
//! - `retry` more rounds resend only the requests still unanswered;
//! - the round trip time is the reply's timestamp less the request's (latest) send timestamp,
//!   both from the [`Network`], so kernel or libpcap timestamps can be used.

use super::answer::Matcher;
use crate::build::build;
use crate::dissect::{Packet, dissect, dissect_as_new};
use crate::layers::{Layer, Proto};
use std::io;
use std::time::Duration;

/// A monotonic clock: time since an arbitrary epoch, the same epoch as the [`Network`]'s
/// timestamps and deadlines.
pub trait Clock {
    fn now(&self) -> Duration;
}

/// Where frames go and come from.
pub trait Network {
    /// The link type (pcap `LINKTYPE_*`) of received frames, which says how to dissect them.
    fn linktype(&self) -> u32;
    /// Sends one frame; returns when it was sent (the [`Clock`]'s epoch).
    fn send(&mut self, frame: &[u8]) -> io::Result<Duration>;
    /// The next received frame: one already queued at once (even past the deadline), else waits
    /// for one until `deadline` ([`Duration::MAX`]: no deadline) and returns `None` when it
    /// passes. Frames the host itself sent should not be returned (a capture's outgoing
    /// direction): they would be counted as received.
    fn recv(&mut self, deadline: Duration) -> io::Result<Option<Received>>;
}

/// A frame as the [`Network`] received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// When it was received (the [`Clock`]'s epoch).
    pub time: Duration,
    pub data: Vec<u8>,
    /// Its length on the wire (more than `data.len()` when a snap length cut it).
    pub wire_len: usize,
}

impl Received {
    /// A frame received whole.
    pub fn new(time: Duration, data: Vec<u8>) -> Received {
        let wire_len = data.len();
        Received {
            time,
            data,
            wire_len,
        }
    }
}

/// A request to send: its bytes, and the layer they start with (how to dissect them for
/// matching).
#[derive(Clone, Debug)]
pub struct Probe {
    pub frame: Vec<u8>,
    pub first: &'static Proto,
}

impl Probe {
    pub fn new(frame: Vec<u8>, first: &'static Proto) -> Probe {
        Probe { frame, first }
    }

    /// Builds the layers (computing what is unset). They must not be empty.
    pub fn from_layers(layers: &[Layer]) -> Probe {
        Probe {
            frame: build(layers),
            first: layers[0].proto,
        }
    }
}

/// scapy's `sr()` arguments.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// How long to wait after the last request of a round is sent; `None` (scapy's default):
    /// until every request is answered, however long that takes (with `multi`: for ever).
    pub timeout: Option<Duration>,
    /// Rounds after the first that resend the unanswered requests (scapy's `retry`, without its
    /// negative form).
    pub retry: u32,
    /// Time between two sends.
    pub inter: Duration,
    /// Keep collecting answers to answered requests until the timeout.
    pub multi: bool,
    /// Set (by a Ctrl-C handler, say) to end the run early: nothing more is sent, the requests
    /// still waiting are reported unanswered, and the run returns normally.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Options {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// A received frame, dissected.
#[derive(Clone, Debug)]
pub struct Reply {
    pub time: Duration,
    pub data: Vec<u8>,
    pub packet: Packet,
}

/// What happened, as it happens. Ids are indices into the requests given to [`run`].
#[derive(Clone, Debug)]
pub enum Event {
    /// Request `id` was sent at `time`, for the `attempt`th time (1 for the first).
    Sent {
        id: usize,
        time: Duration,
        attempt: u32,
    },
    /// `reply` answers request `id`, `rtt` after its latest sending.
    Answer {
        id: usize,
        rtt: Duration,
        reply: Reply,
    },
    /// `reply` answers no request that is waiting for one: unrelated traffic, or (without
    /// `multi`) a further answer to the already answered request `duplicate_of`.
    Unmatched {
        reply: Reply,
        duplicate_of: Option<usize>,
    },
    /// Request `id` got no answer (reported once, at the end).
    Unanswered { id: usize },
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Frames sent, retries included.
    pub sent: usize,
    /// Frames received: `answers + unmatched`.
    pub received: usize,
    /// Answers (with `multi`, a request may have several).
    pub answers: usize,
    /// Requests with at least one answer.
    pub answered: usize,
    /// Requests without an answer.
    pub unanswered: usize,
    /// Received frames that answered nothing.
    pub unmatched: usize,
    /// Rounds of sending (1 + the retries that were needed).
    pub rounds: u32,
    /// How many times [`super::answers`] ran (a diagnostic: matching should stay linear).
    pub comparisons: u64,
    /// The run was cancelled ([`Options::cancel`]).
    pub cancelled: bool,
}

/// How many queued frames are read between two sends once the time for the next send has
/// come: a flood of traffic does not stop the sending.
const POLL_BUDGET: usize = 64;

struct Engine<'a, N, C, F> {
    net: &'a mut N,
    clock: &'a C,
    multi: bool,
    on_event: F,
    linktype: u32,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    matcher: Matcher,
    /// Answers per request.
    answers: Vec<u32>,
    /// Latest send time per request.
    sent_at: Vec<Duration>,
    attempts: Vec<u32>,
    summary: Summary,
}

/// Runs scapy's `sr()` over `net`: sends every probe, collects the answers, retries, reports
/// each step to `on_event` and returns the counts. An I/O error of the network ends the run.
pub fn run<N: Network, C: Clock>(
    net: &mut N,
    clock: &C,
    probes: &[Probe],
    opts: &Options,
    on_event: impl FnMut(Event),
) -> io::Result<Summary> {
    let n = probes.len();
    let linktype = net.linktype();
    let mut e = Engine {
        net,
        clock,
        multi: opts.multi,
        on_event,
        linktype,
        cancel: opts.cancel.clone(),
        matcher: Matcher::new(),
        answers: vec![0; n],
        sent_at: vec![Duration::ZERO; n],
        attempts: vec![0; n],
        summary: Summary::default(),
    };
    if n == 0 {
        return Ok(e.summary);
    }
    let mut to_send: Vec<usize> = (0..n).collect();
    let mut last: Option<Duration> = None;
    loop {
        e.summary.rounds += 1;
        let mut round_last = None;
        for &id in &to_send {
            if opts.cancelled() {
                break;
            }
            // A retry answered late (to an earlier attempt) while this round was being sent is
            // not sent again.
            if e.answers[id] > 0 {
                continue;
            }
            if let Some(prev) = last {
                e.receive_until(prev.saturating_add(opts.inter), false)?;
                if e.answers[id] > 0 {
                    continue;
                }
            }
            let t = e.send(id, &probes[id])?;
            last = Some(t);
            round_last = Some(t);
        }
        if let Some(t) = round_last {
            let deadline = opts.timeout.map_or(Duration::MAX, |d| t.saturating_add(d));
            e.receive_until(deadline, !opts.multi)?;
        }
        let left: Vec<usize> = (0..n).filter(|&id| e.answers[id] == 0).collect();
        if left.is_empty() || e.summary.rounds > opts.retry || opts.cancelled() {
            break;
        }
        to_send = left;
    }
    for id in 0..n {
        if e.answers[id] == 0 {
            e.summary.unanswered += 1;
            (e.on_event)(Event::Unanswered { id });
        }
    }
    e.summary.comparisons = e.matcher.comparisons();
    e.summary.cancelled = opts.cancelled();
    Ok(e.summary)
}

impl<N: Network, C: Clock, F: FnMut(Event)> Engine<'_, N, C, F> {
    fn send(&mut self, id: usize, probe: &Probe) -> io::Result<Duration> {
        if self.attempts[id] == 0 {
            // Only what was sent can be answered (scapy's `hsent`).
            let request = dissect_as_new(probe.first, &probe.frame).layers;
            self.matcher.add(id, request);
        }
        let t = self.net.send(&probe.frame)?;
        self.attempts[id] += 1;
        self.sent_at[id] = t;
        self.summary.sent += 1;
        (self.on_event)(Event::Sent {
            id,
            time: t,
            attempt: self.attempts[id],
        });
        Ok(t)
    }

    /// Processes received frames until `deadline` (past it: a few already queued), or, with
    /// `stop_when_done`, until every request is answered.
    fn receive_until(&mut self, deadline: Duration, stop_when_done: bool) -> io::Result<()> {
        let mut polled = 0;
        loop {
            if stop_when_done && self.summary.answered == self.answers.len() {
                return Ok(());
            }
            if self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
            {
                return Ok(());
            }
            if self.clock.now() >= deadline {
                if polled >= POLL_BUDGET {
                    return Ok(());
                }
                polled += 1;
            }
            match self.net.recv(deadline)? {
                Some(r) => self.process(r),
                None if self.clock.now() >= deadline => return Ok(()),
                None => {}
            }
        }
    }

    fn process(&mut self, r: Received) {
        self.summary.received += 1;
        let packet = dissect(self.linktype, &r.data, r.wire_len);
        let mut hit = None;
        let mut duplicate_of = None;
        for id in self.matcher.matches(&packet.layers) {
            if self.multi || self.answers[id] == 0 {
                hit = Some(id);
                break;
            }
            duplicate_of.get_or_insert(id);
        }
        let reply = Reply {
            time: r.time,
            data: r.data,
            packet,
        };
        match hit {
            Some(id) => {
                if self.answers[id] == 0 {
                    self.summary.answered += 1;
                }
                self.answers[id] += 1;
                self.summary.answers += 1;
                let rtt = reply.time.saturating_sub(self.sent_at[id]);
                (self.on_event)(Event::Answer { id, rtt, reply });
            }
            None => {
                self.summary.unmatched += 1;
                (self.on_event)(Event::Unmatched {
                    reply,
                    duplicate_of,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
