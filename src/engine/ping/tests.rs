use super::*;
use crate::engine::testutil::{FakeClock, FakeNet, frame, icmp_error};

const US: &str = "198.51.100.1";
const THEM: &str = "192.0.2.2";
const ROUTER: &str = "198.51.100.2";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn them() -> IpAddr {
    THEM.parse().unwrap()
}

const ICMP: Target = Target {
    dst: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)),
    mode: Mode::Icmp { id: 0x1234 },
};

fn echo(seq: u64) -> Vec<u8> {
    frame(&format!(
        "IP(src=\"{US}\",dst=\"{THEM}\")/ICMP(id=0x1234,seq={})/\"{}\"",
        seq % 65536,
        "x".repeat(56)
    ))
}

/// The echo reply to an echo request (raw IPv4 bytes), `ttl` as given.
fn echo_reply(req: &[u8], ttl: u8) -> Vec<u8> {
    let id = u16::from_be_bytes([req[24], req[25]]);
    let seq = u16::from_be_bytes([req[26], req[27]]);
    frame(&format!(
        "IP(src=\"{THEM}\",dst=\"{US}\",ttl={ttl})/ICMP(type=0,id={id},seq={seq})/\"{}\"",
        "x".repeat(56)
    ))
}

fn opts(count: u64) -> Options {
    Options {
        count: Some(count),
        linger: ms(1000),
        ..Options::default()
    }
}

fn run_all(
    net: &mut FakeNet,
    clock: &FakeClock,
    target: &Target,
    probe: impl FnMut(u64) -> Vec<u8>,
    o: &Options,
) -> (Stats, Vec<Event>) {
    let mut events = Vec::new();
    let s = run(net, clock, target, probe, o, |e| events.push(e)).expect("run");
    (s, events)
}

fn replies(events: &[Event]) -> Vec<(u64, Duration, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Reply { seq, rtt, dup, .. } => Some((*seq, *rtt, *dup)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_echo_answered_one_interval_apart() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| vec![(ms(5), echo_reply(req, 63))]);
    let (s, ev) = run_all(&mut net, &clock, &ICMP, echo, &opts(3));
    assert_eq!(
        replies(&ev),
        [(1, ms(5), false), (2, ms(5), false), (3, ms(5), false)]
    );
    let sent: Vec<Duration> = net.sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(sent, [ms(0), ms(1000), ms(2000)]);
    assert_eq!(
        (s.transmitted, s.received, s.errors, s.duplicates),
        (3, 3, 0, 0)
    );
    assert_eq!(s.time, ms(2000));
    assert_eq!(s.loss_percent(), 0);
    // Done when the last reply came, not after the linger time.
    assert_eq!(clock.now(), ms(2005));
    let Event::Reply {
        from,
        ttl,
        bytes,
        kind,
        ..
    } = ev
        .iter()
        .find(|e| matches!(e, Event::Reply { .. }))
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(
        (*from, *ttl, *bytes, *kind),
        (them(), 63, 64, ReplyKind::Echo)
    );
}

#[test]
fn lost_probes_show_in_the_statistics_after_the_linger_time() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        let seq = u16::from_be_bytes([req[26], req[27]]);
        if seq % 2 == 0 {
            vec![(ms(3), echo_reply(req, 64))]
        } else {
            vec![]
        }
    });
    let (s, ev) = run_all(&mut net, &clock, &ICMP, echo, &opts(4));
    assert_eq!(replies(&ev), [(2, ms(3), false), (4, ms(3), false)]);
    assert_eq!((s.transmitted, s.received), (4, 2));
    assert_eq!(s.loss_percent(), 50);
    assert_eq!(clock.now(), ms(3000 + 1000));
}

