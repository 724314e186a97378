# A request/response test alone on a server thread is answered from a
# blocking receive (the loop's waiter: no epoll wait per message); anything
# else arriving on that thread ends the wait and is served at once, and no
# message is lost or counted twice either way. A client alone in its
# thread (TCP, WebSocket) waits in recv too.
# ctest: run-serial
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
command -v strace >/dev/null || fail "strace is not installed (scripts/setup.sh installs it)"
start_server

for proto in tcp udp; do
    run_json "$proto" --proto "$proto" --mode rr --size 64 --count 3000 --warmup 0
    check "$proto" 'r["messages"] == 3000 and r["errors"] == 0 and r["tx_bytes"] == r["rx_bytes"]' \
        "$proto rr exact count"
done

# During a UDP rr test the server's thread does not sleep in epoll_pwait2.
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --json --proto udp --mode rr --size 64 \
    --duration 3 --warmup 0 >"$TMP/long.json" 2>"$TMP/long.err" &
CP=$!
PIDS+=("$CP")
sleep 0.8
timeout -s INT 0.7 strace -f -c -o "$TMP/strace.txt" -p "$SPID" 2>/dev/null
python3 - "$TMP/strace.txt" <<'PY' || fail "server syscalls: $(cat "$TMP/strace.txt")"
import sys
calls = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[-1].isidentifier() and f[3].isdigit():
        calls[f[-1]] = int(f[3])
sent = calls.get("sendto", 0)
sleeps = calls.get("epoll_pwait2", 0) + calls.get("epoll_pwait", 0)
print(f"server: {sent} answers, {sleeps} epoll sleeps")
sys.exit(0 if sent >= 200 and sleeps * 20 < sent else 1)
PY

# While it runs, a TCP stream and an HTTP request on the same thread are
# served at once: the wait ends when the thread has more to serve.
t0=$(date +%s%N)
run_json stream --size 64k --duration 0.5 --warmup 0
ms=$((($(date +%s%N) - t0) / 1000000))
check stream 'r["errors"] == 0 and r["tx_bytes"] == r["rx_bytes"] and r["messages"] > 0'
[ "$ms" -lt 3000 ] || fail "a 0.5 s stream beside a waiting rr test took $ms ms"
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/bytes/1000")
[ "$code" = 200 ] || fail "HTTP beside a waiting rr test: status $code"
wait "$CP" || fail "long rr client exited $?: $(cat "$TMP/long.err")"
check long 'r["messages"] > 1000 and r["errors"] == 0 and r["loss_pct"] == 0'
# A WebSocket rr client alone in its thread reads its echoes as the TCP
# client does (speculative reads, then a blocking recv as the loop's
# waiter), without an epoll call that may sleep per message.
# (LeakSanitizer cannot run under ptrace: a sanitized client skips it.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    timeout 60 strace -f -c -o "$TMP/ws_strace.txt" "$NETRIG" client --server 127.0.0.1:$PORT --json \
    --proto ws --mode rr --size 64 --count 3000 --warmup 0 >"$TMP/ws.json" 2>"$TMP/ws.err" ||
    fail "ws rr client exited $?: $(cat "$TMP/ws.err")"
check ws 'r["messages"] == 3000 and r["errors"] == 0' "ws rr exact count"
python3 - "$TMP/ws_strace.txt" <<'PY' || fail "ws client syscalls: $(cat "$TMP/ws_strace.txt")"
import sys
calls = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[-1].isidentifier() and f[3].isdigit():
        calls[f[-1]] = int(f[3])
sent = calls.get("sendto", 0)
sleeps = calls.get("epoll_pwait2", 0) + calls.get("epoll_pwait", 0)
print(f"ws client: {sent} messages sent, {sleeps} epoll sleeps")
sys.exit(0 if sent >= 3000 and sleeps * 20 < sent else 1)
PY
# The server's WebSocket echo alone in its thread answers from a blocking
# receive too: its thread does not sleep in epoll_pwait2 per message.
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --json --proto ws --mode rr --size 64 \
    --duration 3 --warmup 0 >"$TMP/wslong.json" 2>"$TMP/wslong.err" &
CP=$!
PIDS+=("$CP")
sleep 0.8
timeout -s INT 0.7 strace -f -c -o "$TMP/ws_srv_strace.txt" -p "$SPID" 2>/dev/null
python3 - "$TMP/ws_srv_strace.txt" <<'PY' || fail "ws server syscalls: $(cat "$TMP/ws_srv_strace.txt")"
import sys
calls = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[-1].isidentifier() and f[3].isdigit():
        calls[f[-1]] = int(f[3])
sent = calls.get("sendmsg", 0)
sleeps = calls.get("epoll_pwait2", 0) + calls.get("epoll_pwait", 0)
print(f"ws server: {sent} echoes, {sleeps} epoll sleeps")
sys.exit(0 if sent >= 200 and sleeps * 20 < sent else 1)
PY
wait "$CP" || fail "long ws rr client exited $?: $(cat "$TMP/wslong.err")"
check wslong 'r["messages"] > 1000 and r["errors"] == 0'
echo "rr wait ok"
