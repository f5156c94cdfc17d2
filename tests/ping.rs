//! `pkt ping` in the namespace lab (client — r1 — r2 — server), read with the same regular
//! expressions as iputils' `ping` run on the same targets: replies, TTL exceeded from the right
//! router, unreachable net and host, IPv6, loss, TCP and UDP probes, `--json`, Ctrl-C, exit
//! statuses. Skipped (with a message) when not root.

mod common;

use common::lab::Lab;
use common::{stderr, stdout};
use regex::Regex;
use serde_json::Value;
use std::process::Output;
use std::time::{Duration, Instant};

/// iputils' lines, as scripts parse them.
struct Lines {
    header: Regex,
    reply: Regex,
    error: Regex,
    stats: Regex,
    rtt: Regex,
}

impl Lines {
    fn new() -> Lines {
        Lines {
            header: Regex::new(r"^PING (\S+?) ?\((\S+)\)( from \S+ \S+:)?( (TCP|UDP) port \d+,)? (\d+)(\((\d+)\))?( data)? bytes( of data\.)?$").unwrap(),
            reply: Regex::new(r"^(\d+) bytes from ([0-9a-f.:]+): (icmp|tcp|udp)_seq=(\d+)( \S+)? ttl=(\d+) time=(\d+(\.\d+)?) ms( \(DUP!\))?$").unwrap(),
            error: Regex::new(r"^From ([0-9a-f.:]+) icmp_seq=(\d+) (.+)$").unwrap(),
            stats: Regex::new(r"^(\d+) packets transmitted, (\d+) received,( \+(\d+) duplicates,)?( \+(\d+) errors,)? ([0-9.]+)% packet loss, time (\d+)ms$").unwrap(),
            rtt: Regex::new(r"^rtt min/avg/max/mdev = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3}) ms$").unwrap(),
        }
    }
}

/// What a ping run printed, read by [`Lines`]; every line must be one of them.
#[derive(Debug, Default, PartialEq)]
struct Parsed {
    header: bool,
    /// (seq, from, ttl) of each reply.
    replies: Vec<(u64, String, u64)>,
    /// (seq, from, text) of each error.
    errors: Vec<(u64, String, String)>,
    /// transmitted, received, errors, loss %.
    stats: Option<(u64, u64, u64, f64)>,
    rtt: bool,
}

fn parse(text: &str) -> Parsed {
    let re = Lines::new();
    let mut p = Parsed::default();
    for l in text.lines() {
        if let Some(c) = re.reply.captures(l) {
            p.replies.push((
                c[4].parse().unwrap(),
                c[2].to_string(),
                c[6].parse().unwrap(),
            ));
        } else if let Some(c) = re.error.captures(l) {
            p.errors
                .push((c[2].parse().unwrap(), c[1].to_string(), c[3].to_string()));
        } else if let Some(c) = re.stats.captures(l) {
            let n = |i: usize| c.get(i).map_or(0, |m| m.as_str().parse().unwrap());
            p.stats = Some((n(1), n(2), n(6), c[7].parse().unwrap()));
        } else if re.rtt.is_match(l) {
            p.rtt = true;
        } else if re.header.is_match(l) {
            p.header = true;
        } else {
            assert!(
                l.is_empty() || (l.starts_with("--- ") && l.ends_with(" ping statistics ---")),
                "a line no regex reads: {l:?}\n{text}"
            );
        }
    }
    p
}

fn pkt_ping(lab: &Lab, args: &[&str]) -> Output {
    let mut a = vec!["ping"];
    a.extend(args);
    lab.pkt("CLIENT_NS", &a)
}

fn iputils(lab: &Lab, args: &[&str]) -> Option<Output> {
    let o = lab.exec("CLIENT_NS", "ping", args);
    // `ping` missing (not iputils): nothing to compare with.
    (o.status.code().is_some() && !stderr(&o).contains("No such file")).then_some(o)
}

/// The same probes through pkt and iputils give the same parsed lines (times aside) and the
/// same exit status.
fn same_as_iputils(lab: &Lab, args: &[&str]) -> Parsed {
    let o = pkt_ping(lab, args);
    let mine = parse(&stdout(&o));
    assert!(mine.header, "{}", stdout(&o));
    if let Some(theirs) = iputils(lab, args) {
        let theirs_p = parse(&stdout(&theirs));
        assert_eq!(
            mine,
            theirs_p,
            "pkt:\n{}\niputils:\n{}",
            stdout(&o),
            stdout(&theirs)
        );
        assert_eq!(o.status.code(), theirs.status.code(), "{args:?}");
    } else {
        eprintln!("iputils ping not found: pkt's output checked alone");
    }
    mine
}

