# netrig hist does work in proportion to its input: a log of sparse
# intervals with the widest layout (5 digits, 1 to 2^63) and an import
# whose back-fill would be 3.6e12 values both finish far inside a CPU
# limit that the old per-slot and per-value loops overran by minutes.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
LIMIT=20 # CPU seconds; both take well under one
# Under ASan each interval's allocation of the widest layout (25 MB) costs
# about 10 ms of shadow memory: fewer lines keep the same limit.
LINES=3000
[ -n "${NETRIG_SANITIZED:-}" ] && LINES=300

printf '5\n100\n' >"$TMP/v.txt"
"$NETRIG" hist import "$TMP/v.txt" -o "$TMP/one.hlog" --digits 5 --highest 9.2e18 ||
    fail "import of two values"
line=$(grep -v '^[#"]' "$TMP/one.hlog" | head -1)
{
    grep '^[#"]' "$TMP/one.hlog"
    for i in $(seq $LINES); do echo "$i.000,1.000,0.000,${line##*,}"; done
} >"$TMP/many.hlog"
(ulimit -t $LIMIT && exec "$NETRIG" hist show "$TMP/many.hlog") >"$TMP/show.out" 2>&1 ||
    fail "hist show of $(wc -c <"$TMP/many.hlog") bytes failed or overran $LIMIT CPU s: $(tail -3 "$TMP/show.out")"
grep -q "Total count *= *$((2 * LINES))" "$TMP/show.out" || fail "show: $(tail -3 "$TMP/show.out")"

printf '3600000000000\n' >"$TMP/big.txt"
(ulimit -t $LIMIT && exec "$NETRIG" hist import "$TMP/big.txt" -o "$TMP/big.hlog" \
    --expected-interval 1) >"$TMP/import.out" 2>&1 || fail "import with back-fill failed or overran $LIMIT CPU s: $(cat "$TMP/import.out")"
"$NETRIG" hist show "$TMP/big.hlog" >"$TMP/big.out" 2>&1 || fail "show big: $(cat "$TMP/big.out")"
grep -q "Total count *= *3600000000000" "$TMP/big.out" || fail "big: $(tail -3 "$TMP/big.out")"
echo "hist bounded ok"
