#!/usr/bin/env bash
# netrig's HTTP/2 client beside h2load against netrig's own server, same
# connections and streams: requests/s at 10 connections x 10 streams (h2c
# and h2) and at 100 connections x 1 stream (h2c), then one h2c connection
# with 300 streams (netrig --streams 300 beside h2load -m128 and -m300:
# the server allows 128 at once, so all three should land together).
# Both count the same window: WARM seconds of warm-up that neither
# counts, then DUR seconds counted (netrig --warmup/--duration; h2load
# --warm-up-time/-D, whose "req/s" is the requests done in the main
# duration over that duration: its warm-up is not in it). Rounds run in
# pairs, the order swapped every round so that drift hits both; the ratio
# is the median of the pairs' ratios. Prints a table; judges nothing
# (rates belong in benchmarks, not tests).
#   bash tests/perf/h2_vs_h2load.sh build/netrig [ROUNDS]
set -u
NETRIG=${1:?usage: h2_vs_h2load.sh /path/to/netrig [rounds]}
ROUNDS=${2:-5}
WARM=${WARM:-1}
DUR=${DUR:-3}
command -v h2load >/dev/null || { echo "h2load missing (nghttp2-client)"; exit 1; }
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$NETRIG" server --listen 127.0.0.1:$port --tls --quiet >"$tmp/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 0.5
ours() { # scheme conns streams -> req/s over the counted window
    local proto=$([ "$1" = https ] && echo https || echo http)
    "$NETRIG" client --server 127.0.0.1:$port --proto $proto --http2 --mode rr --size 1000 \
        --conns "$2" --streams "$3" --duration "$DUR" --warmup "$WARM" --json 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["msgs_per_s"]) if d["errors"] == 0 else 0)'
}
theirs() { # scheme conns streams -> req/s over the counted window (0 if any failed)
    h2load -c "$2" -m "$3" -D "$DUR" --warm-up-time "$WARM" "$1://127.0.0.1:$port/bytes/1000" \
        >"$tmp/h2load.out" 2>&1
    awk '/^finished in/ {gsub(",", "", $4); rps = int($4)}
         /^requests:/ {failed = $10 + $12}
         END {print (failed == 0 ? rps : 0)}' "$tmp/h2load.out"
}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
printf "%-6s %-12s %10s %10s %12s  %s\n" scheme "conns x str" netrig h2load "median ratio" "ratios"
row() { # scheme conns streams [h2load's streams]
    local a=() b=() q=() x y
    for r in $(seq "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then
            x=$(ours "$1" "$2" "$3"); y=$(theirs "$1" "$2" "${4:-$3}")
        else
            y=$(theirs "$1" "$2" "${4:-$3}"); x=$(ours "$1" "$2" "$3")
        fi
        a+=("${x:-0}"); b+=("${y:-0}")
        q+=("$(python3 -c "print('%.2f' % ($x / max($y, 1)))")")
    done
    printf "%-6s %-12s %10.0f %10.0f %12s  %s\n" "$1" "$2 x $3${4:+/$4}" "$(median "${a[@]}")" \
        "$(median "${b[@]}")" "$(median "${q[@]}")" "${q[*]}"
}
row http 10 10
row https 10 10
row http 100 1
# One connection, many streams: netrig --streams 300 beside h2load -m128
# and -m300 (the server's SETTINGS_MAX_CONCURRENT_STREAMS is 128).
row http 1 300 128
row http 1 300 300
