#!/usr/bin/env bash
# lab.sh - network-namespace test lab for pkt.
#
# Builds a chain of network namespaces joined by veth pairs:
#
#   client ==link0== r1 ==link1== r2 == ... == rN ==linkN== server
#
# Nothing touches the host's own interfaces: every namespace is named
# pktlab-<LAB>-<node> (node = client, r1..rN, server), every interface is
# pktlab<k>a / pktlab<k>b, created directly inside its namespace, so labs with
# different names reuse the same addresses and interface names without
# colliding.  State and pidfiles live in /run/pktlab/<LAB>/.
#
# Link k joins node k (its "a" end, nearer the client) and node k+1 (its "b"
# end, nearer the server); node 0 is the client, node N+1 the server.
#
# Address plan (documentation prefixes only, the same in every lab):
#   link k < N   198.51.100.4k/30        a = 198.51.100.(4k+1)  b = .(4k+2)
#                2001:db8:0:<k hex>::/64 a = ...::1             b = ...::2
#   link N       192.0.2.0/24            a (rN) = 192.0.2.1     b (server) = 192.0.2.2
#                2001:db8:ffff::/64      a (rN) = ::1           b (server) = ::2
#   MAC of link k ends: a = 02:70:6b:00:<k hex>:0a, b = 02:70:6b:00:<k hex>:0b
# With 3 routers: client 198.51.100.1 / 2001:db8::1, r1 198.51.100.2 /
# 2001:db8::2, r2 198.51.100.6 / 2001:db8:0:1::2, r3 198.51.100.10 /
# 2001:db8:0:2::2, server 192.0.2.2 / 2001:db8:ffff::2.  A router's
# "ROUTERk_IP" is its client-facing address: the source of its ICMP errors to
# the client (icmp_errors_use_inbound_ifaddr=1), i.e. what traceroute shows.
#
# Routing: client and server have default routes via their neighbour; each
# router has one route per link on either side and NO default route, so any
# other destination gets "network unreachable" from r1.
#
# Unreachable destinations (routed through r1..rN-1, answered by rN):
#   203.0.113.1        no route on rN      ICMP 3/0  net unreachable (!N)
#   203.0.113.65       "unreachable" route ICMP 3/1  host unreachable (!H)
#   203.0.113.129      "prohibit" route    ICMP 3/13 admin. prohibited (!X)
#   203.0.113.193      "blackhole" route   no answer at all
#   192.0.2.99         no such neighbour   ICMP 3/1 host unreachable, after ~3 s ARP
#   2001:db8:e000:1::1 no route on rN      ICMPv6 1/0 no route
#   2001:db8:e000:2::1 "unreachable" route ICMPv6 1/0 no route (Linux uses code 0)
#   2001:db8:e000:3::1 "prohibit" route    ICMPv6 1/1 administratively prohibited
#   2001:db8:e000:4::1 "blackhole" route   no answer at all
#   2001:db8:ffff::99  no such neighbour   ICMPv6 1/3 address unreachable, after ~3 s ND
#
# Server services (dual-stack, one python3 process, PID in listener.pid):
#   TCP 80   accepts and echoes       TCP 8080  sends "pktlab <LAB>\r\n" then echoes
#   UDP 7    echo                     TCP 81    closed (RST)
#   UDP 33434 and up closed: ICMP port unreachable (3/3, ICMPv6 1/4)
#
# ICMP rate limiting is OFF by default in every namespace (icmp_ratelimit=0,
# icmp_ratemask=0, net.ipv6.icmp.ratelimit=0, net.ipv6.icmp.ratemask empty)
# so tests see every ICMP error.
#
# Usage (LAB defaults to "default", N to 3; LINK is 0..N or "all",
# ROUTER is k, rk or "all"):
#   lab.sh up     [--name LAB] [--routers N]   build it (if already up with N
#                                              routers: keep it, reset knobs)
#   lab.sh down   [--name LAB]                 remove it (idempotent)
#   lab.sh env    [--name LAB]                 KEY=value lines (see cmd_env)
#   lab.sh status                              every lab, helpers and knobs
#   lab.sh reset  [--name LAB]                 all knobs back to defaults
#   lab.sh delay  [--name LAB] LINK MS [--dir both|fwd|rev]
#        constant delay added on LINK; fwd = client->server direction (egress
#        of the a end), rev = server->client (egress of the b end), default
#        both, so one link with MS adds 2*MS to an RTT crossing it.  MS 0
#        removes it.  Uses sch_netem if the kernel has it, else an NFQUEUE
#        rule (--queue-bypass, queue number k) plus scripts/netdelay.py in
#        the namespace; returns once the helper is bound.
#   lab.sh loss   [--name LAB] LINK PROB [--dir both|fwd|rev]
#        random loss (0 <= PROB <= 1; 0 removes) with iptables/ip6tables
#        "-m statistic --mode random", applied on INGRESS of the receiving end
#        (mangle PREROUTING) so senders never see EPERM from their own drop.
#        IP packets only: ARP keeps working, IPv6 ND is dropped too.
#   lab.sh ratelimit [--name LAB] ROUTER MS [--burst B] [--per-sec R]
#        per-destination ICMP error rate limit on ROUTER: icmp_ratelimit and
#        net.ipv6.icmp.ratelimit = MS with the kernel's default ratemasks
#        (token bucket: a burst of 6 then one error per MS).  --per-sec R and
#        --burst B also set the namespace-wide bucket icmp_msgs_per_sec /
#        icmp_msgs_burst (kernel defaults 1000/50), which is noisier: each
#        message costs a random 0..2 tokens.  MS 0 without --per-sec/--burst
#        restores the lab default (no limit at all).
#   lab.sh silent [--name LAB] ROUTER on|off
#        ROUTER sends no ICMP/ICMPv6 errors (filter OUTPUT drops the types
#        dest-unreachable, time-exceeded, parameter-problem, packet-too-big),
#        so traceroute shows "*" for it.  It still forwards and answers ping.
#
# "env" keys (values never need quoting; k = 1..N routers, l = 0..N links):
#   LAB LAB_UP(0|1) LAB_DIR ROUTERS
#   CLIENT_NS CLIENT_IF CLIENT_MAC CLIENT_IP4 CLIENT_IP6 CLIENT_NET4 CLIENT_NET6
#   NEXTHOP_IP4 NEXTHOP_IP6 NEXTHOP_MAC            (r1, the client's gateway)
#   SERVER_NS SERVER_IF SERVER_MAC SERVER_IP4 SERVER_IP6 SERVER_NET4
#   SERVER_NET6 SERVER_GW4 SERVER_GW6
#   SERVER_TCP_OPEN=80 SERVER_TCP_BANNER=8080 SERVER_TCP_CLOSED=81
#   SERVER_UDP_ECHO=7 SERVER_UDP_CLOSED=33434
#   UNREACH_ROUTER(=N) UNREACH_ROUTER_IP4 UNREACH_ROUTER_IP6
#   UNREACH_NET4 UNREACH_HOST4 UNREACH_ADMIN4 BLACKHOLE4 UNREACH_NEIGH4
#   UNREACH_NET6 UNREACH_ROUTE6 UNREACH_ADMIN6 BLACKHOLE6 UNREACH_NEIGH6
#   ROUTERk_NS ROUTERk_IP4 ROUTERk_IP6 ROUTERk_IF ROUTERk_MAC  (client side)
#   ROUTERk_FAR_IP4 ROUTERk_FAR_IP6 ROUTERk_FAR_IF              (server side)
#   LINKl_{A,B}_{NS,IF,MAC,IP4,IP6} LINKl_NET4 LINKl_NET6
#
# Environment: PKTLAB_PYTHON (interpreter for the helpers), PKTLAB_DELAY_RT
# (SCHED_FIFO priority of netdelay.py, default 10, 0 = normal scheduling:
# keeps delays accurate when the CPUs are busy).  Lock files
# /run/pktlab/<LAB>.lock serialise commands on one lab and are left behind.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_ROOT="/run/pktlab"
MAX_ROUTERS=64 # 198.51.100.0/24 holds 64 /30 transit links
if [[ -n "${PKTLAB_PYTHON:-}" ]]; then
    PYTHON="$PKTLAB_PYTHON"
