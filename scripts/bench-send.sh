#!/usr/bin/env bash
# Benchmark sending: pkt against hping3 and scapy, in one run, in a namespace lab of its own
# (`lab.sh up --name bench --routers 1`: client — r1 — server; nothing leaves the lab).
#
# (a) `pkt send --flood` of 64-byte frames (IP/UDP/22 bytes of payload: 50-byte IP packets,
#     64 bytes on the veth), from IP (framed by pkt: --flood) and from Ether()/… (layer 2);
#     both leave through pkt's batched packet socket.
# (b) `hping3 --flood` of the same packet for the same time (it ignores -c when flooding).
# (c) scapy's send() and sendp() of the same packet, a list of SCAPY_N.
# Every sender runs on one core (taskset -c 0) and sends to the lab's blackhole address; r1
# drops the packets first thing (an iptables raw-table DROP for UDP port 9, in r1's namespace
# only), so no answers and no per-packet route lookup on r1.  Packets per second are the
# packets r1 RECEIVED on its client-side interface (rx_packets, before/after) over the sender's
# wall time, so nothing counts that did not cross the link.  On a veth the receiver's work runs
# in the sender's softirq, so the figures still include r1's receive path (ip_rcv up to the
# drop), the same for every tool.
# (d) `pkt sr` of PROBES TCP SYNs to the server's open port 80 (sport varies), --timeout 1:
#     wall time and answers; scapy's sr() of the same.
# Goals (the issue): pkt >= 2x hping3, pkt >= 100x scapy.
#
# Usage: sudo scripts/bench-send.sh [N [SCAPY_N [PROBES]]]
#        (pkt packets per run, best of 3, default 500,000; scapy packets, default 5,000;
#        SYN probes for sr, default 10,000)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-500000}
SCAPY_N=${2:-5000}
PROBES=${3:-10000}
LAB=bench
PAYLOAD=xxxxxxxxxxxxxxxxxxxxxx # 22 bytes: 14 + 20 + 8 + 22 = 64-byte frames

[ "$(id -u)" -eq 0 ] || { echo "bench-send.sh: needs root (network namespaces)" >&2; exit 2; }
cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1
PKT="$ROOT/target/release/pkt"
if ! command -v hping3 >/dev/null; then
  apt-get install -y hping3 >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y hping3 >/dev/null 2>&1; }
fi
python3 -c 'import scapy' 2>/dev/null || { echo "bench-send.sh: needs scapy (pip install scapy)" >&2; exit 2; }

lab() { bash "$ROOT/scripts/lab.sh" "$@"; }
trap 'lab down --name "$LAB" >/dev/null 2>&1 || true' EXIT
lab up --name "$LAB" --routers 1 >/dev/null
eval "$(lab env --name "$LAB" | sed -n 's/^\(CLIENT_NS\|ROUTER1_NS\|ROUTER1_IF\|BLACKHOLE4\|SERVER_IP4\)=/L_\1=/p')"
client() { ip netns exec "$L_CLIENT_NS" "$@"; }
rxstat() { ip netns exec "$L_ROUTER1_NS" cat "/sys/class/net/$L_ROUTER1_IF/statistics/rx_$1"; }
now() { date +%s.%N; }
py() { python3 -c "print($1)"; }

SINK=$L_BLACKHOLE4
L3="IP(dst=\"$SINK\")/UDP(dport=9)/Raw(load=\"$PAYLOAD\")"
L2="Ether()/$L3"

# One timed run of a sender command; sets RUN_PPS (delivered/s), RUN_DELIVERED, RUN_SECS and
# RUN_FRAME (bytes per delivered frame).
run() {
  local p0 b0 t0 t1 p1 b1
  p0=$(rxstat packets); b0=$(rxstat bytes); t0=$(now)
  client "$@" >/dev/null 2>&1 || true
  t1=$(now); p1=$(rxstat packets); b1=$(rxstat bytes)
  RUN_DELIVERED=$((p1 - p0))
  RUN_SECS=$(py "round($t1 - $t0, 3)")
  RUN_PPS=$(py "int($RUN_DELIVERED / ($t1 - $t0))")
  RUN_FRAME=$(py "round(($b1 - $b0) / max(1, $RUN_DELIVERED))")
}

# Best of 3 of a sender; sets BEST_PPS, BEST_SECS, BEST_DELIVERED, BEST_FRAME.
best() {
  BEST_PPS=0
  for _ in 1 2 3; do
    run "$@"
    if [ "$RUN_PPS" -gt "$BEST_PPS" ]; then
      BEST_PPS=$RUN_PPS BEST_SECS=$RUN_SECS BEST_DELIVERED=$RUN_DELIVERED BEST_FRAME=$RUN_FRAME
    fi
  done
}

ip netns exec "$L_ROUTER1_NS" iptables -w -t raw -I PREROUTING -p udp --dport 9 -j DROP
client ping -c 1 -W 1 "$L_SERVER_IP4" >/dev/null 2>&1 || true # ARP for r1 resolved up front

best taskset -c 0 "$PKT" send "$L3" -c "$N" --flood
pkt3_pps=$BEST_PPS pkt3_secs=$BEST_SECS pkt3_n=$BEST_DELIVERED frame=$BEST_FRAME
best taskset -c 0 "$PKT" send "$L2" -c "$N" --flood
pkt2_pps=$BEST_PPS pkt2_n=$BEST_DELIVERED

