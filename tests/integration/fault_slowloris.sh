# Slow clients: connections that trickle a request one byte at a time are
# cut off after --hello-timeout, while a real test on the same server runs
# as usual.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/fault_peer.py"
start_server --hello-timeout 1s
fds() { ls /proc/$SPID/fd | wc -l; }
base=$(fds)

timeout 30 python3 "$PEER" slow 127.0.0.1 $PORT 300 8 >"$TMP/slow.log" 2>&1 &
SLOW=$!
PIDS+=("$SLOW")
sleep 0.5
run_json during --mode rr --size 64 --duration 1 --warmup 0.1
check_sane during
wait "$SLOW" || fail "slow clients not cut off: $(cat "$TMP/slow.log")"
cat "$TMP/slow.log"
# All cut off well before the 8 s the trickle would have gone on.
python3 - "$TMP/slow.log" <<'PY' || fail "cut off too late: $(cat "$TMP/slow.log")"
import re, sys
t = float(re.search(r"after ([0-9.]+) s", open(sys.argv[1]).read()).group(1))
sys.exit(0 if t < 4 else 1)
PY
for _ in $(seq 30); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
[ "$(fds)" -le "$base" ] || fail "server holds $(fds) descriptors, $base before"
echo "slowloris ok"

# The same over HTTP on the same port: a head that trickles in is cut off
# at --hello-timeout, a keep-alive connection left idle at --idle-timeout,
# and a head beyond --http-max-head gets 431.
start_server --hello-timeout 1s --idle-timeout 2s --http-max-head 1k
timeout 30 python3 "$PEER" slow 127.0.0.1 $PORT 100 8 http >"$TMP/hslow.log" 2>&1 ||
    fail "slow HTTP clients not cut off: $(cat "$TMP/hslow.log")"
cat "$TMP/hslow.log"
python3 - "$PORT" <<'PY' || fail "HTTP idle and 431"
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n")
data = s.recv(4096)
assert data.startswith(b"HTTP/1.1 200"), data
t0 = time.monotonic()
s.settimeout(10)
rest = s.recv(4096)  # b"" when the server closes the idle connection
idle = time.monotonic() - t0
assert rest == b"" and 1.5 < idle < 5, (rest, idle)
print("idle keep-alive closed after %.1f s" % idle)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"z" * 2000 + b"\r\n\r\n")
data = s.recv(4096)
assert data.startswith(b"HTTP/1.1 431"), data[:40]
print("head beyond --http-max-head:", data.split(b"\r\n")[0].decode())
PY
echo "slow HTTP ok"
