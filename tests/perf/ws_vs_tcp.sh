#!/usr/bin/env bash
# Benchmark, not a test: what a WebSocket round trip and a WebSocket
# stream cost next to raw TCP, on netrig's own server on loopback. Prints
# ws rr 64 B transactions/s against tcp rr 64 B, and ws stream 64 KiB
# goodput against tcp stream, the median of REPS runs each, interleaved so
# that a noisy neighbour hits both alike; the target is 0.9x or better.
# Also the client's CPU time per rr transaction, steadier under load.
# usage: ws_vs_tcp.sh /path/to/netrig [seconds per run (default 3)] [reps (default 3)]
set -u
NETRIG=${1:?usage: ws_vs_tcp.sh /path/to/netrig [seconds] [reps]}
SECS=${2:-3}
REPS=${3:-3}
tmp=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    "$NETRIG" server --listen 127.0.0.1:$port >"$tmp/server.log" 2>&1 &
    srv=$!
    sleep 0.5
    grep -q listening "$tmp/server.log" && break
done
one() { # prints msgs_per_s, goodput_bps and the client's CPU time per message (us) of one run
    "$NETRIG" client --server 127.0.0.1:$port --duration "${SECS}s" --warmup 500ms --json --quiet "$@" 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["msgs_per_s"], d["goodput_bps"], (d["cpu_client_pct"] or 0) * 1e4 / max(d["msgs_per_s"], 1))' 2>/dev/null
}
for i in $(seq "$REPS"); do
    one --proto tcp --mode rr --size 64 >>"$tmp/tcp_rr"
    one --proto ws --mode rr --size 64 >>"$tmp/ws_rr"
    one --proto tcp --mode stream --size 64k >>"$tmp/tcp_stream"
    one --proto ws --mode stream --size 64k >>"$tmp/ws_stream"
done
python3 - "$tmp" <<'PY'
import statistics, sys
d = sys.argv[1]
def med(name, col):
    return statistics.median(float(l.split()[col]) for l in open("%s/%s" % (d, name)))
tr, wr = med("tcp_rr", 0), med("ws_rr", 0)
ts, ws = med("tcp_stream", 1), med("ws_stream", 1)
print("rr 64 B      tcp %10.0f /s     ws %10.0f /s     ws/tcp %.2f" % (tr, wr, wr / tr))
# CPU time per transaction holds steadier than rates on a shared machine.
tc, wc = med("tcp_rr", 2), med("ws_rr", 2)
print("rr 64 B      client CPU per transaction: tcp %.2f us  ws %.2f us  ws/tcp %.2f" % (tc, wc, wc / tc))
print("stream 64KiB tcp %10.1f Mbit/s ws %10.1f Mbit/s ws/tcp %.2f" % (ts / 1e6, ws / 1e6, ws / ts))
PY
