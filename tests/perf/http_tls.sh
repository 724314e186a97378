#!/usr/bin/env bash
# Benchmark, not a test: netrig next to the established tools against the
# same servers on loopback, in one run.
#  1. HTTP keep-alive requests/s against nginx: netrig client vs wrk,
#     same threads and connections.
#  2. TLS handshakes/s against openssl s_server: netrig https crr vs
#     openssl s_time -new (full) and -reuse (resumed), one connection at a
#     time each; then netrig with --resume.
# usage: http_tls.sh /path/to/netrig [seconds per run (default 3)]
set -u
NETRIG=${1:?usage: http_tls.sh /path/to/netrig [seconds]}
SECS=${2:-3}
THREADS=${THREADS:-1}
CONNS=${CONNS:-10}
for t in nginx wrk openssl; do
    command -v "$t" >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t"; exit 77; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
tport=$((port + 1))
mkdir -p "$tmp/www" "$tmp/logs"
head -c 100 /dev/zero | tr '\0' a >"$tmp/www/f100"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/octet-stream;
    keepalive_requests 100000000;
    server { listen 127.0.0.1:$port; root $tmp/www; }
}
EOF
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" &
pids+=($!)
openssl s_server -accept "$tport" -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www -quiet \
    >/dev/null 2>&1 &
pids+=($!)
sleep 1
url="http://127.0.0.1:$port/f100"
col() { python3 -c "import csv,sys; r=list(csv.DictReader(open('$1')))[-1]; print(r['$2'])"; }

echo "== HTTP keep-alive, GET 100-byte file from nginx (1 worker), $THREADS thread(s), $CONNS connections, ${SECS}s"
# Alternating runs, so that load from elsewhere on the machine hits both.
for rep in $(seq "${REPS:-3}"); do
    wrk_rps=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" "$url" | awk '/Requests\/sec/ {print $2}')
    "$NETRIG" client --url "$url" --threads "$THREADS" --conns "$CONNS" --duration "${SECS}s" \
        --warmup 0 --quiet --csv "$tmp/nr.csv" >/dev/null 2>&1
    nr_rps=$(col "$tmp/nr.csv" msgs_per_s)
    printf 'run %s: %-20s %10.0f req/s   %-14s %10.0f req/s (errors %s)\n' "$rep" wrk "$wrk_rps" \
        "netrig client" "$nr_rps" "$(col "$tmp/nr.csv" errors)"
    rm -f "$tmp/nr.csv"
done

# s_time prints "N connections in T real seconds"; that is the rate it achieved.
stime() {
    openssl s_time -connect "127.0.0.1:$tport" -www / "$@" -time "$SECS" 2>/dev/null |
        awk '/connections in .* real seconds/ {printf "%.0f", $1 / $4}'
}
# netrig_crr NAME ARGS...: one crr run, printed as a row.
netrig_crr() {
    local name=$1
    shift
    "$NETRIG" client --url "https://127.0.0.1:$tport/" --mode crr --conns 1 --duration "${SECS}s" \
        --warmup 0 --quiet --csv "$tmp/c.csv" "$@" >/dev/null 2>&1
    printf '%-34s %12.0f conn/s  (connect+handshake p50 %.0f us, errors %s)\n' "$name" \
        "$(col "$tmp/c.csv" msgs_per_s)" "$(col "$tmp/c.csv" connect_p50_us)" \
        "$(col "$tmp/c.csv" errors)"
    rm -f "$tmp/c.csv"
}
for v in 1.2 1.3; do
    echo "== TLS $v handshakes against openssl s_server -www (GET /), one connection at a time, ${SECS}s"
    flag=-tls${v/./_}
    printf '%-34s %12s conn/s\n' "openssl s_time -new" "$(stime -new "$flag")"
    netrig_crr "netrig https crr" --tls-version "$v"
    printf '%-34s %12s conn/s\n' "openssl s_time -reuse" "$(stime -reuse "$flag")"
    netrig_crr "netrig https crr --resume" --tls-version "$v" --resume
done
