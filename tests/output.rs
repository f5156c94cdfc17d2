//! The output rule (`pkt::io::outfile`, README "Output files"), for every command that writes a
//! file — `write`, `craft -w`, `read -w`, `sniff -w` — against every kind of target: a new file,
//! an existing one, a FIFO read by a child, a full and a null device (made by `mknod` in the
//! test's own directory), a symlink, a symlink planted beside the target, a directory and a
//! read-only directory. Device nodes and `sniff` (in a network namespace of the test's own, only
//! `lo` in it) need root: those cases skip with a message otherwise.

mod common;

use common::{PKT, pkt, stderr, temp_dir};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const MIXED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/mixed.pcap");

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cmd {
    Write,
    Craft,
    Read,
    Sniff,
}

const ALL: [Cmd; 4] = [Cmd::Write, Cmd::Craft, Cmd::Read, Cmd::Sniff];

fn root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// A network namespace with only `lo` up, for `sniff`; removed by name when dropped.
struct Netns(String);

impl Netns {
    fn new() -> Netns {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("pktout{}-{k}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "ip netns add {name}");
        let up = Command::new("ip")
            .args(["netns", "exec", &name, "ip", "link", "set", "lo", "up"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(up, "lo up in {name}");
        Netns(name)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// The NDJSON records `write` is given.
fn records() -> Vec<u8> {
    let o = pkt(&["read", MIXED, "--json"]);
    assert!(o.status.success());
    o.stdout
}

/// The command writing to `out`, with extra environment; killed after 20 s (a hang fails).
fn run(cmd: Cmd, out: &Path, env: &[(&str, &str)], ns: Option<&Netns>) -> Output {
    let out = out.to_str().unwrap();
    let mut c = match cmd {
        Cmd::Sniff => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &ns.expect("a namespace").0, PKT]);
            c.args(["sniff", "-i", "lo", "--timeout", "0.3", "-w", out]);
            c
        }
        _ => Command::new(PKT),
    };
    match cmd {
        Cmd::Write => c.args(["write", "-o", out]),
        Cmd::Craft => c.args(["craft", "Ether()/IP(dst=\"192.0.2.1\")/ICMP()", "-w", out]),
        Cmd::Read => c.args(["read", MIXED, "-w", out]),
        Cmd::Sniff => &mut c,
    };
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn pkt");
    let mut stdin = child.stdin.take().unwrap();
    let input = if cmd == Cmd::Write {
        records()
    } else {
        Vec::new()
    };
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("{cmd:?} > {out}: still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let o = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    o
}

/// What the command writes, made in a plain new file of a directory of its own.
fn reference(cmd: Cmd, ns: Option<&Netns>) -> Vec<u8> {
    let dir = temp_dir(&format!("out-ref-{cmd:?}"));
    let out = dir.join("ref.pcap");
    let o = run(cmd, &out, &[], ns);
    assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
    std::fs::read(out).unwrap()
}

/// Compares a written capture with the reference: craft stamps with the clock, so its time
/// stamps (bytes 24..32 of the first record) are left out; sniff's file is its header only.
fn same_capture(cmd: Cmd, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{cmd:?}: size");
    let skip = if cmd == Cmd::Craft { 24..32 } else { 0..0 };
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        if !skip.contains(&i) {
            assert_eq!(a, b, "{cmd:?}: byte {i}");
        }
    }
}

/// The directory holds exactly these names (no temporary file was left behind).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn cmds() -> Vec<Cmd> {
    if root() {
        ALL.to_vec()
    } else {
        eprintln!("skipped: sniff -w cases need root (a network namespace); CI runs them");
        ALL[..3].to_vec()
    }
}

fn ns_for(cmd: Cmd) -> Option<Netns> {
    (cmd == Cmd::Sniff).then(Netns::new)
}

#[test]
fn new_and_existing_files_and_symlinks() {
    for cmd in cmds() {
        let ns = ns_for(cmd);
        let want = reference(cmd, ns.as_ref());
        let dir = temp_dir(&format!("out-files-{cmd:?}"));
        // A new file.
        let new = dir.join("new.pcap");
        let o = run(cmd, &new, &[], ns.as_ref());
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        same_capture(cmd, &std::fs::read(&new).unwrap(), &want);
        // An existing file is replaced, its permissions kept.
        let old = dir.join("old.pcap");
        std::fs::write(
            &old,
            b"old contents that are longer than any capture header here",
        )
        .unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        let o = run(cmd, &old, &[], ns.as_ref());
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        same_capture(cmd, &std::fs::read(&old).unwrap(), &want);
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{cmd:?}: the old file's permissions");
        // A symlink is followed: its target gets the data, the link stays a link.
        let target = dir.join("target.pcap");
        std::fs::write(&target, b"x").unwrap();
        let link = dir.join("link.pcap");
        std::os::unix::fs::symlink("target.pcap", &link).unwrap();
        let o = run(cmd, &link, &[], ns.as_ref());
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        same_capture(cmd, &std::fs::read(&target).unwrap(), &want);
        // Symlinks planted at names a writer might use beside the target are never followed.
        let victim = dir.join("victim");
        std::fs::write(&victim, b"victim").unwrap();
        let planted = [
            "planted.pcap.partial",
            ".planted.pcap.tmp",
            "planted.pcap.tmp",
        ];
        for p in planted {
            std::os::unix::fs::symlink(&victim, dir.join(p)).unwrap();
        }
        let o = run(cmd, &dir.join("planted.pcap"), &[], ns.as_ref());
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(&victim).unwrap(), b"victim", "{cmd:?}");
        for p in planted {
            let m = dir.join(p).symlink_metadata().unwrap();
            assert!(m.file_type().is_symlink(), "{cmd:?}: {p} left as it was");
        }
        let mut want_names = vec![
            "link.pcap",
            "new.pcap",
            "old.pcap",
            "planted.pcap",
            "target.pcap",
            "victim",
        ];
        want_names.extend(planted);
        want_names.sort();
        assert_eq!(
            names(&dir),
            want_names,
            "{cmd:?}: nothing else in the directory"
        );
    }
}

