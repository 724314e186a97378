#!/usr/bin/env bash
# Benchmark, not a test: netrig beside the tools it replaces, on loopback,
# same sizes, threads and connections, each pair run alternately (peer,
# netrig, peer, netrig ...) so that load from elsewhere hits both. Prints
# one table: the peer's median, netrig's median and the median of the
# per-pair ratios netrig / peer. It never fails on a slow machine; it
# reports.
#
#   bash tests/perf/peers.sh build/netrig
#
# Environment:
#   PAIRS=3        pairs per row (at least 3 are run)
#   SECS=2         seconds measured per run (netrig adds a 0.5 s warm-up)
#   ONLY="..."     rows to run, any of: tcp udp rr http tls cost (default all)
#   CLIENT_ARGS    extra netrig client options (--cpu 1, --busy-poll 50 ...)
#   SERVER_ARGS    extra netrig server options (--cpu 0 ...)
#   NOTIME_BIN     a second netrig built with -DNETRIG_NO_TIMING=ON: the cost
#                  rows then also compare it with the timed build
#   STEAL_MAX=5    a pair during which the host (hypervisor) stole more than
#                  this percent of a core is run again, up to 3x the pairs
#                  in all tries (0: keep every pair)
#
# Peers: iperf3 (TCP and UDP streams), sockperf ping-pong (rr), wrk against
# nginx (HTTP keep-alive), openssl s_time -new against openssl s_server
# (full TLS handshakes). sockperf is run with --full-rtt, so both columns of
# the rr p50 rows are whole round trips (sockperf's default is half the
# round trip).
set -u
source "$(dirname "$0")/nginx_1k.sh"
NETRIG=${1:?usage: peers.sh /path/to/netrig}
PAIRS=${PAIRS:-3}
[ "$PAIRS" -ge 3 ] 2>/dev/null || PAIRS=3
SECS=${SECS:-2}
ONLY=${ONLY:-tcp udp rr http tls cost}
CLIENT_ARGS=${CLIENT_ARGS:-}
SERVER_ARGS=${SERVER_ARGS:-}
NOTIME_BIN=${NOTIME_BIN:-}
STEAL_MAX=${STEAL_MAX:-5}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ulimit -n 16384 2>/dev/null || true # 1000 connections on each side

TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ports the kernel says are free right now (TCP and UDP), one per server.
read -r NP IP SPU SPT HP TP CP XP < <(python3 - <<'PY'
import socket
out, keep = [], []
while len(out) < 8:
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    keep += [t, u]
    out.append(str(port))
print(" ".join(out))
PY
)
# The cost rows run client and server on one CPU (the last one allowed):
# their CPU time per message is then steady enough to compare.
CCPU=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')
have() { command -v "$1" >/dev/null 2>&1; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# shellcheck disable=SC2086
"$NETRIG" server --listen 127.0.0.1:$NP --quiet $SERVER_ARGS & PIDS+=($!)
if want cost; then
    taskset -c "$CCPU" "$NETRIG" server --listen 127.0.0.1:$CP --quiet & PIDS+=($!)
    [ -n "$NOTIME_BIN" ] && { taskset -c "$CCPU" "$NOTIME_BIN" server --listen 127.0.0.1:$XP --quiet & PIDS+=($!); }
fi
have iperf3 && { iperf3 -s -B 127.0.0.1 -p $IP >/dev/null 2>&1 & PIDS+=($!); }
if have sockperf; then
    sockperf sr -i 127.0.0.1 -p $SPU >/dev/null 2>&1 & PIDS+=($!)
    sockperf sr --tcp -i 127.0.0.1 -p $SPT >/dev/null 2>&1 & PIDS+=($!)
fi
if want http && [ -x "$NGINX" ]; then
    nginx_1k "$TMP" $HP
    "$NGINX" -p "$TMP" -c "$TMP/nginx.conf" 2>/dev/null & PIDS+=($!)
fi
if want tls && have openssl; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -subj /CN=localhost -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
    openssl s_server -accept $TP -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www -quiet \
        >/dev/null 2>&1 </dev/null & PIDS+=($!)
fi
sleep 1

put() { echo "$3" >>"$TMP/$1.$2"; } # row side value
js() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
# nr ARGS...: one netrig client run into $TMP/n.json; returns its status.
nr() {
    local bin=${NR_BIN:-$NETRIG}
    # shellcheck disable=SC2086
    $bin client --json --duration "$SECS" --warmup 0.5 $CLIENT_ARGS "$@" 2>"$TMP/n.err" \
        >"$TMP/n.json"
}
nrs() { nr --server 127.0.0.1:$NP "$@"; }

# --- one pair of each row ---------------------------------------------------

tcp_stream() { # streams
    iperf3 -c 127.0.0.1 -p $IP -t "$SECS" -O 0.5 -l 128k -P "$1" -J >"$TMP/i.json" 2>&1
    put "tcp$1" peer "$(js "$TMP/i.json" 'j["end"]["sum_received"]["bits_per_second"]/1e9')"
    nrs --size 128k --conns "$1" --threads 1
    put "tcp$1" ours "$(js "$TMP/n.json" 'j["goodput_bps"]/1e9')"
}

udp_stream() { # datagram bytes
    iperf3 -c 127.0.0.1 -p $IP -u -b 0 -l "$1" -t "$SECS" -O 0.5 -J >"$TMP/i.json" 2>&1
    put "udp$1" peer "$(js "$TMP/i.json" \
        "j['end']['sum_received']['bytes']/$1/j['end']['sum_received']['seconds']/1e6")"
    nrs --proto udp --size "$1"
    put "udp$1" ours "$(js "$TMP/n.json" 'j["msgs_per_s"]/1e6')"
}

rr() { # udp|tcp
    local flag="" port=$SPU
    [ "$1" = tcp ] && flag=--tcp && port=$SPT
    # shellcheck disable=SC2086
    sockperf pp $flag -i 127.0.0.1 -p $port -t "$SECS" -m 64 --full-rtt >"$TMP/s.out" 2>&1
    put "$1rr" peer "$(sed -n 's/.*Valid Duration\] RunTime=\([0-9.]*\).*ReceivedMessages=\([0-9]*\).*/\2 \1/p' \
        "$TMP/s.out" | awk '{ if ($2 > 0) printf "%.0f", $1 / $2 }')"
    put "$1p50" peer "$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$TMP/s.out")"
    nrs --proto "$1" --mode rr --size 64
    put "$1rr" ours "$(js "$TMP/n.json" 'round(j["msgs_per_s"])')"
    put "$1p50" ours "$(js "$TMP/n.json" 'j["lat_p50_us"]')"
}

# http_ka ROW CONNS THREADS [PIPELINE]: keep-alive GETs of 1 KiB from one
# nginx worker; wrk pipelines through a Lua script that sends PIPELINE
# requests in one write, as netrig's --pipeline keeps that many in flight.
http_ka() {
    local row=$1 conns=$2 threads=$3 pipe=${4:-1} script=()
    if [ "$pipe" -gt 1 ]; then
        cat >"$TMP/pipe.lua" <<LUA
init = function(args)
    local r = {}
    for i = 1, $pipe do r[i] = wrk.format(nil) end
    req = table.concat(r)
end
request = function() return req end
LUA
        script=(-s "$TMP/pipe.lua")
    fi
    /usr/bin/time -f "%U %S" -o "$TMP/w.time" wrk -t"$threads" -c"$conns" -d"${SECS}s" \
        "${script[@]}" "http://127.0.0.1:$HP/1k" >"$TMP/w.out" 2>&1
    put "$row" peer "$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$TMP/w.out")"
    # wrk's CPU time over the requests of its whole run; netrig's over its
    # counted window (cpu_client_pct is of that window).
    put "${row}cpu" peer "$(awk 'NR == FNR {cpu = $1 + $2; next} / requests in / {n = $1}
        END {if (n > 0) printf "%.3f", cpu / n * 1e6}' "$TMP/w.time" "$TMP/w.out")"
    nr --url "http://127.0.0.1:$HP/1k" --threads "$threads" --conns "$conns" --pipeline "$pipe"
    put "$row" ours "$(js "$TMP/n.json" 'round(j["msgs_per_s"])')"
    put "${row}cpu" ours "$(js "$TMP/n.json" 'j["cpu_client_pct"] / 100 / j["msgs_per_s"] * 1e6')"
}

