//! `pkt sr` against scapy's own `sr()`, in a namespace lab of its own (client — 3 routers —
//! server): the same expressions sent by both from the client, and the same requests answered,
//! each by the same source with the same ICMP type/code or TCP flags — echo, a traceroute whose
//! time-exceeded and port-unreachable errors are matched through the packet they quote, a SYN
//! to an open and a closed port, IPv6 echo, and a blackholed address nobody answers.
//! Skips, saying why, when the lab cannot run or scapy is missing — except that in CI
//! (CI=true), where scapy is installed, a missing scapy is a failure.

mod common;

use common::lab::Lab;
use common::{stderr, stdout};
use serde_json::{Value, json};
use std::process::Command;

/// scapy's side: for each (timeout, expression) pair of its arguments, `sr()` inside the
/// client's namespace, then one JSON line per answered pair and per unanswered request, in the
/// same shape `normalise` gives pkt's records.
const SCAPY_SR: &str = r#"
import json, logging, sys
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import *
conf.verb = 0

def ip_of(p):
    return p[IP] if IP in p else p[IPv6]

def request(p):
    ip = ip_of(p)
    l4 = ip.payload
    r = {"src": ip.src, "dst": ip.dst, "ttl": ip.ttl if IP in p else ip.hlim,
         "l4": type(l4).__name__}
    if isinstance(l4, (TCP, UDP)):
        r["dport"] = l4.dport
    else:
        r["seq"] = l4.seq
    return r

def answer(a):
    ip = ip_of(a)
    if TCP in a:
        return {"from": ip.src, "tcp": str(a[TCP].flags)}
    return {"from": ip.src, "icmp": [ip.payload.type, ip.payload.code]}

