#!/usr/bin/env bash
# Benchmark, not a test: netrig beside iperf3 (TCP and UDP streams) and
# sockperf (TCP and UDP ping-pong) on loopback, alternating, a few seconds
# per run, printing each tool's figure and the ratio netrig / peer.
#   bash tests/perf/vs_peers.sh build/netrig [seconds per run]
# sockperf reports half the round trip; netrig's rr figure is the whole
# round trip, so the ratio uses netrig's RTT / 2.
set -u
NETRIG=${1:?usage: vs_peers.sh /path/to/netrig [seconds]}
T=${2:-3}
ROUNDS=2
TMP=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
base=$((20000 + RANDOM % 20000))
NP=$base IP=$((base + 1)) SP=$((base + 2))
"$NETRIG" server --listen 127.0.0.1:$NP --quiet & PIDS+=($!)
iperf3 -s -B 127.0.0.1 -p $IP >/dev/null 2>&1 & PIDS+=($!)
sockperf sr -i 127.0.0.1 -p $SP >/dev/null 2>&1 & PIDS+=($!)
sockperf sr --tcp -i 127.0.0.1 -p $((SP + 1)) >/dev/null 2>&1 & PIDS+=($!)
sleep 1

jq_py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
nr() { "$NETRIG" client --server 127.0.0.1:$NP --json --duration "$T" --warmup 0.5 "$@" 2>/dev/null >"$TMP/n.json"; }

tcp_stream() {
    iperf3 -c 127.0.0.1 -p $IP -t "$T" -O 0.5 -l 128k -J >"$TMP/i.json"
    jq_py "$TMP/i.json" 'j["end"]["sum_received"]["bits_per_second"]/1e9' >>"$TMP/peer"
    nr --size 128k
    jq_py "$TMP/n.json" 'j["goodput_bps"]/1e9' >>"$TMP/ours"
}

udp_stream() {
    iperf3 -c 127.0.0.1 -p $IP -u -b 2G -l 1400 -t "$T" -J >"$TMP/i.json"
    jq_py "$TMP/i.json" 'j["end"]["sum"]["bits_per_second"]*(1-j["end"]["sum"]["lost_percent"]/100)/1e9' >>"$TMP/peer"
    nr --proto udp --rate 2gbit --size 1400
    jq_py "$TMP/n.json" 'j["goodput_bps"]/1e9' >>"$TMP/ours"
}

pingpong() { # $1 = udp|tcp
    local flag="" port=$SP
    [ "$1" = tcp ] && flag=--tcp && port=$((SP + 1))
    sockperf pp $flag -i 127.0.0.1 -p $port -t "$T" -m 64 2>&1 |
        sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' >>"$TMP/peer"
    nr --proto "$1" --mode rr --size 64
    jq_py "$TMP/n.json" 'j["lat_p50_us"]/2' >>"$TMP/ours"
}

report() { # name unit
    python3 - "$TMP/peer" "$TMP/ours" "$1" "$2" <<'PY'
import sys
def load(p):
    try:
        return [float(x) for x in open(p) if x.strip()]
    except OSError:
        return []
peer, ours = load(sys.argv[1]), load(sys.argv[2])
fmt = lambda v: " ".join(f"{x:.3f}" for x in v) or "n/a"
ratio = "n/a"
if peer and ours and sum(peer) > 0:
    ratio = f"{(sum(ours) / len(ours)) / (sum(peer) / len(peer)):.3f}"
print(f"{sys.argv[3]:<30} peer {fmt(peer):<16} netrig {fmt(ours):<16} {sys.argv[4]:<7} ratio {ratio}")
PY
    rm -f "$TMP/peer" "$TMP/ours"
}

echo "netrig vs peers on loopback, $ROUNDS alternating runs of ${T}s each ($(nproc) CPUs)"
for r in $(seq $ROUNDS); do tcp_stream; done; report "tcp stream vs iperf3" Gbit/s
for r in $(seq $ROUNDS); do udp_stream; done; report "udp stream 2G vs iperf3" Gbit/s
for r in $(seq $ROUNDS); do pingpong tcp; done; report "tcp ping-pong p50 vs sockperf" us
for r in $(seq $ROUNDS); do pingpong udp; done; report "udp ping-pong p50 vs sockperf" us