#[test]
fn a_fifo_is_written_in_place() {
    for cmd in cmds() {
        let ns = ns_for(cmd);
        let want = reference(cmd, ns.as_ref());
        let dir = temp_dir(&format!("out-fifo-{cmd:?}"));
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let reader = Command::new("cat")
            .arg(&fifo)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let o = run(cmd, &fifo, &[], ns.as_ref());
        let got = reader.wait_with_output().unwrap().stdout;
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        same_capture(cmd, &got, &want);
        assert!(fifo.metadata().unwrap().file_type().is_fifo(), "{cmd:?}");
        assert_eq!(names(&dir), ["fifo"]);
    }
}

/// A character device made here (never the system's /dev): major 1, minor 3 is null, 7 full.
fn mknod(path: &Path, minor: u32) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let dev = libc::makedev(1, minor);
    assert_eq!(
        unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, dev) },
        0,
        "mknod {}",
        path.display()
    );
}

fn is_device(path: &Path, minor: u32) -> bool {
    let m = path.symlink_metadata().unwrap();
    m.file_type().is_char_device() && m.rdev() == libc::makedev(1, minor)
}

#[test]
fn devices_are_written_in_place_and_a_full_one_is_an_error() {
    if !root() {
        eprintln!("skipped: device nodes need root (mknod); CI runs this");
        return;
    }
    for cmd in ALL {
        let ns = ns_for(cmd);
        let dir = temp_dir(&format!("out-dev-{cmd:?}"));
        let null = dir.join("null");
        mknod(&null, 3);
        let o = run(cmd, &null, &[], ns.as_ref());
        assert!(o.status.success(), "{cmd:?} > null: {}", stderr(&o));
        assert!(is_device(&null, 3), "{cmd:?}: the null node is intact");
        let full = dir.join("full");
        mknod(&full, 7);
        let o = run(cmd, &full, &[], ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?} > full");
        let err = stderr(&o);
        assert!(
            err.contains("No space left on device") && err.contains("full"),
            "{cmd:?}: {err}"
        );
        assert!(is_device(&full, 7), "{cmd:?}: the full node is intact");
        assert_eq!(names(&dir), ["full", "null"], "{cmd:?}");
    }
}

