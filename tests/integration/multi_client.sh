# Several clients testing one server at the same time must not mix: each
# gets back exactly its own byte and message counts.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --threads 2

run_json a --count 3000 --size 1000 --warmup 0 --conns 2 --rate 20000/s &
A=$!
run_json b --count 7000 --size 300 --warmup 0 --conns 3 --rate 30000/s &
B=$!
run_json c --proto udp --count 2000 --size 200 --warmup 0 --rate 10000/s &
C=$!
run_json d --mode rr --count 4000 --size 10 --resp-size 20 --warmup 0 &
D=$!
wait $A || fail "client a"
wait $B || fail "client b"
wait $C || fail "client c"
wait $D || fail "client d"
check a 'r["tx_bytes"] == 3000000 and r["rx_bytes"] == 3000000' "client a saw other bytes"
check b 'r["tx_bytes"] == 2100000 and r["rx_bytes"] == 2100000' "client b saw other bytes"
check c 'r["tx_bytes"] == 400000 and r["rx_bytes"] == 400000' "client c saw other bytes"
check d 'r["messages"] == 4000 and r["tx_bytes"] == 4000 * 30 and r["rx_bytes"] == 4000 * 30' "client d"
echo "multi client ok"
