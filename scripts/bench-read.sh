#!/usr/bin/env bash
# Benchmark `pkt read` against tcpdump and tshark on a generated 1M-packet mixed capture,
# and measure peak RSS on a ~1 GB capture. Offline only: reads and writes local files.
#
# Usage: scripts/bench-read.sh [--runs N] [--tshark-runs N] [--regen] [--no-rss] [--dir DIR]
#   --runs N         timed runs per command, best (lowest wall time) is kept (default 3)
#   --tshark-runs N  runs for the slow tshark -T json case (default: same as --runs)
#   --regen          regenerate the cached captures even if they exist
#   --no-rss         skip the ~1 GB capture and the peak-RSS measurements
#   --dir DIR        where captures are cached (default $PKT_BENCH_DIR or /tmp/pkt-bench)
#
# Captures (deterministic, cached and reused): DIR/mixed-1m.pcap (1,000,000 packets),
# DIR/slice-100k.pcap (its first 100,000 packets), DIR/big.pcap (>= 1 GiB, same mix, other seed).
# Targets: pkt summary / tcpdump >= 1.0; pkt --json / tshark -T json >= 100;
#          pkt --json / pkt summary >= 0.5; pkt --json peak RSS on big.pcap < 30 MB.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
GEN="$SCRIPT_DIR/gen-mixed-pcap.py"
PKT="$ROOT/target/release/pkt"

RUNS=3
TSHARK_RUNS=
REGEN=0
DO_RSS=1
DIR=${PKT_BENCH_DIR:-/tmp/pkt-bench}

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --tshark-runs) TSHARK_RUNS=${2:?--tshark-runs needs a number}; shift 2 ;;
        --regen) REGEN=1; shift ;;
        --no-rss) DO_RSS=0; shift ;;
        --dir) DIR=${2:?--dir needs a path}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-read: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
TSHARK_RUNS=${TSHARK_RUNS:-$RUNS}

