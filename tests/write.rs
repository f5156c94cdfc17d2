//! `pkt write`: NDJSON back into pcaps — byte-exact round trips, edits repaired as promised.

mod common;

use common::{pkt, pkt_stdin, stderr, stdout, temp_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Link types `pkt write` round-trips (the ones `pkt read` decodes).
const DECODED: &[u64] = &[1, 113, 276, 0, 108, 101, 228, 229];

fn records(path: &Path) -> Vec<Value> {
    stdout(&pkt(&["read", path.to_str().unwrap(), "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `pkt read F --json | pkt write -o G`, then G read back equals F read, record for record
/// (every byte of every packet is in its layers, the times are exact, and pcapng keeps each
/// packet's interface name).
fn round_trip(file: &Path, dir: &Path) -> Result<(), String> {
    let json = stdout(&pkt(&["read", file.to_str().unwrap(), "--json"]));
    let first: Value = match json.lines().next() {
        Some(l) => serde_json::from_str(l).unwrap(),
        None => return Ok(()),
    };
    if !DECODED.contains(&first["linktype"].as_u64().unwrap_or(9999)) {
        return Ok(());
    }
    // pcapng back into pcapng, which keeps each record's interface name; the rest into a
    // classic pcap.
    let ng = std::fs::read(file).is_ok_and(|b| b.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]));
    if !ng && first["time"].as_f64().unwrap_or(0.0) >= 4294967296.0 {
        return Ok(()); // beyond 2106: a classic pcap cannot hold it (pkt write says so)
    }
    let out = dir.join(format!(
        "{}.rt.{}",
        file.file_name().unwrap().to_string_lossy(),
        if ng { "pcapng" } else { "pcap" }
    ));
    let w = pkt_stdin(&["write", "-o", out.to_str().unwrap()], json.as_bytes());
    if !w.status.success() {
        return Err(format!("{}: write failed: {}", file.display(), stderr(&w)));
    }
    let back = stdout(&pkt(&["read", out.to_str().unwrap(), "--json"]));
    if back != json {
        let n = back
            .lines()
            .zip(json.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(format!("{}: record {} differs", file.display(), n + 1));
    }
    Ok(())
}

#[test]
fn fixtures_round_trip_byte_exact() {
    let dir = temp_dir("write_fixtures");
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut n = 0;
    for e in std::fs::read_dir(caps).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
            round_trip(&p, &dir).unwrap();
            n += 1;
        }
    }
    assert!(n >= 9);
}

#[test]
fn corpus_round_trips_byte_exact() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tcpdump-tests");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        eprintln!("skipping: ../shared/corpus not present");
        return;
    };
    let dir = temp_dir("write_corpus");
    let files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<&[PathBuf]> = files.chunks(files.len().div_ceil(3)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                s.spawn(|| {
                    c.iter()
                        .filter_map(|f| round_trip(f, &dir).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(files.len() > 800);
    assert!(
        failures.is_empty(),
        "{} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Edits a record's JSON the way `jq` would, writes it, reads it back.
fn edit_and_read(rec: &Value, edit: impl Fn(&mut Value), extra: &[&str]) -> Value {
    // A directory per call: tests run in parallel, and temp_dir empties the one it names.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = temp_dir(&format!("write_edit-{n}"));
    let mut r = rec.clone();
    edit(&mut r);
    let out = dir.join("edited.pcap");
    let mut args = vec!["write", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let w = pkt_stdin(&args, format!("{r}\n").as_bytes());
    assert!(w.status.success(), "{}", stderr(&w));
    records(&out).remove(0)
}

#[test]
fn edits_get_their_checksums_and_lengths_recomputed() {
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/mixed.pcap");
    let recs = records(&caps);
    // packet 3: Ether / IP / TCP / Raw (an HTTP request)
    let rec = &recs[2];
    assert_eq!(rec["layers"][3]["layer"], "Raw");
    let ttl1 = edit_and_read(rec, |r| r["layers"][1]["ttl"] = 1.into(), &[]);
    assert_eq!(ttl1["layers"][1]["ttl"], 1);
    assert_ne!(ttl1["layers"][1]["chksum"], rec["layers"][1]["chksum"]);
    assert!(ttl1.get("errors").is_none(), "{ttl1}");

    let moved = edit_and_read(rec, |r| r["layers"][1]["dst"] = "203.0.113.9".into(), &[]);
    assert_eq!(moved["layers"][1]["dst"], "203.0.113.9");
    assert!(
        moved.get("errors").is_none(),
        "the TCP checksum follows the new address: {moved}"
    );

    let longer = edit_and_read(
        rec,
        |r| r["layers"][3]["load"] = "00112233445566778899".into(),
        &[],
    );
    assert_eq!(longer["layers"][1]["len"], 20 + 20 + 10);
    assert_eq!(longer["caplen"], 14 + 50);
    assert!(longer.get("errors").is_none(), "{longer}");
}

#[test]
fn checksums_wrong_in_the_original_stay_wrong_unless_fixed() {
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/malformed.pcap");
    let rec = records(&caps).remove(1); // TCP checksum wrong
    assert_eq!(rec["errors"][0]["field"], "chksum");
    let edited = edit_and_read(&rec, |r| r["layers"][1]["ttl"] = 9.into(), &[]);
    let errs = edited["errors"]
        .as_array()
        .expect("the TCP checksum is still wrong");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["layer"], "TCP");
    // the IP checksum, right in the original, was recomputed for the new TTL
    assert!(errs.iter().all(|e| e["layer"] != "IP"));
    let fixed = edit_and_read(&rec, |r| r["layers"][1]["ttl"] = 9.into(), &["--fix"]);
    assert!(fixed.get("errors").is_none(), "{fixed}");
}

#[test]
fn a_bad_record_names_record_and_field_and_leaves_nothing() {
    let dir = temp_dir("write_bad");
    let out = dir.join("never.pcap");
    let good = stdout(&pkt(&[
        "read",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures/mixed.pcap")
            .to_str()
            .unwrap(),
        "--json",
    ]));
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    lines[2] = lines[2].replace("\"ttl\":64", "\"ttl\":\"high\"");
    let w = pkt_stdin(
        &["write", "-o", out.to_str().unwrap()],
        lines.join("\n").as_bytes(),
    );
    assert_eq!(w.status.code(), Some(1));
    let err = stderr(&w);
    assert!(err.contains("record 3") && err.contains("IP.ttl"), "{err}");
    assert!(!out.exists() && !dir.join("never.pcap.partial").exists());
}

/// The README's promise, with the real tools: a jq edit, written back, has checksums scapy
/// agrees with. Skips (saying so) when jq or scapy is missing; CI installs both.
#[test]
fn jq_edit_gives_checksums_scapy_accepts() {
    let has = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !has("jq", &["--version"]) || !has("python3", &["-c", "import scapy"]) {
        assert!(!ci, "CI installs jq and scapy");
        eprintln!("skipping: jq or scapy missing");
        return;
    }
    let dir = temp_dir("write_jq");
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/mixed.pcap");
    let json = stdout(&pkt(&["read", caps.to_str().unwrap(), "--json"]));
    let mut jq = std::process::Command::new("jq")
        .args(["-c", r#"if .layers[1].layer == "IP" then .layers[1].ttl = 1 | .layers[1].dst = "203.0.113.7" else . end"#])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    jq.stdin.take().unwrap().write_all(json.as_bytes()).unwrap();
    let edited = jq.wait_with_output().unwrap();
    assert!(edited.status.success());
    let out = dir.join("edited.pcap");
    let w = pkt_stdin(&["write", "-o", out.to_str().unwrap()], &edited.stdout);
    assert!(w.status.success(), "{}", stderr(&w));
    // scapy recomputes each IP/TCP/UDP/ICMP checksum from scratch and compares with the file's.
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import sys, logging
logging.getLogger("scapy").setLevel(logging.CRITICAL)
from scapy.all import rdpcap, IP, TCP, UDP, ICMP, Ether
bad = 0; n = 0
for p in rdpcap(sys.argv[1]):
    if IP not in p or p[IP].frag or p[IP].flags.MF:
        continue
    n += 1
    q = Ether(bytes(p))
    for layer in (IP, TCP, UDP, ICMP):
        if layer in q and layer in p:
            del q[layer].chksum
    r = Ether(bytes(q))
    for layer in (IP, TCP, UDP, ICMP):
        if layer in r and layer in p and r[layer].chksum != p[layer].chksum:
            bad += 1
            print("bad", layer.__name__, p.summary())
    if isinstance(p.payload, IP):  # the jq filter edited the IP right after Ether
        assert p[IP].ttl == 1 and p[IP].dst == "203.0.113.7", p.summary()
print(n, bad)
sys.exit(1 if bad or not n else 0)
"#,
        )
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// pcapng out: times past 2106 with nanoseconds, read back by pkt record for record and by
/// tcpdump; several link types in one file (which libpcap, and so tcpdump, cannot read: checked
/// with tshark when it is installed).
#[test]
fn pcapng_holds_any_time_and_several_link_types() {
    let dir = temp_dir("write_pcapng");
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let read = |f: &str| stdout(&pkt(&["read", caps.join(f).to_str().unwrap(), "--json"]));
    let mut json = read("mixed.pcap");
    // One record far in the future, with nanoseconds.
    let mut late: Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    late["time"] = serde_json::from_str("5000000000.123456789").unwrap();
    json.push_str(&serde_json::to_string(&late).unwrap());
    json.push('\n');
    let want: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    // A classic pcap refuses the time; pcapng (by --pcapng or by the name) takes it.
    let refused = pkt_stdin(
        &["write", "-o", dir.join("x.pcap").to_str().unwrap()],
        json.as_bytes(),
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--pcapng"),
        "{}",
        stderr(&refused)
    );
    for (out, extra) in [("all.pcapng", None), ("all.ng", Some("--pcapng"))] {
        let out = dir.join(out);
        let mut args = vec!["write", "-o", out.to_str().unwrap()];
        args.extend(extra);
        let w = pkt_stdin(&args, json.as_bytes());
        assert!(w.status.success(), "{}", stderr(&w));
        let back = records(&out);
        assert_eq!(back.len(), want.len());
        for (i, (b, w)) in back.iter().zip(&want).enumerate() {
            for key in ["linktype", "caplen", "len", "layers"] {
                assert_eq!(b[key], w[key], "record {} {key}", i + 1);
            }
            // Times exact to the nanosecond (the JSON number's text).
            assert_eq!(
                b["time"].to_string(),
                w["time"].to_string(),
                "record {}",
                i + 1
            );
        }
        if let Ok(t) = std::process::Command::new("tcpdump")
            .args(["-nn", "-tt", "-r", out.to_str().unwrap()])
            .output()
        {
            assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
            // One line per packet starts with its time (hex dumps of payloads do not).
            let stamped = String::from_utf8_lossy(&t.stdout)
                .lines()
                .filter(|l| {
                    l.split(' ')
                        .next()
                        .is_some_and(|w| w.parse::<f64>().is_ok())
                })
                .count();
            assert_eq!(stamped, want.len());
        }
    }

    // Several link types: one interface block each.
    let mut json = read("mixed.pcap");
    json.push_str(&read("sll.pcap"));
    json.push_str(&read("raw.pcap"));
    let n = json.lines().count();
    let out = dir.join("mixed-links.pcapng");
    let w = pkt_stdin(&["write", "-o", out.to_str().unwrap()], json.as_bytes());
    assert!(w.status.success(), "{}", stderr(&w));
    // pkt reads it back, record for record, each with its own link type: from the file, and
    // from a pipe (`-o -` writes to standard output, `read -` reads standard input).
    let want: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let piped = pkt_stdin(&["write", "--pcapng", "-o", "-"], json.as_bytes());
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert!(!dir.join("-").exists() && !Path::new("-").exists());
    let from_pipe = pkt_stdin(&["read", "-", "--json"], &piped.stdout);
    for back in [
        records(&out),
        stdout(&from_pipe)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    ] {
        assert_eq!(back.len(), n);
        for (i, (b, w)) in back.iter().zip(&want).enumerate() {
            for key in ["linktype", "caplen", "len", "layers", "time"] {
                assert_eq!(b[key], w[key], "record {} {key}", i + 1);
            }
        }
    }
    // Records that name their interface keep it through pcapng (one interface block per link
    // type and name); a classic pcap has no room for it and takes the packets all the same.
    let named: String = json
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut r: Value = serde_json::from_str(l).unwrap();
            r["iface"] = format!("if{}", i % 2).into();
            format!("{r}\n")
        })
        .collect();
    let ng = dir.join("named.pcapng");
    let w = pkt_stdin(&["write", "-o", ng.to_str().unwrap()], named.as_bytes());
    assert!(w.status.success(), "{}", stderr(&w));
    let back = records(&ng);
    assert_eq!(back.len(), n);
    for (i, b) in back.iter().enumerate() {
        assert_eq!(b["iface"], format!("if{}", i % 2), "record {}", i + 1);
    }
    let mixed_first: String = named.lines().take(2).map(|l| format!("{l}\n")).collect();
    let classic = dir.join("named.pcap");
    let w = pkt_stdin(
        &["write", "-o", classic.to_str().unwrap()],
        mixed_first.as_bytes(),
    );
    assert!(w.status.success(), "{}", stderr(&w));
    assert!(records(&classic).iter().all(|r| r.get("iface").is_none()));

    // A classic pcap holds one link type: `read -w` writes the packets of the first and says
    // why it stopped at the next.
    let one = dir.join("one.pcap");
    let r = pkt(&["read", out.to_str().unwrap(), "-w", one.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(
        stderr(&r).contains("write .pcapng for several"),
        "{}",
        stderr(&r)
    );
    let first_links = want
        .iter()
        .take_while(|r| r["linktype"] == want[0]["linktype"])
        .count();
    assert_eq!(records(&one).len(), first_links);
    match std::process::Command::new("tshark")
        .args([
            "-r",
            out.to_str().unwrap(),
            "-T",
            "fields",
            "-e",
            "frame.interface_id",
        ])
        .output()
    {
        Ok(t) if t.status.success() => {
            let ids: Vec<String> = String::from_utf8_lossy(&t.stdout)
                .lines()
                .map(String::from)
                .collect();
            assert_eq!(ids.len(), n);
            let mut distinct = ids.clone();
            distinct.dedup();
            assert_eq!(distinct, ["0", "1", "2"]);
        }
        _ => eprintln!("skipped: tshark is not installed to read a pcapng of several link types"),
    }
}

/// A DNS answer with compressed names (scapy's `.compress()`): it round-trips exactly through
/// JSON (each pointer's bytes in `FIELD_wire`), and editing a name's text rebuilds the message
/// with its lengths and checksums.
#[test]
fn compressed_dns_names_round_trip_and_edits_rebuild() {
    const DNS: &str = "beef8580000100020001000003777777076578616d706c6504746573740000010001c00c000500010000012c000603776562c010c02e000100010000012c0004c0000207c01000060001000000000020026e73c01004686f7374c0100000000700000000000000000000000000000000";
    // An IP/UDP datagram to port 53 carrying it, checksums left to compute.
    let raw = serde_json::json!({"n":1,"time":1700000000.0,"caplen":0,"len":0,"linktype":101,
        "layers":[{"layer":"IP","src":"192.0.2.53","dst":"198.51.100.7","proto":17},
                  {"layer":"UDP","sport":53,"dport":40000},{"layer":"Raw","load":DNS}]});
    let rec = edit_and_read(&raw, |_| {}, &["--fix"]);
    let dns = &rec["layers"][2];
    assert_eq!(dns["layer"], "DNS", "{rec}");
    assert_eq!(dns["an"][0]["rrname"], "www.example.test.");
    assert_eq!(dns["an"][0]["rrname_wire"], "c00c");
    assert_eq!(dns["an"][0]["rdata"], "web.example.test.");
    assert!(rec.get("errors").is_none(), "{rec}");
    // Unedited: the same record again (the same bytes).
    let again = edit_and_read(&rec, |_| {}, &[]);
    assert_eq!(again, rec);
    // The CNAME's target edited, its old pointer bytes left beside it.
    let edited = edit_and_read(
        &rec,
        |r| r["layers"][2]["an"][0]["rdata"] = "cdn.example.test.".into(),
        &[],
    );
    let dns = &edited["layers"][2];
    assert_eq!(dns["an"][0]["rdata"], "cdn.example.test.");
    assert_eq!(dns["an"][1]["rdata"], "192.0.2.7");
    assert_eq!(dns["ns"][0]["rname"], "host.example.test.");
    assert!(
        edited.get("errors").is_none(),
        "lengths and checksums right: {edited}"
    );
}

#[test]
fn an_edit_too_big_for_its_lengths_names_the_record_and_leaves_nothing() {
    let dir = temp_dir("write_too_big");
    let out = dir.join("never.pcap");
    let caps = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/mixed.pcap");
    let mut recs = records(&caps);
    // packet 3: Ether / IP / TCP / Raw, its payload edited to 70,000 bytes
    assert_eq!(recs[2]["layers"][3]["layer"], "Raw");
    recs[2]["layers"][3]["load"] = "00".repeat(70_000).into();
    let input: Vec<String> = recs.iter().map(|r| r.to_string()).collect();
    let w = pkt_stdin(
        &["write", "-o", out.to_str().unwrap()],
        input.join("\n").as_bytes(),
    );
    assert_eq!(w.status.code(), Some(1));
    let err = stderr(&w);
    assert!(
        err.contains("record 3: its edited size does not fit: IP.len would be 70040"),
        "{err}"
    );
    assert!(!out.exists() && !dir.join("never.pcap.partial").exists());
}
