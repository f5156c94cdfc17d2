//! `pkt sniff` in the namespace lab: filters, -c, --timeout, -i any, -w with rotation, Ctrl-C
//! and a closed pipe. Skipped (with a message) when not root.

mod common;

use common::lab::Lab;
use common::{stderr, stdout};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The count tcpdump-style stats report on stderr ("N packets captured").
fn captured(err: &str) -> u64 {
    err.lines()
        .find_map(|l| l.strip_suffix(" packets captured"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no capture count in: {err}"))
}

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// The filter and -c decide what is printed: 3 of 5 UDP packets to port 9, none of the
/// pings; each record names the interface; the counts go to stderr.
#[test]
fn sniff_filters_counts_and_names_the_interface() {
    let Some(lab) = Lab::up("sniff", 1) else {
        return;
    };
    let child = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &[
            "sniff", "--json", "-c", "3", "udp", "and", "dst", "port", "9",
        ],
    );
    sleep_ms(600);
    let dst = lab.get("SERVER_IP4");
    lab.exec("CLIENT_NS", "ping", &["-c", "2", "-i", "0.2", "-q", dst]);
    let expr = format!("IP(dst=\"{dst}\")/UDP(sport=(1,5),dport=9)");
    let o = lab.pkt("CLIENT_NS", &["send", &expr]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = json_lines(&stdout(&o));
    assert_eq!(recs.len(), 3, "{}", stdout(&o));
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["iface"], lab.get("SERVER_IF"), "{r}");
        assert_eq!(r["linktype"], 1);
        let udp = r["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["layer"] == "UDP");
        let udp = udp.unwrap_or_else(|| panic!("no UDP in {r}"));
        assert_eq!(udp["dport"], 9);
        assert_eq!(udp["sport"], i as u64 + 1);
    }
    let err = stderr(&o);
    assert_eq!(captured(&err), 3, "{err}");
    assert!(err.contains("packets received by filter"), "{err}");
    assert!(err.contains("packets dropped by kernel"), "{err}");
    assert!(err.contains("listening on pktlab"), "{err}");
}

/// `-i any` captures on every interface with SLL2 headers; each packet's interface comes from
/// its header (a router sees the request arrive on one side and leave on the other).
/// `--timeout` ends the capture.
#[test]
fn sniff_any_names_each_packets_interface_and_times_out() {
    let Some(lab) = Lab::up("sniffany", 1) else {
        return;
    };
    let start = Instant::now();
    let ng = common::temp_dir("sniff_any").join("any.pcapng");
    let child = lab.spawn(
        "ROUTER1_NS",
        common::PKT,
        &[
            "sniff",
            "-i",
            "any",
            "--json",
            "--timeout",
            "2",
            "-w",
            ng.to_str().unwrap(),
            "--print",
            "icmp",
        ],
    );
    sleep_ms(600);
    lab.exec(
        "CLIENT_NS",
        "ping",
        &["-c", "1", "-q", lab.get("SERVER_IP4")],
    );
    let o = child.wait_with_output().expect("wait");
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let recs = json_lines(&stdout(&o));
    // Request in and out, reply in and out.
    assert_eq!(recs.len(), 4, "{}", stdout(&o));
    let ifaces: Vec<&str> = recs.iter().map(|r| r["iface"].as_str().unwrap()).collect();
    let (near, far) = (lab.get("ROUTER1_IF"), lab.get("ROUTER1_FAR_IF"));
    assert_eq!(ifaces, [near, far, far, near]);
    // The pcapng written meanwhile names them too (an interface block each).
    let back = json_lines(&stdout(&common::pkt(&[
        "read",
        ng.to_str().unwrap(),
        "--json",
    ])));
    let named: Vec<&str> = back.iter().map(|r| r["iface"].as_str().unwrap()).collect();
    assert_eq!(named, ifaces);
    assert!(recs.iter().all(|r| r["linktype"] == 276));
    assert_eq!(recs[0]["layers"][0]["layer"], "CookedLinuxV2");
    assert_eq!(captured(&stderr(&o)), 4);
}

/// SIGINT while writing: the file is complete (every packet the stats count, read back by pkt
/// and by tcpdump) and the exit is 0. The same for SIGTERM.
#[test]
fn sniff_write_survives_sigint_and_sigterm() {
    let Some(lab) = Lab::up("sniffint", 1) else {
        return;
    };
    let dir = common::temp_dir("sniffint");
    let expr = format!("IP(dst=\"{}\")/UDP(dport=9)/\"x\"", lab.get("SERVER_IP4"));
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let file = dir.join(format!("cap-{signal}.pcap"));
        let child = lab.spawn(
            "SERVER_NS",
            common::PKT,
            &["sniff", "-w", file.to_str().unwrap(), "udp"],
        );
        let sender = lab.spawn(
            "CLIENT_NS",
            common::PKT,
            &["send", &expr, "--loop", "--rate", "2000"],
        );
        sleep_ms(1200);
        // `ip netns exec` execs pkt: the child's PID is pkt's.
        unsafe { libc::kill(child.id() as i32, signal) };
        let o = child.wait_with_output().expect("wait");
        unsafe { libc::kill(sender.id() as i32, libc::SIGINT) };
        let _ = sender.wait_with_output();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let n = captured(&stderr(&o));
        assert!(n > 200, "only {n} packets in 1.2 s at 2000/s");
        let read = common::pkt(&["read", file.to_str().unwrap(), "-t"]);
        assert!(read.status.success(), "{}", stderr(&read));
        assert_eq!(stdout(&read).lines().count() as u64, n);
        let (recs, damage) = common::libpcap_read(&file, false).expect("libpcap reads it");
        assert_eq!(damage, None);
        assert_eq!(recs.len() as u64, n);
    }
}