MIXED="$DIR/mixed-1m.pcap"
SLICE="$DIR/slice-100k.pcap"
BIG="$DIR/big.pcap"
N_MIXED=1000000
N_SLICE=100000
BIG_BYTES=$((1024 * 1024 * 1024))

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-read: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
missing=()
for tool in tcpdump tshark python3 cargo awk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    missing+=("/usr/bin/time (GNU time)")
fi
if ((${#missing[@]})); then
    echo "bench-read: missing: ${missing[*]}" >&2
    echo "  install with: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y tcpdump tshark time python3" >&2
    echo "  (cargo: https://rustup.rs)" >&2
    exit 1
fi

mkdir -p "$DIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pkt-bench.XXXXXX")
trap 'rm -rf -- "$TMP"' EXIT

# ---------------------------------------------------------------- build
log "building pkt (cargo build --release) in $ROOT"
(cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
[[ -x $PKT ]] || die "no binary at $PKT"
# Measure a private copy: others may rebuild target/release/pkt while this runs.
cp -- "$PKT" "$TMP/pkt"
PKT_SRC=$PKT
PKT="$TMP/pkt"
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no git")
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    rev="$rev + uncommitted changes"
fi

# ---------------------------------------------------------------- captures
if ((REGEN)) || [[ ! -s $MIXED || ! -s $SLICE ]]; then
    log "generating $MIXED ($N_MIXED packets) and $SLICE ($N_SLICE packets)"
    python3 "$GEN" "$MIXED" --count "$N_MIXED" --slice "$SLICE" --slice-count "$N_SLICE"
else
    log "reusing $MIXED and $SLICE (--regen to rebuild)"
fi
if ((DO_RSS)); then
    if ((REGEN)) || [[ ! -s $BIG ]]; then
        log "generating $BIG (>= $BIG_BYTES bytes; skip with --no-rss)"
        python3 "$GEN" "$BIG" --min-bytes "$BIG_BYTES" --seed 7
    else
        log "reusing $BIG"
    fi
fi

# Warm the page cache so the first timed run is not a disk benchmark.
cat -- "$MIXED" "$SLICE" >/dev/null

# ---------------------------------------------------------------- sanity checks
log "sanity: packet counts and pkt's error reports"
# tcpdump hex-dumps a few payloads it decodes as tunnels (e.g. VXLAN on a random UDP port): count
# only the lines that start with a timestamp.
n_tcpdump=$(TZ=UTC tcpdump -n -r "$MIXED" 2>/dev/null | grep -c '^[0-9][0-9]:[0-9][0-9]:' || true)
n_pkt=$(TZ=UTC "$PKT" read "$MIXED" | wc -l)
n_json=$("$PKT" read "$MIXED" --json | wc -l)
[[ $n_tcpdump -eq $N_MIXED ]] || echo "WARNING: tcpdump printed $n_tcpdump packet lines for $N_MIXED packets" >&2
[[ $n_pkt -eq $N_MIXED ]] || echo "WARNING: pkt read printed $n_pkt lines for $N_MIXED packets" >&2
[[ $n_json -eq $N_MIXED ]] || echo "WARNING: pkt read --json printed $n_json lines for $N_MIXED packets" >&2
# grep -c exits 1 when it counts nothing; head closing early makes pkt see EPIPE: neither is a failure.
err_head=$({ "$PKT" read "$MIXED" --json 2>/dev/null || true; } | head -1000 | grep -c '"errors"' || true)
err_all=$("$PKT" read "$MIXED" --json | grep -c '"errors"' || true)
if ((err_all > 0)); then
    echo "WARNING: pkt reported errors on $err_all of $N_MIXED generated packets; first one:" >&2
    { "$PKT" read "$MIXED" --json 2>/dev/null || true; } | grep -m1 '"errors"' | cut -c1-600 >&2 || true
fi

# ---------------------------------------------------------------- timing
# best_of RUNS NAME CMD...: runs CMD (stdout to /dev/null) RUNS times under /usr/bin/time; prints
# "WALL CPU": the lowest wall-clock seconds and the lowest user+system CPU seconds over the runs.
# On a shared machine the CPU time is the steadier of the two.
best_of() {
    local runs=$1 name=$2; shift 2
    local best_w="" best_c="" w u s c i
    for ((i = 1; i <= runs; i++)); do
        if ! /usr/bin/time -f '%e %U %S' -o "$TMP/$name.t" "$@" >/dev/null 2>"$TMP/$name.err"; then
            echo "bench-read: '$*' failed:" >&2
            tail -5 "$TMP/$name.err" >&2
            exit 1
        fi
        read -r w u s <"$TMP/$name.t"
        c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        log "  $name run $i/$runs: wall ${w}s, cpu ${c}s"
        if [[ -z $best_w ]] || awk -v x="$w" -v y="$best_w" 'BEGIN { exit !(x < y) }'; then best_w=$w; fi
        if [[ -z $best_c ]] || awk -v x="$c" -v y="$best_c" 'BEGIN { exit !(x < y) }'; then best_c=$c; fi
    done
    printf '%s %s\n' "$best_w" "$best_c"
}

export TZ=UTC
log "timing (best of $RUNS; tshark best of $TSHARK_RUNS), all output to /dev/null"
read -r t_tcpdump c_tcpdump < <(best_of "$RUNS" tcpdump tcpdump -n -r "$MIXED")
read -r t_pkt c_pkt < <(best_of "$RUNS" pkt-summary "$PKT" read "$MIXED")
read -r t_pktjson c_pktjson < <(best_of "$RUNS" pkt-json "$PKT" read "$MIXED" --json)
read -r t_tshark c_tshark < <(best_of "$TSHARK_RUNS" tshark-json tshark -r "$SLICE" -T json)
[[ -n ${t_tcpdump:-} && -n ${t_pkt:-} && -n ${t_pktjson:-} && -n ${t_tshark:-} ]] || die "a timed command failed"

pps() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "ok" : "MISS") }'; }

p_tcpdump=$(pps "$N_MIXED" "$t_tcpdump"); q_tcpdump=$(pps "$N_MIXED" "$c_tcpdump")
p_pkt=$(pps "$N_MIXED" "$t_pkt"); q_pkt=$(pps "$N_MIXED" "$c_pkt")
p_pktjson=$(pps "$N_MIXED" "$t_pktjson"); q_pktjson=$(pps "$N_MIXED" "$c_pktjson")
p_tshark=$(pps "$N_SLICE" "$t_tshark"); q_tshark=$(pps "$N_SLICE" "$c_tshark")
r_sum=$(ratio "$p_pkt" "$p_tcpdump"); s_sum=$(ratio "$q_pkt" "$q_tcpdump")
r_json=$(ratio "$p_pktjson" "$p_tshark"); s_json=$(ratio "$q_pktjson" "$q_tshark")
r_self=$(ratio "$p_pktjson" "$p_pkt"); s_self=$(ratio "$q_pktjson" "$q_pkt")

# ---------------------------------------------------------------- peak RSS
rss_kb() { # rss_kb NAME CMD...: peak RSS in kB of CMD (stdout to /dev/null), via /usr/bin/time -v
    local name=$1; shift
    if ! /usr/bin/time -v -o "$TMP/$name.time" "$@" >/dev/null 2>"$TMP/$name.err"; then
        echo "bench-read: '$*' failed:" >&2
        tail -5 "$TMP/$name.err" >&2
        exit 1
    fi
    awk -F': *' '/Maximum resident set size/ { print $2 }' "$TMP/$name.time"
}
wall_s() { # wall_s NAME: the elapsed time of rss_kb NAME in seconds ("h:mm:ss" or "m:ss.ss")
    awk '/Elapsed \(wall clock\)/ { v = $0; sub(/.*\): */, "", v)
        n = split(v, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$TMP/$1.time"
}

if ((DO_RSS)); then
    big_bytes=$(stat -c %s -- "$BIG")
    log "peak RSS on $BIG ($big_bytes bytes)"
    rss_pkt=$(rss_kb big-pkt "$PKT" read "$BIG" --json)
    w_pkt=$(wall_s big-pkt)
    rss_tcpdump=$(rss_kb big-tcpdump tcpdump -n -r "$BIG")
    w_tcpdump=$(wall_s big-tcpdump)
    n_big=$(python3 - "$BIG" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(24)
    n = 0
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        f.seek(struct.unpack("<I", h[8:12])[0], 1)
        n += 1
print(n)
PY
)
fi

# ---------------------------------------------------------------- report
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
machine="$(uname -m), $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)"
v_tcpdump=$(tcpdump --version 2>&1 | head -1)
v_tshark=$(tshark --version 2>/dev/null | head -1)
v_pkt=$("$PKT" --version 2>/dev/null || echo pkt)

echo
echo "pkt read benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $machine"
echo "pkt:      $v_pkt, release build of $rev (a copy of $PKT_SRC)"
echo "tools:    $v_tcpdump | $v_tshark"
echo "captures: $MIXED ($N_MIXED pkts, $(stat -c %s -- "$MIXED") B), $SLICE ($N_SLICE pkts)"
echo "checks:   line counts tcpdump/pkt/pkt --json = $n_tcpdump/$n_pkt/$n_json;" \
    "pkt records with errors: $err_head in the first 1000, $err_all in all $N_MIXED"
echo
row() { printf '%-38s %8s %8s %10s %8s %10s\n' "$@"; }
row "command (stdout > /dev/null)" packets "wall s" "pkts/s" "cpu s" "pkts/s cpu"
row "TZ=UTC tcpdump -n -r mixed-1m.pcap" "$N_MIXED" "$t_tcpdump" "$p_tcpdump" "$c_tcpdump" "$q_tcpdump"
row "tshark -r slice-100k.pcap -T json" "$N_SLICE" "$t_tshark" "$p_tshark" "$c_tshark" "$q_tshark"
row "pkt read mixed-1m.pcap" "$N_MIXED" "$t_pkt" "$p_pkt" "$c_pkt" "$q_pkt"
row "pkt read mixed-1m.pcap --json" "$N_MIXED" "$t_pktjson" "$p_pktjson" "$c_pktjson" "$q_pktjson"
echo
printf '%-38s %8s %8s %8s %10s\n' "ratio of packets/s" "wall" "target" "" "(by cpu)"
printf '%-38s %8s %8s %8s %10s\n' "pkt summary / tcpdump" "$r_sum" ">= 1.0" "$(verdict "$r_sum" 1.0)" "$s_sum"
printf '%-38s %8s %8s %8s %10s\n' "pkt --json / tshark -T json" "$r_json" ">= 100" "$(verdict "$r_json" 100)" "$s_json"
printf '%-38s %8s %8s %8s %10s\n' "pkt --json / pkt summary" "$r_self" ">= 0.5" "$(verdict "$r_self" 0.5)" "$s_self"
if ((DO_RSS)); then
    echo
    echo "peak RSS on big.pcap ($((big_bytes / 1048576)) MiB, $n_big packets), /usr/bin/time -v:"
    printf '%-38s %8s %8s %10s\n' "command (stdout > /dev/null)" "RSS MB" "wall s" "pkts/s"
    rss_pkt_mb=$(awk -v k="$rss_pkt" 'BEGIN { printf "%.1f", k / 1024 }')
    rss_tcpdump_mb=$(awk -v k="$rss_tcpdump" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '%-38s %8s %8s %10s  (target < 30 MB: %s)\n' "pkt read big.pcap --json" "$rss_pkt_mb" "$w_pkt" \
        "$(pps "$n_big" "$w_pkt")" "$(awk -v m="$rss_pkt_mb" 'BEGIN { print (m < 30 ? "ok" : "MISS") }')"
    printf '%-38s %8s %8s %10s\n' "tcpdump -n -r big.pcap" "$rss_tcpdump_mb" "$w_tcpdump" "$(pps "$n_big" "$w_tcpdump")"
fi
