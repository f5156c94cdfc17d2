use super::*;
use crate::build::{build, new_layer};
use crate::engine::testutil::{FakeClock, FakeNet, frame, icmp_error};
use crate::layers::{Value, raw};

const US: &str = "198.51.100.1";
const DST: &str = "192.0.2.2";
const US6: &str = "2001:db8::1";
const DST6: &str = "2001:db8:ffff::2";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Router k's address on the path (1-based).
fn router(k: u8, v6: bool) -> String {
    if v6 {
        format!("2001:db8:0:{k}::2")
    } else {
        format!("198.51.100.{}", 4 * k - 2)
    }
}

fn ttl_of(probe: &[u8]) -> u8 {
    if probe[0] >> 4 == 6 {
        probe[7]
    } else {
        probe[8]
    }
}

/// A path of `routers` routers, each `hop_ms` further, then the destination; `silent` routers
/// never answer. Every answer quotes the whole probe, as Linux does.
fn path(
    cfg: &Config,
    routers: u8,
    hop_ms: u64,
    silent: &'static [u8],
) -> impl FnMut(&[u8]) -> Vec<(Duration, Vec<u8>)> + 'static {
    let c = cfg.clone();
    move |p: &[u8]| {
        let v6 = c.dst.is_ipv6();
        let ttl = ttl_of(p);
        let delay = ms(hop_ms * u64::from(ttl.min(routers + 1)));
        if ttl <= routers {
            if silent.contains(&ttl) {
                return vec![];
            }
            let r = router(ttl, v6);
            let outer = if v6 {
                format!("IPv6(src=\"{r}\",dst=\"{}\")/ICMPv6TimeExceeded()", c.src)
            } else {
                format!("IP(src=\"{r}\",dst=\"{}\")/ICMP(type=11,code=0)", c.src)
            };
            return vec![(delay, icmp_error(&outer, p, p.len()))];
        }
        let d = c.dst;
        let reply = match (c.method, v6) {
            (Method::Udp, false) => icmp_error(
                &format!("IP(src=\"{d}\",dst=\"{}\")/ICMP(type=3,code=3)", c.src),
                p,
                p.len(),
            ),
            (Method::Udp, true) => icmp_error(
                &format!(
                    "IPv6(src=\"{d}\",dst=\"{}\")/ICMPv6DestUnreach(code=4)",
                    c.src
                ),
                p,
                p.len(),
            ),
            (Method::Icmp, false) => {
                let (id, seq) = (
                    u16::from_be_bytes([p[24], p[25]]),
                    u16::from_be_bytes([p[26], p[27]]),
                );
                frame(&format!(
                    "IP(src=\"{d}\",dst=\"{}\")/ICMP(type=0,id={id},seq={seq})",
                    c.src
                ))
            }
            (Method::Icmp, true) => {
                let (id, seq) = (
                    u16::from_be_bytes([p[44], p[45]]),
                    u16::from_be_bytes([p[46], p[47]]),
                );
                frame(&format!(
                    "IPv6(src=\"{d}\",dst=\"{}\")/ICMPv6EchoReply(id={id},seq={seq})",
                    c.src
                ))
            }
            (Method::Tcp, _) => {
                let o = if v6 { 40 } else { 20 };
                let sport = u16::from_be_bytes([p[o], p[o + 1]]);
                let seq = u32::from_be_bytes([p[o + 4], p[o + 5], p[o + 6], p[o + 7]]);
                let ip = if v6 { "IPv6" } else { "IP" };
                frame(&format!(
                    "{ip}(src=\"{d}\",dst=\"{}\")/TCP(sport={},dport={sport},flags=\"SA\",ack={})",
                    c.src,
                    c.port,
                    seq.wrapping_add(1)
                ))
            }
        };
        vec![(delay, reply)]
    }
}

fn cfg(method: Method, v6: bool) -> Config {
    let (src, dst) = if v6 { (US6, DST6) } else { (US, DST) };
    let mut c = Config::new(dst.parse().unwrap(), src.parse().unwrap(), method);
    c.max_ttl = 12;
    c
}

fn trace(c: &Config, routers: u8, silent: &'static [u8]) -> (Trace, FakeClock, Vec<Event>) {
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, path(c, routers, 5, silent));
    let mut ev = Vec::new();
    let t = run(&mut net, &clock, c, 1000, |e| ev.push(e)).expect("run");
    (t, clock, ev)
}

