#!/usr/bin/env bash
# ctest: run-serial
# netrig's HTTP client against h2o (a second server implementation beside
# nginx) on loopback, HTTP and HTTPS (TLS 1.2 and 1.3): body sizes and
# header bytes must match what curl sees, keep-alive, pipelining and a new
# connection per request must run without errors, and a missing file must
# count as status_4xx. h2o runs from a config written here and is stopped
# by PID.
set -u
H2O=$(command -v h2o || echo /usr/bin/h2o)
if [ ! -x "$H2O" ] || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    echo "SKIP: h2o, curl or openssl missing"
    exit 77
fi
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/http_peer.sh"

chmod 755 "$tmp" # h2o drops root for nobody
peer_files
chmod 777 "$tmp/logs"
chmod 644 "$tmp/key.pem"

# start_h2o: on two random ports (port, sport); returns 1 if it did not
# answer (a port taken by a test running beside this one, say).
start_h2o() {
    port=$(free_port)
    sport=$((port + 1))
    cat >"$tmp/h2o.conf" <<EOF
error-log: $tmp/logs/error.log
num-threads: 1
listen:
  host: 127.0.0.1
  port: $port
listen:
  host: 127.0.0.1
  port: $sport
  ssl:
    certificate-file: $tmp/cert.pem
    key-file: $tmp/key.pem
    minimum-version: TLSv1.2
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        file.dir: $tmp/www
EOF
    "$H2O" -c "$tmp/h2o.conf" >"$tmp/h2o.out" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/f1000" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    unset 'pids[-1]'
    return 1
}
for try in 1 2 3 4 5; do
    start_h2o && break
    [ "$try" = 5 ] &&
        { echo "FAIL: h2o did not start: $(cat "$tmp/h2o.out" "$tmp/logs/error.log" 2>/dev/null)"; exit 1; }
done

# curl is held to HTTP/1.1: h2o would offer HTTP/2 over TLS.
peer_client_checks "http://127.0.0.1:$port/f1000" "http://127.0.0.1:$port/f1000" \
    "https://127.0.0.1:$sport/f1000" --http1.1

checks_done "OK: netrig client against h2o (HTTP, HTTPS 1.2/1.3)"
