#!/usr/bin/env bash
# Start-up time of the release binary: `pkt --version` and `pkt ls` with hyperfine (installed
# with apt-get when missing), against `tcpdump --version` and `traceroute --version` for scale.
# As root, also the whole fixed cost of a traceroute: one probe to 127.0.0.1 (loopback only),
# `pkt traceroute -n -m 1 -q 1 127.0.0.1` against the same `traceroute` command.
# Goal: pkt under 5 ms.
#
# Usage: scripts/bench-startup.sh
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1
PKT="$ROOT/target/release/pkt"
if ! command -v hyperfine >/dev/null; then
  apt-get install -y hyperfine >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y hyperfine >/dev/null 2>&1; } ||
    { echo "bench-startup.sh: needs hyperfine" >&2; exit 2; }
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cmds=("$PKT --version" "$PKT ls")
command -v tcpdump >/dev/null && cmds+=("tcpdump --version")
command -v traceroute >/dev/null && cmds+=("traceroute --version")
if [ "$(id -u)" -eq 0 ] && command -v traceroute >/dev/null; then
  cmds+=("$PKT traceroute -n -m 1 -q 1 127.0.0.1" "traceroute -n -m 1 -q 1 127.0.0.1")
fi
hyperfine -N --warmup 20 --runs 300 --export-json "$out" "${cmds[@]}" >/dev/null 2>&1
echo "machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print(f"{x['command']:<66} mean {x['mean']*1e3:6.2f} ms  median {x['median']*1e3:6.2f} ms  min {x['min']*1e3:6.2f} ms")
pkt = r[0]["median"] * 1e3
print(f"goal pkt --version under 5 ms: {'ok' if pkt < 5 else 'MISS'} ({pkt:.2f} ms median)")
PY