/// A live capture into a full device stops by itself with the error (no --timeout, no packet).
#[test]
fn sniff_stops_at_a_write_error() {
    if !root() {
        eprintln!("skipped: sniff needs root; CI runs this");
        return;
    }
    let ns = Netns::new();
    let dir = temp_dir("out-sniff-full");
    let full = dir.join("full");
    mknod(&full, 7);
    let start = Instant::now();
    let o = Command::new("timeout")
        .args([
            "10", "ip", "netns", "exec", &ns.0, PKT, "sniff", "-i", "lo", "-w",
        ])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left on device"));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn directories_and_read_only_places_are_one_line_errors() {
    for cmd in cmds() {
        let ns = ns_for(cmd);
        let dir = temp_dir(&format!("out-dirs-{cmd:?}"));
        let o = run(cmd, &dir, &[], ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?} > dir");
        assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
        let missing = dir.join("nowhere").join("x.pcap");
        let o = run(cmd, &missing, &[], ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?} > missing dir");
        assert!(stderr(&o).contains("No such file or directory"));
        // A read-only directory: as nobody under sudo when root (root may write anywhere).
        let ro = dir.join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let env: &[(&str, &str)] = if root() {
            &[("SUDO_UID", "65534"), ("SUDO_GID", "65534")]
        } else {
            &[]
        };
        let o = run(cmd, &ro.join("x.pcap"), env, ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?} > read-only dir");
        assert!(stderr(&o).contains("Permission denied"), "{}", stderr(&o));
        assert_eq!(names(&ro), Vec::<String>::new(), "{cmd:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    }
}

/// Under sudo (SUDO_UID/SUDO_GID of nobody) every command creates its file as that user, and
/// a place that user may not write is refused rather than written as root.
#[test]
fn under_sudo_files_belong_to_the_user() {
    if !root() {
        eprintln!("skipped: needs root to act as sudo does; CI runs this");
        return;
    }
    let sudo = [("SUDO_UID", "65534"), ("SUDO_GID", "65534")];
    for cmd in ALL {
        let ns = ns_for(cmd);
        let dir = temp_dir(&format!("out-sudo-{cmd:?}"));
        let public = dir.join("public");
        std::fs::create_dir(&public).unwrap();
        std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let out = public.join("x.pcap");
        let o = run(cmd, &out, &sudo, ns.as_ref());
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        let m = out.metadata().unwrap();
        assert_eq!((m.uid(), m.gid()), (65534, 65534), "{cmd:?}: owner");
        // root's own directory (0755): nobody may not create there.
        let o = run(cmd, &dir.join("y.pcap"), &sudo, ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?}");
        assert!(stderr(&o).contains("Permission denied"), "{}", stderr(&o));
        assert!(!dir.join("y.pcap").exists());
        // A symlink to a file only root may write is not written through.
        let secret = dir.join("secret");
        std::fs::write(&secret, b"root's").unwrap();
        let link = public.join("link.pcap");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let o = run(cmd, &link, &sudo, ns.as_ref());
        assert_eq!(o.status.code(), Some(1), "{cmd:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(&secret).unwrap(), b"root's");
    }
}

/// `write` failing at record 3 leaves the previous file byte for byte and no temporary.
#[test]
fn a_failed_write_leaves_the_old_file() {
    let dir = temp_dir("out-fail3");
    let out = dir.join("out.pcap");
    std::fs::write(&out, b"the previous capture").unwrap();
    let recs = records();
    let mut input: Vec<u8> = recs
        .split(|&b| b == b'\n')
        .take(2)
        .collect::<Vec<_>>()
        .join(&b'\n');
    input.extend_from_slice(b"\n{\"n\":3,\"not\":\"a record\"}\n");
    let o = common::pkt_stdin(&["write", "-o", out.to_str().unwrap()], &input);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("record 3"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous capture");
    assert_eq!(names(&dir), ["out.pcap"]);
}

#[test]
fn a_link_type_over_16_bits_is_refused() {
    let dir = temp_dir("out-linktype");
    let out = dir.join("out.pcap");
    let rec = br#"{"n":1,"time":1.0,"caplen":1,"len":1,"linktype":999999,"layers":[{"layer":"Raw","load":"00"}]}"#;
    let o = common::pkt_stdin(&["write", "-o", out.to_str().unwrap()], rec);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("999999"), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 to 65535"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// A 100 MB line without a newline is refused after the cap, without being held: the peak RSS
/// of the child stays far below the line's size.
#[test]
fn a_record_line_is_bounded() {
    let dir = temp_dir("out-longline");
    let out: PathBuf = dir.join("out.pcap");
    let mut child = Command::new(PKT)
        .args(["write", "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            if stdin.write_all(&chunk).is_err() {
                break; // pkt stopped reading: the point
            }
        }
    });
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    // Reaped by wait4 above: std's handle has nothing left to wait for.
    let _ = child.try_wait();
    feeder.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1,
        "{err}"
    );
    assert!(err.contains("record 1") && err.contains("MiB"), "{err}");
    let rss_mb = usage.ru_maxrss / 1024;
    assert!(
        rss_mb < 64,
        "peak RSS {rss_mb} MB for a 100 MB line (cap 32 MiB)"
    );
    assert!(!out.exists());
}

/// A FIFO whose reader goes away is an error (EPIPE), not the quiet success of a closed stdout.
#[test]
fn a_fifo_closed_early_is_an_error() {
    let dir = temp_dir("out-fifo-epipe");
    let big = dir.join("big.pcap");
    let o = pkt(&[
        "craft",
        "IP()/UDP(dport=(1,60000))",
        "-w",
        big.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let reader = Command::new("head")
        .args(["-c", "100"])
        .arg(&fifo)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let o = pkt(&["read", big.to_str().unwrap(), "-w", fifo.to_str().unwrap()]);
    reader.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("Broken pipe"), "{}", stderr(&o));
    // The same into a closed standard output is a quiet success.
    let sh = format!(
        "{PKT} read {} -w - | head -c 100 >/dev/null; exit ${{PIPESTATUS[0]}}",
        big.display()
    );
    let o = Command::new("bash").args(["-c", &sh]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

/// Ctrl-C while `write` waits for more records: the records so far become a complete file,
/// exit 0, no temporary left.
#[test]
fn ctrl_c_leaves_a_complete_file() {
    let dir = temp_dir("out-sigint");
    let out = dir.join("out.pcap");
    let mut child = Command::new(PKT)
        .args(["write", "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let recs = records();
    let two: Vec<u8> = recs
        .split_inclusive(|&b| b == b'\n')
        .take(2)
        .flatten()
        .copied()
        .collect();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, &two).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(5), "still running");
        std::thread::sleep(Duration::from_millis(10));
    }
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let back = pkt(&["read", out.to_str().unwrap(), "--json"]);
    assert!(back.status.success());
    assert_eq!(back.stdout, two, "the two records, whole");
    assert_eq!(names(&dir), ["out.pcap"]);
}
