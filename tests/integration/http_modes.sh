#!/usr/bin/env bash
# The HTTP client against netrig's own HTTP server, every mode, HTTP and
# HTTPS: counts, body and header bytes exactly as the server sends them,
# errors by class.
set -u
NETRIG=${1:?usage: http_modes.sh /path/to/netrig}
tmp=$(mktemp -d)
spid=
cleanup() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    "$NETRIG" server --listen "127.0.0.1:$port" --tls --quiet 2>"$tmp/server.err" &
    spid=$!
    sleep 0.3
    kill -0 "$spid" 2>/dev/null && break
done
run() {
    local name=$1
    shift
    "$NETRIG" client --duration 1s --warmup 200ms --json "$@" >"$tmp/$name.json" \
        2>"$tmp/$name.err" || fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}
check() {
    python3 - "$tmp/$1.json" "$2" <<'PY' || fail "$1: $2 ($(head -c 600 "$tmp/$1.json"))"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
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
run miss --url "http://127.0.0.1:$port/nothing"
check miss "d['messages'] == 0 and 'status_4xx=' in d['errors_by_class']"
run iv $S --proto http --interval 200ms --duration 1s
check iv "d['errors'] == 0 and d['messages'] > 0"
if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "OK: HTTP and HTTPS client against netrig's server, every mode"