#[test]
fn ping_reads_like_iputils_in_the_lab() {
    let Some(lab) = Lab::up("ping", 2) else {
        return;
    };
    let server = lab.get("SERVER_IP4");
    // Every reply, from the server, two routers away.
    let p = same_as_iputils(&lab, &[server, "-c", "3", "-i", "0.2"]);
    let want: Vec<(u64, String, u64)> = (1..=3).map(|s| (s, server.to_string(), 62)).collect();
    assert_eq!(p.replies, want);
    assert_eq!(p.stats, Some((3, 3, 0, 0.0)));
    assert!(p.rtt);
    // TTL 1 and 2: time exceeded from r1, then from r2.
    for (ttl, router) in [("1", "ROUTER1_IP4"), ("2", "ROUTER2_IP4")] {
        let p = same_as_iputils(&lab, &[server, "-c", "2", "-i", "0.2", "-t", ttl]);
        let from = lab.get(router).to_string();
        assert_eq!(
            p.errors,
            [
                (1, from.clone(), "Time to live exceeded".into()),
                (2, from, "Time to live exceeded".into())
            ]
        );
        assert_eq!(p.stats, Some((2, 0, 2, 100.0)));
        assert!(!p.rtt);
    }
    // An unreachable network (r2 has no route) and an absent host (r2's ARP fails in 3 s).
    let p = same_as_iputils(&lab, &[lab.get("UNREACH_NET4"), "-c", "1"]);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].2, "Destination Net Unreachable");
    let p = same_as_iputils(&lab, &[lab.get("UNREACH_NEIGH4"), "-c", "1", "-W", "6"]);
    assert_eq!(p.errors.len(), 1, "{p:?}");
    assert_eq!(p.errors[0].2, "Destination Host Unreachable");
    // IPv6, from the interface named.
    let server6 = lab.get("SERVER_IP6");
    let p = same_as_iputils(
        &lab,
        &[
            "-6",
            server6,
            "-c",
            "2",
            "-i",
            "0.2",
            "-I",
            lab.get("CLIENT_IF"),
        ],
    );
    assert_eq!(p.replies.len(), 2);
    assert_eq!(p.replies[0].1, server6);
    let p = same_as_iputils(&lab, &["-6", server6, "-c", "1", "-t", "1"]);
    assert_eq!(p.errors[0].2, "Time exceeded: Hop limit");
    // Nothing answers: exit 1 after the deadline; a bad name: exit 2.
    let start = Instant::now();
    let o = pkt_ping(
        &lab,
        &[lab.get("BLACKHOLE4"), "-c", "5", "-i", "0.2", "-w", "1"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(parse(&stdout(&o)).stats.map(|s| s.1), Some(0));
    let o = pkt_ping(&lab, &["no-such-host.invalid", "-c", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-such-host.invalid"),
        "{}",
        stderr(&o)
    );
}

/// Loss injected on a link shows in the statistics (iputils' own count of the same run
/// style agrees on the form).
#[test]
fn injected_loss_shows_in_the_statistics() {
    let Some(lab) = Lab::up("pingloss", 1) else {
        return;
    };
    lab.knob(&["loss", "1", "0.5"]);
    let o = pkt_ping(
        &lab,
        &[lab.get("SERVER_IP4"), "-c", "40", "-i", "0.01", "-W", "1"],
    );
    let p = parse(&stdout(&o));
    let (tx, rx, _, loss) = p.stats.expect("statistics");
    assert_eq!(tx, 40);
    assert!(rx > 2 && rx < 38, "{}", stdout(&o));
    let want = (tx - rx) as f64 * 100.0 / tx as f64;
    assert!((loss - want).abs() < 0.01, "{loss} vs {want}");
    assert_eq!(p.replies.len() as u64, rx);
    assert_eq!(o.status.code(), Some(0));
}

/// TCP to an open and a closed port, UDP to a closed one: each counts as a reply.
#[test]
fn tcp_and_udp_ping() {
    let Some(lab) = Lab::up("pingtcp", 1) else {
        return;
    };
    let server = lab.get("SERVER_IP4");
    for (args, flag) in [
        (["--tcp", "80"], "flags=SA"),
        (["--tcp", "81"], "flags=RA"),
        (["--udp", "33434"], "port-unreachable"),
    ] {
        let mut a = vec![server, "-c", "2", "-i", "0.2"];
        a.extend(args);
        let o = pkt_ping(&lab, &a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        let p = parse(&out);
        assert_eq!(p.replies.len(), 2, "{out}");
        assert!(
            out.lines().filter(|l| l.contains(flag)).count() == 2,
            "{out}"
        );
        assert_eq!(p.stats, Some((2, 2, 0, 0.0)));
    }
}

/// `--json`: a record per probe (replies as they come, the unanswered at the end) and the
/// statistics; Ctrl-C ends a ping with its statistics and exit 0.
#[test]
fn json_records_and_ctrl_c() {
    let Some(lab) = Lab::up("pingjson", 1) else {
        return;
    };
    let o = pkt_ping(
        &lab,
        &[lab.get("SERVER_IP4"), "-c", "3", "-i", "0.1", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 4);
    for (i, r) in recs[..3].iter().enumerate() {
        assert_eq!(r["type"], "reply");
        assert_eq!(r["seq"], i as u64 + 1);
        assert_eq!(r["ttl"], 63);
        assert_eq!(r["from"], lab.get("SERVER_IP4"));
        let rtt = r["rtt"].as_f64().unwrap();
        assert!(rtt > 0.0 && rtt < 0.1, "{r}");
        let (sent, time) = (r["sent"].as_f64().unwrap(), r["time"].as_f64().unwrap());
        assert!((time - sent - rtt).abs() < 2e-6, "{r}");
    }
    assert_eq!(recs[3]["type"], "statistics");
    assert_eq!(recs[3]["received"], 3);
    // A silent destination: one timeout record per probe.
    let o = pkt_ping(
        &lab,
        &[
            lab.get("BLACKHOLE4"),
            "-c",
            "2",
            "-i",
            "0.1",
            "-W",
            "0.3",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let types: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types, ["timeout", "timeout", "statistics"]);

    let child = lab.spawn(
        "CLIENT_NS",
        common::PKT,
        &["ping", lab.get("SERVER_IP4"), "-i", "0.2"],
    );
    std::thread::sleep(Duration::from_millis(1100));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = parse(&stdout(&o));
    let (tx, rx, _, _) = p.stats.expect("statistics after Ctrl-C");
    assert!((4..=7).contains(&tx) && rx == tx, "{}", stdout(&o));
    assert!(p.rtt);
}

/// Without CAP_NET_RAW, an ICMP ping runs over the kernel's ICMP datagram sockets where
/// `net.ipv4.ping_group_range` allows it (set here in the client's namespace only): replies,
/// and ICMP errors from the error queue, over IPv4 and IPv6.
#[test]
fn unprivileged_ping_uses_icmp_datagram_sockets() {
    let Some(lab) = Lab::up("pingdgram", 1) else {
        return;
    };
    let s = lab.exec(
        "CLIENT_NS",
        "sysctl",
        &["-qw", "net.ipv4.ping_group_range=0 2147483647"],
    );
    assert!(s.status.success(), "{}", stderr(&s));
    let as_nobody = |args: &[&str]| {
        let mut a = vec![
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            common::PKT,
            "ping",
        ];
        a.extend(args);
        lab.exec("CLIENT_NS", "setpriv", &a)
    };
    let o = as_nobody(&[lab.get("SERVER_IP4"), "-c", "2", "-i", "0.2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = parse(&stdout(&o));
    assert_eq!(p.replies.len(), 2, "{}", stdout(&o));
    assert_eq!(p.replies[0].2, 63);
    let o = as_nobody(&[lab.get("SERVER_IP4"), "-c", "1", "-t", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let p = parse(&stdout(&o));
    assert_eq!(
        p.errors,
        [(
            1,
            lab.get("ROUTER1_IP4").to_string(),
            "Time to live exceeded".to_string()
        )]
    );
    let o = as_nobody(&["-6", lab.get("SERVER_IP6"), "-c", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = as_nobody(&["-6", lab.get("SERVER_IP6"), "-c", "1", "-t", "1"]);
    assert!(
        stdout(&o).contains("Time exceeded: Hop limit"),
        "{}",
        stdout(&o)
    );
}
