//! Every option that takes a value, of every subcommand, given each of `nan`, `inf`, `-1`, `0`,
//! `1e308` and `1e-300`: each run ends, within a few seconds, with exit 0, 1 or 2, and says why
//! on stderr when it is not 0 — never a panic (101), never a hang.
//!
//! The options are found by walking the real definitions: src/cli.rs is compiled into this test
//! and `Cli::command()` walked, so a new option (or subcommand) is covered without a word here.
//! Each run gets the other arguments its command needs from `base()` (a host 127.0.0.1, an
//! expression, a capture of captures/, the interface lo); a new subcommand with options and
//! no entry there fails the test.
//!
//! Exit 1 is the documented failure of most commands (a bad file, filter or interface, with a
//! message); for sr, sr1, ping and traceroute it means "no answer" and may come without one.
//!
//! As root, every run is inside a network namespace of the test's own (`pktopts<pid>`, only lo
//! up, deleted by name at the end, also when the test fails), so nothing can leave the machine.
//! Not root: the commands that need privileges (those that send or capture) are skipped, with a
//! message, and the others run.

#[allow(dead_code, unused_imports)]
#[path = "../src/cli.rs"]
mod cli;

/// What src/cli.rs calls in the binary crate (never called by this test).
#[allow(dead_code)]
mod cmd {
    pub mod ping {
        pub fn resolve(_: &str, _: bool, _: bool) -> anyhow::Result<std::net::IpAddr> {
            unreachable!("the test only walks the definitions")
        }
    }
}

use clap::CommandFactory;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PKT: &str = env!("CARGO_BIN_EXE_pkt");
const VALUES: [&str; 6] = ["nan", "inf", "-1", "0", "1e308", "1e-300"];
/// A run still going after this long has hung.
const LIMIT: Duration = Duration::from_secs(8);
/// The commands that send or capture packets: run only in the namespace.
const PRIVILEGED: [&str; 7] = ["send", "sr", "sr1", "sniff", "replay", "ping", "traceroute"];
/// Where exit 1 is "no answer", and may come without a message.
const ANSWERING: [&str; 4] = ["sr", "sr1", "ping", "traceroute"];

fn captures(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The other arguments a subcommand runs with: positionals, and options (flag, value) that the
/// runs of that very option leave out.
type Base = (Vec<String>, Vec<(&'static str, String)>);

fn base(sub: &str) -> Option<Base> {
    let s = |v: &str| v.to_string();
    let expr = s(r#"IP(dst="127.0.0.1")/ICMP()"#);
    Some(match sub {
        "read" => (vec![captures("mixed.pcap")], vec![]),
        "craft" => (vec![expr], vec![]),
        "write" => (
            vec![captures("mixed.ndjson")],
            vec![("--output", s("out.pcap"))],
        ),
        "send" => (vec![expr], vec![]),
        "sr" | "sr1" => (vec![expr], vec![("--timeout", s("0.3"))]),
        "sniff" => (
            vec![],
            vec![
                ("--iface", s("lo")),
                ("--timeout", s("0.3")),
                ("--write", s("sniff.pcap")),
            ],
        ),
        "replay" => (
            vec![captures("mixed.pcap")],
            vec![("--iface", s("lo")), ("--count", s("5"))],
        ),
        "ping" => (vec![s("127.0.0.1")], vec![("-c", s("1")), ("-W", s("1"))]),
        "traceroute" => (
            vec![s("127.0.0.1")],
            vec![("--queries", s("1")), ("--wait", s("1"))],
        ),
        "ls" | "ifaces" | "man" => (vec![], vec![]),
        "completions" => (vec![s("bash")], vec![]),
        _ => return None,
    })
}

/// An option as it is typed: `--long` if it has one, else `-s`.
fn spelling(a: &clap::Arg) -> String {
    match (a.get_long(), a.get_short()) {
        (Some(l), _) => format!("--{l}"),
        (None, Some(c)) => format!("-{c}"),
        _ => unreachable!("an option has a name"),
    }
}

struct Run {
    sub: String,
    args: Vec<String>,
}

/// The namespace, deleted by name when dropped (also when the test panics).
struct Netns(String);

impl Netns {
    fn create() -> Netns {
        let name = format!("pktopts{}", std::process::id());
        let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
        assert!(
            ok(Command::new("ip").args(["netns", "add", &name])),
            "ip netns add {name}"
        );
        let ns = Netns(name);
        assert!(
            ok(Command::new("ip").args(["-n", &ns.0, "link", "set", "lo", "up"])),
            "lo up in {}",
            ns.0
        );
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.0])
            .status();
    }
}

/// Runs one: its exit status, or what was wrong with it.
fn check(run: &Run, ns: Option<&str>, dir: &Path, n: usize) -> Result<i32, String> {
    let mut c = match ns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns, PKT]);
            c
        }
        None => Command::new(PKT),
    };
    let err_path = dir.join(format!("stderr.{n}"));
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let mut child = c
        .args(&run.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("spawn pkt");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    let line = format!("pkt {}", run.args.join(" "));
    let why = match status.map(|s| s.code()) {
        None => format!("still running after {LIMIT:?}"),
        Some(None) => "killed by a signal".into(),
        Some(Some(101)) => "panicked (exit 101)".into(),
        Some(Some(code)) if code > 2 => format!("exit {code}"),
        Some(Some(_)) if stderr.contains("panicked") => "panicked".into(),
        Some(Some(0)) => return Ok(0),
        Some(Some(1)) if ANSWERING.contains(&run.sub.as_str()) => return Ok(1),
        Some(Some(code)) if stderr.trim().is_empty() => format!("exit {code} and no message"),
        Some(Some(code)) => return Ok(code),
    };
    Err(format!("{line}: {why}\n    {}", stderr.trim()))
}