tls_hs() {
    openssl s_time -connect 127.0.0.1:$TP -www / -new -time "$SECS" >"$TMP/t.out" 2>&1
    put tls peer "$(awk '/connections in .* real seconds/ {printf "%.0f", $1 / $4; exit}' "$TMP/t.out")"
    nr --url "https://127.0.0.1:$TP/" --mode crr --conns 1
    put tls ours "$(js "$TMP/n.json" 'round(j["msgs_per_s"])')"
}

# The instrument's own cost: the same netrig run with per-message timing
# on ("peer" column) and off ("netrig" column: --no-timing, or the
# NETRIG_NO_TIMING build), client and server on one CPU. Two figures per
# run: the rate, and the CPU time of both ends per message.
CPU_FIG='(j["cpu_client_pct"] + j["cpu_server_pct"]) / 100 / j["msgs_per_s"] * 1e6'
cost_run() { # side row args...
    local side=$1 row=$2
    shift 2
    if [ "$side" = build ]; then
        NR_BIN="taskset -c $CCPU $NOTIME_BIN" nr --server 127.0.0.1:$XP --duration 1 "$@"
        side=ours
    else
        NR_BIN="taskset -c $CCPU $NETRIG" nr --server 127.0.0.1:$CP --duration 1 "$@"
    fi
    put "$row" "$side" "$(js "$TMP/n.json" "$COST_FIG")"
    put "${row}cpu" "$side" "$(js "$TMP/n.json" "$CPU_FIG")"
}
cost() { # row off-switch
    cost_run peer "$1" "${COST_ARGS[@]}"
    if [ "$2" = build ]; then cost_run build "$1" "${COST_ARGS[@]}"; else cost_run ours "$1" "${COST_ARGS[@]}" "$2"; fi
}

# --- the table --------------------------------------------------------------

LINES=()
# report ROW NAME UNIT [lower]: medians and the median of per-pair ratios.
report() {
    local line
    line=$(python3 - "$TMP/$1.peer" "$TMP/$1.ours" "$2" "$3" "${4:-}" "${NA:-}" "$(row_steal)" \
        "$ROW_DROPPED" <<'PY'
import statistics, sys
def load(p):
    try:
        out = []
        for x in open(p):
            try:
                out.append(float(x))
            except ValueError:
                out.append(None)
        return out
    except OSError:
        return []
peer, ours = load(sys.argv[1]), load(sys.argv[2])
name, unit, lower, na, steal = sys.argv[3], sys.argv[4], sys.argv[5] == "lower", sys.argv[6], sys.argv[7]
dropped = int(sys.argv[8] or 0)
pairs = [(p, o) for p, o in zip(peer, ours) if p and o]
def fmt(x):
    return f"{x:.0f}" if x >= 1000 else f"{x:.4g}"
def med(v):
    v = [x for x in v if x is not None]
    return fmt(statistics.median(v)) if v else "n/a"
ratio = f"{statistics.median(o / p for p, o in pairs):.3f}" if pairs else "n/a"
note = "lower is better" if lower else ""
if dropped:
    note = (note + ", " if note else "") + f"{dropped} run again for steal"
if na:
    print(f"{name:<34} {'':>10} {na}")
else:
    print(f"{name:<34} {med(peer):>10} {med(ours):>10} {unit:<9} {ratio:>6} {steal:>6}  {len(pairs)} pairs{', ' + note if note else ''}")
PY
)
    LINES+=("$line")
    echo "$line" >&2
}

