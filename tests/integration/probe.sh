#!/bin/bash
# probe = udp|tcp on loopback: the probe's columns are in the row (idle
# and loaded percentiles present and ordered, no probe lost), its
# intervals are in the .hlog under the tag "probe" beside the load's
# untagged ones, the live events carry its latency, and a bad probe
# value or a probe without a netrig server is refused with the reason.
source "$(dirname "$0")/../lib/netrig_test.sh"
start_server

for p in udp tcp; do
    run_json $p --mode stream --duration 1s --warmup 200ms --probe $p --probe-interval 10ms \
        --probe-size 64
    checks $p 'r["probe_idle_p50_us"] is not None and r["probe_idle_p50_us"] > 0' \
        'r["probe_p50_us"] is not None and r["probe_p50_us"] > 0' \
        'r["probe_p50_us"] <= r["probe_p90_us"] <= r["probe_p99_us"] <= r["probe_max_us"]' \
        'r["probe_model_us"] is None and r["probe_model_ok"] == ""' \
        'r["goodput_bps"] > 0 and r["errors"] == 0'
done
check udp 'r["probe_loss_pct"] == 0' "udp probe lost probes on loopback"
# Without a probe the columns stay empty.
run_json none --mode rr --duration 300ms --warmup 0
check none 'r["probe_p50_us"] is None and r["probe_idle_p50_us"] is None'

# The .hlog holds both, told apart by the tag; the live events the
# probe's latency.
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --mode rr --size 64 --duration 1s \
    --warmup 100ms --interval 250ms --probe udp --hlog "$TMP/rr.hlog" --events "$TMP/rr.ndjson" \
    --quiet >"$TMP/rr.out" 2>&1 || fail "rr with probe: $(cat "$TMP/rr.out")"
grep -q '^Tag=probe,' "$TMP/rr.hlog" || fail "no probe lines in the .hlog"
grep -qE '^[0-9]' "$TMP/rr.hlog" || fail "no load lines in the .hlog"
"$NETRIG" hist show "$TMP/rr.hlog" >"$TMP/show.txt" 2>&1 || fail "hist show: $(cat "$TMP/show.txt")"
n=$(jq -s '[.[] | select(.event == "interval" and .probe_p50_us > 0 and .probe_p99_us > 0)]
          | length' "$TMP/rr.ndjson")
[ "$n" -ge 3 ] || fail "intervals with probe latency: $n"

# A run with a probe: its idle and loaded histograms as .hgrm files, the
# probe's latency per interval in intervals.csv, and (with gnuplot) the
# figures: latency under load beside goodput, idle against loaded.
cat >"$TMP/p.ini" <<INI
[global]
duration = 1s
warmup = 200ms
probe = udp
interval = 250ms
[load]
mode = stream
size = 16k
INI
timeout 60 "$NETRIG" run "$TMP/p.ini" --server 127.0.0.1:$PORT --out "$TMP/p" >"$TMP/p.out" 2>&1 ||
    fail "run with probe: $(cat "$TMP/p.out")"
for f in load.probe_idle.hgrm load.probe_load.hgrm; do
    grep -qE '^ +[0-9.]+ +0\.5' "$TMP/p/$f" || fail "$f: no percentiles"
done
python3 - "$TMP/p/intervals.csv" <<'PY' || fail "intervals.csv: probe columns"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(float(r["probe_p50_us"]) <= float(r["probe_p99_us"]) for r in rows
                    if r["probe_p50_us"]), rows
assert sum(1 for r in rows if r["probe_p50_us"] and float(r["probe_p50_us"]) > 0) >= 2, rows
PY
if command -v gnuplot >/dev/null; then
    for f in timeseries-tcp-stream spectrum-tcp-stream-probe spectrum-tcp-stream; do
        [ -s "$TMP/p/plots/$f.png" ] && [ -s "$TMP/p/plots/$f.svg" ] || fail "figure $f missing"
    done
    grep -q 'probe p99' "$TMP/p/plots/timeseries-tcp-stream.svg" || fail "no probe in the time series"
    grep -q 'Probe latency, idle and under load' "$TMP/p/plots/spectrum-tcp-stream-probe.svg" &&
        grep -q '>loaded<' "$TMP/p/plots/spectrum-tcp-stream-probe.svg" ||
        fail "idle and loaded spectrum"
fi

# The console says what the probe saw, idle and under load.
"$NETRIG" client --server 127.0.0.1:$PORT --mode stream --duration 300ms --warmup 100ms \
    --probe udp >"$TMP/text.out" 2>&1 || fail "stream with probe: $(cat "$TMP/text.out")"
grep -qE '^probe: idle p50 [0-9.]+ [um]?s  under load p50 [0-9.]+ [um]?s  p99' "$TMP/text.out" ||
    fail "no probe line on the console: $(cat "$TMP/text.out")"

# Refused, with the reason.
out=$("$NETRIG" client --server 127.0.0.1:$PORT --probe icmp --duration 100ms 2>&1)
grep -q "probe icmp: expected udp, tcp or none" <<<"$out" || fail "probe icmp: $out"
out=$("$NETRIG" client --server 127.0.0.1:$PORT --echo --mode rr --probe udp 2>&1)
grep -q "not with --echo" <<<"$out" || fail "probe with --echo: $out"
echo "probe: ok"
