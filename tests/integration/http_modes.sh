#!/usr/bin/env bash
# The HTTP client against netrig's own HTTP server, every mode, HTTP and
# HTTPS: counts, body and header bytes exactly as the server sends them,
# errors by class.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --tls --quiet
run() {
    local name=$1
    shift
    "$NETRIG" client --duration 1s --warmup 200ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
# The server's head for a 555-byte body: status line, Date (29 chars),
# Server, Content-Type, Content-Length and the blank line.
head555=$((17 + 37 + 16 + 40 + 21 + 2))
S="--server 127.0.0.1:$port"
for p in http https; do
    run "$p-rr" $S --proto $p --mode rr --size 555
    check "$p-rr" "d['errors'] == 0 and d['messages'] > 100 and d['resp_bytes'] == 555"
    check "$p-rr" "d['header_bytes'] == $head555 and d['proto'] == '$p'"
    run "$p-pipe" $S --proto $p --mode rr --size 555 --pipeline 8 --conns 3 --threads 2
    check "$p-pipe" "d['errors'] == 0 and d['messages'] > 100 and d['header_bytes'] == $head555"
    run "$p-crr" $S --proto $p --mode crr --size 10
    check "$p-crr" "d['errors'] == 0 and d['messages'] > 20 and d['connect_p50_us'] > 0"
    run "$p-rate" $S --proto $p --mode rate --rate 300/s --size 10
    check "$p-rate" "d['errors'] == 0 and 250 <= d['messages'] <= 350"
    run "$p-stream" $S --proto $p --mode stream --size 4m
    check "$p-stream" "d['errors'] == 0 and d['resp_bytes'] == 4194304 and d['goodput_bps'] > 1e8"
    run "$p-post" $S --proto $p --method POST --size 100000
    check "$p-post" "d['errors'] == 0 and d['messages'] > 10 and d['resp_bytes'] == len('received 100000\n')"
    run "$p-head" $S --proto $p --method HEAD --size 1000
    check "$p-head" "d['errors'] == 0 and d['messages'] > 10 and d['resp_bytes'] == 0"
done
check https-rr "d['tls_cipher'].startswith('TLSv1.3') and d['tls_record_overhead'] == 22"
# Every answer a 404: the test fails (exit 1, the status line named), and
# its row is still printed.
"$NETRIG" client --duration 1s --warmup 200ms --json --url "http://127.0.0.1:$port/nothing" \
    >"$tmp/miss.json" 2>"$tmp/miss.err" && fail "miss: exit 0 with nothing but 404s"
grep -q "first: status 404" "$tmp/miss.err" || fail "miss: $(cat "$tmp/miss.err")"
check miss "d['messages'] == 0 and 'status_4xx=' in d['errors_by_class']"
run iv $S --proto http --interval 200ms --duration 1s
check iv "d['errors'] == 0 and d['messages'] > 0"
checks_done "OK: HTTP and HTTPS client against netrig's server, every mode"
