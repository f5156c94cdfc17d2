//! Help, version, completions and the man page, from the clap definitions.

mod common;

use common::{pkt, stderr, stdout};
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn version_names_libpcap_and_help_groups_the_commands() {
    let o = pkt(&["--version"]);
    assert!(o.status.success());
    let v = stdout(&o);
    assert!(
        v.starts_with(&format!("pkt {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(v.contains("libpcap"), "{v}");
    let h = stdout(&pkt(&["--help"]));
    for group in ["inspect", "build", "send", "capture", "measure"] {
        assert!(h.contains(&format!("  {group} ")), "{group}: {h}");
    }
    // Every subcommand's help has examples.
    for sub in [
        "read",
        "craft",
        "ls",
        "write",
        "send",
        "sr",
        "sr1",
        "sniff",
        "replay",
        "ifaces",
        "ping",
        "traceroute",
        "completions",
        "man",
    ] {
        let h = stdout(&pkt(&[sub, "--help"]));
        assert!(h.contains("Examples:"), "{sub}: {h}");
    }
    // A mistyped option: clap suggests the near one.
    let o = pkt(&["read", "x.pcap", "--jsn"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--json"), "{}", stderr(&o));
}

#[test]
fn each_subcommand_help_opens_with_its_own_summary() {
    // The subcommands' arguments are declared lazily (clap's `defer`); a doc comment on a
    // flattened struct would then replace the subcommand's summary in its own help.
    let h = stdout(&pkt(&["--help"]));
    let listed: Vec<(String, String)> = h
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            let (name, about) = l.trim().split_once(' ')?;
            Some((name.to_string(), about.trim().to_string()))
        })
        .filter(|(name, _)| name != "help")
        .collect();
    assert!(listed.len() >= 14, "{h}");
    for (name, about) in &listed {
        let sub = stdout(&pkt(&[name.as_str(), "--help"]));
        let first = sub.lines().next().unwrap_or_default();
        assert_eq!(
            first.trim_end_matches('.'),
            about.trim_end_matches('.'),
            "{name}"
        );
    }
}

/// The shared libraries `pkt` loads, as the dynamic loader lists them (what `ldd` prints).
fn loaded_libraries() -> String {
    let o = Command::new(common::PKT)
        .arg("--version")
        .env("LD_TRACE_LOADED_OBJECTS", "1")
        .output()
        .expect("run pkt");
    stdout(&o)
}

#[test]
#[cfg(pkt_static_pcap)]
fn libpcap_is_linked_in_without_d_bus() {
    // scripts/build.rs linked libpcap.a, with pkt's stand-ins for its D-Bus module.
    let libs = loaded_libraries();
    assert!(libs.contains("libc.so"), "{libs}");
    for lib in ["libpcap", "libdbus", "libsystemd", "libgcrypt"] {
        assert!(!libs.contains(lib), "{lib} is loaded: {libs}");
    }
    // libpcap itself works: its version, and a D-Bus device is simply not there.
    assert!(stdout(&pkt(&["--version"])).contains("libpcap version"));
    let o = pkt(&["sniff", "-i", "dbus-system", "-c", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no interface 'dbus-system'"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg(pkt_static_unwind)]
fn the_unwinder_is_linked_in() {
    // scripts/build.rs linked libgcc_eh.a: libgcc_s.so (and its cpuid-probing start-up) stays
    // out, and pkt still runs.
    let libs = loaded_libraries();
    assert!(libs.contains("libc.so"), "{libs}");
    assert!(!libs.contains("libgcc_s"), "{libs}");
    assert!(pkt(&["--version"]).status.success());
}

#[test]
#[cfg(not(pkt_static_pcap))]
fn libpcap_is_linked_in_without_d_bus() {
    eprintln!(
        "skipped: libpcap is linked dynamically here (scripts/build.rs found no usable \
         libpcap.a, or PKT_PCAP_DYNAMIC is set); loaded: {}",
        loaded_libraries()
    );
}

#[test]
fn completions_are_valid_scripts() {
    let dir = common::temp_dir("completions");
    for (shell, check) in [
        ("bash", vec!["bash", "-n"]),
        ("zsh", vec!["zsh", "-n"]),
        ("fish", vec!["fish", "--no-execute"]),
    ] {
        let o = pkt(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("traceroute") && text.contains("--json"),
            "{shell}"
        );
        if !have(check[0]) {
            eprintln!("skipped: no {} to check the {shell} script with", check[0]);
            continue;
        }
        let f = dir.join(format!("pkt.{shell}"));
        std::fs::write(&f, &text).unwrap();
        let c = Command::new(check[0])
            .args(&check[1..])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            c.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&c.stderr)
        );
    }
    let o = pkt(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_man_page_renders() {
    let o = pkt(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let roff = stdout(&o);
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH pkt"),
        "{}",
        &roff[..200]
    );
    if !have("man") {
        eprintln!("skipped: no `man` to render the page with (CI installs man-db)");
        return;
    }
    let f = common::temp_dir("man").join("pkt.1");
    std::fs::write(&f, &roff).unwrap();
    let r = Command::new("man")
        .args(["-l", f.to_str().unwrap()])
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8_lossy(&r.stdout);
    for s in ["PKT TRACEROUTE", "PKT SNIFF", "--report", "Examples:"] {
        assert!(text.contains(s), "{s} missing from the man page");
    }
}

/// Runs pkt under a pseudo-terminal (util-linux `script`), with extra environment; `None` when
/// there is no `script`.
fn in_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    if !have("script") {
        eprintln!("skipped: no `script` (util-linux) to run pkt on a terminal");
        return None;
    }
    let mut c = Command::new("script");
    c.args(["-qec", &format!("{} {args}", common::PKT), "/dev/null"]);
    c.env_remove("NO_COLOR");
    for (k, v) in env {
        c.env(k, v);
    }
    Some(String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color_or_never() {
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/mixed.pcap");
    // A pipe: never, unless asked.
    assert!(!stdout(&pkt(&["read", f, "-c", "2"])).contains('\x1b'));
    assert!(!stdout(&pkt(&["read", f, "-c", "2", "--json", "--color", "always"])).contains('\x1b'));
    let forced = stdout(&pkt(&["read", f, "-c", "2", "--show", "--color", "always"]));
    assert!(forced.contains("\x1b[36mTCP\x1b[0m"), "{forced:?}");
    let Some(tty) = in_terminal(&format!("read {f} -c 2"), &[]) else {
        return;
    };
    assert!(tty.contains('\x1b'), "{tty:?}");
    let off = in_terminal(&format!("read {f} -c 2"), &[("NO_COLOR", "1")]).unwrap();
    assert!(!off.contains('\x1b'), "{off:?}");
    let never = in_terminal(&format!("read {f} -c 2 --color never"), &[]).unwrap();
    assert!(!never.contains('\x1b'), "{never:?}");
}

#[test]
fn progress_only_on_a_terminal_and_never_with_json() {
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/mixed.pcap");
    let dir = common::temp_dir("progress");
    let out = dir.join("o.pcap");
    let o = out.to_str().unwrap();
    // Through pipes: nothing on stderr.
    let p = pkt(&["read", f, "-w", o]);
    assert!(p.status.success());
    assert_eq!(stderr(&p), "");
    let Some(tty) = in_terminal(&format!("read {f} -w {o}"), &[]) else {
        return;
    };
    assert!(
        tty.contains("read [") && tty.contains("18 packets"),
        "{tty:?}"
    );
    let json = in_terminal(&format!("read {f} -w {o} --json"), &[]).unwrap();
    assert!(!json.contains("read ["), "{json:?}");
    // Packets printed on the terminal itself: no bar over them.
    let printed = in_terminal(&format!("read {f} -t"), &[]).unwrap();
    assert!(!printed.contains("read ["), "{printed:?}");
}

/// Bash completes layer names inside an expression (`pkt craft 'IP()/TC<TAB>'`).
#[test]
fn bash_completes_layer_names_inside_expressions() {
    if !have("bash") {
        eprintln!("skipped: no bash");
        return;
    }
    let script = common::temp_dir("bashexpr").join("pkt.bash");
    std::fs::write(&script, pkt(&["completions", "bash"]).stdout).unwrap();
    let bin = std::path::Path::new(common::PKT).parent().unwrap();
    let complete = |cmd: &str, word: &str| -> Vec<String> {
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=(pkt {cmd} \"$W\"); COMP_CWORD=2; _pkt_expr; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .env("W", word)
            .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        complete("craft", "IP()/TC"),
        ["IP()/TCP(", "IP()/TCPerror("]
    );
    assert_eq!(complete("sr", "'Eth"), ["'Ether("]);
    assert!(complete("send", "IPv6ExtHdrR").contains(&"IPv6ExtHdrRouting(".to_string()));
    let names = stdout(&pkt(&["ls", "--names"]));
    assert!(names.lines().any(|l| l == "ICMPv6ND_NS"), "{names}");
}
