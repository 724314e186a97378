#!/bin/bash
# The results folder of netrig run belongs to one run: a second run into
# the same --out is refused, even while the first has not written a row.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"

cat >"$TMP/one.ini" <<'INI'
[global]
duration = 1500ms
warmup = 0
[tcp]
proto = tcp
mode = rr
size = 64
INI

# Two runs started together into one folder: exactly one succeeds, and the
# folder holds one header and one row.
out=$TMP/shared
timeout 60 "$NETRIG" run "$TMP/one.ini" --out "$out" --no-plot >"$TMP/a.log" 2>&1 &
A=$!
PIDS+=("$A")
timeout 60 "$NETRIG" run "$TMP/one.ini" --out "$out" --no-plot >"$TMP/b.log" 2>&1 &
B=$!
PIDS+=("$B")
wait "$A"
ra=$?
wait "$B"
rb=$?
if [ $ra -eq 0 ] && [ $rb -eq 0 ]; then
    fail "both runs into $out succeeded: $(cat "$out/summary.csv")"
fi
[ $ra -eq 0 ] || [ $rb -eq 0 ] || fail "neither run succeeded: $(cat "$TMP/a.log" "$TMP/b.log")"
grep -q "already holds results" "$TMP/a.log" "$TMP/b.log" || fail "no clear refusal: $(cat "$TMP/a.log" "$TMP/b.log")"
[ "$(grep -c '^schema,' "$out/summary.csv")" = 1 ] || fail "headers: $(cat "$out/summary.csv")"
[ "$(wc -l <"$out/summary.csv")" = 2 ] || fail "rows: $(cat "$out/summary.csv")"

# A folder that cannot be written is refused before the first test runs,
# not after it. Root writes through mode bits, so root takes a folder of
# /proc, where no file can be created.
ro=$TMP/ro
mkdir "$ro"
chmod 555 "$ro"
[ "$(id -u)" = 0 ] && ro=/proc/self
timeout 60 "$NETRIG" run "$TMP/one.ini" --out "$ro" --no-plot >"$TMP/ro.log" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "a run into read-only $ro succeeded: $(cat "$TMP/ro.log")"
if grep -q "p50" "$TMP/ro.log"; then
    fail "a test ran before the read-only folder was found: $(cat "$TMP/ro.log")"
fi
grep -q "cannot write $ro/summary.csv" "$TMP/ro.log" || fail "no clear error: $(cat "$TMP/ro.log")"

echo "run --out ok"
