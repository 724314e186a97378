# Limits through the real client: each refusal names the server and the
# limit, and the server serves the next test as usual.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --max-conns 4 --max-tests 1 --max-duration 10s --max-rate 100mbit

refused() { # name expected-text client-options...
    local name=$1 want=$2
    shift 2
    timeout 20 "$NETRIG" client --server 127.0.0.1:$PORT "$@" >/dev/null 2>"$TMP/$name.err"
    [ $? -eq 1 ] || fail "$name: not refused: $(cat "$TMP/$name.err")"
    grep -q "server 127.0.0.1:$PORT" "$TMP/$name.err" || fail "$name: $(cat "$TMP/$name.err")"
    grep -q -- "$want" "$TMP/$name.err" || fail "$name: unclear: $(cat "$TMP/$name.err")"
    echo "$name: $(cat "$TMP/$name.err")"
}
refused duration "--max-duration" --duration 20s --rate 10mbit
refused unpaced "paced tests only" --duration 1
refused too_fast "--max-rate" --duration 1 --rate 1gbit
run_json paced --duration 0.5 --warmup 0.1 --rate 50mbit
check_sane paced

# One test at a time: a second client is told the server is busy.
timeout 30 "$NETRIG" client --server 127.0.0.1:$PORT --duration 3 --warmup 0 --rate 10mbit \
    --quiet >/dev/null 2>&1 &
FIRST=$!
PIDS+=("$FIRST")
sleep 0.5
refused busy_tests "--max-tests 1" --duration 1 --rate 10mbit
wait "$FIRST" || fail "the first test failed"

# Connections: with 4 held open, the next is refused at once.
python3 - "$PORT" "$NETRIG" <<'PY' || fail "max-conns"
import socket, subprocess, sys, time
port, netrig = int(sys.argv[1]), sys.argv[2]
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
time.sleep(0.3)
r = subprocess.run([netrig, "client", "--server", "127.0.0.1:%d" % port, "--duration", "0.3",
                    "--rate", "10mbit"], capture_output=True, text=True, timeout=20)
print("max_conns:", r.stderr.strip().splitlines()[-1])
ok = r.returncode == 1 and "--max-conns 4" in r.stderr
for s in held:
    s.close()
sys.exit(0 if ok else 1)
PY
sleep 0.3
run_json after --duration 0.5 --warmup 0.1 --rate 50mbit
check_sane after
# The count of open connections comes back down: after thousands of
# connect/request/close transactions, a test using all --max-conns starts.
start_server --max-conns 4
run_json crr --mode crr --conns 2 --duration 0.5 --warmup 0.1
check_sane crr
run_json full --conns 3 --duration 0.3 --warmup 0
check_sane full
echo "limits ok"