# The host's steal time (the hypervisor running others while this machine
# had work), clock ticks: each row reports it for its own pairs, so that a
# ratio measured while the host took CPU time away is seen as such.
steal_ticks() { awk '$1 == "cpu" { print $9 + 0; exit }' /proc/stat; }
HZ=$(getconf CLK_TCK)
row_start() { ROW_TICKS=0 ROW_SECS=0 ROW_DROPPED=0; }
row_steal() { # percent of one core over the row's kept pairs
    awk -v t="$ROW_TICKS" -v s="$ROW_SECS" -v hz="$HZ" \
        'BEGIN { printf "%.1f", (s > 0 ? 100 * t / hz / s : 0) }'
}
# One pair, kept when the host stole at most STEAL_MAX % of a core while it
# ran. Otherwise its figures are taken back (every row file cut back to
# what it held before) and returns 1, so that the pair runs again.
one_pair() {
    local f snap=() s0 t0 ticks secs
    for f in "$TMP"/*.peer "$TMP"/*.ours; do
        [ -e "$f" ] && snap+=("$(wc -l <"$f") $f")
    done
    s0=$(steal_ticks) t0=$(date +%s.%N)
    "$@"
    ticks=$(($(steal_ticks) - s0))
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    if [ "${KEEP_ANY:-0}" = 1 ] ||
        awk -v t="$ticks" -v s="$secs" -v hz="$HZ" -v m="$STEAL_MAX" \
            'BEGIN { exit !(m <= 0 || 100 * t / hz / s <= m) }'; then
        ROW_TICKS=$((ROW_TICKS + ticks))
        ROW_SECS=$(awk -v a="$ROW_SECS" -v b="$secs" 'BEGIN { print a + b }')
        return 0
    fi
    for f in "$TMP"/*.peer "$TMP"/*.ours; do
        [ -e "$f" ] || continue
        local n="" e
        for e in "${snap[@]}"; do [ "${e#* }" = "$f" ] && n=${e%% *}; done
        if [ -z "$n" ]; then rm -f "$f"; else head -n "$n" "$f" >"$f.cut" && mv "$f.cut" "$f"; fi
    done
    ROW_DROPPED=$((ROW_DROPPED + 1))
    return 1
}
# N pairs of a row: a pair under steal runs again, up to 3 N tries in all;
# the last tries keep whatever they get, so a row never ends short.
run_pairs() {
    local want=$1 kept=0 tries=0
    shift
    row_start
    while [ $kept -lt "$want" ]; do
        tries=$((tries + 1))
        KEEP_ANY=0
        [ $((3 * want - tries)) -lt $((want - kept)) ] && KEEP_ANY=1
        one_pair "$@" && kept=$((kept + 1))
    done
}
pairs() { run_pairs "$PAIRS" "$@"; }
row_start

echo "netrig vs peers on loopback: $PAIRS alternating pairs of ${SECS}s runs, $(nproc) CPUs," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if want tcp && have iperf3; then
    pairs tcp_stream 1
    report tcp1 "TCP stream 128k, 1 vs iperf3" Gbit/s
    pairs tcp_stream 2
    report tcp2 "TCP stream 128k, 2 vs iperf3 -P2" Gbit/s
fi
if want udp && have iperf3; then
    for s in 64 1472; do
        pairs udp_stream $s
        report "udp$s" "UDP stream ${s}B rx vs iperf3" Mdgram/s
    done
fi
if want rr && have sockperf; then
    for p in tcp udp; do
        pairs rr $p
        report "${p}rr" "${p^^} rr 64B vs sockperf pp" txn/s
        report "${p}p50" "${p^^} rr 64B p50 RTT" us lower
    done
fi
if want http; then
    if [ -x "$NGINX" ] && have wrk && nr --url "http://127.0.0.1:$HP/1k" --duration 0.2 --warmup 0 &&
        js "$TMP/n.json" 'j["messages"]' >/dev/null; then
        # The connection sweep: one thread at 10 to 1000 connections, two
        # threads where there are two cores, and pipelining.
        for c in 10 32 100 1000; do
            pairs http_ka "http$c" "$c" 1
            report "http$c" "HTTP 1k keep-alive, $c conns vs wrk" req/s
            report "http${c}cpu" "  client CPU per request" us lower
        done
        if [ "$(nproc)" -ge 2 ]; then
            pairs http_ka http2t 100 2
            report http2t "HTTP 1k keep-alive, 100 conns 2 threads vs wrk" req/s
            report http2tcpu "  client CPU per request" us lower
        fi
        pairs http_ka httppipe 10 1 8
        report httppipe "HTTP 1k --pipeline 8, 10 conns vs wrk" req/s
        report httppipecpu "  client CPU per request" us lower
    else
        NA="n/a (needs the HTTP driver, nginx and wrk)" report http "HTTP 1k keep-alive vs wrk" ""
    fi
fi
if want tls; then
    if have openssl && nr --url "https://127.0.0.1:$TP/" --mode crr --duration 0.2 --warmup 0 &&
        js "$TMP/n.json" 'j["messages"]' >/dev/null; then
        pairs tls_hs
        report tls "TLS full handshakes vs s_time" conn/s
    else
        NA="n/a (needs the TLS driver and openssl)" report tls "TLS full handshakes vs s_time" ""
    fi
fi
if want cost; then
    # Twice the pairs: the differences sought are small.
    cpairs() { run_pairs $((2 * PAIRS)) "$@"; }
    COST_ARGS=(--size 128k) COST_FIG='j["goodput_bps"]/1e9'
    cpairs cost coststream --no-timing
    report coststream "timing on/off: TCP stream 128k" Gbit/s
    report coststreamcpu "  CPU per message" us lower
    COST_ARGS=(--mode rr --size 64) COST_FIG='round(j["msgs_per_s"])'
    cpairs cost costrr --no-timing
    report costrr "timing on/off: TCP rr 64B" txn/s
    report costrrcpu "  CPU per transaction" us lower
    # Paced below what one CPU carries: no loss, so the CPU per datagram
    # counts only datagrams that arrived.
    COST_ARGS=(--proto udp --size 64 --rate 100000/s) COST_FIG='round(j["msgs_per_s"])'
    cpairs cost costudp --no-timing
    report costudp "timing on/off: UDP 64B at 100k/s" dgram/s
    report costudpcpu "  CPU per datagram" us lower
    if [ -n "$NOTIME_BIN" ]; then
        COST_ARGS=(--mode rr --size 64) COST_FIG='round(j["msgs_per_s"])'
        cpairs cost costbuild build
        report costbuild "timed vs NETRIG_NO_TIMING build, rr" txn/s
        report costbuildcpu "  CPU per transaction" us lower
    fi
fi

echo
printf '%-34s %10s %10s %-9s %6s %6s\n' "row (ratio = netrig / peer)" peer netrig unit ratio steal%
for l in "${LINES[@]}"; do echo "$l"; done
echo "rr p50: whole round trips on both sides (sockperf --full-rtt). Timing rows: the"
echo "'peer' column is netrig with per-message timing, the 'netrig' column without,"
echo "client and server pinned to CPU $CCPU; CPU per message counts both ends."
echo "steal%: the host's steal time during the row's kept pairs, percent of one core"
echo "(the hypervisor ran others while this machine had work); a pair with more than"
echo "STEAL_MAX=$STEAL_MAX % ran again, up to three tries per pair wanted."
