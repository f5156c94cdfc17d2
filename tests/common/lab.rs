//! The namespace lab (`scripts/lab.sh`) from the integration tests: brought up under a name of
//! the test's own, read through `lab.sh env`, taken down (by name) when dropped. Tests that
//! need it skip, saying why, when they cannot run it (not root, no `ip netns`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Lab {
    pub name: String,
    pub env: HashMap<String, String>,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/lab.sh")
}

/// Why the lab cannot run here, if it cannot.
pub fn unavailable() -> Option<String> {
    if unsafe { libc::geteuid() } != 0 {
        return Some("needs root (network namespaces); CI runs it as root".into());
    }
    let probe = Command::new("ip").args(["netns", "list"]).output();
    match probe {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "`ip netns` does not work here: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no `ip` command (iproute2): {e}")),
    }
}

impl Lab {
    /// Brings up lab `name` with `routers` routers, or says why it is skipped and returns None.
    pub fn up(name: &str, routers: usize) -> Option<Lab> {
        if let Some(why) = unavailable() {
            eprintln!("skipped: the namespace lab {why}");
            return None;
        }
        let r = routers.to_string();
        let out = lab(&["up", "--name", name, "--routers", &r]);
        assert!(
            out.status.success(),
            "lab.sh up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = lab(&["env", "--name", name]);
        assert!(env.status.success());
        let env = String::from_utf8_lossy(&env.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some(Lab {
            name: name.to_string(),
            env,
        })
    }

    /// A value of `lab.sh env` (panics on a missing key: a test's own mistake).
    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("lab env has no {key}"))
    }

    /// Runs a lab.sh command on this lab (`delay 1 5`, `loss 2 0.5`, …).
    pub fn knob(&self, args: &[&str]) {
        let mut a = vec![args[0], "--name", &self.name];
        a.extend(&args[1..]);
        let out = lab(&a);
        assert!(
            out.status.success(),
            "lab.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a command inside the namespace named by env key `ns` (e.g. "CLIENT_NS").
    pub fn exec(&self, ns: &str, program: &str, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", self.get(ns), program])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("ip netns exec")
    }

    /// Runs `pkt` inside the namespace named by env key `ns`.
    pub fn pkt(&self, ns: &str, args: &[&str]) -> Output {
        self.exec(ns, super::PKT, args)
    }

    /// Starts a command inside a namespace without waiting (a capture, say).
    pub fn spawn(&self, ns: &str, program: &str, args: &[&str]) -> std::process::Child {
        Command::new("ip")
            .args(["netns", "exec", self.get(ns), program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ip netns exec")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = lab(&["down", "--name", &self.name]);
    }
}

fn lab(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(script())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/lab.sh")
}
