# The HTTP side of the server's port: a keyed server (--psk) serves no
# HTTP or HTTPS to clients without the key unless --open-http says so; a
# request after a stray CRLF is served (RFC 9112 2.2).
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
head -c 32 /dev/urandom | base64 >"$TMP/key"
chmod 600 "$TMP/key"

# get PORT REQUEST-BYTES: the first line of the answer ("" if none).
get() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while b"\r\n" not in data:
        d = s.recv(4096)
        if not d:
            break
        data += d
except (socket.timeout, ConnectionResetError):
    pass
print(data.split(b"\r\n")[0].decode("latin-1"))
PY
}
req='GET /bytes/100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

start_server
[ "$(get $PORT "$req")" = "HTTP/1.1 200 OK" ] || fail "an open server does not serve HTTP"
line=$(get $PORT "\\r\\n$req")
[ "$line" = "HTTP/1.1 200 OK" ] || fail "a request after a leading CRLF: '$line'"

start_server --psk "$TMP/key"
line=$(get $PORT "$req")
case $line in
HTTP/1.1\ 403*) ;;
*) fail "a keyed server answered HTTP for a stranger: '$line'" ;;
esac
timeout 20 "$NETRIG" client --url "http://127.0.0.1:$PORT/bytes/100" --duration 0.3 --warmup 0 \
    --json >"$TMP/refused.json" 2>"$TMP/refused.err"
checks refused 'r["messages"] == 0' 'r["errors"] > 0'
# WebSocket cannot prove the key either: the upgrade gets the same 403,
# and netrig's ws client against the keyed server measures nothing.
wsreq='GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
line=$(get $PORT "$wsreq")
case $line in
HTTP/1.1\ 403*) ;;
*) fail "a keyed server answered a WebSocket upgrade for a stranger: '$line'" ;;
esac
timeout 20 "$NETRIG" client --url "ws://127.0.0.1:$PORT/ws/echo" --duration 0.3 --warmup 0 \
    --json >"$TMP/ws_refused.json" 2>"$TMP/ws_refused.err"
checks ws_refused 'r["messages"] == 0' '"status_4xx=" in r["errors_by_class"]'
# netrig's own tests with the key still run.
run_json keyed --duration 0.3 --warmup 0 --psk "$TMP/key"
check_sane keyed

start_server --psk "$TMP/key" --open-http
[ "$(get $PORT "$req")" = "HTTP/1.1 200 OK" ] || fail "--open-http does not open HTTP"
line=$(get $PORT "$wsreq")
[ "$line" = "HTTP/1.1 101 Switching Protocols" ] || fail "--open-http does not open WebSocket: '$line'"

start_server --psk "$TMP/key" --tls
timeout 20 "$NETRIG" client --url "https://127.0.0.1:$PORT/bytes/100" --duration 0.3 \
    --warmup 0 --json >"$TMP/tls.json" 2>"$TMP/tls.err"
checks tls 'r["messages"] == 0' 'r["errors"] > 0'
run_json keyed_tls --proto tls --duration 0.3 --warmup 0 --psk "$TMP/key"
check_sane keyed_tls
echo "http and psk ok"
