# Output files: --csv appends with the header once, --json is one valid
# object, --hlog is an HdrHistogram log, --interval prints a line per
# interval.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server

csv=$TMP/out.csv
for i in 1 2; do
    "$NETRIG" client --server 127.0.0.1:$PORT --mode rr --duration 0.5 --warmup 0.1 \
        --csv "$csv" --quiet >/dev/null || fail "run $i"
done
[ "$(grep -c '^schema,' "$csv")" = 1 ] || fail "header not once: $(cat "$csv")"
[ "$(wc -l <"$csv")" = 3 ] || fail "rows: $(cat "$csv")"
python3 - "$csv" <<'PY' || fail "csv does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 2
for r in rows:
    assert r["proto"] == "tcp" and r["mode"] == "rr" and r["schema"] == "1"
    assert float(r["msgs_per_s"]) > 0 and r["loss_pct"] == ""
PY

"$NETRIG" client --server 127.0.0.1:$PORT --proto udp --rate 10mbit --duration 0.5 --json \
    >"$TMP/out.json" 2>/dev/null || fail "json run"
python3 -m json.tool "$TMP/out.json" >/dev/null || fail "json: $(cat "$TMP/out.json")"

"$NETRIG" client --server 127.0.0.1:$PORT --mode rr --duration 2.2 --warmup 0.1 \
    --interval 0.5s --hlog "$TMP/out.hlog" >"$TMP/iv.out" || fail "interval run"
n=$(grep -c '^\[' "$TMP/iv.out")
[ "$n" -ge 4 ] && [ "$n" -le 6 ] || fail "$n interval lines: $(cat "$TMP/iv.out")"
grep -q '^#\[StartTime' "$TMP/out.hlog" || fail "hlog header: $(head "$TMP/out.hlog")"
[ "$(grep -c '^[0-9]' "$TMP/out.hlog")" -ge 4 ] || fail "hlog intervals: $(cat "$TMP/out.hlog")"
if "$NETRIG" hist --help >/dev/null 2>&1; then
    "$NETRIG" hist "$TMP/out.hlog" >"$TMP/hist.out" 2>&1 || fail "netrig hist cannot read it: $(cat "$TMP/hist.out")"
fi
# Options of the table that only netrig run honours are refused, naming
# the option; --link-rate and --tolerance land in the row for netrig model.
for opt in "--link tbf:100mbit" "--repeat 3"; do
    # shellcheck disable=SC2086
    "$NETRIG" client --server 127.0.0.1:$PORT --duration 0.2 $opt >"$TMP/ro.out" 2>&1
    st=$?
    [ $st = 2 ] || fail "client $opt exited $st, not 2 (refused): $(cat "$TMP/ro.out")"
    grep -q -- "${opt%% *}" "$TMP/ro.out" || fail "client $opt: no word of it: $(cat "$TMP/ro.out")"
done
"$NETRIG" client --server 127.0.0.1:$PORT --duration 0.2 --warmup 0 --link-rate 100mbit \
    --tolerance 2.5 --json >"$TMP/lr.json" 2>/dev/null || fail "link-rate run"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["link_rate_bps"] == 1e8 and r["tolerance_pct"] == 2.5))' \
    "$TMP/lr.json" || fail "--link-rate/--tolerance not in the row: $(cat "$TMP/lr.json")"
echo "outputs ok"