args = sys.argv[1:]
for i in range(0, len(args), 2):
    ans, unans = sr(eval(args[i + 1]), timeout=float(args[i]), verbose=0)
    for s, a in ans:
        print(json.dumps({"expr": i // 2, "request": request(s), "answer": answer(a)}))
    for s in unans:
        print(json.dumps({"expr": i // 2, "request": request(s), "answer": None}))
"#;

/// Whether scapy can be imported; in CI its absence fails the test (as in tests/oracle.rs).
fn scapy_ready() -> bool {
    let scapy = Command::new("python3")
        .args(["-c", "import scapy"])
        .status()
        .is_ok_and(|s| s.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !scapy {
        assert!(
            !ci,
            "CI must install scapy (pip install scapy) for the sr-against-scapy test"
        );
        eprintln!("skipped: scapy not installed (pip install scapy)");
    }
    scapy
}

/// The layer called `name` in a packet record (the first, i.e. the outer one).
fn layer<'a>(rec: &'a Value, name: &str) -> Option<&'a Value> {
    rec["layers"]
        .as_array()?
        .iter()
        .find(|l| l["layer"] == name)
}

/// The IP or IPv6 layer of a record and the index of the layer after it.
fn ip_layer(rec: &Value) -> (&Value, &Value) {
    let layers = rec["layers"].as_array().expect("layers");
    let i = layers
        .iter()
        .position(|l| l["layer"] == "IP" || l["layer"] == "IPv6")
        .unwrap_or_else(|| panic!("no IP layer in {rec}"));
    (&layers[i], layers.get(i + 1).unwrap_or(&Value::Null))
}

/// One `pkt sr --json` record in the shape of the scapy program's lines.
fn normalise(expr: usize, rec: &Value) -> Value {
    let (ip, l4) = ip_layer(&rec["request"]);
    let mut request = json!({
        "src": ip["src"], "dst": ip["dst"],
        "ttl": if ip["layer"] == "IP" { &ip["ttl"] } else { &ip["hlim"] },
        "l4": l4["layer"],
    });
    if l4["layer"] == "TCP" || l4["layer"] == "UDP" {
        request["dport"] = l4["dport"].clone();
    } else {
        request["seq"] = l4["seq"].clone();
    }
    let answer = match rec["type"].as_str() {
        Some("answer") => {
            let (aip, al4) = ip_layer(&rec["answer"]);
            match layer(&rec["answer"], "TCP") {
                Some(tcp) => json!({"from": aip["src"], "tcp": tcp["flags"]}),
                None => json!({"from": aip["src"], "icmp": [al4["type"], al4["code"]]}),
            }
        }
        Some("unanswered") => Value::Null,
        _ => panic!("unexpected record {rec}"),
    };
    json!({"expr": expr, "request": request, "answer": answer})
}

fn sorted_lines(values: impl IntoIterator<Item = Value>) -> Vec<String> {
    let mut v: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
    v.sort();
    v
}

#[test]
fn sr_agrees_with_scapy_in_the_lab() {
    if !scapy_ready() {
        return;
    }
    let Some(lab) = Lab::up("srscapy", 3) else {
        return;
    };
    let server = lab.get("SERVER_IP4");
    // (timeout, expression): the same text is a pkt expression and a scapy one.
    let cases: Vec<(&str, String)> = vec![
        ("1", format!("IP(dst=\"{server}\")/ICMP(seq=(1,3))")),
        (
            "1",
            format!("IP(dst=\"{server}\",ttl=(1,4))/UDP(dport=33434)"),
        ),
        (
            "1",
            format!("IP(dst=\"{server}\")/TCP(dport=[80,81],flags=\"S\")"),
        ),
        (
            "1",
            format!(
                "IPv6(dst=\"{}\")/ICMPv6EchoRequest(seq=5)",
                lab.get("SERVER_IP6")
            ),
        ),
        (
            "0.5",
            format!("IP(dst=\"{}\")/ICMP(seq=9)", lab.get("BLACKHOLE4")),
        ),
    ];

    let mut ours = Vec::new();
    for (i, (timeout, expr)) in cases.iter().enumerate() {
        let o = lab.pkt("CLIENT_NS", &["sr", expr, "--json", "--timeout", timeout]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "pkt sr {expr}: {}",
            stderr(&o)
        );
        for line in stdout(&o).lines() {
            let rec: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            ours.push(normalise(i, &rec));
        }
    }

    let mut args = vec!["-c", SCAPY_SR];
    for (timeout, expr) in &cases {
        args.push(timeout);
        args.push(expr);
    }
    let o = lab.exec("CLIENT_NS", "python3", &args);
    assert!(o.status.success(), "scapy sr: {}", stderr(&o));
    let theirs: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();

    let ours = sorted_lines(ours);
    let theirs = sorted_lines(theirs);
    // Every request of every case is in both, answered or not.
    assert_eq!(ours.len(), 3 + 4 + 2 + 1 + 1, "pkt:\n{}", ours.join("\n"));
    assert_eq!(
        ours,
        theirs,
        "pkt sr and scapy sr() disagree\npkt:\n{}\nscapy:\n{}",
        ours.join("\n"),
        theirs.join("\n")
    );
    // And what they agree on is what the lab does.
    let expect = |expr: usize, pat: &str| {
        assert!(
            ours.iter()
                .any(|l| l.contains(&format!("\"expr\":{expr},")) && l.contains(pat)),
            "no {pat} for case {expr} in\n{}",
            ours.join("\n")
        )
    };
    expect(0, "\"icmp\":[0,0]");
    expect(
        1,
        &format!("\"from\":\"{}\",\"icmp\":[11,0]", lab.get("ROUTER1_IP4")),
    );
    expect(
        1,
        &format!("\"from\":\"{}\",\"icmp\":[11,0]", lab.get("ROUTER2_IP4")),
    );
    expect(
        1,
        &format!("\"from\":\"{}\",\"icmp\":[11,0]", lab.get("ROUTER3_IP4")),
    );
    expect(1, &format!("\"from\":\"{server}\",\"icmp\":[3,3]"));
    expect(2, "\"tcp\":\"SA\"");
    expect(2, "\"tcp\":\"RA\"");
    expect(3, "\"icmp\":[129,0]");
    expect(4, "\"answer\":null");
}