elif [[ -x /usr/bin/python3 ]]; then
    PYTHON=/usr/bin/python3 # starts faster than a pyenv shim
else
    PYTHON=python3
fi

LAB="default"
ROUTERS=""
DIR="both"
BURST=""
PERSEC=""
ARGS=()

die() {
    echo "lab.sh: $*" >&2
    exit 1
}
log() { echo "lab.sh: $*" >&2; }

# ---------------------------------------------------------------- naming ---

ns_of() { # node index (0 = client, 1..N routers, N+1 = server) -> namespace
    local i=$1
    if ((i == 0)); then
        echo "pktlab-$LAB-client"
    elif ((i == N + 1)); then
        echo "pktlab-$LAB-server"
    else
        echo "pktlab-$LAB-r$i"
    fi
}
if_a() { echo "pktlab${1}a"; } # link k, end in node k
if_b() { echo "pktlab${1}b"; } # link k, end in node k+1
mac_a() { printf '02:70:6b:00:%02x:0a' "$1"; }
mac_b() { printf '02:70:6b:00:%02x:0b' "$1"; }

v4_a() { if (($1 == N)); then echo 192.0.2.1; else echo "198.51.100.$((4 * $1 + 1))"; fi; }
v4_b() { if (($1 == N)); then echo 192.0.2.2; else echo "198.51.100.$((4 * $1 + 2))"; fi; }
v4_net() { if (($1 == N)); then echo 192.0.2.0/24; else echo "198.51.100.$((4 * $1))/30"; fi; }
v4_len() { if (($1 == N)); then echo 24; else echo 30; fi; }
v6_pfx() { # canonical prefix text of link k, ending in "::"
    if (($1 == N)); then
        echo "2001:db8:ffff::"
    elif (($1 == 0)); then
        echo "2001:db8::"
    else
        printf '2001:db8:0:%x::' "$1"
    fi
}
v6_a() { echo "$(v6_pfx "$1")1"; }
v6_b() { echo "$(v6_pfx "$1")2"; }
v6_net() { echo "$(v6_pfx "$1")/64"; }

