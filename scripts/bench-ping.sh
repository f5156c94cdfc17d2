#!/usr/bin/env bash
# Benchmark ping RTT accuracy: pkt ping against iputils ping, in one run, in a namespace lab of
# its own (`lab.sh up --name benchping --routers 1`: client — r1 — server; nothing leaves the
# lab).
#
# The truth is the on-wire RTT: the gap between an echo request and its reply (ICMP type 8 /
# type 0, same id and sequence number) as tcpdump time-stamps them on the client's interface
# (`tcpdump -i CLIENT_IF --time-stamp-precision=nano -w FILE icmp`, in the client's namespace).
# Each tool runs with a tcpdump capture of its own, one after the other (pkt first):
#   pkt ping SERVER_IP4 -c N -i 0.05 --json   its "reply" records: seq and rtt (seconds)
#   ping SERVER_IP4 -c N -i 0.05              iputils: "icmp_seq=K ... time=X ms"
# The echo id is read from the capture (the id of most of the client's requests in that file).
# Per sequence number: error = the tool's RTT - the truth, in µs; reported are the count
# matched, the median, p10/p90, mean, min and max of the error, and the goal of the issue:
# pkt's median |error| <= 20 µs and no worse than iputils' (about +21 µs here).
#
# Two rounds: (1) the lab as it is (RTTs of tens of µs), (2) with DELAY_MS (default 5) of delay
# added on link 1 (r1 — server) in the forward direction only, `lab.sh delay 1 DELAY_MS --dir
# fwd`, so RTTs are about DELAY_MS ms.  The delay sits on the far link, not on the client's own:
# a delay on the client's egress (netem qdisc or lab.sh's NFQUEUE helper) holds requests BEFORE
# the capture tap, so the "wire" time stamp would come after the delay.  One direction only, so
# that the RTT stays below 9.995 ms, where iputils still prints 2 decimals (10 µs resolution);
# below 1 ms it prints 3 (1 µs), from 10 ms on only 1 (100 µs).
#
# Usage: sudo [DELAY_MS=MS] scripts/bench-ping.sh [N]   (probes per tool and round, default 200)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-200}
INTERVAL=0.05
DELAY_MS=${DELAY_MS:-5}
LAB=benchping

