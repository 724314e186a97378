# Test slots cannot be held by one peer: a test whose data connections do
# not come within --data-timeout is cancelled (the client told why) and its
# slot freed, and one client address may run --max-tests-per-peer tests at
# once while another address still gets its own.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER=$NETRIG_TESTS/lib/fault_peer.py

# Every slot taken by requests alone: all are cancelled after a second, and
# a real test runs afterwards.
start_server --max-tests 3 --max-tests-per-peer 3 --data-timeout 1s
python3 "$PEER" hold 127.0.0.1 $PORT 3 127.0.0.1 15 >"$TMP/hold.out" 2>&1 ||
    fail "hold: $(cat "$TMP/hold.out")"
cat "$TMP/hold.out"
n=$(grep -c "accepted, then error: test cancelled by the server: 0 of 1 data connections arrived within 1 s (--data-timeout)" "$TMP/hold.out")
[ "$n" -eq 3 ] || fail "expected 3 tests cancelled for want of data: $(cat "$TMP/hold.out")"
run_json after --duration 0.3 --warmup 0
check_sane after
# A test whose connections all came is not cut short by the data deadline.
run_json whole --duration 1.5 --warmup 0 --conns 2
check_sane whole

# One address, two tests at most; the third is refused, another address
# still gets one.
start_server --max-tests 8 --max-tests-per-peer 2 --data-timeout 10s
python3 "$PEER" hold 127.0.0.1 $PORT 3 127.0.0.1 5 >"$TMP/peer.out" 2>&1 ||
    fail "peer: $(cat "$TMP/peer.out")" &
HOLD=$!
PIDS+=("$HOLD")
python3 - "$PEER" "$PORT" "$TMP/peer.out" <<'PY' || fail "per peer"
import subprocess, sys, time
peer, port, first = sys.argv[1], sys.argv[2], sys.argv[3]
# While the first address holds its two, a second address gets one.
time.sleep(0.5)
r = subprocess.run(["python3", peer, "hold", "127.0.0.1", port, "1", "127.0.0.2", "0.1"],
                   capture_output=True, text=True, timeout=20)
print("127.0.0.2:", r.stdout.strip())
sys.exit(0 if r.stdout.startswith("accepted") else 1)
PY
wait "$HOLD"
cat "$TMP/peer.out"
grep -q "refused: server busy for 127.0.0.1: 2 tests running from that address (--max-tests-per-peer 2)" \
    "$TMP/peer.out" || fail "third test from one address not refused: $(cat "$TMP/peer.out")"
[ "$(grep -c '^accepted' "$TMP/peer.out")" -eq 2 ] || fail "expected two accepted"
echo "slots ok"
