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
