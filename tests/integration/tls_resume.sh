#!/usr/bin/env bash
# TLS session resumption over HTTPS, HTTP/2, wss and netrig's own TLS data
# connections (--proto tls) against netrig's own server: crr with --resume
# resumes (almost) every handshake in the window (each connection offers
# the newest session it was given), crr without
# it resumes none. tls_resumed counts what OpenSSL reports
# (SSL_session_reused), TLS 1.2 (session ids or tickets) and 1.3 (tickets).
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --tls --quiet
run() {
    local name=$1
    shift
    "$NETRIG" client --server "127.0.0.1:$port" --mode crr --size 10 --duration 600ms \
        --warmup 100ms --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
        fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
# A handshake and its transaction may fall on either side of a window
# edge, so the counts differ by a few; a resumption that does not happen
# leaves tls_resumed at 0.
for p in https wss tls; do
    for v in 1.2 1.3; do
        run "$p-$v-full" --proto $p --tls-version $v --conns 2
        check "$p-$v-full" "d['errors'] == 0 and d['messages'] > 10 and d['tls_resumed'] == 0"
        run "$p-$v-resume" --proto $p --tls-version $v --conns 2 --resume
        check "$p-$v-resume" "d['errors'] == 0 and d['messages'] > 10 and 0.9 * d['messages'] <= d['tls_resumed'] <= d['messages'] + 2"
    done
done
run h2-resume --proto https --http2 --resume
check h2-resume "d['errors'] == 0 and d['messages'] > 10 and d['tls_resumed'] >= 0.9 * d['messages']"
# Plain connections have nothing to resume: the column stays empty.
run ws-plain --proto ws --resume
check ws-plain "d['errors'] == 0 and d['messages'] > 10 and d['tls_resumed'] is None"
# The console says it beside the connect time.
"$NETRIG" client --server "127.0.0.1:$port" --proto wss --mode crr --size 10 --duration 300ms \
    --warmup 100ms --resume >"$tmp/text.out" 2>&1 || fail "text: exit $? ($(tail -1 "$tmp/text.out"))"
grep -Eq '^connect: .*\([1-9][0-9]* TLS sessions resumed\)' "$tmp/text.out" ||
    fail "text: no count of resumed sessions: $(grep connect "$tmp/text.out")"
checks_done "OK: TLS sessions resumed with --resume (https, h2, wss, tls; TLS 1.2 and 1.3), none without"
