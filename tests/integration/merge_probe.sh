#!/usr/bin/env bash
# Merging hosts that ran a latency probe (--probe udp). netrig merge: the
# probe's Tag=probe intervals stay out of the load's histograms (the merged
# log's untagged lines are `netrig hist merge` of the hosts' untagged ones)
# and are merged as their own tagged series, in the merged log and in each
# host's; the all row's probe columns come from the merged probe
# histograms, not from one host's row (a host without a probe, listed
# first, gave them before). netrig run with client_hosts (over a stand-in
# ssh that runs the command here): the probe crosses the channel too.
source "$NETRIG_TESTS/lib/netrig_test.sh"
start_server --threads 2

T=$(python3 -c 'import time; print("%.3f" % (time.time() + 1.5))')
for h in a b c; do
    probe=(--probe udp --probe-interval 10ms)
    [ "$h" = c ] && probe=()
    timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --mode rr --conns 1 --duration 1s \
        --warmup 0.2s --interval 0.25s "${probe[@]}" --start-at "$T" --host "$h" \
        --out "$TMP/$h" >"$TMP/$h.log" 2>"$TMP/$h.err" &
    eval "C_$h=\$!"
done
for h in a b c; do
    eval "wait \$C_$h" || fail "client $h: $(cat "$TMP/$h.err")"
done
grep -q '^Tag=probe,' "$TMP/a/client.hlog" || fail "client a: no probe lines in its log"

"$NETRIG" merge "$TMP/c" "$TMP/a" "$TMP/b" -o "$TMP/m" --no-plot >"$TMP/merge.log" 2>&1 ||
    fail "netrig merge exited $?: $(cat "$TMP/merge.log")"
for f in client.hlog client.a.hlog client.b.hlog; do
    grep -q '^Tag=probe,' "$TMP/m/$f" || fail "merge: $f lost the probe's tagged lines"
done
! grep -q '^Tag=probe,' "$TMP/m/client.c.hlog" || fail "merge: host c never probed"
"$NETRIG" hist merge "$TMP/a/client.hlog" "$TMP/b/client.hlog" "$TMP/c/client.hlog" \
    -o "$TMP/abc.hlog" || fail "hist merge"
for tag in "" probe; do
    t=(); [ -n "$tag" ] && t=(--tag "$tag")
    "$NETRIG" hist show "${t[@]}" "$TMP/abc.hlog" | grep -v StartTime >"$TMP/abc$tag.txt"
    "$NETRIG" hist show "${t[@]}" "$TMP/m/client.hlog" | grep -v StartTime >"$TMP/m$tag.txt"
    cmp -s "$TMP/abc$tag.txt" "$TMP/m$tag.txt" ||
        fail "merged client.hlog (tag '${tag}') differs from hist merge of the hosts' logs"
done
python3 - "$TMP" <<'PY' || fail "merged probe columns"
import csv, sys
d = sys.argv[1]
rows = {x["host"]: x for x in csv.DictReader(open(d + "/m/summary.csv"))}
a, pa, pb = rows["all"], rows["a"], rows["b"]
f = lambda r, c: float(r[c])
assert rows["c"]["probe_p50_us"] == "", rows["c"]["probe_p50_us"]
assert a["probe_p50_us"] != "", "all row: no probe columns"
assert 0 < f(a, "probe_idle_p50_us")
assert 0 < f(a, "probe_p50_us") <= f(a, "probe_p90_us") <= f(a, "probe_p99_us") <= f(a, "probe_max_us")
assert f(a, "probe_loss_pct") == 0, a["probe_loss_pct"]
# The median of the sum lies between the hosts' medians.
lo, hi = sorted((f(pa, "probe_p50_us"), f(pb, "probe_p50_us")))
assert lo * 0.8 <= f(a, "probe_p50_us") <= hi * 1.25, (lo, a["probe_p50_us"], hi)
iv = [r for r in csv.DictReader(open(d + "/m/intervals.csv")) if r["probe_p50_us"]]
assert len(iv) >= 2, "merged intervals without probe latency"
PY

# netrig run over client_hosts: a stand-in ssh runs the remote command here.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/ssh" <<'SH'
#!/bin/sh
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift 2
exec sh -c "$1"
SH
chmod +x "$TMP/bin/ssh"
cat >"$TMP/run.ini" <<INI
[global]
server = 127.0.0.1:$PORT
client_hosts = h1, h2
netrig_path = $NETRIG
duration = 1s
warmup = 200ms
interval = 250ms
probe = udp
probe_interval = 10ms
[rr]
mode = rr
INI
PATH="$TMP/bin:$PATH" timeout 120 "$NETRIG" run "$TMP/run.ini" --out "$TMP/r" --no-plot \
    >"$TMP/run.log" 2>&1 || fail "run over client_hosts: $(tail -5 "$TMP/run.log")"
for f in rr.hlog rr.h1.hlog rr.h2.hlog; do
    grep -q '^Tag=probe,' "$TMP/r/$f" || fail "run: $f has no probe lines"
done
"$NETRIG" hist merge "$TMP/r/rr.h1.hlog" "$TMP/r/rr.h2.hlog" -o "$TMP/h12.hlog" || fail "hist merge"
"$NETRIG" hist show --tag probe "$TMP/h12.hlog" | grep -v StartTime >"$TMP/h12.txt"
"$NETRIG" hist show --tag probe "$TMP/r/rr.hlog" | grep -v StartTime >"$TMP/rr.txt"
cmp -s "$TMP/h12.txt" "$TMP/rr.txt" || fail "run: merged probe series differs from the hosts'"
python3 - "$TMP" <<'PY' || fail "run: all row's probe columns"
import csv, sys
rows = {x["host"]: x for x in csv.DictReader(open(sys.argv[1] + "/r/summary.csv"))}
a = rows["all"]
assert a["hosts"] == "2/2", a["hosts"]
p = [float(a[c]) for c in ("probe_p50_us", "probe_p90_us", "probe_p99_us", "probe_max_us")]
assert 0 < p[0] <= p[1] <= p[2] <= p[3], p
assert float(a["probe_idle_p50_us"]) > 0
PY
echo "merge probe ok"
