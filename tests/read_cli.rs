//! `pkt read` end to end, on small pcap files written on the fly.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const T0: u32 = 1_700_000_000;

const SYN_LINE: &str = "Ether / IP / TCP 192.0.2.1:40000 > 192.0.2.2:80 S";
const UDP_LINE: &str = "Ether / IP / UDP 192.0.2.1:5353 > 192.0.2.3:53 / Raw";

/// TCP SYN, UDP, ARP, TCP SYN with a bad IPv4 checksum; one second apart, `.123456` each.
fn four_packets() -> Vec<Rec> {
    [TCP_SYN, UDP_HELLO, ARP_WHO_HAS, TCP_SYN_BAD_IP_CHKSUM]
        .iter()
        .enumerate()
        .map(|(i, h)| Rec::new(T0 + i as u32, 123_456, &hex(h)))
        .collect()
}

/// A temp dir holding `four.pcap` (the [`four_packets`]).
fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let file = dir.join("four.pcap");
    write_pcap(&file, &four_packets());
    (dir, file)
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

/// Asserts the run failed with exit 1 and exactly one `pkt: ` line on stderr, and returns it.
fn one_line_error(out: &std::process::Output) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1, stderr {err:?}"
    );
    assert!(!err.contains("panicked"), "panicked: {err}");
    assert!(
        err.starts_with("pkt: "),
        "stderr does not start with `pkt: `: {err:?}"
    );
    assert!(
        err.ends_with('\n') && err.trim_end().lines().count() == 1,
        "stderr is not one line: {err:?}"
    );
    err.trim_end().to_string()
}

fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "pkt failed: {} {}",
        out.status,
        stderr(out)
    );
    assert_eq!(stderr(out), "", "unexpected stderr");
}

#[test]
fn summary_names_layers_and_endpoints() {
    let (_dir, file) = setup("summary");
    let out = pkt(&["read".as_ref(), "-t".as_ref(), file.as_os_str()]);
    assert_ok(&out);
    let text = stdout(&out);
    let l = lines(&text);
    assert_eq!(l.len(), 4, "{text}");
    assert_eq!(l[0], SYN_LINE);
    assert_eq!(l[1], UDP_LINE);
    assert!(l[2].starts_with("Ether / ARP"), "{}", l[2]);
    assert!(
        l[2].contains("192.0.2.9") && l[2].contains("192.0.2.1"),
        "{}",
        l[2]
    );
    // A damaged packet says what is wrong, and where, on its line.
    assert!(
        l[3].starts_with(SYN_LINE) && l[3].contains("[!] IP at 14") && l[3].contains("0xf6cb"),
        "{}",
        l[3]
    );
}

