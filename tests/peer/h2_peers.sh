#!/usr/bin/env bash
# ctest: run-serial
# HTTP/2 against independent implementations. netrig's client against
# nginx (h2 over TLS, h2c, and an h2c server that sends GOAWAY every 100
# requests: reconnects are not errors) and h2o (h2 and h2c); netrig's
# server against curl (--http2, --http2-prior-knowledge) and h2load (h2
# and h2c, several streams): every request succeeds, sizes as asked.
set -u
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
H2O=$(command -v h2o || echo /usr/bin/h2o)
for t in curl openssl h2load; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
if [ ! -x "$NGINX" ] || ! "$NGINX" -V 2>&1 | grep -q http_v2_module || [ ! -x "$H2O" ]; then
    echo "SKIP: nginx with http_v2 or h2o missing"
    exit 77
fi
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/http_peer.sh"
chmod 755 "$tmp"
peer_files
chmod 777 "$tmp/logs"
chmod 644 "$tmp/key.pem"

# --- nginx ----------------------------------------------------------------
np=$(free_port)
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$np http2; root $tmp/www; }
    server { listen 127.0.0.1:$((np + 1)) ssl http2; root $tmp/www;
             ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem; }
    server { listen 127.0.0.1:$((np + 2)) http2; root $tmp/www; keepalive_requests 100; }
}
EOF
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" 2>"$tmp/nginx.err" &
pids+=($!)
for _ in $(seq 50); do
    curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$np/f1000" && break
    sleep 0.1
done
for u in "http://127.0.0.1:$np" "https://127.0.0.1:$((np + 1))" "http://127.0.0.1:$((np + 2))"; do
    n=ng$(echo "$u" | tr -c 'a-z0-9' '_')
    run "$n-rr" --url "$u/f1000" --http2 --mode rr --streams 8 --conns 2
    expect "$n-rr" errors == 0
    expect "$n-rr" messages '>' 100
    expect "$n-rr" resp_bytes == 1000
    run "$n-big" --url "$u/big" --http2 --mode rr --streams 2
    expect "$n-big" errors == 0
    expect "$n-big" resp_bytes == 1048576
    run "$n-crr" --url "$u/f1000" --http2 --mode crr
    expect "$n-crr" errors == 0
    expect "$n-crr" messages '>' 10
    run "$n-head" --url "$u/f1000" --http2 --mode rr --method HEAD
    expect "$n-head" errors == 0
    expect "$n-head" resp_bytes == 0
done
run_failing ng-miss --url "http://127.0.0.1:$np/nothing" --http2 --mode rr
expect ng-miss messages == 0
col "$tmp/ng-miss.csv" errors_by_class | grep -q status_4xx || fail "ng-miss: no status_4xx"

# --- h2o ------------------------------------------------------------------
hp=$(free_port)
cat >"$tmp/h2o.conf" <<EOF
error-log: $tmp/logs/h2o.log
num-threads: 1
listen:
  host: 127.0.0.1
  port: $hp
listen:
  host: 127.0.0.1
  port: $((hp + 1))
  ssl:
    certificate-file: $tmp/cert.pem
    key-file: $tmp/key.pem
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        file.dir: $tmp/www
EOF
"$H2O" -c "$tmp/h2o.conf" >"$tmp/h2o.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$hp/f1000" && break
    sleep 0.1
done
for u in "http://127.0.0.1:$hp" "https://127.0.0.1:$((hp + 1))"; do
    n=h2o$(echo "$u" | tr -c 'a-z0-9' '_')
    run "$n-rr" --url "$u/f1000" --http2 --mode rr --streams 8 --conns 2
    expect "$n-rr" errors == 0
    expect "$n-rr" resp_bytes == 1000
    run "$n-rate" --url "$u/f1000" --http2 --mode rate --rate 500/s --streams 16
    expect "$n-rate" errors == 0
    expect "$n-rate" messages '>=' 400
done

# --- netrig's server for curl and h2load --------------------------------
start_server --tls --quiet
got=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_version} %{http_code} %{size_download}' \
    "http://127.0.0.1:$port/bytes/70000")
[ "$got" = "2 200 70000" ] || fail "curl --http2-prior-knowledge: $got"
got=$(curl -sk --http2 -o /dev/null -w '%{http_version} %{http_code} %{size_download}' \
    "https://127.0.0.1:$port/bytes/1048576")
[ "$got" = "2 200 1048576" ] || fail "curl --http2: $got"
got=$(curl -sk --http2 --data-binary @"$tmp/www/big" "https://127.0.0.1:$port/sink")
[ "$got" = "received 1048576" ] || fail "curl --http2 POST /sink: $got"
got=$(curl -s --http2-prior-knowledge -I -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/bytes/5")
[ "$got" = "200" ] || fail "curl HEAD: $got"
for u in "http://127.0.0.1:$port" "https://127.0.0.1:$port"; do
    h2load -n 5000 -c 4 -m 10 "$u/bytes/1000" >"$tmp/h2load.out" 2>&1
    grep -q "5000 succeeded, 0 failed, 0 errored" "$tmp/h2load.out" ||
        fail "h2load $u: $(grep requests: "$tmp/h2load.out")"
    grep -q "5000 2xx" "$tmp/h2load.out" || fail "h2load $u: $(grep 'status codes' "$tmp/h2load.out")"
done
h2load -n 20 -c 2 -m 2 "http://127.0.0.1:$port/bytes/1048576" >"$tmp/h2load.out" 2>&1
grep -q "20 succeeded, 0 failed" "$tmp/h2load.out" || fail "h2load 1 MiB: $(grep requests: "$tmp/h2load.out")"
grep -q "traffic: 20.0[0-9]MB" "$tmp/h2load.out" || fail "h2load 1 MiB: $(grep traffic: "$tmp/h2load.out")"
checks_done "OK: HTTP/2 against nginx, h2o, curl and h2load"
