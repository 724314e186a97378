#!/bin/bash
# The README's first command: scenarios/quickstart.ini gives every row a
# verdict from the goodput model and draws the throughput and overhead
# figures with rr, HTTP and HTTPS in them. Run as an ordinary user (when
# root can drop to one), so the link section is skipped with a note and
# --link is refused before a results folder exists.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"

SCEN="$NETRIG_SRC/scenarios/quickstart.ini"
AS=()
if [ "$(id -u)" = 0 ]; then
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chmod 777 "$TMP"
fi

# --link without root: refused before anything is made.
timeout 30 "${AS[@]}" "$NETRIG" run "$SCEN" --link tbf:100mbit --out "$TMP/linked" \
    >"$TMP/link.log" 2>&1
rc=$?
[ $rc = 2 ] || fail "--link without root: exit $rc: $(cat "$TMP/link.log")"
grep -q "needs root" "$TMP/link.log" || fail "no reason given: $(cat "$TMP/link.log")"
[ ! -e "$TMP/linked" ] || fail "--link without root made $TMP/linked"

start=$(date +%s)
timeout 300 "${AS[@]}" "$NETRIG" run "$SCEN" --out "$TMP/qs" >"$TMP/qs.log" 2>&1 ||
    fail "quickstart exited $?: $(cat "$TMP/qs.log")"
echo "quickstart took $(($(date +%s) - start)) s"
grep -q "skipped: link = tbf:100mbit needs root" "$TMP/qs.log" ||
    fail "the link section was not skipped with a note: $(cat "$TMP/qs.log")"
grep -q "skipped (root)" "$TMP/qs.log" || fail "the table does not say why: $(cat "$TMP/qs.log")"

# Every row a verdict, or (when other load on the machine hides the
# bytes' cost in a sweep) its reason in model.txt and on the console; the
# summary line counts them.
python3 - "$TMP/qs/summary.csv" "$TMP/qs/model.txt" "$TMP/qs.log" <<'PY' ||
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
txt, log = open(sys.argv[2]).read(), open(sys.argv[3]).read()
assert len(rows) == 21, len(rows)
unchecked = [r for r in rows if r["model_ok"] not in ("yes", "no", "cpu", "steal")]
for r in unchecked:
    line = [l for l in txt.splitlines() if l.startswith(r["step"] + " ")]
    assert line and "not checked (" in line[0], (r["step"], line)
    assert "model: %s %s" % (r["proto"], r["mode"]) in log and "not checked: " in log, r["step"]
print("%d of 21 rows checked" % (21 - len(unchecked)))
assert "model: checked %d of 21 rows: " % (21 - len(unchecked)) in log
PY
    fail "rows without a verdict or a reason: $(cat "$TMP/qs/model.txt" "$TMP/qs.log")"
grep -Eq "^model: checked .* of 21 rows: .*open $TMP/qs/index.html; 3 link steps skipped" \
    "$TMP/qs.log" || fail "summary line: $(tail -3 "$TMP/qs.log")"

# Both figures, with every protocol's sweep in the throughput figure.
for f in throughput overhead; do
    [ -s "$TMP/qs/plots/$f.png" ] || fail "no $f figure: $(ls "$TMP/qs/plots")"
done
for s in "tcp stream" "tcp rr" "udp stream" "udp rr" "http rr" "https rr" "tls stream"; do
    grep -qx "# $s" "$TMP"/qs/plots/data/throughput-*.dat || fail "throughput lacks $s"
    grep -qx "# $s" "$TMP"/qs/plots/data/overhead-*.dat || fail "overhead lacks $s"
done
echo "ok"