fn addrs(t: &Trace) -> Vec<Vec<Option<String>>> {
    t.hops
        .iter()
        .map(|h| {
            h.probes
                .iter()
                .map(|p| p.map(|a| a.from.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn every_method_and_family_finds_the_path_in_about_one_round_trip() {
    for method in [Method::Udp, Method::Icmp, Method::Tcp] {
        for v6 in [false, true] {
            let c = cfg(method, v6);
            let (t, clock, _) = trace(&c, 4, &[]);
            let mut want: Vec<Vec<Option<String>>> =
                (1..=4).map(|k| vec![Some(router(k, v6)); 3]).collect();
            want.push(vec![Some(c.dst.to_string()); 3]);
            assert_eq!(addrs(&t), want, "{method:?} v6={v6}");
            assert!(t.reached);
            assert!(
                t.hops[4]
                    .probes
                    .iter()
                    .all(|p| p.unwrap().kind == Kind::Reached)
            );
            assert_eq!(t.hops[2].probes[0].unwrap().rtt, ms(15));
            // All TTLs at once: done when the farthest answer came (25 ms), not hop by hop.
            assert_eq!(clock.now(), ms(25), "{method:?} v6={v6}");
        }
    }
}

#[test]
fn a_silent_router_is_given_up_near_times_a_later_rtt() {
    let c = cfg(Method::Udp, false);
    let (t, clock, ev) = trace(&c, 4, &[2]);
    assert_eq!(addrs(&t)[1], [None, None, None]);
    assert_eq!(addrs(&t)[2][0], Some(router(3, false)));
    // Hop 3 answered in 15 ms: hop 2 is given up after 10 × 15 ms, not the 5 s wait.
    assert_eq!(clock.now(), ms(150));
    let gave_up = ev
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Probe {
                    ttl: 2,
                    answer: None,
                    ..
                }
            )
        })
        .count();
    assert_eq!(gave_up, 3);
}

#[test]
fn nothing_answers_means_the_full_wait_and_max_ttl() {
    let mut c = cfg(Method::Icmp, false);
    c.max_ttl = 3;
    c.wait = ms(700);
    let (t, clock, _) = trace(&c, 5, &[1, 2, 3]);
    assert_eq!(t.hops.len(), 3);
    assert!(!t.reached);
    assert_eq!(clock.now(), ms(700));
}

#[test]
fn the_window_limits_probes_in_flight() {
    let mut c = cfg(Method::Udp, false);
    c.window = 2;
    c.queries = 1;
    let clock = FakeClock::default();
    let mut net = FakeNet::new(&clock, 101, path(&c, 3, 5, &[]));
    let t = run(&mut net, &clock, &c, 7, |_| {}).expect("run");
    assert!(t.reached);
    let sent: Vec<(Duration, u8)> = net.sent.iter().map(|(t, p)| (*t, ttl_of(p))).collect();
    // Two at once; each answer lets the next one go (TTL 5 leaves before the destination's
    // answer to TTL 4 is in, and is not waited for after it).
    assert_eq!(
        sent,
        [(ms(0), 1), (ms(0), 2), (ms(5), 3), (ms(10), 4), (ms(20), 5)]
    );
    assert_eq!(t.hops.len(), 4);
    assert_eq!(clock.now(), ms(30));
}

#[test]
fn unreachable_ends_the_trace_with_its_annotation() {
    let c = cfg(Method::Udp, false);
    let clock = FakeClock::default();
    let cc = c.clone();
    let mut net = FakeNet::new(&clock, 101, move |p: &[u8]| {
        let ttl = ttl_of(p);
        let (ty, code, from) = if ttl < 3 {
            (11, 0, router(ttl, false))
        } else {
            (3, 1, router(2, false))
        };
        vec![(
            ms(1),
            icmp_error(
                &format!(
                    "IP(src=\"{from}\",dst=\"{}\")/ICMP(type={ty},code={code})",
                    cc.src
                ),
                p,
                28,
            ),
        )]
    });
    let t = run(&mut net, &clock, &c, 0, |_| {}).expect("run");
    assert_eq!(t.hops.len(), 3);
    assert!(!t.reached);
    let a = t.hops[2].probes[0].unwrap();
    assert_eq!(a.kind.annotation().as_deref(), Some("!H"));
    assert_eq!(
        Kind::Unreachable { v6: false, code: 0 }
            .annotation()
            .as_deref(),
        Some("!N")
    );
    assert_eq!(
        Kind::Unreachable { v6: true, code: 1 }
            .annotation()
            .as_deref(),
        Some("!X")
    );
    assert_eq!(Kind::TimeExceeded.annotation(), None);
}

#[test]
fn paris_probes_keep_one_flow_and_ecmp_varies_it() {
    for method in [Method::Udp, Method::Icmp, Method::Tcp] {
        for v6 in [false, true] {
            let mut c = cfg(method, v6);
            let a = Prober::new(&c).probe(5, 1, 0);
            let b = Prober::new(&c).probe(6, 9, 0);
            let (ip, pkt_a, pkt_b) = (
                if v6 { "IPv6" } else { "IP" },
                crate::dissect::dissect(101, &a, a.len()),
                crate::dissect::dissect(101, &b, b.len()),
            );
            assert_eq!(pkt_a.layers[0].name(), ip);
            let l4a = &pkt_a.layers[1];
            let l4b = &pkt_b.layers[1];
            assert!(pkt_a.errors.is_empty(), "{:?}", pkt_a.errors);
            for f in ["sport", "dport", "id"] {
                assert_eq!(l4a.get(f), l4b.get(f), "{method:?} v6={v6} {f}");
            }
            if method != Method::Tcp {
                assert_eq!(l4a.int("chksum"), l4b.int("chksum"), "{method:?} v6={v6}");
            }
            c.ecmp = true;
            let a = Prober::new(&c).probe(5, 1, 0);
            let b = Prober::new(&c).probe(6, 1, 0);
            assert_ne!(
                crate::dissect::dissect(101, &a, a.len()).layers[1],
                crate::dissect::dissect(101, &b, b.len()).layers[1]
            );
        }
    }
}

#[test]
fn tags_are_never_zero_and_map_back() {
    for base in [0u16, 1, 65533, 65534, 65535] {
        for k in [0usize, 1, 2, 100] {
            let t = tag_of(base, k);
            assert_ne!(t, 0);
            assert_eq!(index_of(base, t), k, "base {base} k {k}");
        }
    }
}

#[test]
fn tcp_paris_gives_each_query_column_its_own_flow() {
    let c = cfg(Method::Tcp, false);
    let p = Prober::new(&c);
    let sport = |b: Vec<u8>| u16::from_be_bytes([b[20], b[21]]);
    assert_eq!(sport(p.probe(5, 1, 1)), sport(p.probe(9, 7, 1)));
    assert_ne!(sport(p.probe(5, 1, 0)), sport(p.probe(6, 1, 1)));
}

#[test]
fn answers_to_another_round_or_flow_are_ignored() {
    let c = cfg(Method::Icmp, false);
    let p = Prober::new(&c);
    let probe = p.probe(3000, 2, 0);
    let err = icmp_error(
        &format!(
            "IP(src=\"{}\",dst=\"{US}\")/ICMP(type=11)",
            router(2, false)
        ),
        &probe,
        28,
    );
    let pkt = crate::dissect::dissect(101, &err, err.len());
    assert_eq!(
        p.answer(&pkt),
        Some((3000, router(2, false).parse().unwrap(), Kind::TimeExceeded))
    );
    let mut other = c.clone();
    other.sport = 1;
    assert_eq!(Prober::new(&other).answer(&pkt), None);
}

#[test]
fn chance_differences_behind_a_lossy_link_are_not_rate_limiting() {
    // 20 rounds: hop 1 clean, hop 2 loses 10, hop 3 (the destination) 5 — random loss on the
    // link before hop 2 can look like this; it is no evidence of rate limiting.
    let hop = |ttl: u8, lost: usize, r: usize| Hop {
        ttl,
        probes: vec![(r >= lost).then_some(Answer {
            from: router(ttl, false).parse().unwrap(),
            rtt: ms(1),
            kind: if ttl == 3 {
                Kind::Reached
            } else {
                Kind::TimeExceeded
            },
            at: Duration::ZERO,
        })],
    };
    let rounds: Vec<Trace> = (0..20)
        .map(|r| Trace {
            hops: vec![hop(1, 0, r), hop(2, 10, r), hop(3, 5, r)],
            reached: true,
            cancelled: false,
        })
        .collect();
    let rows = report(&rounds);
    assert_eq!(rows[1].loss(), 50.0);
    assert!(!rows[1].rate_limited);
}

#[test]
fn report_tells_rate_limiting_from_loss() {
    let hop = |ttl: u8, answered: &[bool]| Hop {
        ttl,
        probes: answered
            .iter()
            .map(|&a| {
                a.then_some(Answer {
                    from: router(ttl, false).parse().unwrap(),
                    rtt: ms(u64::from(ttl)),
                    kind: Kind::TimeExceeded,
                    at: Duration::ZERO,
                })
            })
            .collect(),
    };
    // 20 rounds: hop 2 answers 6 of 20 while hop 3 answers all: rate limited. Hops 4 and 5
    // lose 8 of 20 each: loss from hop 4 on.
    let rounds: Vec<Trace> = (0..20)
        .map(|r| Trace {
            hops: vec![
                hop(1, &[true]),
                hop(2, &[r < 6]),
                hop(3, &[true]),
                hop(4, &[r % 5 > 1]),
                hop(5, &[r % 5 > 1]),
            ],
            reached: true,
            cancelled: false,
        })
        .collect();
    let mut rounds = rounds;
    // A round whose destination probe was lost, and a TTL-6 probe that reached it instead:
    // not a sixth hop.
    rounds[0].hops.push(Hop {
        ttl: 6,
        probes: vec![Some(Answer {
            from: DST.parse().unwrap(),
            rtt: ms(6),
            kind: Kind::Reached,
            at: Duration::ZERO,
        })],
    });
    for r in &mut rounds {
        r.hops[4].probes[0] = r.hops[4].probes[0].map(|a| Answer {
            kind: Kind::Reached,
            ..a
        });
    }
    let rows = report(&rounds);
    let flags: Vec<(u8, f64, bool)> = rows
        .iter()
        .map(|r| (r.ttl, r.loss(), r.rate_limited))
        .collect();
    assert_eq!(
        flags,
        [
            (1, 0.0, false),
            (2, 70.0, true),
            (3, 0.0, false),
            (4, 40.0, false),
            (5, 40.0, false)
        ]
    );
    assert_eq!(rows[0].sent, 20);
    assert_eq!(rows[2].avg(), Some(ms(3)));
    assert_eq!(rows[2].stdev(), Some(Duration::ZERO));
    assert_eq!(
        (rows[3].best, rows[3].worst, rows[3].last),
        (Some(ms(4)), Some(ms(4)), Some(ms(4)))
    );
}

/// Probes are copies of layers compiled once, their TTL, tag and ports set: the same bytes as
/// the whole expression of each probe, compiled and built anew (UDP, ICMP, TCP; IPv4, IPv6;
/// Paris and ECMP).
#[test]
fn probes_are_the_packets_their_expressions_build() {
    let expected = |c: &Config, tag: u16, ttl: u8, query: u8| -> Vec<u8> {
        let v6 = c.dst.is_ipv6();
        let ip = match (c.src, c.dst) {
            (s, IpAddr::V6(d)) => format!("IPv6(src=\"{s}\",dst=\"{d}\",hlim={ttl})"),
            (s, d) => format!("IP(src=\"{s}\",dst=\"{d}\",ttl={ttl},id={tag})"),
        };
        let mut data = vec![0u8; c.payload.max(if v6 { 4 } else { 0 })];
        let l4 = match c.method {
            Method::Udp => {
                if v6 {
                    data[..2].copy_from_slice(&tag.to_be_bytes());
                    data[2..4].copy_from_slice(&(!tag).to_be_bytes());
                }
                let dport = if c.ecmp {
                    c.port.wrapping_add(tag)
                } else {
                    c.port
                };
                format!("UDP(sport={},dport={dport})", c.sport)
            }
            Method::Icmp => {
                if !c.ecmp && data.len() >= 2 {
                    data[..2].copy_from_slice(&(!tag).to_be_bytes());
                }
                let kind = if v6 { "ICMPv6EchoRequest" } else { "ICMP" };
                format!("{kind}(id={},seq={tag})", c.sport)
            }
            Method::Tcp => {
                data.clear();
                let sport = if c.ecmp {
                    c.sport.wrapping_add(tag)
                } else {
                    c.sport.wrapping_add(u16::from(query))
                };
                format!(
                    "TCP(sport={sport},dport={},flags=\"S\",seq={},window=5840)",
                    c.port,
                    u32::from(tag) << 16
                )
            }
        };
        let mut layers = crate::craft::compile(&format!("{ip}/{l4}"))
            .unwrap()
            .pop()
            .unwrap();
        if !data.is_empty() {
            let mut r = new_layer(&raw::RAW);
            r.values[0] = Value::Bytes(data);
            layers.push(r);
        }
        build(&layers)
    };
    let mut n = 0;
    for method in [Method::Udp, Method::Icmp, Method::Tcp] {
        for v6 in [false, true] {
            for ecmp in [false, true] {
                let mut c = cfg(method, v6);
                c.ecmp = ecmp;
                let p = Prober::new(&c);
                for (tag, ttl, query) in [(1, 1, 0), (2, 1, 1), (300, 7, 2), (65535, 30, 2)] {
                    assert_eq!(
                        p.probe(tag, ttl, query),
                        expected(&c, tag, ttl, query),
                        "{method:?} v6={v6} ecmp={ecmp} tag {tag} ttl {ttl}"
                    );
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 48);
}