# hping3 floods until interrupted: as long as pkt took (at least 2 s), best of 3.
dur=$(py "max(2.0, round($pkt3_secs, 1))")
best timeout -s INT "$dur" taskset -c 0 hping3 --flood -2 -p 9 -d ${#PAYLOAD} "$SINK"
hping_pps=$BEST_PPS hping_n=$BEST_DELIVERED hping_frame=$BEST_FRAME

# scapy: the wall time of send()/sendp() alone, measured in python (the import is not counted).
scapy_rate() { # send|sendp
  local p0 p1 secs
  p0=$(rxstat packets)
  secs=$(client taskset -c 0 python3 - "$1" "$SCAPY_N" "$L3" <<'PY' 2>/dev/null || echo 0
import logging, sys, time
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import *
fn, n, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
p = eval(expr)
if fn == "sendp":
    p = Ether() / p
pkts = [p] * n
t = time.perf_counter()
(send if fn == "send" else sendp)(pkts, verbose=0)
print(time.perf_counter() - t)
PY
)
  p1=$(rxstat packets)
  py "int($((p1 - p0)) / $secs) if $secs > 0 else 0"
}
scapy3_pps=$(scapy_rate send)
scapy2_pps=$(scapy_rate sendp)

# (d) sr of SYN probes to the open port: wall time (pkt's own start-up included) and answers.
SYN="IP(dst=\"$L_SERVER_IP4\")/TCP(sport=(10000,$((10000 + PROBES - 1))),dport=80,flags=\"S\")"
t0=$(now)
sr_summary=$(client taskset -c 0 "$PKT" sr "$SYN" --timeout 1 2>&1 >/dev/null | tail -n1 || true)
t1=$(now)
sr_secs=$(py "round($t1 - $t0, 3)")
sr_answers=$(sed -n 's/.*got \([0-9]*\) answers.*/\1/p' <<<"$sr_summary")
sleep 1 # let the server's half-open connections go before scapy's round
scapy_sr=$(client taskset -c 0 python3 - "$PROBES" "$SYN" <<'PY' 2>/dev/null || echo "0 0 0"
import logging, sys, time
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import *
t = time.perf_counter()
ans, unans = sr(eval(sys.argv[2]), timeout=1, verbose=0)
print(round(time.perf_counter() - t, 3), len(ans), len(unans))
PY
)
read -r ssr_secs ssr_answers ssr_unans <<<"$scapy_sr"

ratio() { if [ "$2" -gt 0 ]; then py "round($1 / $2, 1)"; else echo "n/a"; fi; }
echo "machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "sink: $SINK:9 (dropped by r1, raw table), ${frame}-byte frames (hping3: ${hping_frame}), one core per sender"
printf '%-58s %12s\n' "sender" "packets/s"
printf '%-58s %12s\n' "pkt send --flood IP(...)/... ($pkt3_n packets, best of 3)" "$pkt3_pps"
printf '%-58s %12s\n' "pkt send --flood, layer 2 Ether()/... ($pkt2_n, best of 3)" "$pkt2_pps"
printf '%-58s %12s\n' "hping3 --flood -2 (${dur} s, $hping_n packets, best of 3)" "$hping_pps"
printf '%-58s %12s\n' "scapy send() ($SCAPY_N packets)" "$scapy3_pps"
printf '%-58s %12s\n' "scapy sendp() ($SCAPY_N packets)" "$scapy2_pps"
r_h=$(ratio "$pkt3_pps" "$hping_pps")
r_s=$(ratio "$pkt3_pps" "$scapy3_pps")
printf 'ratio pkt / hping3: %s (layer 2: %s)\n' "$r_h" "$(ratio "$pkt2_pps" "$hping_pps")"
printf 'ratio pkt / scapy:  %s (layer 2 / sendp: %s)\n' "$r_s" "$(ratio "$pkt2_pps" "$scapy2_pps")"
printf 'target pkt >= 2x hping3: %s\n' "$(py "'ok' if '$r_h' != 'n/a' and float('$r_h') >= 2 else 'MISS'")"
printf 'target pkt >= 100x scapy: %s\n' "$(py "'ok' if '$r_s' != 'n/a' and float('$r_s') >= 100 else 'MISS'")"
echo "sr of $PROBES SYN probes to $L_SERVER_IP4:80, --timeout 1:"
printf '  pkt sr:   %s s wall, %s answers  [%s]\n' "$sr_secs" "${sr_answers:-?}" "$sr_summary"
printf '  scapy sr: %s s wall, %s answers, %s unanswered\n' "$ssr_secs" "$ssr_answers" "$ssr_unans"
if [ -n "$sr_answers" ] && [ "$sr_answers" -gt 0 ] && [ "$ssr_answers" -gt 0 ]; then
  printf '  every probe answered: pkt %s, scapy %s; pkt %sx faster\n' \
    "$([ "$sr_answers" -eq "$PROBES" ] && echo yes || echo NO)" \
    "$([ "$ssr_answers" -eq "$PROBES" ] && echo yes || echo NO)" \
    "$(py "round($ssr_secs / $sr_secs, 1)")"
fi