/// `-C`/`-W` rotate as tcpdump does: FILE0, FILE1, FILE2 of about SIZE million bytes each,
/// every one a complete capture.
#[test]
fn sniff_rotates_files_like_tcpdump() {
    let Some(lab) = Lab::up("sniffrot", 1) else {
        return;
    };
    let dir = common::temp_dir("sniffrot");
    let base = dir.join("ring.pcap");
    let child = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &[
            "sniff",
            "-w",
            base.to_str().unwrap(),
            "-C",
            "0.01",
            "-W",
            "3",
            "-c",
            "600",
            "udp",
        ],
    );
    sleep_ms(600);
    // 600 frames of 43 bytes (+16 a record): 35 KB, so the ring of three 10 KB files wraps.
    let expr = format!("IP(dst=\"{}\")/UDP(dport=9)/\"x\"", lab.get("SERVER_IP4"));
    let o = lab.pkt("CLIENT_NS", &["send", &expr, "-c", "620", "--rate", "4000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut total = 0;
    for k in 0..3 {
        let f = dir.join(format!("ring.pcap{k}"));
        let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is {size} bytes", f.display());
        assert!(size < 10_000 + 100, "{} is {size} bytes", f.display());
        let (recs, damage) = common::libpcap_read(&f, false).expect("libpcap reads it");
        assert_eq!(damage, None);
        total += recs.len();
    }
    assert!(!base.exists(), "with -W the first file is numbered too");
    assert!(!dir.join("ring.pcap3").exists());
    // The ring wrapped: the oldest file was overwritten, so fewer than 600 remain.
    assert!(total < 600 && total > 300, "{total}");
}

/// `-G 1`: a new file every second, named by strftime (`%s`, the epoch seconds it opened),
/// each a complete capture holding only packets from its own second or so, together every
/// packet captured; with `-W 2` the capture stops by itself after two files.
#[test]
fn sniff_rotates_files_by_time_like_tcpdump() {
    let Some(lab) = Lab::up("sniffg", 1) else {
        return;
    };
    let expr = format!("IP(dst=\"{}\")/UDP(dport=9)/\"x\"", lab.get("SERVER_IP4"));
    let sender = lab.spawn(
        "CLIENT_NS",
        common::PKT,
        &["send", &expr, "--loop", "--rate", "50"],
    );
    let files_in = |dir: &std::path::Path| -> Vec<(i64, std::path::PathBuf)> {
        let mut v: Vec<(i64, std::path::PathBuf)> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| {
                let p = e.ok()?.path();
                let secs = p
                    .file_name()?
                    .to_str()?
                    .strip_prefix("g-")?
                    .strip_suffix(".pcap")?;
                Some((secs.parse().ok()?, p))
            })
            .collect();
        v.sort();
        v
    };

    // Stopped by Ctrl-C after 2.6 s: at least two files, every packet in one of them.
    let dir = common::temp_dir("sniffg");
    let pattern = dir.join("g-%s.pcap");
    let child = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &["sniff", "-G", "1", "-w", pattern.to_str().unwrap(), "udp"],
    );
    sleep_ms(2600);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let n = captured(&stderr(&o));
    let files = files_in(&dir);
    assert!(files.len() >= 2, "{files:?}");
    let mut total = 0;
    for (opened, f) in &files {
        let (recs, damage) = common::libpcap_read(f, false).expect("libpcap reads it");
        assert_eq!(damage, None, "{}", f.display());
        for r in &recs {
            // Rotation is checked as packets arrive: a file holds packets from the second it
            // opened until the first packet a second or more later.
            assert!(
                r.sec >= opened - 1 && r.sec <= opened + 2,
                "{}: a packet at {}",
                f.display(),
                r.sec
            );
        }
        total += recs.len() as u64;
    }
    assert_eq!(total, n, "{files:?}");
    assert!(n > 60, "only {n} packets in 2.6 s at 50/s");

    // -W 2: the capture ends by itself once the second file's time is up.
    let dir = common::temp_dir("sniffgw");
    let pattern = dir.join("g-%s.pcap");
    let started = Instant::now();
    let child = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &[
            "sniff",
            "-G",
            "1",
            "-W",
            "2",
            "-w",
            pattern.to_str().unwrap(),
            "udp",
        ],
    );
    let o = child.wait_with_output().expect("wait");
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(took < Duration::from_secs(6), "{took:?}");
    let files = files_in(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let total: usize = files
        .iter()
        .map(|(_, f)| common::libpcap_read(f, false).expect("reads").0.len())
        .sum();
    assert_eq!(total as u64, captured(&stderr(&o)));

    unsafe { libc::kill(sender.id() as i32, libc::SIGINT) };
    let _ = sender.wait_with_output();
}

