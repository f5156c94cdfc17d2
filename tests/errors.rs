//! Every class of failure: one clear line on stderr naming what and where (an expression's
//! error adds its caret), a non-zero exit, nothing on stdout, never a panic or a backtrace.

mod common;

use common::{pkt, stderr, stdout};

fn fails_cleanly(args: &[&str], code: i32, says: &[&str]) {
    let o = pkt(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(stdout(&o), "", "{args:?}");
    assert!(err.starts_with("pkt: "), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    for s in says {
        assert!(err.contains(s), "{args:?}: wanted {s:?} in {err}");
    }
}

#[test]
fn each_error_class_is_one_clear_line() {
    let dir = common::temp_dir("errors");
    let mixed = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/mixed.pcap");
    let cargo = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let one_line = |args: &[&str], code: i32, says: &[&str]| {
        fails_cleanly(args, code, says);
        assert_eq!(stderr(&pkt(args)).lines().count(), 1, "{args:?}");
    };
    // Missing file, not a capture, truncated capture, bad filter.
    one_line(
        &["read", "/no/such.pcap"],
        1,
        &["/no/such.pcap", "No such file"],
    );
    one_line(
        &["read", cargo],
        1,
        &["Cargo.toml", "not a pcap or pcapng capture"],
    );
    let bytes = std::fs::read(mixed).unwrap();
    let cut = dir.join("cut.pcap");
    // The first record whole, the second cut 20 bytes in.
    let first = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    std::fs::write(&cut, &bytes[..24 + 16 + first + 20]).unwrap();
    let o = pkt(&["read", cut.to_str().unwrap(), "-t"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).lines().count(),
        1,
        "the whole packet before the cut is printed"
    );
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
    one_line(
        &["read", mixed, "tcp", "port"],
        1,
        &["bad filter 'tcp port'"],
    );
    // A bad expression: the line, then the caret under the fault.
    fails_cleanly(
        &["craft", "IP(dst=\"1.2.3\")/TCP()"],
        1,
        &["IP.dst expects an IPv4 address", "^^^"],
    );
    fails_cleanly(&["craft", "IP()/TCPP()"], 1, &["TCPP"]);
    // Unknown interface, for each command that takes one.
    one_line(
        &["sniff", "-i", "pkt-nosuch0", "-c", "1"],
        1,
        &["no interface 'pkt-nosuch0'"],
    );
    one_line(
        &["replay", mixed, "-i", "pkt-nosuch0"],
        1,
        &["no interface 'pkt-nosuch0'"],
    );
    // Host not found: exit 2, as ping and traceroute do.
    one_line(
        &["ping", "no-such-host.invalid"],
        2,
        &["no-such-host.invalid"],
    );
    one_line(
        &["traceroute", "no-such-host.invalid"],
        2,
        &["no-such-host.invalid"],
    );
    // (No privilege: tests/send.rs, which can drop them.)
}
