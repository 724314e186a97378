# The thread-per-connection server answers every mode as the epoll one
# does, and IPv6 loopback works.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --model threads

run_json stream --duration 0.5 --warmup 0.1 --conns 3
check_sane stream
check stream 'r["tx_bytes"] == r["rx_bytes"]' "bytes"
run_json reverse --duration 0.5 --warmup 0.1 --reverse --conns 2
check_sane reverse
check reverse 'r["tx_bytes"] == r["rx_bytes"]' "bytes"
run_json rr --mode rr --duration 0.5 --warmup 0.1 --conns 4 --threads 2
check_sane rr
run_json crr --mode crr --duration 0.5 --warmup 0.1
check_sane crr
run_json udp --proto udp --rate 20mbit --duration 0.5 --warmup 0.1 --conns 2
check_sane udp
check udp 'r["loss_pct"] == 0' "udp loss"
run_json udprr --proto udp --mode rr --duration 0.5 --warmup 0.1 --size 32
check_sane udprr

if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    P6=$(free_port)
    "$NETRIG" server --listen "[::1]:$P6" >"$TMP/s6.log" 2>&1 &
    PIDS+=($!)
    sleep 0.3
    timeout 30 "$NETRIG" client --server "[::1]:$P6" --mode rr --duration 0.3 --json \
        >"$TMP/v6.json" 2>"$TMP/v6.err" || fail "ipv6: $(cat "$TMP/v6.err" "$TMP/s6.log")"
    check v6 'r["messages"] > 0 and r["errors"] == 0' "ipv6"
fi
echo "server models ok"
