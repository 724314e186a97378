#!/bin/bash
# netrig model on a results file: verdicts, exit status, the model columns
# written back atomically, model.txt, and bad input named by file and line.
set -u
NETRIG=${1:?usage: model_cli.sh /path/to/netrig}
DATA=${NETRIG_TESTS:-$(dirname "$0")/..}/data/model
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$TMP/run"
cp "$DATA/link100.csv" "$TMP/run/summary.csv"

# Within 1 % of a known 100 Mbit/s link; the 64 B row is CPU-bound.
"$NETRIG" model "$TMP/run" --link-rate 100mbit >"$TMP/out" 2>"$TMP/err" || fail "exit $? $(cat "$TMP/err")"
grep -q 'udp-stream size=64 .* cpu$' "$TMP/out" || fail "64 B row not marked cpu: $(cat "$TMP/out")"
[ "$(grep -c ' yes$' "$TMP/out")" = 6 ] || fail "expected 6 rows within tolerance"
[ -s "$TMP/run/model.txt" ] || fail "no model.txt"
grep -q 'Protocol overhead' "$TMP/run/model.txt" || fail "model.txt has no overhead table"
ls "$TMP/run" | grep -q 'summary.csv.' && fail "temporary file left behind"
# The model columns are now in the CSV, and netrig reads its own output.
head -1 "$TMP/run/summary.csv" | grep -q 'model_err_pct' || fail "model columns not written"
grep -q ',yes,' "$TMP/run/summary.csv" || fail "no verdicts in the CSV"
"$NETRIG" model "$TMP/run/summary.csv" --link-rate 100mbit >/dev/null || fail "re-check of rewritten file failed"

# A faster link claimed: every link-bound row misses, each named, exit 1.
"$NETRIG" model "$TMP/run" --link-rate 102mbit --no-write >"$TMP/out" 2>"$TMP/err"
[ $? = 1 ] || fail "expected exit 1 for rows outside tolerance"
[ "$(grep -c 'outside 1 %' "$TMP/err")" = 6 ] || fail "misses not named: $(cat "$TMP/err")"
grep -q 'summary.csv:3: step .udp-stream size=1024' "$TMP/err" || fail "miss without file:line"
# A wider tolerance accepts them.
"$NETRIG" model "$TMP/run" --link-rate 102mbit --tolerance 3 --no-write >/dev/null || fail "tolerance 3"

# Without a link rate the fit recovers C from the sweep.
"$NETRIG" model "$TMP/run" >/dev/null || fail "fit run failed"
grep -q 'fit   C = 100\.0' "$TMP/run/model.txt" || fail "fitted C: $(grep 'fit' "$TMP/run/model.txt")"

# Link rate and tolerance carried by the rows themselves (a run through an
# emulated link writes them): no flags needed; a row may ask for 2 %.
{
    echo "schema,step,proto,mode,size_bytes,goodput_bps,link_rate_bps,tolerance_pct"
    echo "1,a,udp,stream,1472,97000000,100000000,1"
    echo "1,b,udp,stream,1024,94500000,100000000,2"
} >"$TMP/rows.csv"
"$NETRIG" model "$TMP/rows.csv" >"$TMP/out" 2>"$TMP/err"
[ $? = 0 ] || fail "per-row link rate and tolerance: $(cat "$TMP/out" "$TMP/err")"
grep -q 'known' "$TMP/model.txt" 2>/dev/null || grep -q '(link)' "$TMP/model.txt" || fail "row link rate not used"
"$NETRIG" model "$TMP/rows.csv" --tolerance 1 --no-write >/dev/null 2>&1
[ $? = 1 ] || fail "--tolerance must override the rows"

# Bad input: exit 2, file and line named.
printf 'schema,step,proto,mode,size_bytes,goodput_bps\r\n1,a,tcp,stream,1024,9e7\r\n1,b,tcp,stream,1k?,9e7\r\n' >"$TMP/bad.csv"
"$NETRIG" model "$TMP/bad.csv" 2>"$TMP/err"
[ $? = 2 ] || fail "bad number: expected exit 2"
grep -q 'bad.csv:3: column size_bytes' "$TMP/err" || fail "bad input not located: $(cat "$TMP/err")"
"$NETRIG" model "$TMP/none.csv" 2>/dev/null
[ $? = 2 ] || fail "missing file: expected exit 2"
echo hello >"$TMP/x.csv"
"$NETRIG" model "$TMP/x.csv" 2>"$TMP/err"
[ $? = 2 ] || fail "not a summary: expected exit 2"
"$NETRIG" model "$TMP/run" --link-rate fast 2>/dev/null
[ $? = 2 ] || fail "bad --link-rate: expected exit 2"
echo ok
