#!/usr/bin/env bash
# Benchmark, not a test: two netrig builds side by side on loopback, each
# with its own server, run alternately (A, B, A, B ...) so that load from
# elsewhere hits both. Prints, per row, the medians of each build and the
# median of the per-pair ratios B / A for the rate and for the CPU time of
# each end per message, which moves far less than rates when the machine
# is shared. It never fails; it reports.
#
#   bash tests/perf/ab_builds.sh OLD/netrig NEW/netrig [PAIRS]
#
# Rows: TCP stream 64k, TCP rr 64 B, UDP stream 1k, HTTP rr 1k x 10 conns.
set -u
A=${1:?usage: ab_builds.sh A/netrig B/netrig [PAIRS]}
B=${2:?usage: ab_builds.sh A/netrig B/netrig [PAIRS]}
PAIRS=${3:-5}
TMP=$(mktemp -d)
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$TMP"' EXIT

# one BIN ARGS...: a server of BIN on a free port, one 2 s client run; prints
# "rate client_ns_per_msg server_ns_per_msg" (NaN where a figure is missing).
one() {
    local bin=$1 port
    shift
    port=$((30000 + RANDOM % 20000))
    "$bin" server --listen 127.0.0.1:$port >"$TMP/s.log" 2>&1 &
    SPID=$!
    for _ in $(seq 50); do grep -q listening "$TMP/s.log" && break; sleep 0.05; done
    "$bin" client --server 127.0.0.1:$port --json --duration 2s "$@" 2>/dev/null >"$TMP/r.json"
    kill "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    SPID=
    python3 - "$TMP/r.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    m = r["msgs_per_s"]
    cost = lambda pct: (pct or 0) / 100 / m * 1e9 if m else float("nan")
    print(m, cost(r["cpu_client_pct"]), cost(r["cpu_server_pct"]))
except Exception:
    print("nan nan nan")
PY
}

row() {
    local name=$1
    shift
    : >"$TMP/a"
    : >"$TMP/b"
    for _ in $(seq "$PAIRS"); do
        one "$A" "$@" >>"$TMP/a"
        one "$B" "$@" >>"$TMP/b"
    done
    python3 - "$name" "$TMP/a" "$TMP/b" <<'PY'
import math, statistics, sys
load = lambda p: [list(map(float, l.split())) for l in open(p) if l.strip()]
a, b = load(sys.argv[2]), load(sys.argv[3])
out = []
for k, what in ((0, "msgs/s"), (1, "client ns/msg"), (2, "server ns/msg")):
    pa = [x[k] for x in a if not math.isnan(x[k])]
    pb = [x[k] for x in b if not math.isnan(x[k])]
    r = [y[k] / x[k] for x, y in zip(a, b) if x[k] > 0 and not math.isnan(y[k])]
    if pa and pb and r:
        out.append("%s %.4g -> %.4g (x%.3f)" % (what, statistics.median(pa),
                                                statistics.median(pb), statistics.median(r)))
print("%-22s %s" % (sys.argv[1], "   ".join(out) or "no figures"))
PY
}

echo "A = $A, B = $B: $PAIRS alternating pairs of 2 s runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
row "TCP stream 64k" --proto tcp --mode stream --size 64k
row "TCP rr 64 B" --proto tcp --mode rr --size 64
row "UDP stream 1k" --proto udp --mode stream --size 1k
row "HTTP rr 1k, 10 conns" --proto http --mode rr --size 1k --conns 10
