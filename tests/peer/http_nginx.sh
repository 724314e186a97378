#!/usr/bin/env bash
# ctest: run-serial
# netrig's HTTP client against nginx on loopback, HTTP and HTTPS (TLS 1.2
# and 1.3): status classes, body sizes and header bytes must match what
# curl sees from the same server. nginx runs from a config written here,
# with its own pid file and ports, and is stopped by PID.
set -u
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ] || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    echo "SKIP: nginx, curl or openssl missing"
    exit 77
fi
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/http_peer.sh"

port=$(free_port)
sport=$((port + 1))
cport=$((port + 2)) # closes each connection after 100 requests
chmod 755 "$tmp" # nginx workers run as an unprivileged user
peer_files
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path $tmp/body;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        root $tmp/www;
    }
    server {
        listen 127.0.0.1:$cport;
        keepalive_requests 100;
        root $tmp/www;
    }
    server {
        listen 127.0.0.1:$sport ssl;
        ssl_certificate $tmp/cert.pem;
        ssl_certificate_key $tmp/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $tmp/www;
    }
}
EOF
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/f1000" && break
    sleep 0.1
done

# Pipelined against the server that closes every 100 requests:
# reconnects are not errors.
peer_client_checks "http://127.0.0.1:$port/f1000" "http://127.0.0.1:$cport/f1000" \
    "https://127.0.0.1:$sport/f1000"
grep -q '^http,' "$tmp/rr.csv" 2>/dev/null || grep -q ',http,' "$tmp/rr.csv" ||
    fail "rr: proto column is not http"

run rate --url "http://127.0.0.1:$port/f1000" --mode rate --rate 500/s
expect rate messages '>' 300
expect rate messages '<' 600

# --server at nginx's port: the client says it met an HTTP server and
# that --url is the way to test one.
timeout 30 "$NETRIG" client --server "127.0.0.1:$port" --duration 200ms >"$tmp/asserver.out" 2>&1 &&
    fail "--server at nginx: exit 0"
grep -q "server 127.0.0.1:$port: it answered in HTTP ('HTTP/1.1 400 ...').*give --url" \
    "$tmp/asserver.out" || fail "--server at nginx: $(cat "$tmp/asserver.out")"

run hdr --url "http://127.0.0.1:$port/f1000" --header 'X-Test: 1' --header 'Accept: */*'
expect hdr errors '==' 0

run verify --url "https://localhost:$sport/f1000" --verify --cafile "$tmp/cert.pem"
expect verify errors '==' 0
expect verify messages '>' 10
# A certificate no CA vouches for: every handshake fails, so the test
# fails and says why in OpenSSL's words.
"$NETRIG" client --duration 1s --warmup 200ms --quiet --csv "$tmp/noverify.csv" \
    --url "https://127.0.0.1:$sport/f1000" --verify --cafile /etc/ssl/certs/ca-certificates.crt \
    >"$tmp/noverify.out" 2>&1 && fail "noverify: exit 0 with every handshake refused"
grep -q "first: certificate verify failed: self-signed certificate" "$tmp/noverify.out" ||
    fail "noverify: the cause is not named: $(tail -2 "$tmp/noverify.out")"
expect noverify messages '==' 0

checks_done "OK: netrig client against nginx (HTTP, HTTPS 1.2/1.3)"