#[test]
fn summary_time_and_numbering() {
    let (_dir, file) = setup("summary_time");
    let f = file.to_str().unwrap();

    let out = pkt(&["read", "--tt", f]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(lines(&text)[0], format!("{T0}.123456 {SYN_LINE}"));

    // Default: local time of day, HH:MM:SS.ffffff.
    let out = pkt(&["read", f]);
    assert_ok(&out);
    let text = stdout(&out);
    let first = lines(&text)[0];
    let (time, rest) = first.split_once(' ').unwrap();
    let b = time.as_bytes();
    assert!(
        time.len() == 15
            && b[2] == b':'
            && b[5] == b':'
            && time.ends_with(".123456")
            && time.chars().filter(char::is_ascii_digit).count() == 12,
        "time of day {time:?}"
    );
    assert_eq!(rest, SYN_LINE);

    let out = pkt(&["read", "-t", "-n", f]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(lines(&text)[0], format!("    1 {SYN_LINE}"));
    assert!(lines(&text)[3].starts_with("    4 "));
}

#[test]
fn count_stops_early() {
    let (_dir, file) = setup("count");
    let f = file.to_str().unwrap();
    let out = pkt(&["read", "-t", "-c", "1", f]);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{SYN_LINE}\n"));

    let out = pkt(&["read", "-t", "--count", "2", f]);
    assert_ok(&out);
    assert_eq!(lines(&stdout(&out)).len(), 2);
}

#[test]
fn filter_as_trailing_words() {
    let (_dir, file) = setup("filter_words");
    let f = file.to_str().unwrap();
    let out = pkt(&["read", "-t", f, "udp"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{UDP_LINE}\n"));

    // Several words make one filter.
    let out = pkt(&["read", "-t", f, "ip", "and", "dst", "host", "192.0.2.3"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{UDP_LINE}\n"));
}

#[test]
fn filter_with_dash_f() {
    let (_dir, file) = setup("filter_f");
    let f = file.to_str().unwrap();
    let out = pkt(&["read", "-t", "-f", "udp", f]);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{UDP_LINE}\n"));

    let out = pkt(&["read", "-t", "--filter", "arp", f]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(lines(&text).len(), 1);
    assert!(text.starts_with("Ether / ARP"), "{text}");
}

#[test]
fn bad_filter_is_a_one_line_error() {
    let (_dir, file) = setup("bad_filter");
    let f = file.to_str().unwrap();
    for args in [
        vec!["read", f, "udp", "port"],
        vec!["read", "-f", "udp port", f],
    ] {
        let out = pkt(&args);
        let err = one_line_error(&out);
        assert!(err.contains("filter") && err.contains("udp port"), "{err}");
        assert_eq!(stdout(&out), "");
    }
    // Both -f and trailing words.
    let out = pkt(&["read", "-f", "udp", f, "tcp"]);
    one_line_error(&out);
}

/// `-w` writes exactly the selected packets, unchanged, and prints nothing.
#[test]
fn write_slices_selected_packets() {
    let (dir, file) = setup("write");
    let input = libpcap_read(&file, false).unwrap().0;
    assert_eq!(input.len(), 4);

    let out_file = dir.join("udp.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-w".as_ref(),
        out_file.as_os_str(),
        file.as_os_str(),
        "udp".as_ref(),
    ]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "", "-w without --print prints nothing");
    let (written, err) = libpcap_read(&out_file, false).unwrap();
    assert_eq!(err, None);
    assert_eq!(written, vec![input[1].clone()]);

    let out_file = dir.join("first3.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-c".as_ref(),
        "3".as_ref(),
        "-w".as_ref(),
        out_file.as_os_str(),
        file.as_os_str(),
    ]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        libpcap_read(&out_file, false).unwrap().0,
        input[..3].to_vec()
    );
    let cap = pcap::Capture::from_file(&out_file).unwrap();
    assert_eq!(cap.get_datalink().0, 1, "the link type is kept");

    // --print prints as well.
    let out_file = dir.join("printed.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-t".as_ref(),
        "--print".as_ref(),
        "-w".as_ref(),
        out_file.as_os_str(),
        file.as_os_str(),
    ]);
    assert_ok(&out);
    assert_eq!(lines(&stdout(&out)).len(), 4);
    assert_eq!(libpcap_read(&out_file, false).unwrap().0, input);
}

/// A nanosecond capture stays nanosecond, and a snapped frame keeps its wire length.
#[test]
fn write_keeps_nanoseconds_and_wire_length() {
    let dir = temp_dir("write_nano");
    let file = dir.join("nano.pcap");
    let syn = hex(TCP_SYN);
    let recs = vec![
        Rec::new(T0, 123_456_789, &syn),
        Rec {
            sec: T0 + 1,
            frac: 999_999_999,
            len: 1514,
            data: syn[..34].to_vec(),
        },
    ];
    std::fs::write(&file, pcap_bytes(LINKTYPE_ETHERNET, true, &recs)).unwrap();
    let input = libpcap_read(&file, true).unwrap().0;
    assert_eq!(input[0].frac, 123_456_789);
    assert_eq!((input[1].caplen, input[1].len), (34, 1514));

    let out_file = dir.join("out.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-w".as_ref(),
        out_file.as_os_str(),
        file.as_os_str(),
    ]);
    assert_ok(&out);
    assert_eq!(libpcap_read(&out_file, true).unwrap().0, input);

    let out = pkt(&["read".as_ref(), "--tt".as_ref(), file.as_os_str()]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with(&format!("{T0}.123456789 ")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn write_to_a_bad_path_is_a_one_line_error() {
    let (dir, file) = setup("write_bad");
    let bad = dir.join("no-such-dir").join("out.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-w".as_ref(),
        bad.as_os_str(),
        file.as_os_str(),
    ]);
    let err = one_line_error(&out);
    assert!(
        err.contains("out.pcap") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn write_error_names_the_path_once() {
    let (dir, file) = setup("write_bad_once");
    let bad = dir.join("no-such-dir").join("out.pcap");
    let out = pkt(&[
        "read".as_ref(),
        "-w".as_ref(),
        bad.as_os_str(),
        file.as_os_str(),
    ]);
    let err = one_line_error(&out);
    assert_eq!(err.matches("out.pcap").count(), 1, "{err}");
}

#[test]
fn files_are_read_in_order() {
    let dir = temp_dir("two_files");
    let all = four_packets();
    let a = dir.join("a.pcap");
    let b = dir.join("b.pcap");
    write_pcap(&a, &all[..2]);
    write_pcap(&b, &all[2..3]);
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let out = pkt(&["read", "-t", "-n", a, b]);
    assert_ok(&out);
    let text = stdout(&out);
    let l = lines(&text);
    assert_eq!(l.len(), 3, "{text}");
    assert_eq!(l[0], format!("    1 {SYN_LINE}"));
    assert_eq!(l[1], format!("    2 {UDP_LINE}"));
    assert!(l[2].starts_with("    3 Ether / ARP"), "{}", l[2]);

    let out = pkt(&["read", "-t", b, a]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(lines(&text)[0].starts_with("Ether / ARP"), "{text}");
    assert_eq!(lines(&text)[1..], [SYN_LINE, UDP_LINE]);

    // -c counts across files; a filter applies to every file.
    let out = pkt(&["read", "-t", "-c", "2", b, a]);
    assert_eq!(lines(&stdout(&out)).len(), 2);
    let out = pkt(&["read", "-t", a, b, "arp", "or", "udp"]);
    assert_ok(&out);
    assert_eq!(lines(&stdout(&out)).len(), 2);

    // JSON numbering runs on across files.
    let out = pkt(&["read", "--json", a, b]);
    assert_ok(&out);
    let ns: Vec<u64> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["n"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(ns, [1, 2, 3]);
}

#[test]
fn dash_reads_standard_input() {
    let (_dir, file) = setup("stdin");
    let bytes = std::fs::read(&file).unwrap();
    let from_file = pkt(&["read".as_ref(), "-t".as_ref(), file.as_os_str()]);
    let from_stdin = pkt_stdin(&["read", "-t", "-"], &bytes);
    assert_ok(&from_stdin);
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert_eq!(lines(&stdout(&from_stdin)).len(), 4);

    // With a filter, and mixed with a file.
    let out = pkt_stdin(&["read", "-t", "-", "udp"], &bytes);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{UDP_LINE}\n"));
    let out = pkt_stdin(
        &[
            "read".as_ref(),
            "-t".as_ref(),
            file.as_os_str(),
            "-".as_ref(),
        ],
        &bytes,
    );
    assert_ok(&out);
    assert_eq!(lines(&stdout(&out)).len(), 8);

    // Standard input is not a capture.
    let out = pkt_stdin(&["read", "-"], b"this is not a capture file at all\n");
    one_line_error(&out);
    // Standard input twice.
    let out = pkt_stdin(&["read", "-", "-"], &bytes);
    one_line_error(&out);
}

#[test]
fn missing_file_is_a_one_line_error() {
    let dir = temp_dir("missing");
    let missing = dir.join("missing.pcap");
    let out = pkt(&["read".as_ref(), missing.as_os_str()]);
    let err = one_line_error(&out);
    assert!(
        err.contains("missing.pcap") && err.contains("No such file"),
        "{err}"
    );
    assert_eq!(stdout(&out), "");

    // A bare word that is not a file, where a file is expected.
    let out = pkt(&["read", "no-such-capture"]);
    let err = one_line_error(&out);
    assert!(
        err.contains("no-such-capture") && err.contains("No such file"),
        "{err}"
    );

    // The second of two files missing: the first is still read.
    let (_dir, file) = setup("missing_second");
    let out = pkt(&[
        "read".as_ref(),
        "-t".as_ref(),
        file.as_os_str(),
        missing.as_os_str(),
    ]);
    let err = one_line_error(&out);
    assert!(err.contains("missing.pcap"), "{err}");
}

#[test]
fn non_capture_file_is_a_one_line_error() {
    let dir = temp_dir("non_capture");
    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "These are some notes,\nnot a packet capture.\nAt all.\n",
    )
    .unwrap();
    let out = pkt(&["read".as_ref(), text.as_os_str()]);
    let err = one_line_error(&out);
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(stdout(&out), "");

    // Shorter than a file header.
    let tiny = dir.join("tiny.pcap");
    std::fs::write(&tiny, "hi\n").unwrap();
    one_line_error(&pkt(&["read".as_ref(), tiny.as_os_str()]));

    // Empty.
    let empty = dir.join("empty.pcap");
    std::fs::write(&empty, "").unwrap();
    one_line_error(&pkt(&["read".as_ref(), empty.as_os_str()]));

    // A directory.
    let out = pkt(&["read".as_ref(), dir.as_os_str()]);
    one_line_error(&out);
}

/// A header-only capture is fine: no packets, exit 0.
#[test]
fn empty_capture_prints_nothing() {
    let dir = temp_dir("empty_capture");
    let file = dir.join("empty.pcap");
    write_pcap(&file, &[]);
    for view in ["--json", "--show", "-t"] {
        let out = pkt(&["read".as_ref(), view.as_ref(), file.as_os_str()]);
        assert_ok(&out);
        assert_eq!(stdout(&out), "");
    }
}

#[test]
fn truncated_capture_prints_what_it_read_then_fails() {
    let (dir, file) = setup("truncated");
    let bytes = std::fs::read(&file).unwrap();
    let last = hex(TCP_SYN_BAD_IP_CHKSUM).len();
    let cut_in_data = bytes.len() - last / 2;
    let cut_in_header = bytes.len() - last - 8;
    for (name, cut) in [("data", cut_in_data), ("header", cut_in_header)] {
        let cut_file = dir.join(format!("cut-in-{name}.pcap"));
        std::fs::write(&cut_file, &bytes[..cut]).unwrap();
        assert_eq!(libpcap_read(&cut_file, false).unwrap().0.len(), 3);

        let out = pkt(&["read".as_ref(), "-t".as_ref(), cut_file.as_os_str()]);
        let err = one_line_error(&out);
        assert!(
            err.contains("stopped") && err.contains(&format!("cut-in-{name}.pcap")),
            "{err}"
        );
        let text = stdout(&out);
        assert_eq!(lines(&text).len(), 3, "{text}");
        assert_eq!(lines(&text)[..2], [SYN_LINE, UDP_LINE]);

        let out = pkt(&["read".as_ref(), "--json".as_ref(), cut_file.as_os_str()]);
        one_line_error(&out);
        assert_eq!(stdout(&out).lines().count(), 3);

        // -w keeps the complete packets.
        let out_file = dir.join(format!("rescued-{name}.pcap"));
        let out = pkt(&[
            "read".as_ref(),
            "-w".as_ref(),
            out_file.as_os_str(),
            cut_file.as_os_str(),
        ]);
        one_line_error(&out);
        assert_eq!(
            libpcap_read(&out_file, false).unwrap().0,
            libpcap_read(&file, false).unwrap().0[..3]
        );
    }
}

/// `pkt read big.pcap | head -1`: a closed stdout is a quiet success.
#[test]
fn closed_pipe_is_a_quiet_success() {
    let dir = temp_dir("closed_pipe");
    let file = dir.join("big.pcap");
    let syn = hex(TCP_SYN);
    let recs: Vec<Rec> = (0..50_000u32)
        .map(|i| Rec::new(T0 + i / 1000, i % 1000, &syn))
        .collect();
    write_pcap(&file, &recs);

    for view in ["-t", "--json"] {
        let mut child = Command::new(PKT)
            .args(["read".as_ref(), view.as_ref(), file.as_os_str()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pkt");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("192.0.2.1"), "{first}");
        // The reader (and so the pipe) is dropped here.
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{view}: status {}, stderr {}",
            out.status,
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "{view}");
    }
}

#[test]
fn json_records_and_checksum_errors() {
    let (_dir, file) = setup("json");
    let out = pkt(&["read".as_ref(), "--json".as_ref(), file.as_os_str()]);
    assert_ok(&out);
    let text = stdout(&out);
    let recs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON"))
        .collect();
    assert_eq!(recs.len(), 4);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains(&format!("\"time\":{T0}.123456,")),
        "{text}"
    );

    let names = |r: &Value| -> Vec<String> {
        r["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["layer"].as_str().unwrap().to_string())
            .collect()
    };
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["n"], i + 1);
        assert_eq!(r["linktype"], 1);
        assert_eq!(r["caplen"], r["len"]);
    }
    assert_eq!(names(&recs[0]), ["Ether", "IP", "TCP"]);
    assert_eq!(names(&recs[1]), ["Ether", "IP", "UDP", "Raw"]);
    assert_eq!(names(&recs[2]), ["Ether", "ARP"]);
    assert_eq!(recs[0]["caplen"], 54);
    assert_eq!(recs[0]["layers"][1]["src"], "192.0.2.1");
    assert_eq!(recs[0]["layers"][2]["dport"], 80);
    assert_eq!(recs[0]["layers"][2]["flags"], "S");
    assert_eq!(recs[1]["layers"][3]["load"], "68656c6c6f");
    assert_eq!(recs[2]["layers"][1]["pdst"], "192.0.2.9");
    for r in &recs[..3] {
        assert!(
            r.get("errors").is_none(),
            "a valid packet has no errors key: {r}"
        );
    }

    let bad = &recs[3];
    assert_eq!(names(bad), ["Ether", "IP", "TCP"]);
    assert_eq!(bad["layers"][1]["chksum"], 0x1234);
    let errors = bad["errors"].as_array().expect("errors array");
    let e = errors
        .iter()
        .find(|e| e["field"] == "chksum")
        .expect("a chksum error");
    assert_eq!(e["layer"], "IP");
    assert_eq!(e["offset"], 14);
    assert_eq!(e["expected"], TCP_SYN_IP_CHKSUM);
    assert!(e["error"].is_string());
}

/// The help's own examples put options after the files (`pkt read a.pcap b.pcap -c 100 -w
/// first100.pcap`, `pkt read mixed.pcap tcp port 80 --show`).
#[test]
fn options_after_files_are_options() {
    let (dir, file) = setup("options_after");
    let f = file.to_str().unwrap();
    let out = pkt(&["read", f, "-t", "-c", "1"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), format!("{SYN_LINE}\n"));

    let out = pkt(&["read", f, "udp", "--json"]);
    assert_ok(&out);
    assert_eq!(stdout(&out).lines().count(), 1);
    serde_json::from_str::<Value>(stdout(&out).trim_end()).expect("JSON");

    let out = pkt(&["read", f, "udp", "or", "arp", "-t", "--show"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with(&format!("{UDP_LINE}\n")), "{text}");
    assert!(
        text.contains("###[ UDP ]###") && text.contains("###[ ARP ]###"),
        "{text}"
    );

    let out_file = dir.join("first2.pcap");
    let out = pkt(&["read", f, f, "-c", "2", "-w", out_file.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        libpcap_read(&out_file, false).unwrap().0,
        libpcap_read(&file, false).unwrap().0[..2]
    );
}

/// libpcap hands a microsecond file's fraction through unchecked; a damaged one can exceed a
/// second.
#[test]
fn out_of_range_microseconds_do_not_panic() {
    let dir = temp_dir("bad_usec");
    let file = dir.join("bad-usec.pcap");
    write_pcap(&file, &[Rec::new(T0, 4_294_968, &hex(TCP_SYN))]);
    for view in ["--json", "--tt", "-t"] {
        let out = pkt(&["read".as_ref(), view.as_ref(), file.as_os_str()]);
        assert_ok(&out);
        assert_eq!(stdout(&out).lines().count(), 1);
    }
    // Whatever it prints, the time must not be a wrapped-around 704 ns.
    let out = pkt(&["read".as_ref(), "--tt".as_ref(), file.as_os_str()]);
    assert!(
        !stdout(&out).starts_with(&format!("{T0}.000000704")),
        "{}",
        stdout(&out)
    );
}

/// The JSON contract: a record has layers, or errors saying why not.
#[test]
fn empty_frame_of_undecoded_linktype_is_explained() {
    let dir = temp_dir("empty_frame");
    let file = dir.join("lt182.pcap");
    let recs = [Rec {
        sec: T0,
        frac: 0,
        len: 100,
        data: Vec::new(),
    }];
    std::fs::write(&file, pcap_bytes(182, false, &recs)).unwrap();
    let out = pkt(&["read".as_ref(), "--json".as_ref(), file.as_os_str()]);
    assert_ok(&out);
    let rec: Value = serde_json::from_str(stdout(&out).trim_end()).unwrap();
    let has_layers = rec["layers"].as_array().is_some_and(|l| !l.is_empty());
    assert!(has_layers || rec.get("errors").is_some(), "{rec}");
}