# Unreachable test destinations (all answered by the last router).
UNREACH_NET4=203.0.113.1
UNREACH_HOST4=203.0.113.65
UNREACH_ADMIN4=203.0.113.129
BLACKHOLE4=203.0.113.193
UNREACH_NEIGH4=192.0.2.99
UNREACH_NET6=2001:db8:e000:1::1
UNREACH_ROUTE6=2001:db8:e000:2::1
UNREACH_ADMIN6=2001:db8:e000:3::1
BLACKHOLE6=2001:db8:e000:4::1
UNREACH_NEIGH6=2001:db8:ffff::99

# ----------------------------------------------------------------- state ---

lab_dir() { echo "$RUN_ROOT/$LAB"; }

lock_lab() { # serialise every mutating command on one lab
    mkdir -p "$RUN_ROOT"
    exec 9>"$RUN_ROOT/$LAB.lock"
    flock -w 120 9 || die "timeout waiting for the lock of lab $LAB"
}

# N for an existing lab (from its state file), else --routers, else 3.
load_n() {
    local state
    state="$(lab_dir)/state"
    if [[ -f $state ]] && grep -q '^ROUTERS=' "$state"; then
        N=$(sed -n 's/^ROUTERS=//p' "$state")
    else
        N=${ROUTERS:-3}
    fi
}

require_up() {
    [[ -f "$(lab_dir)/state" ]] || die "lab $LAB is not up (run: lab.sh up --name $LAB)"
    load_n
}

nsx() { # run a command inside node i's namespace
    local i=$1
    shift
    ip netns exec "$(ns_of "$i")" "$@"
}

# Our namespaces for this lab, exactly by name (client, server, r<digits>).
lab_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' |
        grep -E "^pktlab-$LAB-(client|server|r[0-9]+)\$" || true
}

# Is PID a live process we started (listener or netdelay helper)?
our_pid() {
    local pid=$1 cmd
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *pktlab-listener* || $cmd == *netdelay.py* ]]
}

# Stop the process recorded in a pidfile (only if it is still ours).
stop_pidfile() {
    local f=$1 pid t
    [[ -f $f ]] || return 0
    pid=$(head -n1 "$f" 2>/dev/null || true)
    if our_pid "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((t = 0; t < 50; t++)); do
            our_pid "$pid" || break
            sleep 0.05
        done
        if our_pid "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$f"
}

# Start a daemon in node i's namespace, detached (own session, no inherited
# stdio or lock fd), and wait until it writes READY (its PID) -> PIDFILE.
start_daemon() {
    local i=$1 name=$2 ready pidfile logf t pid
    shift 2
    ready="$(lab_dir)/$name.ready"
    pidfile="$(lab_dir)/$name.pid"
    logf="$(lab_dir)/$name.log"
    rm -f "$ready"
    # ip netns exec and setsid both exec(), so $! is the daemon's own PID.
    ip netns exec "$(ns_of "$i")" setsid "$@" --ready-file "$ready" \
        </dev/null >"$logf" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$pidfile"
    for ((t = 0; t < 200; t++)); do # up to 10 s
        if [[ -s $ready ]]; then
            head -n1 "$ready" >"$pidfile"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    stop_pidfile "$pidfile"
    cat "$logf" >&2 || true
    die "$name did not become ready (log: $logf)"
}

# ------------------------------------------------------- server listener ---

# One dual-stack process: TCP 80 echo, TCP 8080 banner+echo, UDP 7 echo.
# argv: pktlab-listener LAB --ready-file FILE
LISTENER_PY='
import os, socket, sys, threading
lab, ready = sys.argv[2], sys.argv[4]

def sock6(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    return s

def serve(conn, banner):
    with conn:
        try:
            if banner:
                conn.sendall(banner)
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass

def tcp_loop(s, banner):
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, banner), daemon=True).start()

def udp_loop(s):
    while True:
        data, peer = s.recvfrom(65536)
        try:
            s.sendto(data, peer)
        except OSError:
            pass

servers = []
for port, banner in ((80, b""), (8080, ("pktlab %s\r\n" % lab).encode())):
    s = sock6(socket.SOCK_STREAM, port)
    s.listen(128)
    servers.append(threading.Thread(target=tcp_loop, args=(s, banner), daemon=True))
servers.append(threading.Thread(target=udp_loop, args=(sock6(socket.SOCK_DGRAM, 7),), daemon=True))
for t in servers:
    t.start()
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.replace(ready + ".tmp", ready)
threading.Event().wait()
'

# ------------------------------------------------------------- teardown ---

