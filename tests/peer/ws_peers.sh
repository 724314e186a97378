#!/usr/bin/env bash
# WebSocket against independent implementations, both ways. netrig's
# client against a python3-websockets echo server (sizes across the three
# length forms, text and binary, fragmented, crr, a count) and websocketd
# running cat (text lines); python3-websockets and node-ws clients against
# netrig's server (tests/lib/ws_peer.py, ws_peer.js: every message back as
# sent, fragmented messages, ping, close codes, the sink's count).
# permessage-deflate both ways with python3-websockets (it offers and takes
# it by default): netrig's --ws-deflate client against its echo server (and
# against one without compression: declined, the run goes on), and its
# client against netrig's server, compressed.
# libwebsockets-test-server is not used: its protocols (dumb-increment,
# lws-mirror) need a subprotocol and do not echo.
set -u
for t in websocketd node; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
# The websockets module is Debian's: a python3 earlier on PATH may lack it.
PY=
for p in python3 /usr/bin/python3; do
    "$p" -c 'import websockets' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || { echo "SKIP: python3-websockets missing"; exit 77; }
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
node -e 'require("ws")' 2>/dev/null || { echo "SKIP: node-ws missing"; exit 77; }
source "$NETRIG_TESTS/lib/check_tally.sh"
run() {
    local name=$1
    shift
    timeout 60 "$NETRIG" client --duration 500ms --warmup 100ms --json --quiet "$@" \
        >"$tmp/$name.json" 2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
# The payload of the window both ways (rr's goodput) is the messages' own:
# at most a message in flight at each edge of the window per connection.
sized() { echo "abs(d['goodput_bps'] * d['duration_s'] / 16 - d['messages'] * $1) <= 2 * d['conns'] * $1"; }
# wait_port PORT: until something listens there (5 s at most).
wait_port() {
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- netrig's client against python3-websockets ----------------------------
pp=$(free_port)
"$PY" "$NETRIG_TESTS/lib/ws_peer.py" server $pp >"$tmp/py-server.log" 2>&1 &
pids+=($!)
wait_port $pp || fail "python3-websockets server did not start: $(cat "$tmp/py-server.log")"
U="--url ws://127.0.0.1:$pp/"
# It echoes each message as one frame: 2, 4 or 10 header bytes.
for sz in 1:2 125:2 126:4 65535:4 65536:10 300000:10; do
    n=${sz%%:*} h=${sz##*:}
    run py-$n $U --mode rr --size $n
    check py-$n "d['errors'] == 0 and d['messages'] > 0 and d['header_bytes'] == $h and $(sized $n)"
done
run py-text $U --mode rr --size 1000 --ws-text --pipeline 4
check py-text "d['errors'] == 0 and d['messages'] > 10"
run py-frag $U --mode rr --size 70000 --ws-frame 1000
check py-frag "d['errors'] == 0 and d['messages'] > 0 and d['header_bytes'] == 10 and d['ws_frame'] == 1000"
run py-crr $U --mode crr --size 10
check py-crr "d['errors'] == 0 and d['messages'] > 5 and d['upgrade_p50_us'] > 0"
run py-count $U --mode rr --size 100 --count 40 --conns 2
check py-count "d['errors'] == 0 and d['messages'] == 40 and $(sized 100)"
# An upgrade it refuses fails the test, naming its status line.
timeout 60 "$NETRIG" client --duration 300ms --warmup 100ms --json --quiet \
    --url "ws://127.0.0.1:$pp/refused" --mode rr >"$tmp/py-refused.json" 2>"$tmp/py-refused.err" &&
    fail "py-refused: exit 0 where every upgrade was refused"
check py-refused "d['messages'] == 0 and 'status_4xx=' in d['errors_by_class'] and d['failed'].endswith('first: status 403 (HTTP/1.1 403 Forbidden)')"
# --ws-deflate against a server without compression: declined, uncompressed.
run py-declined $U --mode rr --size 1000 --count 40 --ws-deflate
check py-declined "d['errors'] == 0 and d['messages'] == 40 and d['ws_deflate'] == 'declined' and d['ws_wire_ratio'] == 1"
timeout 60 "$NETRIG" client $U --mode rr --size 1000 --count 5 --ws-deflate >"$tmp/declined.out" 2>&1 ||
    fail "declined (text): exit $?"
grep -q "^ws: permessage-deflate declined by the server" "$tmp/declined.out" ||
    fail "declined (text): no note: $(cat "$tmp/declined.out")"

# --- netrig's --ws-deflate client against python3-websockets with deflate ---
dp=$(free_port)
"$PY" "$NETRIG_TESTS/lib/ws_peer.py" server $dp deflate >"$tmp/py-dserver.log" 2>&1 &
pids+=($!)
wait_port $dp || fail "python3-websockets deflate server did not start: $(cat "$tmp/py-dserver.log")"
D="--url ws://127.0.0.1:$dp/ --ws-deflate"
for n in 1 125 65536 300000; do
    run pyz-$n $D --mode rr --size $n
    check pyz-$n "d['errors'] == 0 and d['messages'] > 0 and d['ws_deflate'] == 'on' and $(sized $n)"
done
check pyz-300000 "d['ws_wire_ratio'] < 0.01"
run pyz-text $D --mode rr --size 1000 --ws-text --pipeline 4
check pyz-text "d['errors'] == 0 and d['messages'] > 10 and d['ws_deflate'] == 'on'"
run pyz-frag $D --mode rr --size 70000 --ws-frame 1000
check pyz-frag "d['errors'] == 0 and d['messages'] > 0 and d['ws_deflate'] == 'on'"
run pyz-crr $D --mode crr --size 10
check pyz-crr "d['errors'] == 0 and d['messages'] > 5 and d['ws_deflate'] == 'on'"
run pyz-count $D --mode rr --size 1000 --count 40 --conns 2
check pyz-count "d['errors'] == 0 and d['messages'] == 40 and $(sized 1000)"

# --- netrig's client against websocketd (cat: a text line back per message) -
wp=$(free_port)
websocketd --port $wp --address 127.0.0.1 cat >"$tmp/websocketd.log" 2>&1 &
pids+=($!)
wait_port $wp || fail "websocketd did not start: $(tail -3 "$tmp/websocketd.log")"
for n in 1 125 126 4000; do
    run wsd-$n --url "ws://127.0.0.1:$wp/" --mode rr --size $n --ws-text
    check wsd-$n "d['errors'] == 0 and d['messages'] > 0 and $(sized $n)"
done
run wsd-crr --url "ws://127.0.0.1:$wp/" --mode crr --size 10 --ws-text
check wsd-crr "d['errors'] == 0 and d['messages'] > 0"

# --- python3-websockets and node-ws against netrig's server ----------------
start_server --quiet || fail "netrig server did not start"
"$PY" "$NETRIG_TESTS/lib/ws_peer.py" client "$port" >"$tmp/py-client.out" 2>&1 ||
    fail "python3-websockets client: $(tail -5 "$tmp/py-client.out")"
"$PY" "$NETRIG_TESTS/lib/ws_peer.py" client "$port" deflate >"$tmp/py-dclient.out" 2>&1 ||
    fail "python3-websockets client with deflate: $(tail -5 "$tmp/py-dclient.out")"
timeout 60 node "$NETRIG_TESTS/lib/ws_peer.js" "$port" >"$tmp/node-client.out" 2>&1 ||
    fail "node-ws client: $(tail -5 "$tmp/node-client.out")"
checks_done "OK: WebSocket interop with python3-websockets, node-ws and websocketd, both ways (permessage-deflate with python3-websockets)"