#[test]
fn duplicates_are_marked_and_counted_apart() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        vec![(ms(2), echo_reply(req, 64)), (ms(4), echo_reply(req, 64))]
    });
    let o = Options {
        linger: ms(100),
        ..opts(1)
    };
    let (s, ev) = run_all(&mut net, &clock, &ICMP, echo, &o);
    // The run ends at the first reply: the duplicate comes after.
    assert_eq!(replies(&ev), [(1, ms(2), false)]);
    // With two probes the first's duplicate arrives before the end.
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        vec![(ms(2), echo_reply(req, 64)), (ms(4), echo_reply(req, 64))]
    });
    let (s2, ev) = run_all(&mut net, &clock, &ICMP, echo, &opts(2));
    assert_eq!(
        replies(&ev),
        [(1, ms(2), false), (1, ms(4), true), (2, ms(2), false)]
    );
    assert_eq!((s2.received, s2.duplicates), (2, 1));
    assert_eq!(s.duplicates, 0);
}

#[test]
fn time_exceeded_from_a_router_is_an_error_for_its_probe() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        vec![(
            ms(1),
            icmp_error(
                &format!("IP(src=\"{ROUTER}\",dst=\"{US}\")/ICMP(type=11,code=0)"),
                req,
                28,
            ),
        )]
    });
    let (s, ev) = run_all(&mut net, &clock, &ICMP, echo, &opts(2));
    let errors: Vec<(u64, IpAddr, u8, u8)> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Error {
                seq,
                from,
                kind,
                code,
                ..
            } => Some((*seq, *from, *kind, *code)),
            _ => None,
        })
        .collect();
    let router: IpAddr = ROUTER.parse().unwrap();
    assert_eq!(errors, [(1, router, 11, 0), (2, router, 11, 0)]);
    assert_eq!((s.received, s.errors), (0, 2));
    assert_eq!(s.loss_percent(), 100);
    // Every probe has had its answer: no linger.
    assert_eq!(clock.now(), ms(1001));
}

#[test]
fn the_outgoing_copy_gives_the_send_time_on_the_wire() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        // The request passes the capture point 40 µs after the send call, the reply 1 ms later.
        vec![
            (Duration::from_micros(40), req.to_vec()),
            (Duration::from_micros(1040), echo_reply(req, 64)),
        ]
    });
    let (_, ev) = run_all(&mut net, &clock, &ICMP, echo, &opts(1));
    assert_eq!(replies(&ev), [(1, ms(1), false)]);
}

#[test]
fn deadline_stops_sending_and_waiting() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |_| vec![]);
    let o = Options {
        count: None,
        deadline: Some(ms(2500)),
        ..Options::default()
    };
    let (s, _) = run_all(&mut net, &clock, &ICMP, echo, &o);
    assert_eq!((s.transmitted, s.received), (3, 0));
    assert_eq!(clock.now(), ms(2500));
}

#[test]
fn flood_sends_as_soon_as_answered_and_outstanding_are_reported() {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| vec![(ms(1), echo_reply(req, 64))]);
    let o = Options {
        flood: true,
        interval: ms(10),
        ..opts(5)
    };
    let (s, _) = run_all(&mut net, &clock, &ICMP, echo, &o);
    let sent: Vec<Duration> = net.sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(sent, [ms(0), ms(1), ms(2), ms(3), ms(4)]);
    assert_eq!(s.received, 5);
    // Unanswered: the next probe goes out after the interval, and the last one is reported.
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |_| vec![]);
    let o = Options {
        outstanding: true,
        linger: ms(10),
        ..opts(3)
    };
    let (_, ev) = run_all(&mut net, &clock, &ICMP, echo, &o);
    let waiting: Vec<u64> = ev
        .iter()
        .filter_map(|e| match e {
            Event::NoAnswerYet { seq } => Some(*seq),
            _ => None,
        })
        .collect();
    assert_eq!(waiting, [1, 2]);
}

