//! `pkt replay` in the namespace lab, checked by `pkt sniff` on the other end of the link: the
//! same bytes and count, the timing (`--multiplier`), filters and `-c`, layer 3 for raw-IP
//! captures, too-long frames skipped. Skipped (with a message) when not root.

mod common;

use common::lab::Lab;
use common::{Rec, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::Duration;

const FIXTURES: [&str; 3] = [
    "captures/mixed.pcap",
    "captures/ipv6.pcap",
    "captures/icmp-errors.pcap",
];

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The frames of a capture, as pkt reads them (bytes, in order), and their time stamps.
fn frames(path: &Path) -> Vec<(Vec<u8>, f64)> {
    let (recs, damage) = common::libpcap_read(path, false).expect("libpcap reads it");
    assert_eq!(damage, None, "{}", path.display());
    recs.into_iter()
        .map(|r| (r.data, r.sec as f64 + r.frac as f64 * 1e-6))
        .collect()
}

/// `pkt sniff -w` on r1's side of the client link, for frames not from the lab's own hosts
/// (the fixtures have their own MACs), stopping after `count` frames or 10 s.
fn capture_on_r1(lab: &Lab, out: &Path, count: usize, filter: &str) -> Child {
    let f = format!(
        "not ether src {} and not ether src {}{filter}",
        lab.get("CLIENT_MAC"),
        lab.get("ROUTER1_MAC")
    );
    let child = lab.spawn(
        "ROUTER1_NS",
        common::PKT,
        &[
            "sniff",
            "-i",
            lab.get("ROUTER1_IF"),
            "--immediate",
            "-w",
            out.to_str().unwrap(),
            "-c",
            &count.to_string(),
            "--timeout",
            "10",
            "-f",
            &f,
        ],
    );
    std::thread::sleep(Duration::from_millis(700));
    child
}

fn replay(lab: &Lab, args: &[&str]) -> (Value, Output) {
    let mut a = vec!["replay", "-i", lab.get("CLIENT_IF"), "--json"];
    a.extend(args);
    let o = lab.pkt("CLIENT_NS", &a);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = serde_json::from_str(stdout(&o).trim()).expect("a JSON report");
    (report, o)
}

fn finish(child: Child) -> Output {
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

/// Three fixtures replayed at top speed arrive on the router byte for byte, in order, all of
/// them and nothing else.
#[test]
fn replayed_fixtures_arrive_byte_for_byte() {
    let Some(lab) = Lab::up("replay", 1) else {
        return;
    };
    let dir = common::temp_dir("replay");
    let want: Vec<Vec<u8>> = FIXTURES
        .iter()
        .flat_map(|f| frames(Path::new(&fixture(f))))
        .map(|(d, _)| d)
        .collect();
    let got_file = dir.join("r1.pcap");
    let cap = capture_on_r1(&lab, &got_file, want.len(), "");
    let files: Vec<String> = FIXTURES.iter().map(|f| fixture(f)).collect();
    let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
    args.push("--topspeed");
    let (report, _) = replay(&lab, &args);
    assert_eq!(report["packets"], want.len(), "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    let s = finish(cap);
    assert!(
        stderr(&s).contains(&format!("{} packets captured", want.len())),
        "{}",
        stderr(&s)
    );
    let got: Vec<Vec<u8>> = frames(&got_file).into_iter().map(|(d, _)| d).collect();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "frame {i}");
    }
}

/// A capture of 21 frames 50 ms apart takes 1 s to replay with its own timing, and 0.5 s with
/// `--multiplier 2`, as measured by the receiver's time stamps (within 10 %).
#[test]
fn multiplier_two_halves_the_replay_time() {
    let Some(lab) = Lab::up("replayx", 1) else {
        return;
    };
    let dir = common::temp_dir("replayx");
    let timed = dir.join("timed.pcap");
    let frame = common::hex(common::UDP_HELLO);
    let recs: Vec<Rec> = (0..21u32)
        .map(|i| Rec::new(1_700_000_000 + i / 20, (i % 20) * 50_000, &frame))
        .collect();
    common::write_pcap(&timed, &recs);
    let mut spans = Vec::new();
    for x in ["1", "2"] {
        let got = dir.join(format!("x{x}.pcap"));
        let cap = capture_on_r1(&lab, &got, 21, "");
        let (report, _) = replay(&lab, &[timed.to_str().unwrap(), "--multiplier", x]);
        assert_eq!(report["packets"], 21, "{report}");
        finish(cap);
        let t: Vec<f64> = frames(&got).iter().map(|(_, t)| *t).collect();
        assert_eq!(t.len(), 21);
        spans.push(t[20] - t[0]);
    }
    assert!(
        (spans[0] - 1.0).abs() < 0.1,
        "own timing took {} s",
        spans[0]
    );
    assert!(
        (spans[1] - 0.5).abs() < 0.05,
        "--multiplier 2 took {} s",
        spans[1]
    );
}

/// A BPF filter and `-c` choose what is replayed; `--loop` repeats the files.
#[test]
fn filter_count_and_loop_choose_the_packets() {
    let Some(lab) = Lab::up("replayf", 1) else {
        return;
    };
    let dir = common::temp_dir("replayf");
    let mixed = fixture("captures/mixed.pcap");
    let udp = common::pkt(&["read", &mixed, "-t", "udp"]);
    let n_udp = stdout(&udp).lines().count();
    assert!(n_udp >= 3, "{}", stdout(&udp));
    let got = dir.join("udp.pcap");
    let cap = capture_on_r1(&lab, &got, 2 * n_udp, " and udp");
    let (report, _) = replay(&lab, &[&mixed, "udp", "--loop", "2", "-t"]);
    assert_eq!(report["packets"], 2 * n_udp, "{report}");
    finish(cap);
    assert_eq!(frames(&got).len(), 2 * n_udp);
    let (report, _) = replay(&lab, &[&mixed, "--loop", "3", "-c", "5", "-t"]);
    assert_eq!(report["packets"], 5, "{report}");
}

/// A raw-IP capture leaves at layer 3 (the kernel routes it: the server receives it through
/// r1); a frame longer than the MTU is reported and skipped; a malformed capture is sent as far
/// as the kernel takes it, every packet accounted for.
#[test]
fn raw_ip_at_layer_three_too_long_skipped_malformed_accounted() {
    let Some(lab) = Lab::up("replay3", 1) else {
        return;
    };
    let dir = common::temp_dir("replay3");
    let raw: PathBuf = dir.join("raw.pcap");
    let expr = format!(
        "IP(src=\"{}\",dst=\"{}\")/UDP(sport=(1,4),dport=9)/\"l3\"",
        lab.get("CLIENT_IP4"),
        lab.get("SERVER_IP4")
    );
    let o = common::pkt(&["craft", &expr, "-w", raw.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = dir.join("server.pcap");
    let cap = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &[
            "sniff",
            "--immediate",
            "-w",
            got.to_str().unwrap(),
            "-c",
            "4",
            "--timeout",
            "10",
            "udp and dst port 9",
        ],
    );
    std::thread::sleep(Duration::from_millis(700));
    let (report, _) = replay(&lab, &[raw.to_str().unwrap()]);
    assert_eq!(report["packets"], 4, "{report}");
    finish(cap);
    let seen = json_lines(&stdout(&common::pkt(&[
        "read",
        got.to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(seen.len(), 4);
    // Routed: one hop taken off the TTL.
    assert_eq!(seen[0]["layers"][1]["ttl"], 63, "{}", seen[0]);

    // 1,600 bytes of IP on a 1,500-byte link: skipped, the others sent.
    let long = format!(
        "Ether(dst=\"{}\")/IP(dst=\"{}\")/UDP(dport=9)/\"{}\"",
        lab.get("NEXTHOP_MAC"),
        lab.get("SERVER_IP4"),
        "x".repeat(1572)
    );
    let short = format!(
        "Ether(dst=\"{}\")/IP(dst=\"{}\")/UDP(dport=9)",
        lab.get("NEXTHOP_MAC"),
        lab.get("SERVER_IP4")
    );
    let mixed_len = dir.join("lengths.pcap");
    let recs: Vec<Rec> = [&short, &long, &short]
        .iter()
        .map(|e| {
            Rec::new(
                1_700_000_000,
                0,
                &common::pkt(&["craft", e, "--raw"]).stdout,
            )
        })
        .collect();
    assert_eq!(recs[1].data.len(), 14 + 1600);
    common::write_pcap(&mixed_len, &recs);
    let (report, o) = replay(&lab, &[mixed_len.to_str().unwrap(), "-t"]);
    assert_eq!(report["packets"], 2, "{report}");
    assert_eq!(report["too_long"], 1, "{report}");
    assert!(stderr(&o).contains("1614 bytes"), "{}", stderr(&o));

    // Malformed frames (cut, empty, shorter than a header): nothing panics, all accounted for.
    let malformed = fixture("captures/malformed.pcap");
    let n = frames(Path::new(&malformed)).len() as u64;
    let o = lab.pkt(
        "CLIENT_NS",
        &[
            "replay",
            "-i",
            lab.get("CLIENT_IF"),
            &malformed,
            "-t",
            "--json",
        ],
    );
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let r: Value = serde_json::from_str(stdout(&o).trim()).expect("report");
    let total: u64 = ["packets", "failed", "too_long"]
        .iter()
        .map(|k| r[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, n, "{r}");

    // A pcapng whose second packet is of another link type (raw IP after Ethernet): the first
    // is sent, then replay stops and says why, as for damage.
    let mut json = stdout(&common::pkt(&["craft", &short, "--json"]));
    let ip_only = format!("IP(dst=\"{}\")/UDP(dport=9)", lab.get("SERVER_IP4"));
    json.push_str(&stdout(&common::pkt(&["craft", &ip_only, "--json"])));
    let two = dir.join("two-links.pcapng");
    let w = common::pkt_stdin(&["write", "-o", two.to_str().unwrap()], json.as_bytes());
    assert!(w.status.success(), "{}", stderr(&w));
    let o = lab.pkt(
        "CLIENT_NS",
        &[
            "replay",
            "-i",
            lab.get("CLIENT_IF"),
            two.to_str().unwrap(),
            "-t",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stopped after packet 1 of this file: a packet has link type 101"),
        "{}",
        stderr(&o)
    );
    let r: Value = serde_json::from_str(stdout(&o).trim()).expect("report");
    assert_eq!(r["packets"], 1, "{r}");
}
