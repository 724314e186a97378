#!/usr/bin/env bash
# netrig's server as an HTTP/1.1 and HTTPS server for real clients: curl,
# wrk and openssl s_client. Valid responses, keep-alive and pipelining
# honoured, proper 4xx, TLS 1.2 and 1.3 handshakes, the ephemeral
# certificate and --cert/--key files.
set -u
[ -n "${NETRIG_DEBUG:-}" ] && set -x
for t in curl openssl socat; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"

# start ARGS...: a netrig server on a free random port (tried again on
# another port if the first is taken), waited for; sets $port.
start() {
    local try pid
    for try in 1 2 3 4 5; do
        port=$(free_port)
        "$NETRIG" server --listen "127.0.0.1:$port" --quiet "$@" 2>>"$tmp/server.err" &
        pid=$!
        pids+=($pid)
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            curl -s -o /dev/null "http://127.0.0.1:$port/bytes/0" && return 0
            sleep 0.1
        done
    done
    fail "server did not start: $(tail -1 "$tmp/server.err")"
}

start --tls
base="http://127.0.0.1:$port"

# Plain GETs, HEAD, POST, errors.
got=$(curl -s -o "$tmp/b" -w '%{http_code} %{size_download}' "$base/bytes/1000")
[ "$got" = "200 1000" ] || fail "GET /bytes/1000: $got"
got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$base/bytes/0")
[ "$got" = "200 0" ] || fail "GET /bytes/0: $got"
got=$(curl -s -I "$base/bytes/77" | tr -d '\r' | grep -i '^content-length:')
[ "$got" = "Content-Length: 77" ] || fail "HEAD /bytes/77: '$got'"
head -c 100000 /dev/zero >"$tmp/up"
got=$(curl -s --data-binary "@$tmp/up" "$base/sink")
[ "$got" = "received 100000" ] || fail "POST /sink: '$got'"
got=$(curl -s -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/up" "$base/sink")
[ "$got" = "received 100000" ] || fail "chunked POST /sink: '$got'"
for c in "/nope 404" "/bytes/x 400" "/sink 405"; do
    set -- $c
    got=$(curl -s -o /dev/null -w '%{http_code}' "$base$1")
    [ "$got" = "$2" ] || fail "GET $1: $got, expected $2"
done
got=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/bytes/10")
[ "$got" = "405" ] || fail "POST /bytes/10: $got"
got=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" \
    "$base/bytes/1")
[ "$got" = "431" ] || fail "20 kB header: $got, expected 431"

# Keep-alive: curl reuses one connection for two URLs.
got=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$base/bytes/10" "$base/bytes/20")
[ "$got" = "1 0 " ] || fail "keep-alive: connects per request '$got', expected '1 0 '"

# Pipelining: three requests in one write, answered in order; the last
# says close, and the server closes after it.
printf 'GET /bytes/3 HTTP/1.1\r\nHost: a\r\n\r\nPOST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcdGET /bytes/5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /bytes/9 HTTP/1.1\r\nHost: a\r\n\r\n' |
    timeout 5 socat -t 3 - "TCP:127.0.0.1:$port" >"$tmp/pipe" || fail "pipelined: socat failed"
n=$(grep -o 'HTTP/1.1 200 OK' "$tmp/pipe" | wc -l)
[ "$n" = 3 ] || fail "pipelined: $n responses, expected 3"
grep -q 'received 4' "$tmp/pipe" || fail "pipelined: POST body not counted"
tail -c 5 "$tmp/pipe" | grep -q '^abcde$' || fail "pipelined: last body is not the 5-byte one"
# HTTP/1.0 without keep-alive: answered, then closed.
printf 'GET /bytes/2 HTTP/1.0\r\n\r\n' | timeout 5 socat -t 3 - "TCP:127.0.0.1:$port" >"$tmp/h10"
grep -q 'Connection: close' "$tmp/h10" || fail "HTTP/1.0: no Connection: close"

# wrk: many requests, keep-alive, no errors or non-2xx.
if command -v wrk >/dev/null; then
    wrk -t1 -c8 -d1s "$base/bytes/100" >"$tmp/wrk" 2>&1 || fail "wrk exit $?"
    grep -q 'Non-2xx\|Socket errors' "$tmp/wrk" && fail "wrk: $(grep -E 'Non-2xx|Socket' "$tmp/wrk")"
    req=$(awk '/requests in/ {print $1}' "$tmp/wrk")
    [ "${req:-0}" -gt 1000 ] || fail "wrk: only ${req:-0} requests"
    wrk -t1 -c4 -d1s "https://127.0.0.1:$port/bytes/100" >"$tmp/wrks" 2>&1 || fail "wrk https exit $?"
    grep -q 'Non-2xx\|Socket errors' "$tmp/wrks" && fail "wrk https: errors"
fi

# TLS 1.2 and 1.3 handshakes with openssl s_client, an HTTP exchange inside.
for v in tls1_2 tls1_3; do
    printf 'GET /bytes/6 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
        timeout 5 openssl s_client -connect "127.0.0.1:$port" "-$v" -ign_eof \
            >"$tmp/$v" 2>&1
    grep -q 'HTTP/1.1 200 OK' "$tmp/$v" || fail "s_client -$v: no HTTP answer"
    want=$([ $v = tls1_2 ] && echo TLSv1.2 || echo TLSv1.3)
    grep -q "Protocol *: *$want\|New, $want" "$tmp/$v" || fail "s_client -$v: not $want"
    grep -q 'prime256v1\|P-256\|ECDSA' "$tmp/$v" || fail "s_client -$v: not the P-256 certificate"
done
# ALPN: the server speaks HTTP/2 too, so h2 is chosen from "h2,http/1.1"
# and from "h2" alone; a client offering http/1.1 alone gets it.
echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -alpn h2,http/1.1 >"$tmp/alpn" 2>&1
grep -aq 'ALPN protocol: h2' "$tmp/alpn" || fail "s_client -alpn h2,http/1.1: $(grep -ai alpn "$tmp/alpn")"
echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -alpn http/1.1 >"$tmp/alpn2" 2>&1
grep -aq 'ALPN protocol: http/1.1' "$tmp/alpn2" || fail "s_client -alpn http/1.1: $(grep -ai alpn "$tmp/alpn2")"
got=$(curl -sk -o /dev/null -w '%{http_code} %{size_download}' "https://127.0.0.1:$port/bytes/70000")
[ "$got" = "200 70000" ] || fail "curl https: $got"

# --cert/--key: curl verifies the name against the file's CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
start --cert "$tmp/cert.pem" --key "$tmp/key.pem"
port2=$port
got=$(curl -s --cacert "$tmp/cert.pem" --resolve "localhost:$port2:127.0.0.1" \
    -o /dev/null -w '%{http_code}' "https://localhost:$port2/bytes/10")
[ "$got" = "200" ] || fail "curl --cacert against --cert/--key: $got"

checks_done "OK: curl, wrk and openssl s_client against netrig's HTTP/HTTPS server"
