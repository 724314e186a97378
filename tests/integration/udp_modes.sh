# UDP: streams (forward, reverse, bidir), request/response and rate on
# ctest: run-serial
# loopback: no loss at modest paced rates, rates held, headers intact.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --threads 2

run_json stream --proto udp --duration 1 --warmup 0.2 --rate 50mbit --size 1200 --conns 2
check_sane stream
check stream 'r["loss_pct"] == 0 and r["dup"] == 0 and r["reorder"] == 0' "loss on loopback"
check stream 'abs(r["goodput_bps"] / 50e6 - 1) < 0.03 * slack' "paced rate"
check stream 'r["jitter_us"] >= 0' "jitter"
check stream 'r["tx_bytes"] == r["rx_bytes"]' "datagrams lost"

run_json reverse --proto udp --duration 1 --warmup 0.2 --rate 20000/s --size 500 --reverse --conns 3
check_sane reverse
check reverse 'r["loss_pct"] == 0' "loss"
check reverse 'abs(r["msgs_per_s"] / 20000 - 1) < 0.03 * slack' "paced message rate"

run_json bidir --proto udp --duration 1 --warmup 0.2 --rate 40mbit --bidir --size 1000
check_sane bidir
check bidir 'r["loss_pct"] == 0' "loss"

run_json rr --proto udp --mode rr --duration 1 --warmup 0.2 --size 64 --resp-size 512 --pipeline 2
check_sane rr
check rr 'r["loss_pct"] == 0' "rr loss"

run_json rate --proto udp --mode rate --rate 5000/s --duration 2 --warmup 0.2 --size 100 --conns 2
check_sane rate
check rate 'abs(r["msgs_per_s"] / 5000 - 1) < 0.03 * slack and r["loss_pct"] == 0' "rate"

run_json count --proto udp --count 3000 --size 100 --rate 30000/s --warmup 0
check count 'r["tx_bytes"] == 300000 and r["rx_bytes"] == 300000' "count"

# Too small for the sequence header: a usage error naming the limit.
if "$NETRIG" client --server 127.0.0.1:$PORT --proto udp --size 8 >"$TMP/small" 2>&1; then
    fail "a 8-byte UDP size was accepted"
fi
grep -q "16" "$TMP/small" || fail "no useful message: $(cat "$TMP/small")"
echo "udp modes ok"
