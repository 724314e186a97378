# Pre-shared keys: the right key is accepted, a wrong or missing key is
# refused with a clear message, a key file others can read is refused,
# and a server listening beyond loopback without --psk warns.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
head -c 32 /dev/urandom | base64 >"$TMP/key"
head -c 32 /dev/urandom | base64 >"$TMP/other"
chmod 600 "$TMP/key" "$TMP/other"

start_server --psk "$TMP/key"
run_json right --duration 0.5 --warmup 0.1 --psk "$TMP/key"
check_sane right

refused() { # name expected-text client-options...
    local name=$1 want=$2
    shift 2
    timeout 20 "$NETRIG" client --server 127.0.0.1:$PORT --duration 0.5 "$@" \
        >/dev/null 2>"$TMP/$name.err"
    local rc=$?
    [ $rc -ne 0 ] || fail "$name: the client was let in"
    grep -q -- "$want" "$TMP/$name.err" || fail "$name: unclear message: $(cat "$TMP/$name.err")"
    echo "$name: $(cat "$TMP/$name.err")"
}
refused wrong_key "authentication failed: wrong key" --psk "$TMP/other"
refused no_key "authentication failed: the server requires --psk"
chmod 644 "$TMP/other"
refused open_key_file "chmod 600" --psk "$TMP/other"
printf 'short\n' >"$TMP/short"
chmod 600 "$TMP/short"
refused short_key "16 to 1024 bytes" --psk "$TMP/short"
# The server is still fine after the refusals.
run_json again --duration 0.5 --warmup 0.1 --psk "$TMP/key"
check_sane again

# A server without a key refuses a client that insists on one (the
# client cannot tell it holds the key).
start_server
refused server_without "the server does not use --psk" --psk "$TMP/key"

# A server refuses to start with a key file others can read.
"$NETRIG" server --listen 127.0.0.1:0 --psk "$TMP/other" >"$TMP/srv.out" 2>&1 &&
    fail "server started with an open key file"
grep -q "chmod 600" "$TMP/srv.out" || fail "server key file: $(cat "$TMP/srv.out")"

# Beyond loopback without --psk: a warning. In a network namespace of its
# own, so nothing outside this test can reach the port.
if unshare -n true 2>/dev/null; then
    timeout 3 unshare -n "$NETRIG" server --listen 0.0.0.0:7878 >"$TMP/any.out" 2>&1
    grep -q "beyond loopback without --psk" "$TMP/any.out" || fail "no warning: $(cat "$TMP/any.out")"
    timeout 3 unshare -n "$NETRIG" server --listen 0.0.0.0:7878 --psk "$TMP/key" \
        >"$TMP/any.out" 2>&1
    grep -q "beyond loopback" "$TMP/any.out" && fail "warning despite --psk"
    grep -q "listening" "$TMP/any.out" || fail "server with --psk: $(cat "$TMP/any.out")"
    echo "warning beyond loopback: ok"
else
    echo "no network namespaces here: beyond-loopback warning not checked"
fi
echo "psk ok"