#[test]
fn tcp_ping_counts_syn_ack_and_rst_by_source_port() {
    let t = Target {
        dst: them(),
        mode: Mode::Tcp {
            dport: 80,
            sport_base: 40000,
        },
    };
    let syn = |seq: u64| {
        frame(&format!(
            "IP(src=\"{US}\",dst=\"{THEM}\")/TCP(sport={},dport=80,flags=\"S\",seq=1000)",
            t.sport(seq)
        ))
    };
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        let sport = u16::from_be_bytes([req[20], req[21]]);
        let flags = if sport % 2 == 0 { "SA" } else { "RA" };
        vec![(
            ms(2),
            frame(&format!(
                "IP(src=\"{THEM}\",dst=\"{US}\")/TCP(sport=80,dport={sport},flags=\"{flags}\",ack=1001)"
            )),
        )]
    });
    let (s, ev) = run_all(&mut net, &clock, &t, syn, &opts(2));
    let kinds: Vec<(u64, ReplyKind)> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Reply { seq, kind, .. } => Some((*seq, *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, [(1, ReplyKind::SynAck), (2, ReplyKind::Rst)]);
    assert_eq!(s.received, 2);
}

#[test]
fn udp_ping_takes_port_unreachable_from_the_host_as_a_reply() {
    let t = Target {
        dst: them(),
        mode: Mode::Udp {
            dport: 33434,
            sport_base: 50000,
        },
    };
    let probe = |seq: u64| {
        frame(&format!(
            "IP(src=\"{US}\",dst=\"{THEM}\")/UDP(sport={},dport=33434)",
            t.sport(seq)
        ))
    };
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, |req| {
        let sport = u16::from_be_bytes([req[20], req[21]]);
        let from = if sport == 50000 { THEM } else { ROUTER };
        let (ty, code) = if sport == 50000 { (3, 3) } else { (11, 0) };
        vec![(
            ms(1),
            icmp_error(
                &format!("IP(src=\"{from}\",dst=\"{US}\")/ICMP(type={ty},code={code})"),
                req,
                28,
            ),
        )]
    });
    let (s, ev) = run_all(&mut net, &clock, &t, probe, &opts(2));
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::Reply {
            seq: 1,
            kind: ReplyKind::PortUnreachable,
            ..
        }
    )));
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::Error {
            seq: 2,
            kind: 11,
            ..
        }
    )));
    assert_eq!((s.received, s.errors), (1, 1));
}

#[test]
fn sequence_numbers_come_back_from_wrapped_fields() {
    assert_eq!(Target::seq_of_echo(3, 3), Some(3));
    assert_eq!(Target::seq_of_echo(65535, 65536 + 2), Some(65535));
    assert_eq!(Target::seq_of_echo(1, 65537), Some(65537));
    assert_eq!(Target::seq_of_echo(5, 3), None);
    let t = Target {
        dst: them(),
        mode: Mode::Udp {
            dport: 9,
            sport_base: 65000,
        },
    };
    assert_eq!(t.sport(1), 65000);
    assert_eq!(t.sport(536), 65535);
    assert_eq!(t.sport(537), 0);
    assert_eq!(t.seq_of_port(0, 700), Some(537));
    assert_eq!(t.seq_of_port(65000, PORT_SPAN + 5), Some(PORT_SPAN + 1));
    assert_eq!(t.seq_of_port(64999, 10), None);
}

#[test]
fn statistics_as_iputils_computes_them() {
    let mut s = Stats::default();
    for m in [1, 2, 3] {
        s.add_rtt(ms(m));
        s.received += 1;
    }
    s.transmitted = 4;
    assert_eq!(s.avg(), Some(ms(2)));
    let mdev = s.mdev().unwrap().as_secs_f64() * 1e3;
    assert!((mdev - (2.0f64 / 3.0).sqrt()).abs() < 1e-6, "{mdev}");
    assert_eq!((s.min, s.max), (Some(ms(1)), Some(ms(3))));
    assert_eq!(s.loss_percent(), 25);
}
