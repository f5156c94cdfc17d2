#!/usr/bin/env bash
# Benchmark building packets: pkt against scapy, in one run, one core each.
# Builds and serialises IP(dst=…)/TCP(dport=…,flags="S") with auto fields (lengths, checksums,
# protocol numbers) for every port, many times over, and prints packets per second and the ratio.
# A field set is built once and then patched in place (the varying field, then the checksums
# over it: src/build.rs `Template`); every packet's bytes are still complete and checked.
# Target (issue 4): pkt ≥ 5,000,000 packets/s.
#
# Usage: scripts/bench-build.sh [ROUNDS]   (ROUNDS of 65,535 packets for pkt; default 80)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-80}
EXPR='IP(dst="192.0.2.1")/TCP(dport=(1,65535),flags="S")'

cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1
PKT="$ROOT/target/release/pkt"

now() { date +%s.%N; }
n=$((ROUNDS * 65535))
best=999999
for _ in 1 2 3; do
  t0=$(now); taskset -c 0 "$PKT" craft "$EXPR" -c "$ROUNDS" --raw > /dev/null; t1=$(now)
  best=$(python3 -c "print(min($best, $t1 - $t0))")
done
pkt_pps=$(python3 -c "print(int($n / $best))")

scapy_pps=$(taskset -c 0 python3 - <<'PY' 2>/dev/null || echo 0
import logging, time
logging.getLogger("scapy").setLevel(logging.CRITICAL)
from scapy.all import IP, TCP
pkts = IP(src="127.0.0.1", dst="192.0.2.1")/TCP(dport=(1, 20000), flags="S")
t = time.perf_counter()
n = 0
for p in pkts:
    bytes(p)
    n += 1
print(int(n / (time.perf_counter() - t)))
PY
)

echo "machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-52s %12s\n' "builder (IP/TCP SYN, auto fields, one core)" "packets/s"
printf '%-52s %12s\n' "pkt craft … --raw ($n packets, best of 3)" "$pkt_pps"
printf '%-52s %12s\n' "scapy bytes(p) (20,000 packets)" "$scapy_pps"
if [ "$scapy_pps" -gt 0 ]; then
  printf 'ratio pkt / scapy: %s\n' "$(python3 -c "print(round($pkt_pps / $scapy_pps, 1))")"
fi
printf 'target pkt >= 5000000 packets/s: %s\n' "$([ "$pkt_pps" -ge 5000000 ] && echo ok || echo MISS)"
