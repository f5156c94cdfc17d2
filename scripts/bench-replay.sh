#!/usr/bin/env bash
# Benchmark replaying and capturing: pkt against tcpreplay and tcpdump, in one run, in a namespace
# lab of its own (`lab.sh up --name benchrp --routers 1`: client — r1 — server; nothing leaves
# the lab).
#
# The capture: N 64-byte Ethernet frames (IP/UDP/22 bytes of payload, sport 1..50000, dport 9)
# from the client to r1's MAC and the lab's blackhole address, made by `pkt craft -c` in a
# temporary directory (removed at exit).  r1 drops them first thing (an iptables raw-table DROP
# for UDP port 9, in r1's namespace only), so routing does not dominate.
#
# (a) Replay rate, best of 3 each: `pkt replay FILE -i CLIENT_IF --topspeed --json` against
#     `tcpreplay -i CLIENT_IF --topspeed FILE`, both on one core (taskset -c 0) in the client's
#     namespace.  Packets per second "delivered" are the packets r1 RECEIVED on its client-side
#     interface (rx_packets, before/after) over the replayer's wall time (start-up and reading the
#     file included); "reported" is the tool's own figure (pkt's JSON "pps", tcpreplay's
#     "Rated: ... pps").  On a veth the receiver's work runs in the sender's softirq, so both
#     include r1's receive path up to the drop, the same for both tools.
# (b) Capture at that rate: in r1's namespace `pkt sniff -i ROUTER1_IF -w OUT -B 4096 udp`
#     against `tcpdump -i ROUTER1_IF -w OUT -B 4096 udp` (pinned to CPU 1 when there is one),
#     each while `pkt replay --topspeed` of the same capture runs from the client; the capturer
#     gets SIGINT DRAIN seconds (default 0.5) after the replay ends.  Both print "captured",
#     "received by filter" and "dropped by kernel" on stderr; the packets in each output file are
#     counted with `tcpdump --count -r`.
# Goals: pkt replay >= 1.0x tcpreplay (required), >= 2x (aim).
#
# Usage: sudo [DRAIN=S] scripts/bench-replay.sh [N]   (packets in the capture, default 1,000,000)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-1000000}
LAB=benchrp
PAYLOAD=xxxxxxxxxxxxxxxxxxxxxx # 22 bytes: 14 + 20 + 8 + 22 = 64-byte frames
SPORTS=50000                   # distinct source ports per round of `pkt craft -c`
BUF_KIB=4096                   # -B of both capturers
DRAIN=${DRAIN:-0.5}            # seconds between the end of the replay and the capturer's SIGINT

