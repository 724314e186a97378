# Hostile input: malformed, truncated, oversized and out-of-order control
# messages, random bytes on the TCP port and on a test's UDP ports. Each
# bad connection gets an error reply (where one is due) and is closed;
# the server survives, a test running alongside is undisturbed, and no
# descriptor is left behind.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/fault_peer.py"
start_server --threads 2 --hello-timeout 2s
fds() { ls /proc/$SPID/fd | wc -l; }
base=$(fds)

# A test that must not notice the abuse around it.
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --json --mode rr --size 100 \
    --duration 5 --warmup 0.2 >"$TMP/bg.json" 2>"$TMP/bg.err" &
BG=$!
PIDS+=("$BG")
sleep 0.3

timeout 60 python3 "$PEER" ctrl 127.0.0.1 $PORT || fail "control messages"
timeout 30 python3 "$PEER" garbage 127.0.0.1 $PORT 2 || fail "random bytes on the TCP port"

# Random datagrams at the UDP ports of a running UDP test.
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --json --proto udp --size 512 \
    --rate 20mbit --duration 3 --warmup 0.2 >"$TMP/udp.json" 2>"$TMP/udp.err" &
UDP=$!
PIDS+=("$UDP")
sleep 0.5
ports=$(python3 "$PEER" udpports "$SPID")
[ -n "$ports" ] || fail "no UDP ports found on the server during a UDP test"
for p in $ports; do
    timeout 10 python3 "$PEER" udp 127.0.0.1 "$p" 1 || fail "udp garbage"
done
wait "$UDP"
udp_rc=$?
[ $udp_rc -le 1 ] || fail "UDP test under garbage: client exited $udp_rc: $(cat "$TMP/udp.err")"
echo "udp test under garbage: exit $udp_rc, $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("messages", r["messages"], "errors", r["errors"])' "$TMP/udp.json")"

wait "$BG" || fail "the test alongside failed: $(cat "$TMP/bg.err")"
check_sane bg
kill -0 "$SPID" 2>/dev/null || fail "server died"

# Everything the abuse opened is closed again.
for _ in $(seq 50); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
[ "$(fds)" -le "$base" ] || fail "server holds $(fds) descriptors, $base before"

run_json after --duration 0.5 --warmup 0.1
check_sane after
echo "hostile input ok"