teardown() {
    local dir f ns
    dir=$(lab_dir)
    # 1. our processes, by recorded PID only
    if [[ -d $dir ]]; then
        for f in "$dir"/*.pid; do
            [[ -e $f ]] || continue
            stop_pidfile "$f"
        done
    fi
    # 2. our namespaces, by exact name (their veths go with them)
    for ns in $(lab_namespaces); do
        ip netns del "$ns" 2>/dev/null || log "could not delete namespace $ns"
    done
    rm -rf "$dir"
}

# ---------------------------------------------------------------- build ---

sysctl_ns() { # node index, then key=value ...
    local i=$1
    shift
    nsx "$i" sysctl -q -w "$@" >/dev/null
}

# No ICMP rate limiting (per destination nor namespace-wide) in node i.
icmp_unlimited() {
    # Empty ratemasks skip both limiters, and leave the per-destination
    # token buckets untouched: a later "ratelimit" then starts with a full
    # burst (a ratelimit of 0 with the default mask would drain them).
    sysctl_ns "$1" net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
        net.ipv6.icmp.ratelimit=0 "net.ipv6.icmp.ratemask="
}

build() {
    local i k ns last=$((N + 1)) dir
    dir=$(lab_dir)
    mkdir -p "$dir/knobs"

    # Namespaces and their sysctls (before any interface exists, so the
    # "default" values apply to the veths created next).
    for ((i = 0; i <= last; i++)); do
        ns=$(ns_of "$i")
        ip netns add "$ns"
        nsx "$i" ip link set lo up
        sysctl_ns "$i" \
            net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
            net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
            net.ipv6.conf.default.router_solicitations=0 \
            net.ipv4.icmp_errors_use_inbound_ifaddr=1
        icmp_unlimited "$i"
        if ((i > 0 && i < last)); then
            sysctl_ns "$i" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
                net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
        fi
    done

    # Links: veth pairs created directly in their two namespaces.
    for ((k = 0; k <= N; k++)); do
        ip link add "$(if_a "$k")" netns "$(ns_of "$k")" address "$(mac_a "$k")" type veth \
            peer name "$(if_b "$k")" netns "$(ns_of $((k + 1)))" address "$(mac_b "$k")"
        nsx "$k" ip addr add "$(v4_a "$k")/$(v4_len "$k")" dev "$(if_a "$k")"
        nsx "$k" ip addr add "$(v6_a "$k")/64" dev "$(if_a "$k")" nodad
        nsx "$k" ip link set "$(if_a "$k")" up
        nsx $((k + 1)) ip addr add "$(v4_b "$k")/$(v4_len "$k")" dev "$(if_b "$k")"
        nsx $((k + 1)) ip addr add "$(v6_b "$k")/64" dev "$(if_b "$k")" nodad
        nsx $((k + 1)) ip link set "$(if_b "$k")" up
    done

    # Routes.
    nsx 0 ip route add default via "$(v4_b 0)"
    nsx 0 ip -6 route add default via "$(v6_b 0)"
    nsx "$last" ip route add default via "$(v4_a "$N")"
    nsx "$last" ip -6 route add default via "$(v6_a "$N")"
    local j left4 left6 right4 right6
    for ((i = 1; i <= N; i++)); do
        left4=$(v4_a $((i - 1)))
        left6=$(v6_a $((i - 1)))
        right4=$(v4_b "$i")
        right6=$(v6_b "$i")
        for ((j = 0; j < i - 1; j++)); do
            nsx "$i" ip route add "$(v4_net "$j")" via "$left4"
            nsx "$i" ip -6 route add "$(v6_net "$j")" via "$left6"
        done
        for ((j = i + 1; j <= N; j++)); do
            nsx "$i" ip route add "$(v4_net "$j")" via "$right4"
            nsx "$i" ip -6 route add "$(v6_net "$j")" via "$right6"
        done
        if ((i < N)); then
            nsx "$i" ip route add 203.0.113.0/24 via "$right4"
            nsx "$i" ip -6 route add 2001:db8:e000::/48 via "$right6"
        else
            # 203.0.113.0/26 and 2001:db8:e000:1::/64: no route at all.
            nsx "$i" ip route add unreachable 203.0.113.64/26
            nsx "$i" ip route add prohibit 203.0.113.128/26
            nsx "$i" ip route add blackhole 203.0.113.192/26
            nsx "$i" ip -6 route add unreachable 2001:db8:e000:2::/64
            nsx "$i" ip -6 route add prohibit 2001:db8:e000:3::/64
            nsx "$i" ip -6 route add blackhole 2001:db8:e000:4::/64
        fi
    done

    wait_links_ready

    # Server services.
    start_daemon "$last" listener "$PYTHON" -c "$LISTENER_PY" pktlab-listener "$LAB"

    echo "ROUTERS=$N" >"$dir/state"
}

# Wait until every veth is operationally up with its IPv6 multicast route.
# The kernel learns of a veth's carrier through linkwatch, which may lag by up
# to a second; until then IPv6 on that link drops neighbour solicitations
# (counted as Ip6InNoRoutes), so the first IPv6 packets would stall ~1 s.
wait_links_ready() {
    local t i want have
    want=$((2 * (N + 1)))
    for ((t = 0; t < 100; t++)); do # up to 5 s
        have=0
        for ((i = 0; i <= N + 1; i++)); do
            have=$((have + $(ip -n "$(ns_of "$i")" -6 route show table local type multicast |
                grep -c ' dev pktlab' || true)))
            have=$((have - $(ip -n "$(ns_of "$i")" -o link show |
                grep ': pktlab' | grep -vc 'state UP' || true)))
        done
        ((have == want)) && return 0
        sleep 0.05
    done
    log "warning: some links of lab $LAB are not ready after 5 s"
}

# Is the lab complete with N routers and its listener alive?
healthy() {
    local dir have i
    dir=$(lab_dir)
    [[ -f $dir/state ]] || return 1
    [[ $(sed -n 's/^ROUTERS=//p' "$dir/state") == "$N" ]] || return 1
    our_pid "$(head -n1 "$dir/listener.pid" 2>/dev/null)" || return 1
    have=$(lab_namespaces)
    for ((i = 0; i <= N + 1; i++)); do
        grep -qx "$(ns_of "$i")" <<<"$have" || return 1
    done
}

# ------------------------------------------------------------------ knobs ---

ipt_both() { # node, then iptables args: run for iptables and ip6tables
    local i=$1
    shift
    nsx "$i" iptables -w "$@"
    nsx "$i" ip6tables -w "$@"
}

# Add a rule (iptables and ip6tables) unless it is already there; -I puts
# it first in the chain.
ensure_rule() { # node, table, -A|-I, chain, rule...
    local i=$1 table=$2 op=$3 chain=$4 cmd
    shift 4
    for cmd in iptables ip6tables; do
        nsx "$i" "$cmd" -w -t "$table" -C "$chain" "$@" 2>/dev/null ||
            nsx "$i" "$cmd" -w -t "$table" "$op" "$chain" "$@"
    done
}

remove_rule() { # node, table, chain, rule...
    local i=$1 table=$2 chain=$3 cmd
    shift 3
    for cmd in iptables ip6tables; do
        while nsx "$i" "$cmd" -w -t "$table" -C "$chain" "$@" 2>/dev/null; do
            nsx "$i" "$cmd" -w -t "$table" -D "$chain" "$@"
        done
    done
}

ensure_chain() { # node, table, chain
    local cmd
    for cmd in iptables ip6tables; do
        nsx "$1" "$cmd" -w -t "$2" -N "$3" 2>/dev/null || true
    done
}

drop_chain() { # node, table, chain (must be unreferenced)
    local cmd
    for cmd in iptables ip6tables; do
        nsx "$1" "$cmd" -w -t "$2" -F "$3" 2>/dev/null || true
        nsx "$1" "$cmd" -w -t "$2" -X "$3" 2>/dev/null || true
    done
}

# Expand LINK ("all" or 0..N) into link numbers.  Run check_link first:
# these run in $(...), where die cannot stop the script.
check_link() {
    [[ $1 == all ]] || { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 <= N)); } ||
        die "bad LINK '$1' (0..$N or all)"
}
links_of() {
    local k
    if [[ $1 == all ]]; then
        for ((k = 0; k <= N; k++)); do echo "$k"; done
    else
        echo "$((10#$1))"
    fi
}

# Expand ROUTER ("all", k or rk) into router numbers (check_router first).
check_router() {
    local r=${1#r}
    [[ $1 == all ]] || { [[ $r =~ ^[0-9]+$ ]] && ((10#$r >= 1 && 10#$r <= N)); } ||
        die "bad ROUTER '$1' (1..$N, rK or all)"
}
routers_of() {
    local k
    if [[ $1 == all ]]; then
        for ((k = 1; k <= N; k++)); do echo "$k"; done
    else
        echo "$((10#${1#r}))"
    fi
}

check_dir() {
    [[ $DIR == both || $DIR == fwd || $DIR == rev ]] || die "bad --dir '$DIR' (both, fwd or rev)"
}

# Link ends selected by --dir: "node iface" for each egress end.
#   fwd (client->server) leaves through the a end, rev through the b end.
egress_ends() {
    local k=$1
    case $DIR in
    fwd) echo "$k $(if_a "$k")" ;;
    rev) echo "$((k + 1)) $(if_b "$k")" ;;
    both) echo "$k $(if_a "$k")" && echo "$((k + 1)) $(if_b "$k")" ;;
    esac
}

is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ || $1 =~ ^[.][0-9]+$ ]]; }
is_zero() { awk -v x="$1" 'BEGIN { exit !(x + 0 == 0) }'; }

netem_ok() { # does this kernel have sch_netem? (probe once per lab)
    local f
    f="$(lab_dir)/netem"
    if [[ ! -f $f ]]; then
        if nsx 0 tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
            nsx 0 tc qdisc del dev lo root 2>/dev/null || true
            echo 1 >"$f"
        else
            echo 0 >"$f"
        fi
    fi
    [[ $(cat "$f") == 1 ]]
}

# Set (ms > 0) or clear (ms = 0) the delay on egress of iface in node i.
set_delay_end() {
    local i=$1 ifc=$2 k=$3 ms=$4 rule
    rule=(-o "$ifc" -j NFQUEUE --queue-num "$k" --queue-bypass)
    stop_pidfile "$(lab_dir)/delay-$ifc.pid"
    rm -f "$(lab_dir)/knobs/delay-$ifc"
    nsx "$i" tc qdisc del dev "$ifc" root 2>/dev/null || true
    if is_zero "$ms"; then
        remove_rule "$i" mangle POSTROUTING "${rule[@]}"
        return 0
    fi
    if netem_ok; then
        remove_rule "$i" mangle POSTROUTING "${rule[@]}"
        nsx "$i" tc qdisc add dev "$ifc" root netem delay "${ms}ms"
    else
        start_daemon "$i" "delay-$ifc" "$PYTHON" "$SCRIPT_DIR/netdelay.py" \
            --queue "$k" --delay "$ms" --realtime "${PKTLAB_DELAY_RT:-10}"
        ensure_rule "$i" mangle -A POSTROUTING "${rule[@]}"
    fi
    echo "$ms" >"$(lab_dir)/knobs/delay-$ifc"
}

cmd_delay() {
    ((${#ARGS[@]} == 2)) || die "usage: lab.sh delay [--name LAB] LINK MS [--dir both|fwd|rev]"
    local ms=${ARGS[1]} k i ifc
    is_number "$ms" || die "bad delay '$ms' (milliseconds)"
    check_link "${ARGS[0]}"
    check_dir
    for k in $(links_of "${ARGS[0]}"); do
        while read -r i ifc; do
            set_delay_end "$i" "$ifc" "$k" "$ms"
        done < <(egress_ends "$k")
    done
}

# Loss on link k towards node i is dropped on ingress of iface in node i.
set_loss_end() {
    local i=$1 ifc=$2 p=$3 chain="PKTLAB_LOSS_$2"
    remove_rule "$i" mangle PREROUTING -i "$ifc" -j "$chain"
    drop_chain "$i" mangle "$chain"
    rm -f "$(lab_dir)/knobs/loss-$ifc"
    is_zero "$p" && return 0
    ensure_chain "$i" mangle "$chain"
    if awk -v x="$p" 'BEGIN { exit !(x + 0 >= 1) }'; then
        ipt_both "$i" -t mangle -A "$chain" -j DROP
    else
        ipt_both "$i" -t mangle -A "$chain" -m statistic --mode random --probability "$p" -j DROP
    fi
    ensure_rule "$i" mangle -I PREROUTING -i "$ifc" -j "$chain"
    echo "$p" >"$(lab_dir)/knobs/loss-$ifc"
}

cmd_loss() {
    ((${#ARGS[@]} == 2)) || die "usage: lab.sh loss [--name LAB] LINK PROB [--dir both|fwd|rev]"
    local p=${ARGS[1]} k
    is_number "$p" && awk -v x="$p" 'BEGIN { exit !(x + 0 <= 1) }' ||
        die "bad probability '$p' (0..1)"
    check_link "${ARGS[0]}"
    check_dir
    for k in $(links_of "${ARGS[0]}"); do
        # ingress ends: fwd traffic arrives at the b end, rev at the a end
        case $DIR in
        fwd) set_loss_end $((k + 1)) "$(if_b "$k")" "$p" ;;
        rev) set_loss_end "$k" "$(if_a "$k")" "$p" ;;
        both)
            set_loss_end $((k + 1)) "$(if_b "$k")" "$p"
            set_loss_end "$k" "$(if_a "$k")" "$p"
            ;;
        esac
    done
}

set_ratelimit() { # router, ms (uses --per-sec / --burst)
    local r=$1 ms=$2
    rm -f "$(lab_dir)/knobs/ratelimit-r$r"
    if ((ms == 0)) && [[ -z $PERSEC && -z $BURST ]]; then
        icmp_unlimited "$r"
        sysctl_ns "$r" net.ipv4.icmp_msgs_per_sec=1000 net.ipv4.icmp_msgs_burst=50
        return 0
    fi
    # Kernel default masks: v4 dest-unreach, source-quench, time-exceeded,
    # param-problem; v6 every error except packet-too-big.  Both limiters
    # only apply to the types in the masks.  The namespace-wide bucket
    # (icmp_msgs_*) is per netns since Linux 6.12 and is shared by v4 and v6.
    sysctl_ns "$r" net.ipv4.icmp_ratemask=6168 "net.ipv6.icmp.ratemask=0-1,3-127" \
        net.ipv4.icmp_ratelimit="$ms" net.ipv6.icmp.ratelimit="$ms" \
        net.ipv4.icmp_msgs_per_sec="${PERSEC:-1000}" net.ipv4.icmp_msgs_burst="${BURST:-50}"
    echo "ratelimit=${ms}ms msgs_per_sec=${PERSEC:-1000} msgs_burst=${BURST:-50}" \
        >"$(lab_dir)/knobs/ratelimit-r$r"
}

cmd_ratelimit() {
    ((${#ARGS[@]} == 2)) || die "usage: lab.sh ratelimit [--name LAB] ROUTER MS [--burst B] [--per-sec R]"
    local ms=${ARGS[1]} r
    [[ $ms =~ ^[0-9]+$ ]] || die "bad rate limit '$ms' (integer milliseconds)"
    [[ -z $BURST || $BURST =~ ^[0-9]+$ ]] || die "bad --burst '$BURST'"
    [[ -z $PERSEC || $PERSEC =~ ^[0-9]+$ ]] || die "bad --per-sec '$PERSEC'"
    check_router "${ARGS[0]}"
    for r in $(routers_of "${ARGS[0]}"); do
        set_ratelimit "$r" "$ms"
    done
}

set_silent() { # router, on|off
    local r=$1 chain=PKTLAB_SILENT t
    remove_rule "$r" filter OUTPUT -j "$chain"
    drop_chain "$r" filter "$chain"
    rm -f "$(lab_dir)/knobs/silent-r$r"
    [[ $2 == on ]] || return 0
    ensure_chain "$r" filter "$chain"
    for t in destination-unreachable time-exceeded parameter-problem; do
        nsx "$r" iptables -w -A "$chain" -p icmp --icmp-type "$t" -j DROP
    done
    for t in destination-unreachable packet-too-big time-exceeded parameter-problem; do
        nsx "$r" ip6tables -w -A "$chain" -p ipv6-icmp --icmpv6-type "$t" -j DROP
    done
    ensure_rule "$r" filter -A OUTPUT -j "$chain"
    echo on >"$(lab_dir)/knobs/silent-r$r"
}

cmd_silent() {
    ((${#ARGS[@]} == 2)) || die "usage: lab.sh silent [--name LAB] ROUTER on|off"
    local r
    [[ ${ARGS[1]} == on || ${ARGS[1]} == off ]] || die "bad state '${ARGS[1]}' (on or off)"
    check_router "${ARGS[0]}"
    for r in $(routers_of "${ARGS[0]}"); do
        set_silent "$r" "${ARGS[1]}"
    done
}

# Undo every knob recorded in knobs/ (each setter records what it set).
reset_knobs() {
    local f knob k
    DIR=both
    for f in "$(lab_dir)"/knobs/*; do
        [[ -e $f ]] || continue
        knob=$(basename "$f")
        case $knob in
        delay-pktlab*a | loss-pktlab*a) # a end of link k lives in node k
            k=${knob#*-pktlab} && k=${k%a}
            if [[ $knob == delay-* ]]; then
                set_delay_end "$k" "$(if_a "$k")" "$k" 0
            else
                set_loss_end "$k" "$(if_a "$k")" 0
            fi
            ;;
        delay-pktlab*b | loss-pktlab*b) # b end of link k lives in node k+1
            k=${knob#*-pktlab} && k=${k%b}
            if [[ $knob == delay-* ]]; then
                set_delay_end $((k + 1)) "$(if_b "$k")" "$k" 0
            else
                set_loss_end $((k + 1)) "$(if_b "$k")" 0
            fi
            ;;
        ratelimit-r*) set_ratelimit "${knob#ratelimit-r}" 0 ;;
        silent-r*) set_silent "${knob#silent-r}" off ;;
        *) rm -f "$f" ;;
        esac
    done
}

# -------------------------------------------------------------- commands ---

cmd_up() {
    ((${#ARGS[@]} == 0)) || die "usage: lab.sh up [--name LAB] [--routers N]"
    N=${ROUTERS:-3}
    [[ $N =~ ^[0-9]+$ ]] && ((N >= 1 && N <= MAX_ROUTERS)) || die "bad --routers '$N' (1..$MAX_ROUTERS)"
    N=$((10#$N))
    lock_lab
    if healthy; then
        reset_knobs
        log "lab $LAB already up ($N routers); knobs reset"
        return 0
    fi
    teardown # leftovers of a half-made or differently sized lab
    if ! build; then
        teardown
        die "building lab $LAB failed"
    fi
    log "lab $LAB up: client $(ns_of 0) -> $N routers -> server $(ns_of $((N + 1)))"
}

cmd_down() {
    ((${#ARGS[@]} == 0)) || die "usage: lab.sh down [--name LAB]"
    lock_lab
    teardown
}

cmd_reset() {
    lock_lab
    require_up
    reset_knobs
}

# KEY=value lines for the lab (shell-evaluable, no quoting needed).
cmd_env() {
    load_n
    local k last=$((N + 1)) up=0
    [[ -f "$(lab_dir)/state" ]] && up=1
    cat <<EOF
LAB=$LAB
LAB_UP=$up
LAB_DIR=$(lab_dir)
ROUTERS=$N
CLIENT_NS=$(ns_of 0)
CLIENT_IF=$(if_a 0)
CLIENT_MAC=$(mac_a 0)
CLIENT_IP4=$(v4_a 0)
CLIENT_IP6=$(v6_a 0)
CLIENT_NET4=$(v4_net 0)
CLIENT_NET6=$(v6_net 0)
NEXTHOP_IP4=$(v4_b 0)
NEXTHOP_IP6=$(v6_b 0)
NEXTHOP_MAC=$(mac_b 0)
SERVER_NS=$(ns_of "$last")
SERVER_IF=$(if_b "$N")
SERVER_MAC=$(mac_b "$N")
SERVER_IP4=$(v4_b "$N")
SERVER_IP6=$(v6_b "$N")
SERVER_NET4=$(v4_net "$N")
SERVER_NET6=$(v6_net "$N")
SERVER_GW4=$(v4_a "$N")
SERVER_GW6=$(v6_a "$N")
SERVER_TCP_OPEN=80
SERVER_TCP_BANNER=8080
SERVER_TCP_CLOSED=81
SERVER_UDP_ECHO=7
SERVER_UDP_CLOSED=33434
UNREACH_ROUTER=$N
UNREACH_ROUTER_IP4=$(v4_b $((N - 1)))
UNREACH_ROUTER_IP6=$(v6_b $((N - 1)))
UNREACH_NET4=$UNREACH_NET4
UNREACH_HOST4=$UNREACH_HOST4
UNREACH_ADMIN4=$UNREACH_ADMIN4
BLACKHOLE4=$BLACKHOLE4
UNREACH_NEIGH4=$UNREACH_NEIGH4
UNREACH_NET6=$UNREACH_NET6
UNREACH_ROUTE6=$UNREACH_ROUTE6
UNREACH_ADMIN6=$UNREACH_ADMIN6
BLACKHOLE6=$BLACKHOLE6
UNREACH_NEIGH6=$UNREACH_NEIGH6
EOF
    for ((k = 1; k <= N; k++)); do
        cat <<EOF
ROUTER${k}_NS=$(ns_of "$k")
ROUTER${k}_IP4=$(v4_b $((k - 1)))
ROUTER${k}_IP6=$(v6_b $((k - 1)))
ROUTER${k}_IF=$(if_b $((k - 1)))
ROUTER${k}_MAC=$(mac_b $((k - 1)))
ROUTER${k}_FAR_IP4=$(v4_a "$k")
ROUTER${k}_FAR_IP6=$(v6_a "$k")
ROUTER${k}_FAR_IF=$(if_a "$k")
EOF
    done
    for ((k = 0; k <= N; k++)); do
        cat <<EOF
LINK${k}_A_NS=$(ns_of "$k")
LINK${k}_A_IF=$(if_a "$k")
LINK${k}_A_MAC=$(mac_a "$k")
LINK${k}_A_IP4=$(v4_a "$k")
LINK${k}_A_IP6=$(v6_a "$k")
LINK${k}_B_NS=$(ns_of $((k + 1)))
LINK${k}_B_IF=$(if_b "$k")
LINK${k}_B_MAC=$(mac_b "$k")
LINK${k}_B_IP4=$(v4_b "$k")
LINK${k}_B_IP6=$(v6_b "$k")
LINK${k}_NET4=$(v4_net "$k")
LINK${k}_NET6=$(v6_net "$k")
EOF
    done
}

cmd_status() {
    local d name f any=0 pid
    for d in "$RUN_ROOT"/*/; do
        [[ -d $d ]] || continue
        name=$(basename "$d")
        any=1
        LAB=$name
        load_n
        echo "lab $name: routers=$N namespaces=$(lab_namespaces | wc -l)/$((N + 2))"
        for f in "$d"*.pid; do
            [[ -e $f ]] || continue
            pid=$(head -n1 "$f")
            if our_pid "$pid"; then
                echo "  $(basename "$f" .pid): pid $pid running"
            else
                echo "  $(basename "$f" .pid): pid $pid DEAD"
            fi
        done
        for f in "$d"knobs/*; do
            [[ -e $f ]] && echo "  $(basename "$f"): $(cat "$f")"
        done
    done
    # namespaces with our prefix whose lab has no state directory
    local orphans
    orphans=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pktlab-' |
        while read -r ns; do
            name=${ns#pktlab-}
            name=${name%-*}
            [[ -d $RUN_ROOT/$name ]] || echo "$ns"
        done || true)
    [[ -z $orphans ]] || echo "namespaces without lab state (lab.sh down --name LAB):" $orphans
    ((any)) || [[ -n $orphans ]] || echo "no labs"
}

usage() {
    sed -n '/^# Usage/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

# ------------------------------------------------------------------ main ---

main() {
    (($# >= 1)) || usage
    local cmd=$1
    shift
    while (($#)); do
        case $1 in
        --name) LAB=${2:?--name needs a value} && shift 2 ;;
        --name=*) LAB=${1#*=} && shift ;;
        --routers) ROUTERS=${2:?--routers needs a value} && shift 2 ;;
        --routers=*) ROUTERS=${1#*=} && shift ;;
        --dir) DIR=${2:?--dir needs a value} && shift 2 ;;
        --dir=*) DIR=${1#*=} && shift ;;
        --burst) BURST=${2:?--burst needs a value} && shift 2 ;;
        --per-sec) PERSEC=${2:?--per-sec needs a value} && shift 2 ;;
        -h | --help) usage ;;
        *) ARGS+=("$1") && shift ;;
        esac
    done
    [[ $LAB =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$ ]] ||
        die "bad lab name '$LAB' (letters, digits, _ and -, at most 32)"
    [[ $(id -u) == 0 ]] || [[ $cmd == env || $cmd == help ]] || die "must run as root"
    case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    env) cmd_env ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    delay | loss | ratelimit | silent)
        lock_lab
        require_up
        "cmd_$cmd"
        ;;
    help) usage ;;
    *) die "unknown command '$cmd' (up, down, env, status, reset, delay, loss, ratelimit, silent)" ;;
    esac
}

main "$@"