if ! [[ $N =~ ^[0-9]+$ ]] || ((10#$N == 0)); then
  echo "bench-replay.sh: N must be a positive integer" >&2
  exit 2
fi
N=$((10#$N))
[ "$(id -u)" -eq 0 ] || { echo "bench-replay.sh: needs root (network namespaces, packet sockets)" >&2; exit 2; }
PKT="$ROOT/target/release/pkt"
if ! cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1; then
  [ -x "$PKT" ] || { echo "bench-replay.sh: cargo build --release failed" >&2; exit 1; }
  echo "bench-replay.sh: cargo build --release failed; using the existing $PKT" >&2
fi
for tool in tcpreplay tcpdump jq; do
  if ! command -v "$tool" >/dev/null; then
    apt-get install -y "$tool" >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && apt-get install -y "$tool" >/dev/null 2>&1; }
  fi
  command -v "$tool" >/dev/null || { echo "bench-replay.sh: needs $tool (apt-get install $tool)" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-replay.XXXXXX")
CAP_PID= # a capturer still running (only if the script stops half-way)
lab() { bash "$ROOT/scripts/lab.sh" "$@"; }
cleanup() {
  if [ -n "$CAP_PID" ]; then
    kill -INT "$CAP_PID" 2>/dev/null || true
    sleep 0.5
    kill -KILL "$CAP_PID" 2>/dev/null || true
  fi
  lab down --name "$LAB" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab up --name "$LAB" --routers 1 >/dev/null 2>&1
eval "$(lab env --name "$LAB" | sed -n 's/^\(CLIENT_NS\|CLIENT_IF\|CLIENT_MAC\|CLIENT_IP4\|NEXTHOP_MAC\|ROUTER1_NS\|ROUTER1_IF\|BLACKHOLE4\)=/L_\1=/p')"
client() { ip netns exec "$L_CLIENT_NS" "$@"; }
router() { ip netns exec "$L_ROUTER1_NS" "$@"; }
rxstat() { router cat "/sys/class/net/$L_ROUTER1_IF/statistics/rx_$1"; }
now() { date +%s.%N; }
py() { python3 -c "print($1)"; }

# ---------------------------------------------------------------- the capture ---
# ceil(N / SPORTS) rounds of SPORTS source ports (fewer ports if N is small); the replays are
# limited to N packets (pkt -c, tcpreplay -L) when that makes more.
if ((N < SPORTS)); then SPORTS=$N; fi
ROUNDS=$(((N + SPORTS - 1) / SPORTS))
PCAP="$TMP/replay.pcap"
craft() { # payload
  "$PKT" craft "Ether(dst=\"$L_NEXTHOP_MAC\",src=\"$L_CLIENT_MAC\")/IP(src=\"$L_CLIENT_IP4\",dst=\"$L_BLACKHOLE4\")/UDP(sport=(1,$SPORTS),dport=9)/Raw(load=\"$1\")" \
    -c "$ROUNDS" -w "$PCAP" >/dev/null
}
craft "$PAYLOAD"
frame=$("$PKT" read "$PCAP" -c 1 --json | jq .caplen)
if [ "$frame" != 64 ]; then # adjust the payload once so that the frames are 64 bytes
  len=$((${#PAYLOAD} + 64 - frame))
  ((len > 0)) || { echo "bench-replay.sh: frames of $frame bytes, cannot make 64" >&2; exit 1; }
  PAYLOAD=$(printf '%*s' "$len" '' | tr ' ' x)
  craft "$PAYLOAD"
  frame=$("$PKT" read "$PCAP" -c 1 --json | jq .caplen)
  [ "$frame" = 64 ] || { echo "bench-replay.sh: frames of $frame bytes, not 64" >&2; exit 1; }
fi
in_file=$((ROUNDS * SPORTS))
LIMIT_PKT=() LIMIT_TCPR=()
if ((in_file > N)); then LIMIT_PKT=(-c "$N") LIMIT_TCPR=(-L "$N"); fi

router iptables -w -t raw -I PREROUTING -p udp --dport 9 -j DROP

# ------------------------------------------------------------ (a) replay rate ---
# One timed run; the replayer's stdout goes to $TMP/out, its stderr to $TMP/err.  Sets RUN_PPS
# (delivered/s), RUN_DELIVERED, RUN_SECS.
run() {
  local p0 t0 t1 p1
  p0=$(rxstat packets); t0=$(now)
  client taskset -c 0 "$@" >"$TMP/out" 2>"$TMP/err" || true
  t1=$(now); p1=$(rxstat packets)
  RUN_DELIVERED=$((p1 - p0))
  RUN_SECS=$(py "round($t1 - $t0, 3)")
  RUN_PPS=$(py "int($RUN_DELIVERED / ($t1 - $t0))")
}
pkt_reported() { jq -r '.pps | floor' "$TMP/out" 2>/dev/null || echo 0; }
tcpreplay_reported() { cat "$TMP/out" "$TMP/err" | sed -n 's/.*Rated:.* \([0-9.]*\) pps.*/\1/p' | head -n1 | cut -d. -f1; }

# Best of 3 (by delivered rate); REPORTED is a function that reads the tool's own rate from
# $TMP/out.  Sets BEST_PPS, BEST_SECS, BEST_DELIVERED, BEST_REPORTED, BEST_OUT and RUNS (every
# run, "delivered/reported").
best() {
  local reported=$1 rep
  shift
  BEST_PPS=0 BEST_SECS=0 BEST_DELIVERED=0 BEST_REPORTED=0 BEST_OUT='' BEST_ERR='' RUNS=''
  for _ in 1 2 3; do
    run "$@"
    rep=$("$reported")
    rep=${rep:-0}
    RUNS="${RUNS:+$RUNS, }$RUN_PPS/$rep"
    if [ "$RUN_PPS" -gt "$BEST_PPS" ] || [ -z "$BEST_OUT" ]; then
      BEST_PPS=$RUN_PPS BEST_SECS=$RUN_SECS BEST_DELIVERED=$RUN_DELIVERED BEST_REPORTED=$rep
      BEST_OUT=$(cat "$TMP/out") BEST_ERR=$(cat "$TMP/err")
    fi
  done
}

cat "$PCAP" >/dev/null # in the page cache before the first timed run
best pkt_reported "$PKT" replay "$PCAP" -i "$L_CLIENT_IF" --topspeed --json "${LIMIT_PKT[@]}"
pkt_pps=$BEST_PPS pkt_rep=$BEST_REPORTED pkt_n=$BEST_DELIVERED pkt_secs=$BEST_SECS pkt_runs=$RUNS
pkt_failed=$(jq -r '.failed // "?"' <<<"$BEST_OUT" 2>/dev/null || echo "?")
pkt_json=$(jq -c . <<<"$BEST_OUT" 2>/dev/null || echo "$BEST_OUT")
pkt_stderr=$(head -n3 <<<"$BEST_ERR" | tr '\n' ' ' | sed 's/[[:space:]]*$//')
best tcpreplay_reported tcpreplay -i "$L_CLIENT_IF" --topspeed "${LIMIT_TCPR[@]}" "$PCAP"
tcpr_pps=$BEST_PPS tcpr_rep=$BEST_REPORTED tcpr_n=$BEST_DELIVERED tcpr_secs=$BEST_SECS tcpr_runs=$RUNS
tcpr_failed=$(sed -n 's/.*Failed packets: *\([0-9]*\).*/\1/p' <<<"$BEST_OUT$BEST_ERR" | head -n1)

# --------------------------------------------------------- (b) capture rate ---
# Start a capturer in r1's namespace (ip netns exec and taskset exec, so $! is the capturer
# itself), wait until it listens, replay the capture with pkt, give it 0.5 s, SIGINT it.
# Sets CAP_SENT (pkt replay's count), CAP_DELIVERED (r1 rx), CAP_FILE (packets in the file),
# CAP_CAPTURED, CAP_RECEIVED, CAP_DROPPED (from its stderr), CAP_RC and CAP_ERR.
CAP_CPU=()
if [ "$(nproc)" -gt 1 ]; then CAP_CPU=(taskset -c 1); fi
capture() { # name, capturer command...
  local err="$TMP/$1.err" out="$TMP/$1.pcap" t p0 p1
  shift
  rm -f "$out"
  ip netns exec "$L_ROUTER1_NS" "${CAP_CPU[@]}" "$@" -w "$out" </dev/null >/dev/null 2>"$err" &
  CAP_PID=$!
  for ((t = 0; t < 100; t++)); do # up to 10 s
    grep -q 'listening on' "$err" 2>/dev/null && break
    kill -0 "$CAP_PID" 2>/dev/null || break
    sleep 0.1
  done
  sleep 0.2 # the filter is attached before the message; a little margin all the same
  p0=$(rxstat packets)
  client taskset -c 0 "$PKT" replay "$PCAP" -i "$L_CLIENT_IF" --topspeed --json "${LIMIT_PKT[@]}" \
    >"$TMP/out" 2>/dev/null || true
  p1=$(rxstat packets)
  sleep "$DRAIN"
  kill -INT "$CAP_PID" 2>/dev/null || true
  for ((t = 0; t < 100; t++)); do # up to 10 s to write its file and exit
    kill -0 "$CAP_PID" 2>/dev/null || break
    sleep 0.1
  done
  CAP_HUNG=
  if kill -0 "$CAP_PID" 2>/dev/null; then
    CAP_HUNG="still running 10 s after SIGINT, killed"
    kill -KILL "$CAP_PID" 2>/dev/null || true
  fi
  CAP_RC=0
  wait "$CAP_PID" || CAP_RC=$?
  CAP_PID=
  CAP_SENT=$(jq -r '.packets' "$TMP/out" 2>/dev/null || echo "?")
  CAP_DELIVERED=$((p1 - p0))
  # tcpdump --count: its decoders print more than one line for some of these packets
  CAP_FILE=$(tcpdump --count -r "$out" 2>&1 | sed -n 's/^\([0-9]*\) packets.*/\1/p' | head -n1)
  CAP_CAPTURED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$err" | tail -n1)
  CAP_RECEIVED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' "$err" | tail -n1)
  CAP_DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$err" | tail -n1)
  CAP_ERR=$(grep -v -e 'listening on' -e 'captured' -e 'received by filter' -e 'dropped by kernel' "$err" |
    head -n3 | tr '\n' ' ' | sed 's/[[:space:]]*$//' || true)
  CAP_ERR="${CAP_HUNG:+$CAP_HUNG. }$CAP_ERR"
}
capture pkt "$PKT" sniff -i "$L_ROUTER1_IF" -B "$BUF_KIB" udp
ps_sent=$CAP_SENT ps_deliv=$CAP_DELIVERED ps_file=$CAP_FILE ps_capt=$CAP_CAPTURED
ps_recv=$CAP_RECEIVED ps_drop=$CAP_DROPPED ps_rc=$CAP_RC ps_err=$CAP_ERR
ps_pktread=$("$PKT" read "$TMP/pkt.pcap" -t 2>/dev/null | wc -l)
capture tcpdump tcpdump -i "$L_ROUTER1_IF" -B "$BUF_KIB" udp
td_sent=$CAP_SENT td_deliv=$CAP_DELIVERED td_file=$CAP_FILE td_capt=$CAP_CAPTURED
td_recv=$CAP_RECEIVED td_drop=$CAP_DROPPED td_rc=$CAP_RC td_err=$CAP_ERR

# ------------------------------------------------------------------ report ---
ratio() { if [ "${2:-0}" -gt 0 ]; then py "round($1 / $2, 2)"; else echo "n/a"; fi; }
goal() { py "'ok' if '$1' != 'n/a' and float('$1') >= $2 else 'MISS'"; }
echo "machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "capture: $N packets of ${frame}-byte frames to $L_BLACKHOLE4:9 (dropped by r1, raw table), veth $L_CLIENT_IF -> $L_ROUTER1_IF"
echo
echo "replay --topspeed, one core (taskset -c 0), best of 3 (by delivered rate):"
printf '%-34s %12s %12s %10s %8s\n' "replayer" "delivered/s" "reported/s" "delivered" "wall s"
printf '%-34s %12s %12s %10s %8s\n' "pkt replay --topspeed --json" "$pkt_pps" "$pkt_rep" "$pkt_n" "$pkt_secs"
printf '%-34s %12s %12s %10s %8s\n' "tcpreplay --topspeed" "$tcpr_pps" "$tcpr_rep" "$tcpr_n" "$tcpr_secs"
printf '  runs (delivered/reported): pkt %s; tcpreplay %s\n' "$pkt_runs" "$tcpr_runs"
printf '  failed: pkt %s, tcpreplay %s\n' "$pkt_failed" "${tcpr_failed:-?}"
printf '  pkt report: %s%s\n' "$pkt_json" "${pkt_stderr:+; stderr: $pkt_stderr}"
r_d=$(ratio "$pkt_pps" "$tcpr_pps")
r_r=$(ratio "$pkt_rep" "$tcpr_rep")
printf 'ratio pkt / tcpreplay: %s delivered, %s reported\n' "$r_d" "$r_r"
printf 'goal pkt >= 1.0x tcpreplay (required): %s\n' "$(goal "$r_d" 1.0)"
printf 'goal pkt >= 2x tcpreplay (aim):        %s\n' "$(goal "$r_d" 2)"
echo
echo "capture on $L_ROUTER1_IF (r1) while pkt replay --topspeed sends the capture, -B $BUF_KIB, filter udp${CAP_CPU[*]:+, capturer on CPU 1}:"
printf '%-10s %10s %10s %12s %10s %12s %10s\n' "tool" "sent" "r1 rx" "in file" "captured" "recv filter" "dropped"
printf '%-10s %10s %10s %12s %10s %12s %10s\n' "pkt sniff" "$ps_sent" "$ps_deliv" "$ps_file" "${ps_capt:-?}" "${ps_recv:-?}" "${ps_drop:-?}"
printf '%-10s %10s %10s %12s %10s %12s %10s\n' "tcpdump" "$td_sent" "$td_deliv" "$td_file" "${td_capt:-?}" "${td_recv:-?}" "${td_drop:-?}"
printf '  (sent: pkt replay'"'"'s count; r1 rx: rx_packets during the replay; in file: tcpdump --count -r;\n'
printf '   SIGINT %s s after the replay ended)\n' "$DRAIN"
printf '  pkt sniff exit %s, its file read back by pkt read: %s packets%s\n' "$ps_rc" "$ps_pktread" "${ps_err:+; stderr: $ps_err}"
printf '  tcpdump exit %s%s\n' "$td_rc" "${td_err:+; stderr: $td_err}"
