# A response the client has not sent a request for yet (a server that
# answers ahead) is a protocol error, counted once per connection, never a
# transaction: a transaction needs its request on the wire.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"

# A server that answers every read with 200 responses in bulk, and counts
# the requests it has received.
cat >"$TMP/ahead.py" <<'PY'
import socket, sys, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(16)
open(sys.argv[1] + ".port", "w").write(str(ls.getsockname()[1]))
ls.settimeout(1)
resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" * 200
end = time.time() + 20
reqs = 0
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    c.settimeout(1)
    try:
        while time.time() < end:
            d = c.recv(65536)
            if not d:
                break
            reqs += d.count(b"GET ")
            open(sys.argv[1], "w").write(str(reqs))
            c.sendall(resp)
    except OSError:
        pass
    c.close()
PY
python3 "$TMP/ahead.py" "$TMP/reqs" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/reqs.port" ] && break; sleep 0.1; done
P=$(cat "$TMP/reqs.port")
timeout 30 "$NETRIG" client --url "http://127.0.0.1:$P/" --mode rr --duration 0.5 --warmup 0 \
    --json >"$TMP/early.json" 2>"$TMP/early.err" || fail "client: $(cat "$TMP/early.err")"
reqs=$(cat "$TMP/reqs")
checks early "r['messages'] <= $reqs" 'r["errors"] > 0' \
    "r['errors'] <= $reqs" || fail "requests received by the server: $reqs"
echo "early responses: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["messages"], "transactions,", r["errors"], "errors", r["errors_by_class"])' "$TMP/early.json"), $reqs requests"
