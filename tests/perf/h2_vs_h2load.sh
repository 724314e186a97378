#!/usr/bin/env bash
# netrig's HTTP/2 client beside h2load against netrig's own server, same
# connections and streams, runs alternating so that drift hits both:
# requests/s at 10 connections x 10 streams (h2c and h2) and at 100
# connections x 1 stream (h2c). Prints a table; judges nothing (rates
# belong in benchmarks, not tests).
#   bash tests/perf/h2_vs_h2load.sh build/netrig [ROUNDS]
set -u
NETRIG=${1:?usage: h2_vs_h2load.sh /path/to/netrig [rounds]}
ROUNDS=${2:-3}
command -v h2load >/dev/null || { echo "h2load missing (nghttp2-client)"; exit 1; }
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$NETRIG" server --listen 127.0.0.1:$port --tls --quiet >"$tmp/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 0.5
ours() { # scheme conns streams -> req/s
    local proto=$([ "$1" = https ] && echo https || echo http)
    "$NETRIG" client --server 127.0.0.1:$port --proto $proto --http2 --mode rr --size 1000 \
        --conns "$2" --streams "$3" --duration 3s --warmup 0.5s --json 2>/dev/null |
        python3 -c 'import json,sys; print(round(json.load(sys.stdin)["msgs_per_s"]))'
}
theirs() { # scheme conns streams -> req/s
    h2load -c "$2" -m "$3" -D 3 --warm-up-time 1 "$1://127.0.0.1:$port/bytes/1000" 2>/dev/null |
        awk '/^finished in/ {gsub(",", "", $4); print int($4)}'
}
printf "%-6s %-12s %10s %10s %6s\n" scheme "conns x str" netrig h2load ratio
for c in "http 10 10" "https 10 10" "http 100 1"; do
    set -- $c
    a=0 b=0
    for r in $(seq "$ROUNDS"); do
        x=$(ours "$1" "$2" "$3"); y=$(theirs "$1" "$2" "$3")
        a=$((a + ${x:-0})); b=$((b + ${y:-0}))
    done
    printf "%-6s %-12s %10d %10d %6.2f\n" "$1" "$2 x $3" $((a / ROUNDS)) $((b / ROUNDS)) \
        "$(python3 -c "print($a / max($b, 1))")"
done
