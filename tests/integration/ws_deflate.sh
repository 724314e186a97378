#!/usr/bin/env bash
# permessage-deflate (--ws-deflate) between netrig's client and server, ws
# and wss: every mode, exact counts, the payload counted as payload
# (inflated) and the wire bytes apart (ws_wire_ratio: zeros compress some
# 1000:1); without the option nothing is offered. And netrig's client
# against a hostile server (tests/lib/ws_deflate_server.py): answers RFC
# 7692 does not allow, a compression bomb, RSV1 without the extension;
# each fails the run with the server named. The server's own hostile cases
# (a bomb, RSV1 misplaced) are in ws_hostile.py, run by ws_modes.sh.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --tls --quiet
run() {
    local name=$1
    shift
    timeout 60 "$NETRIG" client --duration 600ms --warmup 100ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
run_failing() {
    local name=$1 why=$2
    shift 2
    timeout 60 "$NETRIG" client --duration 300ms --warmup 0 --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" && fail "$name: exit 0 where nothing succeeded"
    grep -q "nothing succeeded" "$tmp/$name.err" && grep -qF "$why" "$tmp/$name.err" ||
        fail "$name: no reason naming '$why': $(cat "$tmp/$name.err")"
}
S="--server 127.0.0.1:$port"
# rr's goodput is the messages' payload both ways, not their wire bytes.
sized() { echo "abs(d['goodput_bps'] * d['duration_s'] / 16 - d['messages'] * $1) <= 2 * d['conns'] * $1"; }
for p in ws wss; do
    run "$p-count" $S --proto $p --mode rr --size 1k --count 200 --conns 2 --ws-deflate
    check "$p-count" "d['errors'] == 0 and d['messages'] == 200 and d['ws_deflate'] == 'on' and d['ws_wire_ratio'] < 0.05"
    run "$p-rr" $S --proto $p --mode rr --size 1k --ws-deflate
    check "$p-rr" "d['errors'] == 0 and d['messages'] > 10 and $(sized 1024)"
    run "$p-frag" $S --proto $p --mode rr --size 70000 --ws-frame 1000 --ws-text --pipeline 4 --ws-deflate
    check "$p-frag" "d['errors'] == 0 and d['messages'] > 0 and d['ws_wire_ratio'] < 0.01"
    run "$p-crr" $S --proto $p --mode crr --size 100 --ws-deflate
    check "$p-crr" "d['errors'] == 0 and d['messages'] > 5 and d['ws_deflate'] == 'on'"
    run "$p-rate" $S --proto $p --mode rate --rate 300/s --size 1000 --ws-deflate
    check "$p-rate" "d['errors'] == 0 and 120 <= d['messages'] <= 200"
    # The sink counts what the messages inflate to.
    run "$p-stream" $S --proto $p --mode stream --size 64k --ws-deflate
    check "$p-stream" "d['errors'] == 0 and d['messages'] > 10 and d['ws_wire_ratio'] < 0.01 and abs(d['goodput_bps'] * d['duration_s'] / 8 - d['messages'] * 65536) <= 65536"
done
# The text report says what compression did.
timeout 60 "$NETRIG" client $S --proto ws --mode rr --size 1k --count 20 --ws-deflate \
    >"$tmp/text.out" 2>&1 || fail "text: exit $?"
grep -q "^ws: permessage-deflate on, 0.0" "$tmp/text.out" || fail "text: $(cat "$tmp/text.out")"
run plain $S --proto ws --mode rr --size 1k --count 20
check plain "d['errors'] == 0 and d['messages'] == 20 and d['ws_deflate'] == '' and d['ws_wire_ratio'] is None"
run url --url "ws://127.0.0.1:$port/ws/echo" --mode rr --size 64 --count 20 --ws-deflate
check url "d['errors'] == 0 and d['messages'] == 20 and d['ws_deflate'] == 'on'"

# --- a hostile server -------------------------------------------------------
hostile() { # hostile NAME MODE [EXTENSIONS]: its port in $hp (another if taken)
    local name=$1 pid
    shift
    for _ in 1 2 3 4 5; do
        hp=$(free_port)
        python3 "$NETRIG_TESTS/lib/ws_deflate_server.py" $hp "$@" >"$tmp/$name.srv" 2>&1 &
        pid=$!
        pids+=($pid)
        for _ in $(seq 50); do
            grep -q listening "$tmp/$name.srv" && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
    done
    fail "$name: the hostile server did not start: $(tail -3 "$tmp/$name.srv")"
}
i=0
for a in "permessage-deflate; client_max_window_bits=8:client_max_window_bits=8 (zlib cannot" \
    "permessage-deflate; server_max_window_bits:max_window_bits not 8 to 15" \
    "permessage-deflate; mystery=1:unknown permessage-deflate parameter" \
    "permessage-deflate, permessage-deflate:more than one extension" \
    "x-webkit-deflate-frame:an extension that was not offered"; do
    i=$((i + 1))
    hostile "answer$i" answer "${a%%:*}"
    run_failing "answer$i" "server 127.0.0.1:$hp: permessage-deflate: ${a##*:}" \
        --url "ws://127.0.0.1:$hp/" --mode rr --size 100 --ws-deflate
done
hostile bomb bomb
run_failing bomb "server 127.0.0.1:$hp: a compressed message inflates past the limit" \
    --url "ws://127.0.0.1:$hp/" --mode rr --size 100 --ws-deflate
check bomb "'protocol=' in d['errors_by_class']"
hostile rsv1 rsv1
run_failing rsv1 "protocol=" --url "ws://127.0.0.1:$hp/" --mode rr --size 100 --ws-deflate
check rsv1 "d['ws_deflate'] == 'declined'"
checks_done "OK: permessage-deflate between netrig's client and server, ws and wss; a hostile server refused"