#[test]
fn every_option_value_ends_in_a_status_never_a_panic_or_a_hang() {
    let root = unsafe { libc::geteuid() } == 0;
    let mut cli = cli::Cli::command();
    // The subcommands' arguments are deferred (declared when one runs): declare them all.
    cli.build();
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    let mut missing = Vec::new();
    for sub in cli.get_subcommands() {
        let name = sub.get_name().to_string();
        let options: Vec<&clap::Arg> = sub
            .get_arguments()
            .filter(|a| !a.is_positional() && a.get_action().takes_values())
            .collect();
        if options.is_empty() {
            continue;
        }
        let Some((positionals, opts)) = base(&name) else {
            missing.push(name);
            continue;
        };
        if !root && PRIVILEGED.contains(&name.as_str()) {
            skipped.push(name);
            continue;
        }
        // The arg a base option names, to leave it out of that option's own runs.
        let id_of = |flag: &str| {
            sub.get_arguments()
                .find(|a| {
                    flag.strip_prefix("--").map_or_else(
                        || a.get_short() == flag.strip_prefix('-').and_then(|c| c.chars().next()),
                        |l| a.get_long() == Some(l),
                    )
                })
                .unwrap_or_else(|| panic!("pkt {name} has no {flag}: fix base()"))
                .get_id()
                .clone()
        };
        for a in &options {
            for v in VALUES {
                let mut args = vec![name.clone()];
                args.extend(positionals.iter().cloned());
                for (flag, value) in &opts {
                    if id_of(flag) != *a.get_id() {
                        args.push(flag.to_string());
                        args.push(value.clone());
                    }
                }
                // Attached (`--long=-1`, `-s-1`), so that -1 reaches the option's parser.
                let s = spelling(a);
                args.push(if s.starts_with("--") {
                    format!("{s}={v}")
                } else {
                    format!("{s}{v}")
                });
                runs.push(Run {
                    sub: name.clone(),
                    args,
                });
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no arguments known for pkt {missing:?}: add them to base()"
    );
    if !skipped.is_empty() {
        eprintln!(
            "not root: skipped the runs of pkt {} (they send or capture; run as root to cover them)",
            skipped.join(", ")
        );
    }
    assert!(
        runs.len() > 100,
        "only {} runs: the walk found too little",
        runs.len()
    );

    let dir: PathBuf = std::env::temp_dir().join(format!("pktopts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ns = root.then(Netns::create);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let statuses = Mutex::new([0usize; 3]);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = runs.get(i) else { break };
                    match check(run, ns.as_ref().map(|n| n.0.as_str()), &dir, i) {
                        Ok(code) => statuses.lock().unwrap()[code as usize] += 1,
                        Err(f) => failures.lock().unwrap().push(f),
                    }
                }
            });
        }
    });
    drop(ns);
    let _ = std::fs::remove_dir_all(&dir);
    let [ok, failed, refused] = statuses.into_inner().unwrap();
    eprintln!(
        "{} runs in {:.1?}: {ok} exit 0, {failed} exit 1, {refused} exit 2",
        runs.len(),
        start.elapsed()
    );
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} runs went wrong:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n")
    );
}
