#!/usr/bin/env bash
# ctest: run-serial
# netrig's HTTP client against h2o (a second server implementation beside
# nginx) on loopback, HTTP and HTTPS (TLS 1.2 and 1.3): body sizes and
# header bytes must match what curl sees, keep-alive, pipelining and a new
# connection per request must run without errors, and a missing file must
# count as status_4xx. h2o runs from a config written here and is stopped
# by PID.
set -u
NETRIG=${1:?usage: http_h2o.sh /path/to/netrig}
H2O=$(command -v h2o || echo /usr/bin/h2o)
if [ ! -x "$H2O" ] || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    echo "SKIP: h2o, curl or openssl missing"
    exit 77
fi
tmp=$(mktemp -d)
h2o_pid=
cleanup() {
    [ -n "$h2o_pid" ] && kill "$h2o_pid" 2>/dev/null && wait "$h2o_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

chmod 755 "$tmp" # h2o drops root for nobody
mkdir -p "$tmp/www" "$tmp/logs"
chmod 777 "$tmp/logs"
head -c 1000 /dev/zero | tr '\0' 'a' >"$tmp/www/f1000"
head -c 1048576 /dev/zero >"$tmp/www/big"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null ||
    { echo "FAIL: cannot make a certificate"; exit 1; }
chmod 644 "$tmp/key.pem"

# start_h2o: on two random ports (port, sport); returns 1 if it did not
# answer (a port taken by a test running beside this one, say).
start_h2o() {
    port=$((20000 + RANDOM % 20000))
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
    h2o_pid=$!
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/f1000" && return 0
        kill -0 "$h2o_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$h2o_pid" 2>/dev/null && wait "$h2o_pid" 2>/dev/null
    h2o_pid=
    return 1
}
for try in 1 2 3 4 5; do
    start_h2o && break
    [ "$try" = 5 ] &&
        { echo "FAIL: h2o did not start: $(cat "$tmp/h2o.out" "$tmp/logs/error.log" 2>/dev/null)"; exit 1; }
done

# col CSV NAME: a column of the last data row.
col() {
    python3 - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(rows[-1].get(sys.argv[2], "") if rows else "")
PY
}

# run NAME ARGS...: one netrig client test into NAME.csv.
run() {
    local name=$1
    shift
    rm -f "$tmp/$name.csv"
    "$NETRIG" client --duration 1s --warmup 200ms --quiet --csv "$tmp/$name.csv" "$@" \
        >"$tmp/$name.out" 2>&1 || fail "$name: client exit $? ($(tail -2 "$tmp/$name.out"))"
}

# expect NAME COLUMN OP VALUE
expect() {
    local v
    v=$(col "$tmp/$1.csv" "$2")
    python3 -c "import sys; v=float('$v' or 'nan'); sys.exit(0 if v $3 $4 else 1)" ||
        fail "$1: $2 = '$v', expected $3 $4 (errors: $(col "$tmp/$1.csv" errors_by_class))"
}

# The head bytes curl receives for a GET of URL (HTTP/1.1 forced: h2o
# would offer HTTP/2 over TLS to curl).
curl_head_bytes() {
    curl -sk --http1.1 -D - -o /dev/null "$@" | wc -c
}

hb=$(curl_head_bytes "http://127.0.0.1:$port/f1000")
run rr --url "http://127.0.0.1:$port/f1000" --mode rr --conns 2
expect rr messages '>' 100
expect rr errors '==' 0
expect rr resp_bytes '==' 1000
expect rr header_bytes '==' "$hb"

run pipe --url "http://127.0.0.1:$port/f1000" --mode rr --pipeline 8 --conns 2
expect pipe messages '>' 1000
expect pipe errors '==' 0
expect pipe resp_bytes '==' 1000

run crr --url "http://127.0.0.1:$port/f1000" --mode crr
expect crr messages '>' 50
expect crr errors '==' 0
expect crr connect_p50_us '>' 0

run big --url "http://127.0.0.1:$port/big" --mode stream
expect big resp_bytes '==' 1048576
expect big errors '==' 0

run miss --url "http://127.0.0.1:$port/nothing" --mode rr
expect miss messages '==' 0
expect miss errors '>' 10
grep -q 'status_4xx=' "$tmp/miss.csv" || fail "miss: no status_4xx class in errors_by_class"

for v in 1.2 1.3; do
    hbs=$(curl_head_bytes "https://127.0.0.1:$sport/f1000")
    run "tls$v" --url "https://127.0.0.1:$sport/f1000" --tls-version "$v" --conns 2
    expect "tls$v" messages '>' 100
    expect "tls$v" errors '==' 0
    expect "tls$v" resp_bytes '==' 1000
    expect "tls$v" header_bytes '==' "$hbs"
    run "tcrr$v" --url "https://127.0.0.1:$sport/f1000" --tls-version "$v" --mode crr
    expect "tcrr$v" messages '>' 10
    expect "tcrr$v" errors '==' 0
done

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "OK: netrig client against h2o (HTTP, HTTPS 1.2/1.3)"