/// A closed stdout (`| head -1`) ends the capture quietly with exit 0.
#[test]
fn sniff_into_a_closed_pipe_is_a_quiet_success() {
    let Some(lab) = Lab::up("sniffpipe", 1) else {
        return;
    };
    let mut child = lab.spawn("SERVER_NS", common::PKT, &["sniff", "-t", "udp"]);
    sleep_ms(600);
    let expr = format!("IP(dst=\"{}\")/UDP(dport=9)", lab.get("SERVER_IP4"));
    let sender = lab.spawn(
        "CLIENT_NS",
        common::PKT,
        &["send", &expr, "--loop", "--rate", "200"],
    );
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).expect("a line");
    assert!(line.contains("UDP"), "{line}");
    drop(out); // as `head -1` does
    let start = Instant::now();
    let o = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "sniff kept running"
        );
        sleep_ms(50);
    };
    unsafe { libc::kill(sender.id() as i32, libc::SIGINT) };
    let _ = sender.wait_with_output();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(o.code(), Some(0), "{err}");
    assert!(!err.to_lowercase().contains("broken pipe"), "{err}");
    assert!(err.contains("packets captured"), "{err}");
}

/// `-Z USER`: the capture is opened as root, then the file is written as USER (tcpdump's
/// -Z); an unknown user is a one-line error and no file.
#[test]
fn sniff_z_writes_the_file_as_that_user() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(lab) = Lab::up("sniffz", 1) else {
        return;
    };
    let id = std::process::Command::new("id")
        .args(["-u", "nobody"])
        .output();
    let Some(nobody) = id.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<u32>()
            .ok()
    }) else {
        eprintln!("skipped: no user 'nobody' on this machine");
        return;
    };
    let dir = common::temp_dir("sniff_z");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = dir.join("as-nobody.pcap");
    let child = lab.spawn(
        "SERVER_NS",
        common::PKT,
        &[
            "sniff",
            "-Z",
            "nobody",
            "-c",
            "2",
            "-w",
            out.to_str().unwrap(),
            "udp and dst port 9",
        ],
    );
    sleep_ms(600);
    let dst = lab.get("SERVER_IP4");
    let expr = format!("IP(dst=\"{dst}\")/UDP(sport=(1,2),dport=9)");
    let o = lab.pkt("CLIENT_NS", &["send", &expr]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let meta = std::fs::metadata(&out).expect("the capture file");
    assert_eq!(meta.uid(), nobody, "owner of {}", out.display());
    let back = common::pkt(&["read", out.to_str().unwrap(), "--json"]);
    assert_eq!(json_lines(&stdout(&back)).len(), 2);

    let bad = dir.join("never.pcap");
    let o = lab.pkt(
        "SERVER_NS",
        &[
            "sniff",
            "-Z",
            "no-such-user-pkt",
            "-c",
            "1",
            "--timeout",
            "1",
            "-w",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("no such user 'no-such-user-pkt'"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!bad.exists());
}
