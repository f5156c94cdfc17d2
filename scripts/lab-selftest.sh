#!/usr/bin/env bash
# lab-selftest.sh - end-to-end check of the namespace lab (scripts/lab.sh and
# scripts/netdelay.py).  Needs root; sends packets only inside the lab.
#
#   lab-selftest.sh [--name LAB] [--routers N] [--keep] [--parallel]
#
# Brings lab LAB (default "selftest") up, checks reachability, per-hop Time
# Exceeded, TCP/UDP services, delay, loss, silent routers, ICMP rate limiting,
# unreachable codes, idempotent up / repair, then takes it down and checks
# nothing is left.  ICMP is checked with a small raw-socket prober (exact
# type/code/source), cross-checked with ping(8) when it is installed.
# --keep leaves the lab up.  --parallel first checks that two labs (LAB and
# LAB2) are isolated from each other, then runs the whole test on both at
# once.  Exit status is non-zero if any check failed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_SH="$HERE/lab.sh"
NAME=selftest
ROUTERS=3
KEEP=0
PARALLEL=0
while (($#)); do
    case $1 in
    --name) NAME=$2 && shift 2 ;;
    --routers) ROUTERS=$2 && shift 2 ;;
    --keep) KEEP=1 && shift ;;
    --parallel) PARALLEL=1 && shift ;;
    *) echo "usage: $0 [--name LAB] [--routers N] [--keep] [--parallel]" >&2 && exit 2 ;;
    esac
done
[[ $(id -u) == 0 ]] || {
    echo "lab-selftest: must run as root" >&2
    exit 1
}
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
HAVE_PING=0
command -v ping >/dev/null 2>&1 && HAVE_PING=1

FAILS=0
trap 'echo "[$NAME] FAIL: command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
ok() { echo "[$NAME] ok   $*"; }
bad() {
    echo "[$NAME] FAIL $*"
    FAILS=$((FAILS + 1))
}
note() { echo "[$NAME]      $*"; }

lab() { "$LAB_SH" "$1" --name "$NAME" "${@:2}"; }

# ------------------------------------------------------------- prober ---

# probe DST TTL COUNT INTERVAL TIMEOUT: sends COUNT ICMP(v6) echo requests
# with the given TTL / hop limit from the client and prints, per probe:
#   <seq> reply <rtt_ms> <src>      echo reply
#   <seq> icmp <type> <code> <src>  ICMP error quoting our request
#   <seq> none                      nothing within TIMEOUT after the last
PROBE_PY='
import os, select, socket, struct, sys, time
dst, ttl, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
interval, timeout = float(sys.argv[4]), float(sys.argv[5])
v6 = ":" in dst
ident = os.getpid() & 0xFFFF
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    ECHO, REPLY = 128, 129  # the kernel fills in ICMPv6 checksums
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    ECHO, REPLY = 8, 0

def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF

def echo(seq):
    payload = b"pktlab-selftest-probe-0123456789"
    hdr = struct.pack("!BBHHH", ECHO, 0, 0, ident, seq)
    if not v6:
        hdr = struct.pack("!BBHHH", ECHO, 0, csum(hdr + payload), ident, seq)
    return hdr + payload

sent, result = {}, {}

def handle(data, src):
    if not v6:
        data = data[(data[0] & 0xF) * 4:]
    if len(data) < 8:
        return
    typ, code = data[0], data[1]
    if typ == REPLY:
        i, q = struct.unpack("!HH", data[4:8])
        if i == ident and q in sent and q not in result:
            result[q] = "reply %.3f %s" % ((time.monotonic() - sent[q]) * 1000, src)
        return
    inner = data[8:]  # the quoted datagram
    if v6:
        if len(inner) < 48 or inner[6] != 58:
            return
        inner = inner[40:]
    else:
        if len(inner) < 28 or inner[9] != 1:
            return
        inner = inner[(inner[0] & 0xF) * 4:]
    if inner[0] != ECHO:
        return
    i, q = struct.unpack("!HH", inner[4:8])
    if i == ident and q in sent and q not in result:
        result[q] = "icmp %d %d %s" % (typ, code, src)

def pump(until):
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return
        if select.select([s], [], [], left)[0]:
            data, addr = s.recvfrom(65535)
            handle(data, addr[0])

