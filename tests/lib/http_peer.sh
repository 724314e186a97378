# Shared by the tests of netrig's HTTP client against other HTTP servers
# (sourced after check_tally.sh): the files they serve, a certificate, and
# client runs checked column by column in their CSV.

# peer_files: $tmp/www/f1000 (1000 bytes) and $tmp/www/big (1 MiB), the
# folder $tmp/logs, and a certificate for localhost in $tmp/cert.pem with
# its key in $tmp/key.pem; exits 1 when openssl cannot make it.
peer_files() {
    mkdir -p "$tmp/www" "$tmp/logs"
    head -c 1000 /dev/zero | tr '\0' 'a' >"$tmp/www/f1000"
    head -c 1048576 /dev/zero >"$tmp/www/big"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null ||
        { echo "FAIL: cannot make a certificate"; exit 1; }
}

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

# run_failing NAME client-options...: a run in which nothing succeeds: its
# row is written, but the client exits 1 and names the cause.
run_failing() {
    local name=$1
    shift
    rm -f "$tmp/$name.csv"
    "$NETRIG" client --duration 1s --warmup 200ms --quiet --csv "$tmp/$name.csv" "$@" \
        >"$tmp/$name.out" 2>&1 && fail "$name: exit 0 where nothing succeeded"
    grep -q "test failed: nothing succeeded" "$tmp/$name.out" ||
        fail "$name: the cause is not named: $(tail -2 "$tmp/$name.out")"
}

# expect NAME COLUMN OP VALUE
expect() {
    local v
    v=$(col "$tmp/$1.csv" "$2")
    python3 -c "import sys; v=float('$v' or 'nan'); sys.exit(0 if v $3 $4 else 1)" ||
        fail "$1: $2 = '$v', expected $3 $4 (errors: $(col "$tmp/$1.csv" errors_by_class))"
}

# curl_head_bytes [CURL OPTIONS...] URL: the head bytes curl receives for
# a GET of URL.
curl_head_bytes() {
    curl -sk -D - -o /dev/null "$@" | wc -c
}

# peer_client_checks HTTP_URL PIPE_URL HTTPS_URL [CURL OPTIONS...]: what
# every server must give netrig's client, checked against curl's view of
# the same server: keep-alive (HTTP_URL ends in /f1000), pipelining,
# a new connection per request, a 1 MiB body (/big), a missing file as
# status_4xx and a failed test naming the 404 (/nothing), and HTTPS 1.2 and 1.3 with and without a new
# connection per request. PIPE_URL may be a server that closes now and
# then; the curl options apply to both curl_head_bytes calls.
peer_client_checks() {
    local http=$1 pipe=$2 https=$3 base hb hbs v
    shift 3
    base=${http%/f1000}
    hb=$(curl_head_bytes "$@" "$http")
    run rr --url "$http" --mode rr --conns 2
    expect rr messages '>' 100
    expect rr errors '==' 0
    expect rr resp_bytes '==' 1000
    expect rr header_bytes '==' "$hb"
    run pipe --url "$pipe" --mode rr --pipeline 8 --conns 2
    expect pipe messages '>' 1000
    expect pipe errors '==' 0
    expect pipe resp_bytes '==' 1000
    run crr --url "$http" --mode crr
    expect crr messages '>' 50
    expect crr errors '==' 0
    expect crr connect_p50_us '>' 0
    run big --url "$base/big" --mode stream
    expect big resp_bytes '==' 1048576
    expect big errors '==' 0
    # Nothing but 404s: the test fails (exit 1), names the status line,
    # and its row is still written.
    "$NETRIG" client --duration 1s --warmup 200ms --quiet --csv "$tmp/miss.csv" \
        --url "$base/nothing" --mode rr >"$tmp/miss.out" 2>&1 &&
        fail "miss: exit 0 with nothing but 404s"
    grep -q "test failed: nothing succeeded: .*first: status 404 (HTTP/1.1 404 [A-Za-z ]*)" \
        "$tmp/miss.out" || fail "miss: the cause is not named: $(tail -2 "$tmp/miss.out")"
    expect miss messages '==' 0
    expect miss errors '>' 10
    grep -q 'status_4xx=' "$tmp/miss.csv" || fail "miss: no status_4xx class in errors_by_class"
    for v in 1.2 1.3; do
        hbs=$(curl_head_bytes "$@" "$https")
        run "tls$v" --url "$https" --tls-version "$v" --conns 2
        expect "tls$v" messages '>' 100
        expect "tls$v" errors '==' 0
        expect "tls$v" resp_bytes '==' 1000
        expect "tls$v" header_bytes '==' "$hbs"
        run "tcrr$v" --url "$https" --tls-version "$v" --mode crr
        expect "tcrr$v" messages '>' 10
        expect "tcrr$v" errors '==' 0
        expect "tcrr$v" connect_p50_us '>' 0
    done
}
