//! Robustness over tcpdump's test captures (`../shared/corpus/tcpdump-tests/`): every file through
//! every view of `pkt read`, checked against what libpcap itself reads from the file.

mod common;

use common::{PKT, libpcap_read};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The corpus files, sorted; `None` (after saying so) when the corpus is not there.
fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tcpdump-tests");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipping: ../shared/corpus not present ({} not found)",
            dir.display()
        );
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no files", dir.display());
    Some(files.into_iter().collect())
}

/// Runs `check` on every file in a few worker threads and fails once, at the end, listing every
/// file that failed.
fn for_each_file(files: &[PathBuf], check: impl Fn(&Path) -> Vec<String> + Sync) {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let problems = check(path);
                    if !problems.is_empty() {
                        let name = path.file_name().unwrap().to_string_lossy().into_owned();
                        failures.lock().unwrap().push((name, problems));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    if !failures.is_empty() {
        let mut report = format!(
            "{} of {} corpus files failed:\n",
            failures.len(),
            files.len()
        );
        for (name, problems) in &failures {
            for p in problems {
                report.push_str(&format!("  {name}: {p}\n"));
            }
        }
        panic!("{report}");
    }
}

fn run_pkt(view: &[&str], path: &Path) -> Output {
    Command::new(PKT)
        .arg("read")
        .arg(path)
        .args(view)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .expect("run pkt")
}

/// The checks every view shares: no panic, exit 0 or 1, and a single `pkt: ` line on stderr when
/// it exits 1 (nothing on stderr when it exits 0). Returns the problems found.
fn check_exit(view: &str, out: &Output) -> Vec<String> {
    let mut problems = Vec::new();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("panicked") {
        let at = err
            .lines()
            .skip_while(|l| !l.contains("panicked"))
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        problems.push(format!("{view}: {}", at.trim()));
        return problems;
    }
    match out.status.code() {
        Some(0) => {
            if !err.is_empty() {
                problems.push(format!("{view}: exit 0 but stderr {err:?}"));
            }
        }
        Some(1) => {
            let one_line = err.ends_with('\n') && err.trim_end_matches('\n').lines().count() == 1;
            if !one_line || !err.starts_with("pkt: ") {
                problems.push(format!(
                    "{view}: exit 1 but stderr is not one `pkt: ` line: {err:?}"
                ));
            }
        }
        _ => problems.push(format!("{view}: status {} (stderr {err:?})", out.status)),
    }
    if std::str::from_utf8(&out.stdout).is_err() {
        problems.push(format!("{view}: stdout is not UTF-8"));
    }
    problems
}

/// Checks one NDJSON record against the contract; `i` is its 0-based position.
fn check_record(i: usize, line: &str, lengths: Option<(u32, u32)>) -> Vec<String> {
    let mut problems = Vec::new();
    let rec: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return vec![format!("record {}: not JSON ({e}): {line}", i + 1)],
    };
    let mut bad = |what: String| problems.push(format!("record {}: {what}", i + 1));
    let Some(obj) = rec.as_object() else {
        bad("not an object".into());
        return problems;
    };
    if obj.get("n").and_then(Value::as_u64) != Some(i as u64 + 1) {
        bad(format!("n is {:?}, expected {}", obj.get("n"), i + 1));
    }
    if !obj.get("time").is_some_and(Value::is_number) {
        bad("time is missing or not a number".into());
    }
    if !obj.get("linktype").is_some_and(Value::is_u64) {
        bad("linktype is missing or not an integer".into());
    }
    let caplen = obj.get("caplen").and_then(Value::as_u64);
    let len = obj.get("len").and_then(Value::as_u64);
    if let Some((c, l)) = lengths {
        // libpcap cuts a record longer than the file's snaplen; pkt keeps all of it.
        if caplen.is_none_or(|x| x < c as u64) || len != Some(l as u64) {
            bad(format!(
                "caplen/len {caplen:?}/{len:?}, libpcap says {c}/{l}"
            ));
        }
    }
    let errors = match obj.get("errors") {
        None => 0,
        Some(Value::Array(errs)) if !errs.is_empty() => {
            for e in errs {
                let ok = e.get("layer").is_some_and(Value::is_string)
                    && e.get("offset").is_some_and(Value::is_u64)
                    && e.get("error").is_some_and(Value::is_string)
                    && e.get("field").is_none_or(Value::is_string)
                    && e.get("expected").is_none_or(Value::is_u64);
                if !ok {
                    bad(format!("malformed error entry {e}"));
                }
            }
            errs.len()
        }
        Some(other) => {
            bad(format!("errors present but not a non-empty array: {other}"));
            0
        }
    };
    match obj.get("layers") {
        Some(Value::Array(layers)) => {
            if layers.is_empty() && errors == 0 {
                bad("no layers and no errors".into());
            }
            for l in layers {
                if !l.get("layer").is_some_and(Value::is_string) {
                    bad(format!("layer without a \"layer\" name: {l}"));
                }
            }
        }
        _ => bad("layers is missing or not an array".into()),
    }
    problems
}

/// `pkt read --json FILE`: valid NDJSON, one record per packet libpcap reads, numbered 1..N, with
/// libpcap's lengths; exit 1 exactly when libpcap cannot read the whole file.
fn check_json(path: &Path) -> Vec<String> {
    let out = run_pkt(&["--json"], path);
    let mut problems = check_exit("--json", &out);
    let (packets, libpcap_error) = match libpcap_read(path, false) {
        Ok((p, e)) => (p, e),
        Err(e) => (Vec::new(), Some(e)),
    };
    match (&libpcap_error, out.status.code()) {
        (None, Some(1)) => problems.push("--json: exit 1 but libpcap reads the whole file".into()),
        (Some(e), Some(0)) => problems.push(format!("--json: exit 0 but libpcap stops with: {e}")),
        _ => {}
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() != packets.len() {
        problems.push(format!(
            "--json: {} records, libpcap reads {} packets",
            lines.len(),
            packets.len()
        ));
    }
    for (i, line) in lines.iter().enumerate() {
        let lengths = packets.get(i).map(|p| (p.caplen, p.len));
        problems.extend(
            check_record(i, line, lengths)
                .into_iter()
                .map(|p| format!("--json: {p}")),
        );
    }
    problems.truncate(10);
    problems
}

/// The summary, `--show` and `--hex` views: no panic, sane exit, and one summary line per packet.
fn check_text_views(path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let packets = libpcap_read(path, false).map_or(0, |(p, _)| p.len());
    for view in [&[][..], &["--show"], &["--hex"]] {
        let name = view.first().copied().unwrap_or("summary");
        let out = run_pkt(view, path);
        problems.extend(check_exit(name, &out));
        if view.is_empty() {
            let lines = String::from_utf8_lossy(&out.stdout).lines().count();
            if lines != packets {
                problems.push(format!(
                    "summary: {lines} lines, libpcap reads {packets} packets"
                ));
            }
        }
    }
    problems
}

#[test]
fn corpus_json_matches_libpcap() {
    let Some(files) = corpus_files() else {
        return;
    };
    for_each_file(&files, check_json);
}

#[test]
fn corpus_text_views_do_not_panic() {
    let Some(files) = corpus_files() else {
        return;
    };
    for_each_file(&files, check_text_views);
}