if ! [[ $N =~ ^[0-9]+$ ]] || ((10#$N == 0 || 10#$N > 65535)); then
  echo "bench-ping.sh: N must be an integer in 1..65535" >&2
  exit 2
fi
N=$((10#$N))
[[ $DELAY_MS =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench-ping.sh: bad DELAY_MS '$DELAY_MS'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench-ping.sh: needs root (network namespaces, raw sockets)" >&2; exit 2; }
PKT="$ROOT/target/release/pkt"
if ! cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1; then
  [ -x "$PKT" ] || { echo "bench-ping.sh: cargo build --release failed" >&2; exit 1; }
  echo "bench-ping.sh: cargo build --release failed; using the existing $PKT" >&2
fi
for tool in tcpdump ping jq; do
  if ! command -v "$tool" >/dev/null; then
    pkg=$tool
    [ "$tool" = ping ] && pkg=iputils-ping
    apt-get install -y "$pkg" >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && apt-get install -y "$pkg" >/dev/null 2>&1; }
  fi
  command -v "$tool" >/dev/null || { echo "bench-ping.sh: needs $tool" >&2; exit 2; }
done
PING=$(command -v ping)
ping_version=$("$PING" -V 2>&1 | head -n1)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-ping.XXXXXX")
CAP_PID= # the tcpdump still running (only if the script stops half-way)
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
eval "$(lab env --name "$LAB" | sed -n 's/^\(CLIENT_NS\|CLIENT_IF\|CLIENT_IP4\|SERVER_IP4\)=/L_\1=/p')"
client() { ip netns exec "$L_CLIENT_NS" "$@"; }

# Start tcpdump on the client's interface and wait until it listens.  ip netns exec execs, so
# $! is tcpdump itself (not through the client function: that would background a subshell).
cap_start() { # pcap file
  local t
  ip netns exec "$L_CLIENT_NS" tcpdump -i "$L_CLIENT_IF" -n -w "$1" --immediate-mode --time-stamp-precision=nano icmp \
    </dev/null >/dev/null 2>"$1.err" &
  CAP_PID=$!
  for ((t = 0; t < 100; t++)); do # up to 10 s
    grep -q 'listening on' "$1.err" 2>/dev/null && break
    kill -0 "$CAP_PID" 2>/dev/null || { cat "$1.err" >&2; exit 1; }
    sleep 0.1
  done
  sleep 0.2 # the filter is attached before the message; a little margin all the same
}
cap_stop() { # pcap file (its stderr file gets a note if tcpdump had to be killed)
  local t
  sleep 0.2
  kill -INT "$CAP_PID" 2>/dev/null || true
  for ((t = 0; t < 100; t++)); do # up to 10 s to write its file and exit
    kill -0 "$CAP_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$CAP_PID" 2>/dev/null; then
    echo "tcpdump still running 10 s after SIGINT, killed" >>"$1.err"
    kill -KILL "$CAP_PID" 2>/dev/null || true
  fi
  wait "$CAP_PID" 2>/dev/null || true
  CAP_PID=
}

# One round: pkt then iputils, each under its own capture; files $TMP/<round>-{pkt,ping}.*
round() { # name
  local r=$1
  client "$PING" -c 1 -W 1 "$L_SERVER_IP4" >/dev/null 2>&1 || true # ARP resolved up front
  cap_start "$TMP/$r-pkt.pcap"
  # In the background only to learn pkt's PID (ip netns exec execs): its echo id is PID & 0xffff.
  ip netns exec "$L_CLIENT_NS" "$PKT" ping "$L_SERVER_IP4" -c "$N" -i "$INTERVAL" --json \
    </dev/null >"$TMP/$r-pkt.out" 2>"$TMP/$r-pkt.err" &
  echo $(($! & 0xffff)) >"$TMP/$r-pkt.id"
  wait $! || true
  cap_stop "$TMP/$r-pkt.pcap"
  cap_start "$TMP/$r-ping.pcap"
  client "$PING" "$L_SERVER_IP4" -c "$N" -i "$INTERVAL" >"$TMP/$r-ping.out" 2>"$TMP/$r-ping.err" || true
  cap_stop "$TMP/$r-ping.pcap"
}

# Compare a round's tool RTTs with the capture.  Prints the table and sets nothing; the verdict
# lines are part of the output.
analyse() { # round name, title
  python3 - "$TMP/$1" "$L_CLIENT_IP4" "$L_SERVER_IP4" "$2" <<'PY'
import json, re, socket, statistics, struct, sys

base, cip, sip, title = sys.argv[1:5]
cip, sip = socket.inet_aton(cip), socket.inet_aton(sip)

def pcap(path):
    """(ts_ns, type, id, seq) of the ICMP echo requests client->server and replies back."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = data[:4]
    for end, nano in (("<", 0xA1B23C4D), (">", 0xA1B23C4D), ("<", 0xA1B2C3D4), (">", 0xA1B2C3D4)):
        if struct.unpack(end + "I", magic)[0] == nano:
            break
    else:
        raise SystemExit("%s: not a pcap file" % path)
    scale = 1 if nano == 0xA1B23C4D else 1000
    linktype = struct.unpack(end + "I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 16:
            continue
        if linktype == 1:  # Ethernet, maybe 802.1Q tags
            et, p = struct.unpack("!H", pkt[12:14])[0], 14
            while et in (0x8100, 0x88A8) and len(pkt) >= p + 4:
                et, p = struct.unpack("!H", pkt[p + 2:p + 4])[0], p + 4
        elif linktype == 113:  # Linux cooked
            et, p = struct.unpack("!H", pkt[14:16])[0], 16
        else:
            raise SystemExit("%s: link type %d" % (path, linktype))
        if et != 0x0800 or len(pkt) < p + 20:
            continue
        ihl = (pkt[p] & 15) * 4
        if pkt[p + 9] != 1 or len(pkt) < p + ihl + 8:
            continue
        src, dst = pkt[p + 12:p + 16], pkt[p + 16:p + 20]
        typ = pkt[p + ihl]
        ident, seq = struct.unpack("!HH", pkt[p + ihl + 4:p + ihl + 8])
        if (typ == 8 and (src, dst) == (cip, sip)) or (typ == 0 and (src, dst) == (sip, cip)):
            out.append((sec * 10**9 + frac * scale, typ, ident, seq))
    return out

def truth(path, ident=None):
    """The echo id (given, else that of most of the requests) and {seq: on-wire RTT in seconds}
    from the first request and the first reply after it for each seq; also the count of
    requests with that id, and the other ids seen."""
    pkts = pcap(path)
    ids = [i for _, t, i, _ in pkts if t == 8]
    if ident is None:
        if not ids:
            return None, {}, 0, set()
        ident = max(set(ids), key=ids.count)
    req, rtt = {}, {}
    for ts, t, i, s in pkts:
        if i != ident:
            continue
        if t == 8:
            req.setdefault(s, ts)
        elif s in req and s not in rtt:
            rtt[s] = (ts - req[s]) / 1e9
    return ident, rtt, ids.count(ident), set(ids) - {ident}

def tool_pkt(path):
    rtt = {}
    with open(path) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("type") == "reply" and not r.get("dup") and "rtt" in r:
                rtt.setdefault(int(r["seq"]) & 0xFFFF, float(r["rtt"]))
    return rtt

def tool_ping(path):
    rtt, decimals = {}, set()
    pat = re.compile(r"icmp_seq=(\d+) .*time=([0-9.]+) ms")
    with open(path) as f:
        for line in f:
            m = pat.search(line)
            if m and "DUP" not in line:
                rtt.setdefault(int(m.group(1)) & 0xFFFF, float(m.group(2)) / 1e3)
                t = m.group(2)
                decimals.add(len(t) - t.index(".") - 1 if "." in t else 0)
    return rtt, decimals

def q(xs, p):  # nearest rank on a sorted list
    return xs[min(len(xs) - 1, max(0, round(p * (len(xs) - 1))))]

res = {}
print(title)
print("  %-8s %5s %7s %8s | %9s %9s %9s %9s %9s %9s" % (
    "tool", "id", "matched", "truth", "median", "p10", "p90", "mean", "min", "max"))
print("  %-8s %5s %7s %8s | %s" % ("", "", "", "med ms", "error = tool RTT - on-wire RTT, µs"))
for name, f in (("pkt", "pkt"), ("iputils", "ping")):
    want = None
    if name == "pkt":
        with open(base + "-pkt.id") as fid:
            want = int(fid.read())
    ident, wire, nreq, others = truth("%s-%s.pcap" % (base, f), want)
    if name == "pkt":
        tool, note = tool_pkt("%s-%s.out" % (base, f)), ""
    else:
        tool, dec = tool_ping("%s-%s.out" % (base, f))
        note = "iputils printed %s decimal(s) of ms" % "/".join(str(d) for d in sorted(dec)) if dec else ""
    seqs = sorted(set(tool) & set(wire))
    err = sorted((tool[s] - wire[s]) * 1e6 for s in seqs)
    res[name] = err
    if not err:
        print("  %-8s %5s %7s   no sequence number both in the tool's output and the capture "
              "(%d replies from the tool, %d round trips captured)" % (
                  name, ident if ident is not None else "-", "0/%d" % len(tool), len(tool), len(wire)))
        continue
    med_wire = statistics.median(wire[s] for s in seqs) * 1e3
    print("  %-8s %5s %7s %8.3f | %+9.1f %+9.1f %+9.1f %+9.1f %+9.1f %+9.1f%s" % (
        name, ident, "%d/%d" % (len(seqs), nreq), med_wire, statistics.median(err), q(err, 0.1),
        q(err, 0.9), statistics.fmean(err), err[0], err[-1], "  (" + note + ")" if note else ""))
    if others:
        print("  %-8s %5s   requests with other ids in the capture: %s" % (
            "", "", " ".join(str(o) for o in sorted(others))))
    only_tool, only_wire = len(set(tool) - set(wire)), len(set(wire) - set(tool))
    if only_tool or only_wire:
        print("  %-8s %5s   %d seq only in the tool's output, %d only in the capture" % (
            "", "", only_tool, only_wire))
    big = [(s, (tool[s] - wire[s]) * 1e6) for s in seqs if abs(tool[s] - wire[s]) * 1e6 > 100]
    if big:
        print("  %-8s %5s   %d seq off by more than 100 µs, e.g. %s" % (
            "", "", len(big), ", ".join("seq %d %+.1f" % b for b in big[:5])))
p, i = res.get("pkt"), res.get("iputils")
if p:
    mp = abs(statistics.median(p))
    print("  goal pkt median |error| <= 20 µs: %s (%.1f µs)" % ("ok" if mp <= 20 else "MISS", mp))
    if i:
        mi = abs(statistics.median(i))
        print("  goal pkt median |error| <= iputils' (%.1f µs): %s" % (mi, "ok" if mp <= mi else "MISS"))
    else:
        print("  goal pkt median |error| <= iputils': n/a (no iputils data)")
else:
    print("  goal pkt median |error| <= 20 µs: MISS (no pkt data)")
PY
}

round plain
lab delay --name "$LAB" 1 "$DELAY_MS" --dir fwd >/dev/null 2>&1
delay_how=$(if [ "$(cat "/run/pktlab/$LAB/netem" 2>/dev/null)" = 1 ]; then echo "netem"; else echo "NFQUEUE + netdelay.py"; fi)
round delay
lab delay --name "$LAB" 1 0 --dir fwd >/dev/null 2>&1 || true

echo "machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "tools: $("$PKT" --version 2>/dev/null || echo pkt), $ping_version, $(tcpdump --version 2>&1 | head -n1)"
echo "lab $LAB: client $L_CLIENT_IP4 ($L_CLIENT_IF) -> r1 -> server $L_SERVER_IP4; $N probes per tool and round, -i $INTERVAL"
echo "truth: request -> reply gap in tcpdump's nanosecond time stamps on $L_CLIENT_IF (client namespace)"
echo
# The tools' stderr, and tcpdump's trouble (kernel drops, killed), if any.
notes() { # round name
  local t d
  for t in pkt ping; do
    if [ -s "$TMP/$1-$t.err" ]; then
      echo "  $t stderr: $(head -n3 "$TMP/$1-$t.err" | tr '\n' ' ')"
    fi
    d=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$TMP/$1-$t.pcap.err" | tail -n1)
    if [ "${d:-0}" != 0 ]; then echo "  tcpdump during $t: $d packets dropped by kernel"; fi
    if grep -q killed "$TMP/$1-$t.pcap.err"; then echo "  tcpdump during $t: still running 10 s after SIGINT, killed"; fi
  done
}
analyse plain "round 1: no added delay"
notes plain
echo
analyse delay "round 2: ${DELAY_MS} ms added on link 1 (r1 -> server, $delay_how), RTT about ${DELAY_MS} ms"
echo "  (iputils prints 2 decimals of ms between 1 and 10 ms: its RTTs are rounded to 10 µs here)"
notes delay
