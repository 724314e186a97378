#!/usr/bin/env bash
# Benchmark, not a test: what one nginx worker spends per request when
# netrig drives it, beside wrk. nginx is pinned to CPU 0 and the client to
# CPU 1 (PIN=0: neither, as in peers.sh), so the server's core is the
# bottleneck and its cost per request decides the rate. Per client, the
# medians of alternating runs (wrk, netrig A, [netrig B], wrk, ...) of:
# requests/s; the nginx worker's CPU time and voluntary context switches
# per request (a switch is a sleep in epoll_wait and a wake-up); the
# client's CPU time and voluntary switches per request (a sleep, then a
# wake-up that the server's send paid for).
#   bash tests/perf/nginx_cost.sh NETRIG_A [NETRIG_B]
# Environment: CONNS="10 32 100 1000", ROUNDS=3, SECS=3, PIPE=1, THREADS=1,
# PIN=1 (0: neither is pinned, the scheduler places both, as in peers.sh)
set -u
source "$(dirname "$0")/nginx_1k.sh"
A=${1:?usage: nginx_cost.sh NETRIG_A [NETRIG_B]}
B=${2:-}
CONNS=${CONNS:-10 32 100 1000}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-3}
PIPE=${PIPE:-1}
THREADS=${THREADS:-1}
PIN=${PIN:-1}
SRV_CPU=(taskset -c 0)
CLI_CPU=(taskset -c 1)
[ "$PIN" = 0 ] && SRV_CPU=() && CLI_CPU=()
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null && [ -x "$NGINX" ] || { echo "needs nginx and wrk"; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs two CPUs"; exit 1; }
ulimit -n 16384 2>/dev/null || true

TMP=$(mktemp -d)
chmod 755 "$TMP"
NPID=
trap '[ -n "$NPID" ] && kill "$NPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nginx_1k "$TMP" $PORT
"${SRV_CPU[@]}" "$NGINX" -p "$TMP" -c "$TMP/nginx.conf" 2>/dev/null &
NPID=$!
sleep 1
WORKER=$(pgrep -P "$NPID" | head -1)
[ -n "$WORKER" ] || { echo "nginx did not start"; exit 1; }
TCK=$(getconf CLK_TCK)

# cpu_ticks PID, ctx PID: the worker's CPU ticks and voluntary switches.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ctx() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status"; }

if [ "$PIPE" -gt 1 ]; then
    {
        echo "init = function(args) local r = {} for i = 1, $PIPE do r[i] = wrk.format(nil) end"
        echo "req = table.concat(r) end"
        echo "request = function() return req end"
    } >"$TMP/pipe.lua"
fi

# one NAME CONNS: a run; appends "req/s srv_us ctx_per_req cli_us" to $TMP/NAME.CONNS
one() {
    local name=$1 c=$2 t0 x0 t1 x1 rps cli
    t0=$(cpu_ticks "$WORKER")
    x0=$(ctx "$WORKER")
    if [ "$name" = wrk ]; then
        local lua=()
        [ "$PIPE" -gt 1 ] && lua=(-s "$TMP/pipe.lua")
        /usr/bin/time -f "%U %S %w" -o "$TMP/time" "${CLI_CPU[@]}" wrk -t"$THREADS" -c"$c" \
            -d"${SECS}s" "${lua[@]}" "http://127.0.0.1:$PORT/1k" >"$TMP/out" 2>&1
        rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/out")
        secs=$SECS
    else
        local bin=$A
        [ "$name" = B ] && bin=$B
        /usr/bin/time -f "%U %S %w" -o "$TMP/time" "${CLI_CPU[@]}" "$bin" client \
            --url "http://127.0.0.1:$PORT/1k" --conns "$c" --threads "$THREADS" \
            --pipeline "$PIPE" --duration "$SECS" --warmup 0 --json >"$TMP/out" 2>/dev/null
        rps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["msgs_per_s"])' "$TMP/out")
        secs=$SECS
    fi
    t1=$(cpu_ticks "$WORKER")
    x1=$(ctx "$WORKER")
    read -r cu cs cw <"$TMP/time"
    python3 - "$rps" "$secs" "$((t1 - t0))" "$TCK" "$((x1 - x0))" "$cu" "$cs" "$cw" \
        >>"$TMP/$name.$c" <<'PY'
import sys
rps, secs, ticks, tck, sw, cu, cs, cw = map(float, sys.argv[1:])
n = max(rps * secs, 1)
print(rps, ticks / tck / n * 1e6, sw / n, (cu + cs) / n * 1e6, cw / n)
PY
}

names="wrk A"
[ -n "$B" ] && names="wrk A B"
printf "%-6s %-6s %10s %12s %12s %12s %12s\n" conns client "req/s" "nginx us/req" \
    "nginx sw/req" "client us/req" "client sw/req"
for c in $CONNS; do
    for r in $(seq "$ROUNDS"); do
        for n in $names; do one "$n" "$c"; done
    done
    for n in $names; do
        python3 - "$TMP/$n.$c" "$c" "$n" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
m = [statistics.median(r[i] for r in rows) for i in range(5)]
print("%-6s %-6s %10.0f %12.2f %12.4f %12.2f %12.4f" % (sys.argv[2], sys.argv[3], *m))
PY
    done
done
