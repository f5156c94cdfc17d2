use super::*;
use crate::engine::testutil::{
    FakeClock, FakeNet, ROUTER, ROUTER6, THEM, THEM6, US, US6, frame, icmp_error, ip4, ip6, names,
    read,
};
use crate::layers::{Value, ip};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

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
    let p = probes(&[2, 9, 3].map(|h| format!("Ether()/ARP(psrc=\"{US}\",pdst=\"192.0.2.{h}\")")));
    let (s, ev) = run_all(&mut net, &clock, &p, &timeout(1));
    let ids: Vec<usize> = answers_of(&ev).iter().map(|a| a.0).collect();
    assert_eq!(ids, [0, 2]);
    assert_eq!(unanswered_of(&ev), [1]);
    assert_eq!((s.answered, s.unanswered), (2, 1));
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
        format!("Ether()/IPv6(src=\"{US6}\",dst=\"{THEM6}\",hlim=1)/ICMPv6EchoRequest(id=1,seq=2)"),
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