for seq in range(1, count + 1):
    sent[seq] = time.monotonic()
    try:
        s.sendto(echo(seq), (dst, 0))
    except OSError as e:
        result[seq] = "error %d" % e.errno
    if seq < count:
        pump(time.monotonic() + interval)
end = time.monotonic() + timeout
while len(result) < count and time.monotonic() < end:
    pump(min(end, time.monotonic() + 0.02))
for seq in range(1, count + 1):
    print(seq, result.get(seq, "none"))
'

cns() { ip netns exec "$CLIENT_NS" "$@"; }
probe() { cns "$PY" -c "$PROBE_PY" "$@"; }

# How many probes got an echo reply / a given ICMP message.
count_replies() { probe "$1" 64 "$2" "${3:-0.05}" "${4:-1}" | grep -c ' reply ' || true; }
count_icmp() { # DST TTL COUNT INTERVAL "TYPE CODE SRC"
    probe "$1" "$2" "$3" "$4" 1 | grep -c " icmp $5\$" || true
}
med_rtt() { # DST COUNT: median RTT (ms) of the replies, "none" without any
    probe "$1" 64 "$2" 0.2 1 | awk '$2 == "reply" { print $3 }' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2; else print "none" }'
}
ping_avg() { # DST COUNT: ping(8)'s average RTT
    cns ping -n -q -c "$2" -i 0.2 -W 2 "$1" 2>/dev/null | awk -F/ '/^rtt/ { print $5 }'
}
in_range() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "none" && x + 0 >= lo && x + 0 <= hi) }'; }

# Expect exactly one ICMP answer "TYPE CODE SRC" to a probe (TTL 64).
expect_icmp() { # label DST "TYPE CODE SRC" [timeout]
    local got
    got=$(probe "$2" 64 1 0 "${4:-1}" | cut -d' ' -f2-)
    if [[ $got == "icmp $3" ]]; then ok "$1: icmp $3"; else bad "$1: want 'icmp $3', got '$got'"; fi
}

# ------------------------------------------------------------ the test ---

cleanup() {
    if ((KEEP == 0)); then lab down >/dev/null 2>&1 || true; fi
}

