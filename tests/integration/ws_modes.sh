#!/usr/bin/env bash
# The WebSocket client against netrig's own server (/ws/echo, /ws/sink),
# every mode, ws and wss: sizes across the length forms (7, 16 and 64 bit),
# text and binary, fragmented; frame header bytes exactly as sent; the
# upgrade timed in its own columns.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --tls --quiet
run() {
    local name=$1
    shift
    "$NETRIG" client --duration 600ms --warmup 100ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
# A test in which nothing succeeds still writes its row, but exits 1 and
# says why (docs/drivers.md, exit status).
run_failing() {
    local name=$1
    shift
    "$NETRIG" client --duration 600ms --warmup 100ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" && fail "$name: exit 0 where nothing succeeded"
    grep -q "nothing succeeded" "$tmp/$name.err" || fail "$name: no reason: $(cat "$tmp/$name.err")"
}
S="--server 127.0.0.1:$port"
# Server-to-client header per message: 2 bytes up to 125, 4 up to 65535, 10 beyond.
for p in ws wss; do
    for sz in 1:2 125:2 126:4 65535:4 65536:10 200000:10; do
        n=${sz%%:*} h=${sz##*:}
        run "$p-rr-$n" $S --proto $p --mode rr --size "$n"
        check "$p-rr-$n" "d['errors'] == 0 and d['messages'] > 0 and d['header_bytes'] == $h and d['proto'] == '$p' and d['upgrade_p50_us'] > 0"
    done
    run "$p-text" $S --proto $p --mode rr --size 300 --ws-text
    check "$p-text" "d['errors'] == 0 and d['messages'] > 5"
    # 70000 in frames of 1000: 70 frames of 1000 (4-byte headers) back.
    run "$p-frag" $S --proto $p --mode rr --size 70000 --ws-frame 1000 --ws-text
    check "$p-frag" "d['errors'] == 0 and d['messages'] > 0 and d['header_bytes'] == 280 and d['ws_frame'] == 1000"
    run "$p-pipe" $S --proto $p --mode rr --size 64 --pipeline 8 --conns 3 --threads 2
    check "$p-pipe" "d['errors'] == 0 and d['messages'] > 100"
    run "$p-crr" $S --proto $p --mode crr --size 10
    check "$p-crr" "d['errors'] == 0 and d['messages'] > 5 and d['connect_p50_us'] > 0 and d['upgrade_p50_us'] > 0"
    run "$p-rate" $S --proto $p --mode rate --rate 300/s --size 10
    check "$p-rate" "d['errors'] == 0 and 120 <= d['messages'] <= 200"
    run "$p-stream" $S --proto $p --mode stream --size 64k
    check "$p-stream" "d['errors'] == 0 and d['messages'] > 10 and d['goodput_bps'] > 1e7"
    run "$p-count" $S --proto $p --mode rr --size 100 --count 50
    check "$p-count" "d['errors'] == 0 and d['messages'] == 50"
done
# A stream's figures are the receiver's: with the sink paused (its server
# stopped) from early in the window until a second after it, the sink takes
# in what was queued only then, so its window (mark ping to close answer)
# runs on well past the client's; the sender's count would end with it.
start_server --quiet
sport=$port
"$NETRIG" client --server 127.0.0.1:$sport --proto ws --mode stream --size 64k --duration 1s \
    --warmup 100ms --json >"$tmp/paused.json" 2>"$tmp/paused.err" &
cpid=$!
sleep 0.4
kill -STOP "${pids[-1]}"
sleep 1.8
kill -CONT "${pids[-1]}"
wait $cpid || fail "paused: exit $? ($(tail -1 "$tmp/paused.err"))"
check paused "d['errors'] == 0 and d['messages'] > 0 and d['duration_s'] > 1.5 and abs(d['goodput_bps'] * d['duration_s'] / 8 - d['messages'] * 65536) <= 65536"
run url --url "ws://127.0.0.1:$port/ws/echo" --mode rr --size 64
check url "d['errors'] == 0 and d['messages'] > 5 and d['proto'] == 'ws'"
# A refused upgrade names the server's status line, as HTTP/1.1 does.
for p in ws wss; do
    run_failing $p-miss --url "$p://127.0.0.1:$port/ws/nothing" --mode rr --size 64 --duration 200ms
    check $p-miss "d['messages'] == 0 and 'status_4xx=' in d['errors_by_class'] and d['failed'].endswith('first: status 404 (HTTP/1.1 404 Not Found)')"
    grep -q "first: status 404 (HTTP/1.1 404 Not Found)" "$tmp/$p-miss.err" ||
        fail "$p-miss: status line not named: $(cat "$tmp/$p-miss.err")"
done
# Hostile frames close that connection with the code owed; others go on.
python3 "$NETRIG_TESTS/lib/ws_hostile.py" 127.0.0.1 "$port" >"$tmp/hostile.out" 2>&1 ||
    fail "hostile input: $(cat "$tmp/hostile.out")"
checks_done "OK: WebSocket client against netrig's server, every mode, ws and wss"
