# --count N in stream mode measures N messages, warm-up or not: the
# warm-up's messages still in flight when measuring starts must not count,
# nor may the measured ones be missed.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server

for try in 1 2 3; do
    run_json tcp$try --mode stream --count 10 --warmup 0.3 --duration 10
    checks tcp$try 'r["messages"] == 10' 'r["errors"] == 0'
    run_json udp$try --proto udp --mode stream --count 10 --warmup 0.3 --duration 10 --rate 50mbit
    checks udp$try 'r["messages"] == 10'
done
run_json nowarm --mode stream --count 10 --warmup 0 --duration 10
checks nowarm 'r["messages"] == 10'
"$NETRIG" client --server 127.0.0.1:$PORT --mode stream --count 10 --warmup 0.3 \
    --duration 10 >"$TMP/text.out" 2>&1 || fail "text run: $(cat "$TMP/text.out")"
grep -q "no warm-up" "$TMP/text.out" || fail "the header does not say the warm-up is skipped: $(cat "$TMP/text.out")"
echo "count in stream mode ok"
