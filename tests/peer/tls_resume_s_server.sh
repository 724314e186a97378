#!/usr/bin/env bash
# netrig's HTTPS client resumes TLS sessions with `openssl s_server` when
# each ticket may be used only once: s_server's stateful tickets
# (-no_ticket) in TLS 1.3 are taken out of its cache when a client offers
# them, so a client that offered its first session again on every
# connection (as RFC 8446 asks clients not to) resumed only a handful of
# hundreds. With the newest session offered each time, (nearly) every
# handshake after the first resumes: TLS 1.3 stateful and stateless
# tickets, and TLS 1.2 session ids.
set -u
[ -n "${NETRIG_DEBUG:-}" ] && set -x
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
source "$NETRIG_TESTS/lib/http_peer.sh"
peer_files

# case NAME S_SERVER-OPTIONS...: s_server -www on a free port, then 1 s of
# crr --resume against it; the result in $tmp/NAME.json.
case_() {
    local name=$1 try pid
    shift
    for try in 1 2 3; do
        port=$(free_port)
        openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
            -www -quiet "$@" >"$tmp/$name.server" 2>&1 &
        pid=$!
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break 2
            sleep 0.1
        done
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    pids+=("$pid")
    timeout 60 "$NETRIG" client --url "https://127.0.0.1:$port/" --mode crr --resume \
        --duration 1s --warmup 200ms --json --quiet >"$tmp/$name.json" 2>"$tmp/$name.err" ||
        fail "$name: client exited $?: $(tail -1 "$tmp/$name.err")"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

case_ stateful13 -tls1_3 -no_ticket
check stateful13 "d['errors'] == 0 and d['messages'] > 20 and d['tls_resumed'] >= 0.9 * d['messages']"
case_ stateless13 -tls1_3
check stateless13 "d['errors'] == 0 and d['messages'] > 20 and d['tls_resumed'] >= 0.9 * d['messages']"
case_ ids12 -tls1_2 -no_ticket
check ids12 "d['errors'] == 0 and d['messages'] > 20 and d['tls_resumed'] >= 0.9 * d['messages']"
checks_done "OK: HTTPS sessions resumed against openssl s_server (TLS 1.3 tickets used once, TLS 1.2 ids)"
