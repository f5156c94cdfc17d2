//! `pkt send`, `pkt sr` and `pkt sr1` for real, in the namespace lab (client — 3 routers —
//! server): answers matched by the engine, ICMP errors from the right routers, the port view,
//! layer 2 with ARP, exit statuses, and the privilege message. Skips when the lab cannot run.

mod common;

use common::lab::Lab;
use common::{stderr, stdout};
use serde_json::Value;

fn json_lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The `field` of the first layer called `layer` in a record.
fn field<'a>(rec: &'a Value, layer: &str, field: &str) -> &'a Value {
    rec["layers"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["layer"] == layer))
        .map_or(&Value::Null, |l| &l[field])
}

#[test]
fn sr_matches_answers_in_the_lab() {
    let Some(lab) = Lab::up("sr", 3) else { return };
    let server = lab.get("SERVER_IP4").to_string();

    // ICMP echo: three answers, from the server, with an RTT.
    let expr = format!("IP(dst=\"{server}\")/ICMP(id=7,seq=(1,3))");
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 3, "{}", stdout(&o));
    for r in &recs {
        assert_eq!(r["type"], "answer");
        assert_eq!(field(&r["answer"], "IP", "src"), server.as_str());
        assert_eq!(field(&r["answer"], "ICMP", "type"), 0);
        assert_eq!(
            field(&r["answer"], "ICMP", "seq"),
            field(&r["request"], "ICMP", "seq")
        );
        // The source address was filled from the route, not left at 127.0.0.1.
        assert_eq!(field(&r["request"], "IP", "src"), lab.get("CLIENT_IP4"));
        let rtt = r["rtt"].as_f64().unwrap();
        assert!(rtt > 0.0 && rtt < 1.0, "rtt {rtt}");
    }

    // TTL 1..4 to a closed UDP port: time-exceeded from each router in turn, then port
    // unreachable from the server, each matched to its probe through the quoted packet.
    let expr = format!("IP(dst=\"{server}\",ttl=(1,4))/UDP(sport=40000,dport=33434)");
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut hops: Vec<(u64, String, u64)> = json_lines(&o)
        .iter()
        .map(|r| {
            (
                field(&r["request"], "IP", "ttl").as_u64().unwrap(),
                field(&r["answer"], "IP", "src")
                    .as_str()
                    .unwrap()
                    .to_string(),
                field(&r["answer"], "ICMP", "type").as_u64().unwrap(),
            )
        })
        .collect();
    hops.sort();
    let want: Vec<(u64, String, u64)> = vec![
        (1, lab.get("ROUTER1_IP4").into(), 11),
        (2, lab.get("ROUTER2_IP4").into(), 11),
        (3, lab.get("ROUTER3_IP4").into(), 11),
        (4, server.clone(), 3),
    ];
    assert_eq!(hops, want);

    // The port view: open (SYN-ACK) and closed (RST).
    let expr = format!("IP(dst=\"{server}\")/TCP(dport=[80,81],flags=\"S\")");
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--ports", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    let row = |port: &str| {
        table
            .lines()
            .find(|l| l.contains(port))
            .unwrap_or_else(|| panic!("no {port} row in\n{table}"))
            .to_string()
    };
    assert!(row("80/tcp").contains("open"), "{table}");
    assert!(row("81/tcp").contains("closed"), "{table}");

    // IPv6 echo.
    let expr = format!(
        "IPv6(dst=\"{}\")/ICMPv6EchoRequest(id=9)",
        lab.get("SERVER_IP6")
    );
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0];
    assert_eq!(field(&r["answer"], "ICMPv6EchoReply", "id"), 9);

    // Nothing answers a blackholed address: exit 1, the request reported unanswered.
    let expr = format!("IP(dst=\"{}\")/ICMP()", lab.get("BLACKHOLE4"));
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "0.3"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["type"], "unanswered");
    assert!(stderr(&o).contains("got 0 answers"), "{}", stderr(&o));

    // Loss on a link, then a retry gets through once the loss is gone: here, loss 1.0 means
    // unanswered even with retries.
    lab.knob(&["loss", "1", "1.0"]);
    let expr = format!("IP(dst=\"{server}\")/ICMP(seq=1)");
    let o = lab.pkt(
        "CLIENT_NS",
        &["sr", &expr, "--timeout", "0.3", "--retry", "2"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("Sent 3 packets"), "{}", stderr(&o));
    lab.knob(&["loss", "1", "0"]);

    // --retry resends only the unanswered: two probes, one blackholed, two retries: 4 sent.
    let expr = format!(
        "IP(dst=[\"{server}\",\"{}\"])/ICMP()",
        lab.get("BLACKHOLE4")
    );
    let o = lab.pkt(
        "CLIENT_NS",
        &["sr", &expr, "--timeout", "0.3", "--retry", "2"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("Sent 4 packets, received 1 packets, got 1 answers, remaining 1"),
        "{}",
        stderr(&o)
    );

    // Under sudo, root is dropped once the sockets are open: still answered.
    let expr = format!("IP(dst=\"{server}\")/ICMP()");
    let o = lab.exec(
        "CLIENT_NS",
        "env",
        &[
            "SUDO_UID=65534",
            "SUDO_GID=65534",
            common::PKT,
            "sr",
            &expr,
            "--timeout",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // sr1: the answer in a view.
    let expr = format!("IP(dst=\"{server}\")/TCP(dport=80,flags=\"S\")");
    let o = lab.pkt("CLIENT_NS", &["sr1", &expr, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(field(&json_lines(&o)[0], "TCP", "flags"), "SA");

    // Layer 2: Ether.src from the interface, Ether.dst by ARP for the next hop.
    let expr = format!("Ether()/IP(dst=\"{server}\")/ICMP()");
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0];
    assert_eq!(field(&r["request"], "Ether", "src"), lab.get("CLIENT_MAC"));
    assert_eq!(field(&r["request"], "Ether", "dst"), lab.get("NEXTHOP_MAC"));
    // IPv6 at layer 2: Ether.dst by neighbour solicitation.
    let expr = format!(
        "Ether()/IPv6(dst=\"{}\")/ICMPv6EchoRequest()",
        lab.get("SERVER_IP6")
    );
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0];
    assert_eq!(field(&r["request"], "Ether", "dst"), lab.get("NEXTHOP_MAC"));
    assert_eq!(field(&r["answer"], "ICMPv6EchoReply", "type"), 129);
    let expr = format!("Ether()/ARP(pdst=\"{}\")", lab.get("NEXTHOP_IP4"));
    let o = lab.pkt("CLIENT_NS", &["sr", &expr, "--json", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &json_lines(&o)[0];
    assert_eq!(field(&r["answer"], "ARP", "hwsrc"), lab.get("NEXTHOP_MAC"));
    assert_eq!(field(&r["request"], "ARP", "psrc"), lab.get("CLIENT_IP4"));
}

#[test]
fn send_delivers_every_packet_of_the_set() {
    let Some(lab) = Lab::up("send", 1) else {
        return;
    };
    let dir = common::temp_dir("send");
    let cap = dir.join("server.pcap");
    // Capture on the server; it stops by itself after 6 packets.
    let mut tcpdump = lab.spawn(
        "SERVER_NS",
        "tcpdump",
        &[
            "-i",
            lab.get("SERVER_IF"),
            "-c",
            "6",
            "-U",
            "-w",
            cap.to_str().unwrap(),
            "udp and dst port 9",
        ],
    );
    std::thread::sleep(std::time::Duration::from_millis(700));
    let expr = format!(
        "IP(dst=\"{}\")/UDP(sport=[1,2,3],dport=9)/\"hi\"",
        lab.get("SERVER_IP4")
    );
    let o = lab.pkt(
        "CLIENT_NS",
        &["send", &expr, "-c", "2", "--interval", "0.01", "-v"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().filter(|l| l.contains("UDP")).count(),
        6,
        "{out}"
    );
    assert!(out.contains("Sent 6 packets"), "{out}");
    let status = wait_for(&mut tcpdump, 5);
    assert!(status, "tcpdump did not see 6 packets");
    let got = common::pkt(&["read", cap.to_str().unwrap(), "--json"]);
    let sports: Vec<u64> = json_lines(&got)
        .iter()
        .map(|r| field(r, "UDP", "sport").as_u64().unwrap())
        .collect();
    assert_eq!(sports, [1, 2, 3, 1, 2, 3]);
}

/// `--flood` of IP packets frames them itself (route, ARP/ND, a packet socket, batched): every
/// packet arrives on the router's side of the link, byte for byte as `craft` builds it, behind an
/// Ethernet header from the client's MAC to the next hop's. IPv4 and IPv6.
#[test]
fn send_flood_frames_ip_packets_for_the_link() {
    let Some(lab) = Lab::up("flood", 1) else {
        return;
    };
    let dir = common::temp_dir("flood");
    for (v, dst) in [("4", lab.get("SERVER_IP4")), ("6", lab.get("SERVER_IP6"))] {
        let cap = dir.join(format!("r1-v{v}.pcap"));
        let n = 600;
        let mut tcpdump = lab.spawn(
            "ROUTER1_NS",
            "tcpdump",
            &[
                "-i",
                lab.get("ROUTER1_IF"),
                "-c",
                &n.to_string(),
                "-U",
                "-B",
                "8192",
                "-w",
                cap.to_str().unwrap(),
                "udp and dst port 9",
            ],
        );
        std::thread::sleep(std::time::Duration::from_millis(700));
        let ip = if v == "4" { "IP" } else { "IPv6" };
        let src = lab.get(&format!("CLIENT_IP{v}"));
        let expr =
            format!("{ip}(src=\"{src}\",dst=\"{dst}\")/UDP(sport=(1,300),dport=9)/\"flood\"");
        let o = lab.pkt(
            "CLIENT_NS",
            &["send", &expr, "-c", "2", "--flood", "--json"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let report: Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON report");
        assert_eq!(report["sent"], n, "{report}");
        assert_eq!(report["layer"], 2, "{report}");
        assert!(
            wait_for(&mut tcpdump, 5),
            "tcpdump did not see {n} packets (v{v})"
        );
        let want = common::pkt(&["craft", &expr, "--raw"]).stdout;
        let got = json_lines(&common::pkt(&["read", cap.to_str().unwrap(), "--json"]));
        assert_eq!(got.len(), n);
        let sports: Vec<u64> = got
            .iter()
            .map(|r| field(r, "UDP", "sport").as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = (1..=300).chain(1..=300).collect();
        assert_eq!(sports, expected, "v{v}");
        assert_eq!(field(&got[0], "Ether", "src"), lab.get("CLIENT_MAC"));
        assert_eq!(field(&got[0], "Ether", "dst"), lab.get("NEXTHOP_MAC"));
        // The first frame after its Ethernet header is the first packet craft builds.
        // (tcpdump writes classic pcap: a 24-byte file header, then a 16-byte record header.)
        let file = std::fs::read(&cap).unwrap();
        let len = u32::from_le_bytes(file[32..36].try_into().unwrap()) as usize;
        let frame = &file[40..40 + len];
        assert_eq!(&frame[14..], &want[..len - 14], "v{v}");
    }
}

/// `--loop` sends until Ctrl-C, then reports what it sent and exits 0.
#[test]
fn send_loop_stops_on_ctrl_c_with_its_report() {
    let Some(lab) = Lab::up("sendloop", 1) else {
        return;
    };
    let expr = format!("IP(dst=\"{}\")/UDP(dport=9)", lab.get("SERVER_IP4"));
    let child = lab.spawn(
        "CLIENT_NS",
        common::PKT,
        &["send", &expr, "--loop", "--rate", "500", "--json"],
    );
    std::thread::sleep(std::time::Duration::from_millis(600));
    // `ip netns exec` execs pkt: the child's PID is pkt's.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON report");
    let sent = report["sent"].as_u64().unwrap();
    assert!(sent > 50 && sent < 1000, "{report}");
    assert_eq!(report["errors"], 0);
}

/// Ctrl-C during `sr` ends the wait: the unanswered are still reported, promptly.
#[test]
fn sr_interrupted_reports_what_it_has() {
    let Some(lab) = Lab::up("srint", 1) else {
        return;
    };
    let expr = format!(
        "IP(dst=[\"{}\",\"{}\"])/ICMP()",
        lab.get("SERVER_IP4"),
        lab.get("BLACKHOLE4")
    );
    let start = std::time::Instant::now();
    let child = lab.spawn(
        "CLIENT_NS",
        common::PKT,
        &["sr", &expr, "--json", "--timeout", "30"],
    );
    std::thread::sleep(std::time::Duration::from_millis(800));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().expect("wait");
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let types: Vec<String> = json_lines(&o)
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["answer", "unanswered"]);
    assert!(stderr(&o).contains("(interrupted)"), "{}", stderr(&o));
}

/// Waits up to `secs` for the child to exit; kills it (by its own PID) otherwise.
fn wait_for(child: &mut std::process::Child, secs: u64) -> bool {
    for _ in 0..secs * 10 {
        if let Ok(Some(s)) = child.try_wait() {
            return s.success();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

/// Without CAP_NET_RAW the error names the capability and both ways to get it; exit 2.
#[test]
fn without_privilege_the_error_says_how_to_get_it() {
    let mixed = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/mixed.pcap");
    let commands: [(&[&str], i32); 5] = [
        (
            &["sr", "IP(dst=\"127.0.0.1\")/ICMP()", "--timeout", "0.1"],
            2,
        ),
        (&["sniff", "-i", "lo", "-c", "1"], 1),
        (&["replay", mixed, "-i", "lo"], 1),
        (&["ping", "127.0.0.1", "-c", "1", "--tcp", "80"], 2),
        (&["traceroute", "127.0.0.1"], 2),
    ];
    for (args, code) in commands {
        let o = if unsafe { libc::geteuid() } != 0 {
            // Unprivileged already: the real thing.
            common::pkt(args)
        } else {
            // As root: drop to nobody with setpriv (util-linux), when it is there.
            let o = std::process::Command::new("setpriv")
                .args([
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "--inh-caps=-all",
                ])
                .arg(common::PKT)
                .args(args)
                .output();
            let Ok(o) = o else {
                eprintln!("skipped: no setpriv to drop privileges");
                return;
            };
            o
        };
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("CAP_NET_RAW") && e.contains("sudo") && e.contains("setcap"),
            "{args:?}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
    }
}
