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
mod tests {
    use super::*;
    use crate::engine::testutil::{FakeClock, FakeNet, frame, icmp_error, names, read};
    use crate::layers::{Value, ip};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    const US: &str = "192.0.2.1";
    const THEM: &str = "192.0.2.2";
    const ROUTER: &str = "198.51.100.1";
    const OTHER: &str = "203.0.113.9";

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Runs the engine and keeps its events.
    fn run_all(
        net: &mut FakeNet,
        clock: &FakeClock,
        probes: &[Probe],
        opts: &Options,
    ) -> (Summary, Vec<Event>) {
        let mut events = Vec::new();
        let s = run(net, clock, probes, opts, |e| events.push(e)).expect("run");
        (s, events)
    }

    fn answers_of(events: &[Event]) -> Vec<(usize, Duration)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Answer { id, rtt, .. } => Some((*id, *rtt)),
                _ => None,
            })
            .collect()
    }

    fn unanswered_of(events: &[Event]) -> Vec<usize> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Unanswered { id } => Some(*id),
                _ => None,
            })
            .collect()
    }

    fn probes(exprs: &[String]) -> Vec<Probe> {
        exprs
            .iter()
            .map(|x| {
                let l = &crate::craft::compile(x).expect("expr")[0];
                Probe::from_layers(l)
            })
            .collect()
    }

    fn ip4(src: &str, dst: &str) -> String {
        format!("IP(src=\"{src}\",dst=\"{dst}\")")
    }

    /// An echo responder: replies to echo requests with the same id/seq after `delay(seq)`.
    fn echo_replier(
        delay: impl Fn(u64) -> Option<Duration> + 'static,
    ) -> impl FnMut(&[u8]) -> Vec<(Duration, Vec<u8>)> {
        move |f| {
            let l = read("IP", f);
            let (id, seq) = (l[1].int("id").unwrap(), l[1].int("seq").unwrap());
            match delay(seq) {
                Some(d) => vec![(
                    d,
                    frame(&format!("{}/ICMP(type=0,id={id},seq={seq})", ip4(THEM, US))),
                )],
                None => vec![],
            }
        }
    }

    fn timeout(s: u64) -> Options {
        Options {
            timeout: Some(Duration::from_secs(s)),
            ..Options::default()
        }
    }

    #[test]
    fn echo_answers_with_round_trip_times_and_early_stop() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, echo_replier(|seq| Some(ms(10 * seq))));
        let p = probes(
            &(1..=3)
                .map(|s| format!("{}/ICMP(id=7,seq={s})", ip4(US, THEM)))
                .collect::<Vec<_>>(),
        );
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(5));
        assert_eq!(answers_of(&ev), [(0, ms(10)), (1, ms(20)), (2, ms(30))]);
        assert_eq!(
            (
                s.sent,
                s.received,
                s.answers,
                s.answered,
                s.unanswered,
                s.rounds
            ),
            (3, 3, 3, 3, 0, 1)
        );
        // stopped at the last answer, not at the timeout
        assert_eq!(clock.now(), ms(30));
        assert!(!net.waited_out.get());
        let Event::Answer { reply, .. } = &ev[3] else {
            panic!("{:?}", ev[3])
        };
        assert_eq!(names(&reply.packet.layers), ["IP", "ICMP"]);
    }

    #[test]
    fn cancel_ends_the_run_with_the_rest_unanswered() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let clock = FakeClock::default();
        let flag = Arc::new(AtomicBool::new(false));
        let set = flag.clone();
        // The network answers the first probe, then "Ctrl-C" arrives while it is sending the
        // second.
        let sends = Cell::new(0);
        let mut replier = echo_replier(|seq| Some(ms(10 * seq)));
        let mut net = FakeNet::new(&clock, 228, move |f: &[u8]| {
            sends.set(sends.get() + 1);
            if sends.get() == 2 {
                set.store(true, Ordering::Relaxed);
            }
            replier(f)
        });
        let p = probes(
            &(1..=5)
                .map(|s| format!("{}/ICMP(id=7,seq={s})", ip4(US, THEM)))
                .collect::<Vec<_>>(),
        );
        let mut opts = timeout(5);
        opts.inter = ms(50);
        opts.retry = 3;
        opts.cancel = Some(flag);
        let (s, ev) = run_all(&mut net, &clock, &p, &opts);
        assert!(s.cancelled);
        assert_eq!(s.sent, 2, "nothing is sent after the cancel");
        assert_eq!(answers_of(&ev), [(0, ms(10))]);
        assert_eq!(s.unanswered, 4);
        assert!(clock.now() < ms(5000), "the timeout is not waited out");
    }

    #[test]
    fn mismatched_seq_is_not_an_answer() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, |f: &[u8]| {
            let l = read("IP", f);
            let seq = l[1].int("seq").unwrap();
            vec![(
                ms(5),
                frame(&format!(
                    "{}/ICMP(type=0,id=7,seq={})",
                    ip4(THEM, US),
                    seq + 1
                )),
            )]
        });
        let p = probes(&[format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM))]);
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        assert!(answers_of(&ev).is_empty());
        assert_eq!(unanswered_of(&ev), [0]);
        assert_eq!((s.received, s.unmatched, s.unanswered), (1, 1, 1));
        // waited the whole timeout after the send
        assert_eq!(clock.now(), Duration::from_secs(2));
    }

    #[test]
    fn tcp_syn_open_and_closed_ports() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, |f: &[u8]| {
            let l = read("IP", f);
            let (sport, dport, seq) = (
                l[1].int("sport").unwrap(),
                l[1].int("dport").unwrap(),
                l[1].int("seq").unwrap(),
            );
            let flags = if dport == 22 { "SA" } else { "RA" };
            vec![(
                ms(1),
                frame(&format!(
                    "{}/TCP(sport={dport},dport={sport},seq=999,ack={},flags=\"{flags}\")",
                    ip4(THEM, US),
                    seq + 1
                )),
            )]
        });
        let p = probes(&[
            format!(
                "{}/TCP(sport=40000,dport=22,seq=100,flags=\"S\")",
                ip4(US, THEM)
            ),
            format!(
                "{}/TCP(sport=40000,dport=23,seq=100,flags=\"S\")",
                ip4(US, THEM)
            ),
        ]);
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        assert_eq!(s.answered, 2);
        let flags: Vec<(usize, u64)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Answer { id, reply, .. } => {
                    Some((*id, reply.packet.layers[1].int("flags").unwrap()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(flags, [(0, 0x12), (1, 0x14)]);
    }

    #[test]
    fn udp_answered_by_port_unreachable_and_probes_by_time_exceeded() {
        let clock = FakeClock::default();
        // The target answers the UDP probe; a router answers the ttl=1 probes.
        let mut net = FakeNet::new(&clock, 228, |f: &[u8]| {
            let l = read("IP", f);
            let outer = if l[0].int("ttl") == Some(1) {
                format!("{}/ICMP(type=11,code=0)", ip4(ROUTER, US))
            } else {
                format!("{}/ICMP(type=3,code=3)", ip4(THEM, US))
            };
            vec![(ms(3), icmp_error(&outer, f, 28))]
        });
        let p = probes(&[
            format!("{}/UDP(sport=5000,dport=33434)", ip4(US, THEM)),
            format!("IP(src=\"{US}\",dst=\"{THEM}\",ttl=1)/UDP(sport=5000,dport=33435)"),
            format!("IP(src=\"{US}\",dst=\"{THEM}\",ttl=1)/TCP(sport=5000,dport=80)"),
            format!("IP(src=\"{US}\",dst=\"{THEM}\",ttl=1)/ICMP(id=3,seq=9)"),
        ]);
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        let ids: Vec<usize> = answers_of(&ev).iter().map(|a| a.0).collect();
        assert_eq!(ids, [0, 1, 2, 3]);
        assert_eq!((s.answered, s.unmatched), (4, 0));
        let routers: Vec<Option<Value>> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Answer { reply, .. } => Some(reply.packet.layers[0].get("src").cloned()),
                _ => None,
            })
            .collect();
        assert_eq!(routers[0], Some(Value::Ip4([192, 0, 2, 2])));
        assert_eq!(routers[3], Some(Value::Ip4([198, 51, 100, 1])));
    }

    #[test]
    fn arp_who_has_answered_by_is_at() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 1, |f: &[u8]| {
            let l = read("Ether", f);
            let Some(Value::Ip4(a)) = l[1].get("pdst") else {
                panic!()
            };
            if a[3] == 9 {
                return vec![];
            }
            let who = format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
            vec![(
                ms(1),
                frame(&format!(
                    "Ether(src=\"02:00:00:00:00:{:02x}\")/ARP(op=2,hwsrc=\"02:00:00:00:00:{:02x}\",psrc=\"{who}\",pdst=\"{US}\")",
                    a[3], a[3]
                )),
            )]
        });
        let p =
            probes(&[2, 9, 3].map(|h| format!("Ether()/ARP(psrc=\"{US}\",pdst=\"192.0.2.{h}\")")));
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(1));
        let ids: Vec<usize> = answers_of(&ev).iter().map(|a| a.0).collect();
        assert_eq!(ids, [0, 2]);
        assert_eq!(unanswered_of(&ev), [1]);
        assert_eq!((s.answered, s.unanswered), (2, 1));
    }

    const US6: &str = "2001:db8::1";
    const THEM6: &str = "2001:db8::2";
    const ROUTER6: &str = "2001:db8:ffff::1";

    fn ip6(src: &str, dst: &str) -> String {
        format!("IPv6(src=\"{src}\",dst=\"{dst}\")")
    }

    #[test]
    fn ipv6_echo_time_exceeded_and_neighbour_discovery() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 1, |f: &[u8]| {
            let l = read("Ether", f);
            let up = &l[2];
            let eth = "Ether()";
            let reply = match up.name() {
                "ICMPv6ND_NS" => format!(
                    "{eth}/{}/ICMPv6ND_NA(tgt=\"{THEM6}\",S=1)/ICMPv6NDOptDstLLAddr(lladdr=\"02:00:00:00:00:02\")",
                    ip6(THEM6, US6)
                ),
                "ICMPv6EchoRequest" if l[1].int("hlim") == Some(1) => {
                    // a router quotes the probe (without its Ethernet header)
                    let outer = format!("{eth}/{}/ICMPv6TimeExceeded()", ip6(ROUTER6, US6));
                    return vec![(ms(2), icmp_error(&outer, &f[14..], f.len()))];
                }
                "ICMPv6EchoRequest" => {
                    let (id, seq) = (up.int("id").unwrap(), up.int("seq").unwrap());
                    format!(
                        "{eth}/{}/ICMPv6EchoReply(id={id},seq={seq})",
                        ip6(THEM6, US6)
                    )
                }
                other => panic!("{other}"),
            };
            vec![(ms(2), frame(&reply))]
        });
        let p = probes(&[
            format!("Ether()/{}/ICMPv6EchoRequest(id=1,seq=1)", ip6(US6, THEM6)),
            format!(
                "Ether()/IPv6(src=\"{US6}\",dst=\"{THEM6}\",hlim=1)/ICMPv6EchoRequest(id=1,seq=2)"
            ),
            format!(
                "Ether()/{}/ICMPv6ND_NS(tgt=\"{THEM6}\")/ICMPv6NDOptSrcLLAddr(lladdr=\"02:00:00:00:00:01\")",
                ip6(US6, "ff02::1:ff00:2")
            ),
        ]);
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        let ids: Vec<usize> = answers_of(&ev).iter().map(|a| a.0).collect();
        assert_eq!(ids, [0, 1, 2]);
        assert_eq!(s.unmatched, 0);
        let Some(Event::Answer { reply, .. }) =
            ev.iter().find(|e| matches!(e, Event::Answer { id: 1, .. }))
        else {
            panic!()
        };
        assert_eq!(
            names(&reply.packet.layers)[2..4],
            ["ICMPv6TimeExceeded", "IPerror6"]
        );
    }

    #[test]
    fn replies_in_reverse_order() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, echo_replier(|seq| Some(ms(100 - 10 * seq))));
        let p = probes(
            &(1..=5)
                .map(|s| format!("{}/ICMP(id=7,seq={s})", ip4(US, THEM)))
                .collect::<Vec<_>>(),
        );
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(3));
        assert_eq!(
            answers_of(&ev),
            [
                (4, ms(50)),
                (3, ms(60)),
                (2, ms(70)),
                (1, ms(80)),
                (0, ms(90))
            ]
        );
        assert_eq!(s.answered, 5);
        assert_eq!(clock.now(), ms(90));
    }

    #[test]
    fn inter_spaces_the_sends_and_replies_are_read_in_between() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, echo_replier(|_| Some(ms(30))));
        let p = probes(
            &(1..=3)
                .map(|s| format!("{}/ICMP(id=7,seq={s})", ip4(US, THEM)))
                .collect::<Vec<_>>(),
        );
        let opts = Options {
            inter: ms(100),
            ..timeout(1)
        };
        let (_, ev) = run_all(&mut net, &clock, &p, &opts);
        let order: Vec<String> = ev
            .iter()
            .map(|e| match e {
                Event::Sent { id, time, .. } => format!("sent {id} at {}", time.as_millis()),
                Event::Answer { id, reply, .. } => {
                    format!("answer {id} at {}", reply.time.as_millis())
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            order,
            [
                "sent 0 at 0",
                "answer 0 at 30",
                "sent 1 at 100",
                "answer 1 at 130",
                "sent 2 at 200",
                "answer 2 at 230"
            ]
        );
    }

    #[test]
    fn retry_resends_only_the_unanswered() {
        let clock = FakeClock::default();
        let attempts = Rc::new(RefCell::new(std::collections::HashMap::<u64, u32>::new()));
        let a = attempts.clone();
        // seq 1: answered at its second sending; seq 2: at once; seq 3: never.
        let mut net = FakeNet::new(
            &clock,
            228,
            echo_replier(move |seq| {
                let mut a = a.borrow_mut();
                let n = a.entry(seq).or_insert(0);
                *n += 1;
                match (seq, *n) {
                    (1, 2) | (2, _) => Some(ms(10)),
                    _ => None,
                }
            }),
        );
        let p = probes(
            &(1..=3)
                .map(|s| format!("{}/ICMP(id=7,seq={s})", ip4(US, THEM)))
                .collect::<Vec<_>>(),
        );
        let opts = Options {
            retry: 2,
            ..timeout(1)
        };
        let (s, ev) = run_all(&mut net, &clock, &p, &opts);
        let sent: Vec<(usize, u32)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Sent { id, attempt, .. } => Some((*id, *attempt)),
                _ => None,
            })
            .collect();
        assert_eq!(sent, [(0, 1), (1, 1), (2, 1), (0, 2), (2, 2), (2, 3)]);
        // resent as they were first sent, one timeout apart
        let frames: Vec<(u128, &[u8])> = net
            .sent
            .iter()
            .map(|(t, f)| (t.as_millis(), f.as_slice()))
            .collect();
        assert_eq!(frames[3], (1000, p[0].frame.as_slice()));
        assert_eq!(frames[4], (1000, p[2].frame.as_slice()));
        assert_eq!(frames[5], (2000, p[2].frame.as_slice()));
        assert_eq!(answers_of(&ev), [(1, ms(10)), (0, ms(10))]);
        assert_eq!(unanswered_of(&ev), [2]);
        assert_eq!((s.sent, s.rounds, s.answered, s.unanswered), (6, 3, 2, 1));
        // three rounds, each waiting out its timeout (seq 3 never answers)
        assert_eq!(clock.now(), Duration::from_secs(3));
    }

    /// An IPv6 echo to all nodes, answered by two hosts.
    fn two_hosts() -> (FakeClock, FakeNet, Vec<Probe>) {
        let clock = FakeClock::default();
        let net = FakeNet::new(&clock, 229, |f: &[u8]| {
            if f[0] >> 4 != 6 {
                return vec![];
            }
            let l = read("IPv6", f);
            let (id, seq) = (l[1].int("id").unwrap(), l[1].int("seq").unwrap());
            ["2001:db8::2", "2001:db8::3"]
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    (
                        ms(10 * (i as u64 + 1)),
                        frame(&format!(
                            "{}/ICMPv6EchoReply(id={id},seq={seq})",
                            ip6(h, US6)
                        )),
                    )
                })
                .collect()
        });
        let p = probes(&[format!(
            "{}/ICMPv6EchoRequest(id=5,seq=1)",
            ip6(US6, "ff02::1")
        )]);
        (clock, net, p)
    }

    #[test]
    fn multi_collects_every_answer_until_the_timeout() {
        let (clock, mut net, p) = two_hosts();
        let opts = Options {
            multi: true,
            ..timeout(2)
        };
        let (s, ev) = run_all(&mut net, &clock, &p, &opts);
        assert_eq!(answers_of(&ev), [(0, ms(10)), (0, ms(20))]);
        assert_eq!((s.answers, s.answered, s.unmatched), (2, 1, 0));
        assert_eq!(clock.now(), Duration::from_secs(2));
    }

    #[test]
    fn without_multi_a_second_answer_is_received_but_not_an_answer() {
        let (clock, mut net, p) = two_hosts();
        // The run stops at the first answer: the second reply is never read.
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        assert_eq!(answers_of(&ev), [(0, ms(10))]);
        assert_eq!((s.answers, s.received), (1, 1));
        assert_eq!(clock.now(), ms(10));

        // With a second probe still waiting, the duplicate is read and reported as such.
        let (clock, mut net, mut p) = two_hosts();
        p.push(probes(&[format!("{}/ICMP(id=1,seq=1)", ip4(US, THEM))]).remove(0));
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(1));
        let dup = ev.iter().find_map(|e| match e {
            Event::Unmatched { duplicate_of, .. } => Some(*duplicate_of),
            _ => None,
        });
        assert_eq!(dup, Some(Some(0)));
        assert_eq!((s.answers, s.received, s.unmatched), (1, 2, 1));
    }

    #[test]
    fn unrelated_traffic_is_counted_not_matched() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, echo_replier(|_| Some(ms(50))));
        net.inject(
            ms(10),
            frame(&format!(
                "{}/TCP(sport=443,dport=5555,flags=\"A\")",
                ip4(OTHER, US)
            )),
        );
        net.inject(
            ms(20),
            frame(&format!("{}/ICMP(type=0,id=7,seq=99)", ip4(THEM, US))),
        );
        let p = probes(&[format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM))]);
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        assert_eq!(answers_of(&ev), [(0, ms(50))]);
        assert_eq!((s.received, s.answers, s.unmatched), (3, 1, 2));
        let unmatched = ev
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Unmatched {
                        duplicate_of: None,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(unmatched, 2);
    }

    #[test]
    fn ether_framed_replies_match_ip_level_requests() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 1, |f: &[u8]| {
            let l = read("IP", f);
            let seq = l[1].int("seq").unwrap();
            vec![(
                ms(4),
                frame(&format!(
                    "Ether(src=\"02:00:00:00:00:02\",dst=\"02:00:00:00:00:01\")/{}/ICMP(type=0,id=7,seq={seq})",
                    ip4(THEM, US)
                )),
            )]
        });
        let p = probes(&[format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM))]);
        assert!(std::ptr::eq(p[0].first, &ip::IP));
        let (s, ev) = run_all(&mut net, &clock, &p, &timeout(2));
        assert_eq!(answers_of(&ev), [(0, ms(4))]);
        assert_eq!(s.answered, 1);
    }

    #[test]
    fn no_timeout_waits_for_every_answer() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(
            &clock,
            228,
            echo_replier(|_| Some(Duration::from_secs(100))),
        );
        let p = probes(&[format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM))]);
        let (s, _) = run_all(&mut net, &clock, &p, &Options::default());
        assert_eq!(s.answered, 1);
        assert_eq!(clock.now(), Duration::from_secs(100));
    }

    #[test]
    fn nothing_to_send() {
        let clock = FakeClock::default();
        let mut net = FakeNet::new(&clock, 228, |_: &[u8]| vec![]);
        let (s, ev) = run_all(&mut net, &clock, &[], &timeout(1));
        assert_eq!(s, Summary::default());
        assert!(ev.is_empty());
    }

    #[test]
    fn matching_stays_linear_for_65536_requests() {
        const N: usize = 65536;
        let reqs = crate::craft::compile(&format!("{}/ICMP(id=1,seq=(0,65535))", ip4(US, THEM)))
            .expect("expr");
        let p: Vec<Probe> = reqs.iter().map(|l| Probe::from_layers(l)).collect();
        let replies: Vec<Vec<u8>> = crate::craft::compile(&format!(
            "{}/ICMP(type=0,id=1,seq=(0,65535))",
            ip4(THEM, US)
        ))
        .expect("expr")
        .iter()
        .map(|l| build(l))
        .collect();
        assert_eq!((p.len(), replies.len()), (N, N));
        let clock = FakeClock::default();
        // Every fourth request goes unanswered; the others are answered in reverse pairs.
        let mut net = FakeNet::new(&clock, 228, move |f: &[u8]| {
            let seq = u16::from_be_bytes([f[26], f[27]]) as usize;
            if seq % 4 == 3 {
                return vec![];
            }
            vec![(ms(1 + (seq % 2) as u64), replies[seq].clone())]
        });
        for i in 0..1000 {
            net.inject(
                ms(i),
                frame(&format!("{}/UDP(sport=53,dport=5353)", ip4(OTHER, US))),
            );
        }
        let mut answers = 0usize;
        let s = run(&mut net, &clock, &p, &timeout(1), |e| {
            if let Event::Answer { .. } = e {
                answers += 1;
            }
        })
        .expect("run");
        assert_eq!(answers, N / 4 * 3);
        assert_eq!(s.unanswered, N / 4);
        assert_eq!(s.received, N / 4 * 3 + 1000);
        // One `answers` call per answer, none for traffic whose key matches nothing.
        assert!(
            s.comparisons <= 2 * s.received as u64,
            "{} comparisons for {} received",
            s.comparisons,
            s.received
        );
    }
}