run_test() {
    trap cleanup EXIT
    local t0=$SECONDS k v got n want lo hi base
    lab up --routers "$ROUTERS" || {
        bad "lab.sh up failed"
        return
    }
    eval "$(lab env)"
    ok "lab up: $CLIENT_NS ($CLIENT_IP4 $CLIENT_IP6) -> $ROUTERS routers -> $SERVER_NS ($SERVER_IP4 $SERVER_IP6)"

    # -- reachability ------------------------------------------------------
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        n=$(count_replies "$v" 3)
        if ((n == 3)); then ok "client pings server $v (3/3)"; else bad "client pings server $v: $n/3 replies"; fi
        if ((HAVE_PING)); then
            if cns ping -n -c 2 -i 0.2 -W 2 "$v" >/dev/null; then ok "ping(8) $v"; else bad "ping(8) $v"; fi
        fi
    done

    # -- per-hop Time Exceeded (what traceroute sees) ----------------------
    for ((k = 1; k <= ROUTERS; k++)); do
        eval "want4=\$ROUTER${k}_IP4 want6=\$ROUTER${k}_IP6"
        expect_ttl "ttl $k v4" "$SERVER_IP4" "$k" "11 0 $want4"
        expect_ttl "ttl $k v6" "$SERVER_IP6" "$k" "3 0 $want6"
        if ((HAVE_PING)); then
            got=$(cns ping -n -c 1 -W 1 -t "$k" "$SERVER_IP4" 2>&1 | grep -c "^From $want4 .*Time to live exceeded" || true)
            if ((got == 1)); then ok "ping -c1 -t $k: Time to live exceeded from $want4"; else bad "ping -c1 -t $k: no Time exceeded from $want4"; fi
        fi
    done
    got=$(probe "$SERVER_IP4" $((ROUTERS + 1)) 1 0 1 | cut -d' ' -f2,4)
    if [[ $got == "reply $SERVER_IP4" ]]; then ok "ttl $((ROUTERS + 1)) reaches the server"; else bad "ttl $((ROUTERS + 1)): got '$got'"; fi

    # -- TCP / UDP services ------------------------------------------------
    local svc
    svc=$(cns "$PY" - "$SERVER_IP4" "$SERVER_IP6" <<'EOF'
import socket, sys
def tcp(host, port, send=b"hello"):
    try:
        c = socket.create_connection((host, port), timeout=3)
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return "error-%s" % e.errno
    with c:
        c.settimeout(3)
        if port == 8080:
            return "banner:" + c.recv(100).decode().strip().replace(" ", "_")
        c.sendall(send)
        return "echo" if c.recv(100) == send else "noecho"
def udp(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    s.send(b"ping")
    try:
        return "echo" if s.recv(100) == b"ping" else "noecho"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return "error-%s" % e.errno
for host in sys.argv[1:]:
    print(host, "tcp80", tcp(host, 80), "tcp8080", tcp(host, 8080), "tcp81", tcp(host, 81),
          "udp7", udp(host, 7), "udp33434", udp(host, 33434))
EOF
    )
    while read -r host a b c d e f g h i j; do
        [[ "$a $b $e $f $g $h $i $j" == "tcp80 echo tcp81 refused udp7 echo udp33434 refused" &&
            $d == "banner:pktlab_$NAME" ]] &&
            ok "services on $host: TCP 80 echo, 8080 banner, 81 refused (RST), UDP 7 echo, 33434 port unreachable" ||
            bad "services on $host: $a $b $c $d $e $f $g $h $i $j"
    done <<<"$svc"

    # -- unreachable destinations ------------------------------------------
    local r4=$UNREACH_ROUTER_IP4 r6=$UNREACH_ROUTER_IP6
    expect_icmp "net unreachable $UNREACH_NET4" "$UNREACH_NET4" "3 0 $r4"
    expect_icmp "host unreachable $UNREACH_HOST4" "$UNREACH_HOST4" "3 1 $r4"
    expect_icmp "admin prohibited $UNREACH_ADMIN4" "$UNREACH_ADMIN4" "3 13 $r4"
    expect_icmp "no route $UNREACH_NET6" "$UNREACH_NET6" "1 0 $r6"
    expect_icmp "unreachable route $UNREACH_ROUTE6" "$UNREACH_ROUTE6" "1 0 $r6"
    expect_icmp "admin prohibited $UNREACH_ADMIN6" "$UNREACH_ADMIN6" "1 1 $r6"
    for v in "$BLACKHOLE4" "$BLACKHOLE6"; do
        got=$(probe "$v" 64 1 0 1 | cut -d' ' -f2)
        if [[ $got == none ]]; then ok "blackhole $v: no answer"; else bad "blackhole $v: got $got"; fi
    done
    # neighbour resolution failures take ~3 s: run both at once
    local tmp
    tmp=$(mktemp -d)
    probe "$UNREACH_NEIGH4" 64 1 0 5 >"$tmp/n4" &
    probe "$UNREACH_NEIGH6" 64 1 0 5 >"$tmp/n6" &
    wait
    got=$(cut -d' ' -f2- "$tmp/n4")
    [[ $got == "icmp 3 1 $r4" ]] && ok "no neighbour $UNREACH_NEIGH4: $got" || bad "no neighbour $UNREACH_NEIGH4: got '$got'"
    got=$(cut -d' ' -f2- "$tmp/n6")
    [[ $got == "icmp 1 3 $r6" ]] && ok "no neighbour $UNREACH_NEIGH6: $got" || bad "no neighbour $UNREACH_NEIGH6: got '$got'"
    rm -rf "$tmp"

    # -- silent router -----------------------------------------------------
    local mid=$(((ROUTERS + 1) / 2))
    eval "want4=\$ROUTER${mid}_IP4 want6=\$ROUTER${mid}_IP6"
    lab silent "$mid" on
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        got=$(probe "$v" "$mid" 2 0.05 1 | cut -d' ' -f2 | sort -u | tr '\n' ' ')
        if [[ $got == "none " ]]; then ok "silent r$mid: no Time Exceeded for $v"; else bad "silent r$mid: got '$got' for $v"; fi
    done
    if ((mid > 1)); then
        expect_ttl "silent r$mid, ttl 1 still answered" "$SERVER_IP4" 1 "11 0 $ROUTER1_IP4"
    fi
    n=$(count_replies "$SERVER_IP4" 3)
    ((n == 3)) && ok "silent r$mid still forwards" || bad "silent r$mid: only $n/3 replies through it"
    lab silent "$mid" off
    expect_ttl "silent r$mid off" "$SERVER_IP4" "$mid" "11 0 $want4"
    expect_ttl "silent r$mid off" "$SERVER_IP6" "$mid" "3 0 $want6"

    # -- ICMP rate limiting ------------------------------------------------
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        [[ $v == *:* ]] && want="3 0 $ROUTER1_IP6" || want="11 0 $ROUTER1_IP4"
        n=$(count_icmp "$v" 1 20 0.01 "$want")
        ((n == 20)) && ok "no rate limit by default: 20/20 Time Exceeded ($v)" || bad "default rate limit: $n/20 Time Exceeded ($v)"
        lab ratelimit 1 1000
        n=$(count_icmp "$v" 1 20 0.01 "$want")
        ((n >= 1 && n <= 10)) && ok "ratelimit r1 1000 ms: $n/20 Time Exceeded in 0.2 s ($v)" ||
            bad "ratelimit r1 1000 ms: $n/20 Time Exceeded in 0.2 s ($v), want 1..10"
        lab ratelimit 1 0
        n=$(count_icmp "$v" 1 20 0.01 "$want")
        ((n == 20)) && ok "ratelimit r1 0: 20/20 again ($v)" || bad "ratelimit r1 0: $n/20 ($v)"
    done

    # -- loss --------------------------------------------------------------
    lab loss 1 1.0
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        n=$(count_replies "$v" 5)
        ((n == 0)) && ok "loss link1 1.0: 0/5 replies ($v)" || bad "loss link1 1.0: $n/5 replies ($v)"
    done
    lab loss 1 0.5 --dir fwd # the rev direction keeps 1.0 from above
    n=$(count_replies "$SERVER_IP4" 10)
    ((n == 0)) && ok "loss --dir fwd leaves rev at 1.0" || bad "loss --dir fwd changed rev: $n/10"
    lab loss 1 0 --dir rev
    n=$(count_replies "$SERVER_IP4" 60 0.01)
    ((n >= 10 && n <= 50)) && ok "loss link1 0.5 fwd: $n/60 replies" || bad "loss link1 0.5 fwd: $n/60 replies, want 10..50"
    lab loss 1 0
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        n=$(count_replies "$v" 5)
        ((n == 5)) && ok "loss link1 0: 5/5 replies ($v)" || bad "loss link1 0: $n/5 replies ($v)"
    done

    # -- delay -------------------------------------------------------------
    base=$(med_rtt "$SERVER_IP4" 5)
    lab delay all 5
    want=$((2 * (ROUTERS + 1) * 5)) # both directions of every link
    lo=$(awk -v w="$want" 'BEGIN { print w - 0.5 }')
    hi=$(awk -v w="$want" 'BEGIN { print w * 1.25 + 3 }')
    got=$(probe "$SERVER_IP4" 64 1 0 2 | awk '$2 == "reply" { print $3 }')
    in_range "${got:-none}" "$lo" "$hi" && ok "first packet after 'delay' returns is delayed: $got ms" ||
        bad "first packet after 'delay': ${got:-none} ms, want $lo..$hi"
    for v in "$SERVER_IP4" "$SERVER_IP6"; do
        got=$(med_rtt "$v" 5)
        in_range "$got" "$lo" "$hi" && ok "delay 5 ms on all $((ROUTERS + 1)) links: median RTT $got ms (nominal $want, base $base) ($v)" ||
            bad "delay 5 ms on all links: RTT $got ms, want $lo..$hi ($v)"
        if ((HAVE_PING)); then
            got=$(ping_avg "$v" 5)
            in_range "${got:-none}" "$lo" "$hi" && ok "ping -c 5 $v: avg $got ms (nominal $want)" ||
                bad "ping -c 5 $v: avg ${got:-none} ms, want $lo..$hi"
        fi
    done
    lab delay all 0
    lab delay 0 10 --dir fwd
    got=$(med_rtt "$SERVER_IP4" 5)
    in_range "$got" 9.5 15 && ok "delay link0 10 ms fwd only: RTT $got ms" || bad "delay link0 10 ms fwd: RTT $got ms, want 9.5..15"
    lab delay 0 0
    got=$(med_rtt "$SERVER_IP4" 3)
    in_range "$got" 0 3 && ok "delay removed: RTT $got ms" || bad "delay removed: RTT $got ms"

    # -- idempotent up, knob reset, repair -----------------------------------
    local pid1 pid2
    pid1=$(cat "$LAB_DIR/listener.pid")
    lab loss 0 1.0
    lab up --routers "$ROUTERS"
    pid2=$(cat "$LAB_DIR/listener.pid")
    n=$(count_replies "$SERVER_IP4" 3)
    [[ $pid1 == "$pid2" ]] && ((n == 3)) && ok "second 'up' keeps the lab and resets knobs" ||
        bad "second 'up': listener $pid1 -> $pid2, $n/3 replies"
    ip netns del "$ROUTER1_NS"
    lab up --routers "$ROUTERS"
    n=$(count_replies "$SERVER_IP6" 3)
    ((n == 3)) && ok "'up' repairs a half-made lab" || bad "'up' after losing $ROUTER1_NS: $n/3 replies"

    # -- down ----------------------------------------------------------------
    if ((KEEP)); then
        note "--keep: lab $NAME left up"
    else
        local pids left
        lab delay 1 1 # a helper process for down to stop
        pids=$(cat "$LAB_DIR"/*.pid)
        lab down
        lab down # idempotent
        left=$(ip netns list | awk '{print $1}' | grep -c "^pktlab-$NAME-" || true)
        ((left == 0)) && ok "down: no pktlab-$NAME-* namespace left" || bad "down: $left namespaces left"
        [[ ! -e $LAB_DIR ]] && ok "down: $LAB_DIR removed" || bad "down: $LAB_DIR still there"
        sleep 0.2 # killed processes may linger briefly as zombies
        for v in $pids; do
            # a zombie has an empty cmdline; a live process does not
            [[ ! -s /proc/$v/cmdline ]] || bad "down: process $v still running"
        done
        ok "down: helper processes stopped ($(echo $pids))"
    fi
    trap - EXIT
    note "$((SECONDS - t0)) s"
}

# TTL-limited probe: expect "TYPE CODE SRC" (one retry: an unlucky first
# probe may race the neighbour cache after knob changes).
expect_ttl() { # label DST TTL "TYPE CODE SRC"
    local got
    got=$(probe "$2" "$3" 1 0 1 | cut -d' ' -f2-)
    [[ $got == "icmp $4" ]] || got=$(probe "$2" "$3" 1 0 1 | cut -d' ' -f2-)
    if [[ $got == "icmp $4" ]]; then ok "$1: icmp $4"; else bad "$1: want 'icmp $4', got '$got'"; fi
}

# Two labs at once: the same addresses, no interference.
isolation_test() {
    local other="${NAME}2" n
    trap 'NAME=$other lab down >/dev/null 2>&1 || true; lab down >/dev/null 2>&1 || true' EXIT
    lab up --routers "$ROUTERS"
    NAME=$other lab up --routers "$ROUTERS"
    eval "$(lab env)"
    lab loss all 1.0
    n=$(count_replies "$SERVER_IP4" 3)
    ((n == 0)) && ok "isolation: loss 1.0 in $NAME drops its traffic" || bad "isolation: $n/3 replies in $NAME"
    CLIENT_NS=$(NAME=$other lab env | sed -n 's/^CLIENT_NS=//p')
    n=$(count_replies "$SERVER_IP4" 3)
    ((n == 3)) && ok "isolation: $other (same addresses) unaffected: 3/3 replies" || bad "isolation: $other got $n/3 replies"
    lab down
    NAME=$other lab down
    trap - EXIT
}

if ((PARALLEL)); then
    isolation_test
    logs=$(mktemp -d)
    "$0" --name "$NAME" --routers "$ROUTERS" >"$logs/a" 2>&1 &
    pa=$!
    "$0" --name "${NAME}2" --routers "$ROUTERS" >"$logs/b" 2>&1 &
    pb=$!
    ra=0 rb=0
    wait "$pa" || ra=$?
    wait "$pb" || rb=$?
    cat "$logs/a" "$logs/b"
    rm -rf "$logs"
    ((ra == 0)) || bad "parallel run of lab $NAME failed"
    ((rb == 0)) || bad "parallel run of lab ${NAME}2 failed"
else
    ((HAVE_PING)) || note "ping(8) not installed: ICMP checks use the raw-socket prober only"
    run_test
fi

if ((FAILS)); then
    echo "[$NAME] $FAILS check(s) FAILED" >&2
    exit 1
fi
echo "[$NAME] all checks passed"
