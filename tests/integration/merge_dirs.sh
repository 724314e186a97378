#!/usr/bin/env bash
# netrig merge on folders from another launcher: two clients started
# together with --start-at, each writing --out DIR, against one server on
# loopback (no ssh). The all row's counts are the hosts' sums, its
# percentiles those of `netrig hist merge` over the hosts' logs (one
# histogram of every value), and each host's log is kept beside the merge.
source "$NETRIG_TESTS/lib/netrig_test.sh"
start_server --threads 2

T=$(python3 -c 'import time; print("%.3f" % (time.time() + 1.5))')
for h in a b; do
    timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --mode rr --conns 2 --duration 1s \
        --warmup 0.2s --interval 0.25s --start-at "$T" --host "$h" --out "$TMP/$h" \
        >"$TMP/$h.log" 2>"$TMP/$h.err" &
    eval "C_$h=\$!"
done
wait "$C_a" || fail "client a: $(cat "$TMP/a.err")"
wait "$C_b" || fail "client b: $(cat "$TMP/b.err")"
for h in a b; do
    [ -s "$TMP/$h/summary.csv" ] && [ -s "$TMP/$h/client.hlog" ] || fail "client $h: no folder"
done

"$NETRIG" merge "$TMP/a" "$TMP/b" -o "$TMP/m" --no-plot >"$TMP/merge.log" 2>&1 ||
    fail "netrig merge exited $?: $(cat "$TMP/merge.log")"
for f in client.a.hlog client.b.hlog client.hlog summary.csv; do
    [ -s "$TMP/m/$f" ] || fail "merge: $f missing"
done
"$NETRIG" hist merge "$TMP/a/client.hlog" "$TMP/b/client.hlog" -o "$TMP/ab.hlog" ||
    fail "hist merge"
"$NETRIG" hist show "$TMP/ab.hlog" | grep -v StartTime >"$TMP/ab.txt"
"$NETRIG" hist show "$TMP/m/client.hlog" | grep -v StartTime >"$TMP/m.txt"
cmp -s "$TMP/ab.txt" "$TMP/m.txt" || fail "merged client.hlog differs from hist merge of the hosts' logs"
python3 - "$TMP" <<'PY' || fail "merged rows"
import csv, sys
d = sys.argv[1]
hosts = [list(csv.DictReader(open("%s/%s/summary.csv" % (d, h))))[0] for h in "ab"]
rows = {x["host"]: x for x in csv.DictReader(open(d + "/m/summary.csv"))}
assert set(rows) == {"a", "b", "all"}, rows.keys()
a = rows["all"]
assert a["hosts"] == "2/2", a["hosts"]
for col in ("messages", "tx_bytes", "rx_bytes", "goodput_bps", "conns"):
    s = sum(float(h[col]) for h in hosts)
    assert abs(float(a[col]) - s) <= 1e-9 * s, (col, a[col], s)
    for h in hosts:
        assert rows[h["host"]][col] == h[col], (col, h["host"])
assert all(float(h["messages"]) > 0 for h in hosts)
# Percentiles of one histogram of both hosts' values (hist show: value,
# percentile, count, 1/(1-p); ms).
pct = {}
for line in open(d + "/ab.txt"):
    f = line.split()
    if len(f) == 4 and f[1].replace(".", "").isdigit():
        pct.setdefault(float(f[1]), float(f[0]))
for p, col in ((0.5, "lat_p50_us"), (0.9, "lat_p90_us")):
    assert abs(pct[p] - float(a[col]) / 1000) <= 0.0005 + 1e-9, (p, pct[p], a[col])
# The merged time series: times from the merged run's start (not the
# epoch), and each interval's counts and rates the hosts' sums, read from
# their intervals.csv (a .hlog holds only latency).
hiv = [list(csv.DictReader(open("%s/%s/intervals.csv" % (d, h)))) for h in "ab"]
miv = list(csv.DictReader(open(d + "/m/intervals.csv")))
assert len(miv) == max(len(v) for v in hiv) >= 3, (len(miv), [len(v) for v in hiv])
assert 0 <= float(miv[0]["t_start_s"]) < 1, miv[0]["t_start_s"]
for i, r in enumerate(miv):
    assert float(r["t_start_s"]) < float(r["t_s"]) < 60, r
    for col in ("messages", "msgs_per_s", "goodput_bps"):
        s = sum(float(v[i][col]) for v in hiv if i < len(v))
        assert s > 0 and abs(float(r[col]) - s) <= 1e-6 * s, (i, col, r[col], s)
assert abs(sum(float(r["messages"]) for r in miv) - float(a["messages"])) <= 0.02 * float(a["messages"])
PY
echo "merge dirs ok"
