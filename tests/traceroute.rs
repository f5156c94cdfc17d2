//! `pkt traceroute` in an 8-hop namespace lab (client — r1…r7 — server, 5 ms added per link):
//! the hop list for UDP, ICMP and TCP over IPv4 and IPv6; `!N`/`!H`; `*` for a silent router;
//! the report marking a rate-limiting router and showing injected loss from the right hop on.
//! Skipped (with a message) when not root.

mod common;

use common::lab::Lab;
use common::{stderr, stdout};
use serde_json::Value;
use std::time::{Duration, Instant};

const ROUTERS: usize = 7;

fn trace(lab: &Lab, args: &[&str]) -> (String, Option<i32>) {
    let mut a = vec!["traceroute"];
    a.extend(args);
    let o = lab.pkt("CLIENT_NS", &a);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    (stdout(&o), o.status.code())
}

/// The first address on each hop line (`None` for `* * *`), after the header.
fn hop_addrs(out: &str) -> Vec<Option<String>> {
    out.lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .find(|w| *w != "*")
                .map(str::to_string)
        })
        .collect()
}

fn expected(lab: &Lab, v6: bool) -> Vec<Option<String>> {
    let f = if v6 { "IP6" } else { "IP4" };
    let mut v: Vec<Option<String>> = (1..=ROUTERS)
        .map(|k| Some(lab.get(&format!("ROUTER{k}_{f}")).to_string()))
        .collect();
    v.push(Some(lab.get(&format!("SERVER_{f}")).to_string()));
    v
}

fn report(lab: &Lab, rounds: &str) -> Vec<Value> {
    let a = vec![
        lab.get("SERVER_IP4"),
        "--report",
        "--rounds",
        rounds,
        "--interval",
        "0.3",
        "-q",
        "1",
        "--json",
    ];
    let (out, _) = trace(lab, &a);
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "hop")
        .collect()
}

#[test]
fn traceroute_in_an_eight_hop_lab() {
    let Some(lab) = Lab::up("trace", ROUTERS) else {
        return;
    };
    lab.knob(&["delay", "all", "5"]);
    for (method, v6) in [
        ("-U", false),
        ("-I", false),
        ("-T", false),
        ("-U", true),
        ("-I", true),
        ("-T", true),
    ] {
        let dst = lab.get(if v6 { "SERVER_IP6" } else { "SERVER_IP4" });
        let start = Instant::now();
        // (IPv4 UDP leaves by the interface named: -i binds the probes to it.)
        let mut a = vec![method, dst];
        if method == "-U" && !v6 {
            a.extend(["-i", lab.get("CLIENT_IF")]);
        }
        let (out, code) = trace(&lab, &a);
        let took = start.elapsed();
        assert_eq!(
            hop_addrs(&out),
            expected(&lab, v6),
            "{method} v6={v6}\n{out}"
        );
        assert_eq!(code, Some(0), "{out}");
        assert!(out.starts_with(&format!("traceroute to {dst} ({dst}), 30 hops max, ")));
        // Every probe answered; the last hop ~80 ms away; all TTLs at once: about one RTT.
        assert!(!out.contains('*'), "{out}");
        assert!(
            took < Duration::from_millis(900),
            "{method} v6={v6} took {took:?}"
        );
        let last = out.lines().last().unwrap();
        let rtt: f64 = last.split_whitespace().nth(2).unwrap().parse().unwrap();
        // (The delay helper shares two CPUs with everything else: generous above.)
        assert!((75.0..250.0).contains(&rtt), "{last}");
    }
    // A router that does not answer: `* * *` at its hop, the others as before.
    lab.knob(&["silent", "3", "on"]);
    let (out, _) = trace(&lab, &["-I", lab.get("SERVER_IP4")]);
    let mut want = expected(&lab, false);
    want[2] = None;
    assert_eq!(hop_addrs(&out), want, "{out}");
    assert!(out.lines().nth(3).unwrap().ends_with(" 3  * * *"), "{out}");
    lab.knob(&["silent", "3", "off"]);
    // An unreachable network: !N from the last router, and the trace ends there.
    let (out, code) = trace(&lab, &[lab.get("UNREACH_NET4"), "-q", "1"]);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with(" 7  ") && last.ends_with("!N"), "{out}");
    assert_eq!(code, Some(1));
    let (out, _) = trace(&lab, &["-6", lab.get("UNREACH_NET6"), "-q", "1"]);
    assert!(out.lines().last().unwrap().ends_with("!N"), "{out}");
    // Host unreachable and administratively prohibited, from the last router.
    for (key, note) in [("UNREACH_HOST4", "!H"), ("UNREACH_ADMIN4", "!X")] {
        let (out, _) = trace(&lab, &[lab.get(key), "-q", "1"]);
        assert!(out.lines().last().unwrap().ends_with(note), "{key}: {out}");
    }
}

#[test]
fn report_marks_rate_limiting_and_shows_loss_from_its_link_on() {
    let Some(lab) = Lab::up("tracerep", ROUTERS) else {
        return;
    };
    // Router 3 answers a burst of 6 ICMP errors, then one per 5 s: rate limited, every other
    // hop clean.
    lab.knob(&["ratelimit", "3", "5000", "--burst", "1"]);
    let hops = report(&lab, "10");
    assert_eq!(hops.len(), ROUTERS + 1, "{hops:?}");
    for h in &hops {
        let ttl = h["ttl"].as_u64().unwrap();
        assert_eq!(h["sent"], 10);
        if ttl == 3 {
            assert_eq!(h["rate_limited"], true, "{h}");
            assert!(h["loss"].as_f64().unwrap() >= 30.0, "{h}");
        } else {
            assert_eq!(h["rate_limited"], false, "{h}");
            assert_eq!(h["loss"], 0.0, "{h}");
        }
    }
    lab.knob(&["reset"]);
    // 30 % loss on link 5 (r5 — r6, both ways): hops 6 on lose, hops 1 to 5 do not.
    lab.knob(&["loss", "5", "0.3"]);
    let hops = report(&lab, "20");
    let loss: Vec<f64> = hops.iter().map(|h| h["loss"].as_f64().unwrap()).collect();
    assert_eq!(loss.len(), ROUTERS + 1, "{hops:?}");
    assert!(loss[..5].iter().all(|l| *l == 0.0), "{loss:?}");
    assert!(loss[5..].iter().all(|l| *l > 0.0), "{loss:?}");
    assert!(hops.iter().all(|h| h["rate_limited"] == false), "{hops:?}");
}
