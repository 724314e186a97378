#!/usr/bin/env bash
# The HTTP/2 client against netrig's own server, h2c (prior knowledge) and
# h2 (ALPN over TLS): rr with several streams, crr, open-loop rate, GET,
# HEAD and POST, counts and body sizes exactly as asked, HPACK header
# bytes and frames per request; a keyed server refuses h2 as it refuses
# HTTP/1.1, with a GOAWAY.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --tls --quiet
run() {
    local name=$1
    shift
    "$NETRIG" client --http2 --duration 1s --warmup 200ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
# A test in which nothing succeeds still writes its row, but exits 1 and
# says why (docs/drivers.md, exit status).
run_failing() {
    local name=$1
    shift
    "$NETRIG" client --http2 --duration 1s --warmup 200ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" && fail "$name: exit 0 where nothing succeeded"
    grep -q "nothing succeeded" "$tmp/$name.err" || fail "$name: no reason: $(cat "$tmp/$name.err")"
}
S="--server 127.0.0.1:$port"
for p in http https; do
    v=$([ $p = http ] && echo h2c || echo h2)
    run "$v-rr" $S --proto $p --mode rr --size 555 --streams 8 --conns 3 --threads 2
    check "$v-rr" "d['errors'] == 0 and d['messages'] > 100 and d['resp_bytes'] == 555"
    check "$v-rr" "d['proto'] == '$v' and d['streams'] == 8"
    # HEADERS (9 + HPACK, smaller once the table holds the fields) and one
    # DATA frame each way: 3 frames per request on a warm connection.
    check "$v-rr" "9 < d['header_bytes'] < 80 and 9 < d['req_header_bytes'] < 80"
    check "$v-rr" "2.9 <= d['h2_frames'] < 3.2"
    run "$v-crr" $S --proto $p --mode crr --size 10
    check "$v-crr" "d['errors'] == 0 and d['messages'] > 20 and d['connect_p50_us'] > 0"
    run "$v-rate" $S --proto $p --mode rate --rate 300/s --size 10 --streams 16
    check "$v-rate" "d['errors'] == 0 and 250 <= d['messages'] <= 350"
    run "$v-big" $S --proto $p --mode rr --size 1m --streams 4
    check "$v-big" "d['errors'] == 0 and d['messages'] > 5 and d['resp_bytes'] == 1048576"
    run "$v-post" $S --proto $p --method POST --mode rr --size 100000 --streams 4
    check "$v-post" "d['errors'] == 0 and d['messages'] > 10 and d['resp_bytes'] == len('received 100000\n')"
    run "$v-head" $S --proto $p --method HEAD --mode rr --size 1000 --header 'X-Test: 1'
    check "$v-head" "d['errors'] == 0 and d['messages'] > 10 and d['resp_bytes'] == 0"
done
check h2-rr "d['tls_cipher'].startswith('TLSv1.3')"
run_failing miss --url "http://127.0.0.1:$port/nothing" --mode rr
check miss "d['messages'] == 0 and 'status_4xx=' in d['errors_by_class']"
"$NETRIG" client --http2 $S --proto http --header 'Connection: close' --json >"$tmp/bad.json" \
    2>"$tmp/bad.err" && fail "a connection-specific header was sent over HTTP/2"
grep -q "forbids connection-specific" "$tmp/bad.err" || fail "bad header: $(cat "$tmp/bad.err")"
"$NETRIG" client --streams 4 $S --proto http --json >"$tmp/nostreams.json" 2>"$tmp/nostreams.err" &&
    fail "--streams without --http2 was taken"
# A server with a key serves HTTP/2 only with --open-http: curl is told
# why in the GOAWAY and gets nothing.
head -c 32 /dev/urandom | base64 >"$tmp/key" && chmod 600 "$tmp/key"
open_port=$port
start_server --psk "$tmp/key" --quiet
if command -v curl >/dev/null; then
    out=$(curl -s --http2-prior-knowledge -m 5 "http://127.0.0.1:$port/bytes/10" 2>&1)
    [ "$out" = "" ] || fail "keyed server answered h2c: $out"
fi
run_failing keyed --url "http://127.0.0.1:$port/bytes/10" --mode rr --duration 300ms
check keyed "d['messages'] == 0"
port=$open_port
checks_done "OK: HTTP/2 client against netrig's server, h2c and h2, every mode"
