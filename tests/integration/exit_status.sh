#!/bin/bash
# A test in which nothing succeeded exits non-zero and names the cause:
# every response a 404 (the status line), every TLS handshake failing
# verification (OpenSSL's reason); --max-errors makes any errors fatal;
# in netrig run a failed step keeps its row, marked, the run goes on, and
# the run's exit status and last line name the step.
. "$(dirname "$0")/../lib/netrig_test.sh"
start_server --tls
URL=http://127.0.0.1:$PORT
short=(--duration 300ms --warmup 100ms --quiet)

# Every response a 404.
timeout 60 "$NETRIG" client --url "$URL/nosuch" "${short[@]}" --json >"$TMP/404.json" 2>"$TMP/404.err"
rc=$?
[ $rc = 1 ] || fail "all 404: exit $rc, want 1: $(cat "$TMP/404.err")"
grep -q "test failed: nothing succeeded: .*status_4xx=.*first: status 404 (HTTP/1.1 404 Not Found)" \
    "$TMP/404.err" || fail "all 404: cause not named: $(cat "$TMP/404.err")"
check 404 'r["failed"].startswith("nothing succeeded") and r["errors"] > 0' "the row says it failed"

# Every handshake failing verification: the server's certificate is
# self-signed, so no CA in the system's bundle vouches for it.
CA=/etc/ssl/certs/ca-certificates.crt
[ -r $CA ] || CA=/etc/ssl/cert.pem
# The same over HTTP/1.1, HTTP/2 (h2 by ALPN) and WebSocket (wss).
untrusted() { # name url [options]
    local name=$1 url=$2 rc
    shift 2
    timeout 60 "$NETRIG" client --url "$url" "$@" --verify --cafile $CA "${short[@]}" \
        >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
    [ $rc = 1 ] || fail "$name, untrusted certificate: exit $rc, want 1: $(cat "$TMP/$name.err")"
    grep -q "first: certificate verify failed: self-signed certificate" "$TMP/$name.err" ||
        fail "$name, untrusted certificate: reason not named: $(cat "$TMP/$name.err")"
}
untrusted https "https://127.0.0.1:$PORT/bytes/64"
untrusted h2 "https://127.0.0.1:$PORT/bytes/64" --http2
untrusted wss "wss://127.0.0.1:$PORT/ws/echo"

# A test that succeeds still exits 0; --max-errors passes it while its
# errors stay within the limit.
timeout 60 "$NETRIG" client --url "$URL/bytes/64" "${short[@]}" --max-errors 0 >"$TMP/ok.out" \
    2>"$TMP/ok.err" || fail "a clean test with --max-errors 0 failed: $(cat "$TMP/ok.err")"
timeout 60 "$NETRIG" client --url "$URL/bytes/64" --max-errors 5x "${short[@]}" 2>"$TMP/bad.err"
[ $? = 2 ] || fail "--max-errors 5x accepted"
grep -q "max_errors.*percentage" "$TMP/bad.err" || fail "--max-errors 5x: $(cat "$TMP/bad.err")"

# netrig run: one good step, one of 404s; both rows kept, the run exits 1
# and says which step failed.
cat >"$TMP/sc.ini" <<INI
[global]
duration = 300ms
warmup = 100ms
proto = http
mode = rr
[good]
url = $URL/bytes/64
[missing]
url = $URL/nosuch
INI
(cd "$TMP" && timeout 120 "$NETRIG" run sc.ini --out "$TMP/res" --no-plot >"$TMP/run.out" 2>&1)
rc=$?
[ $rc = 1 ] || fail "run with a failed step: exit $rc, want 1: $(cat "$TMP/run.out")"
grep -q "netrig run: 1 test failed, the first step 2 of 2 'missing' (repeat 1): nothing succeeded" \
    "$TMP/run.out" || fail "run: the failed step is not named: $(cat "$TMP/run.out")"
python3 - "$TMP/res/summary.csv" <<'PY' || fail "run: rows: $(cat "$TMP/res/summary.csv")"
import csv, sys
rows = {r["step"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert set(rows) == {"good", "missing"}, rows.keys()
assert rows["good"]["failed"] == "", rows["good"]["failed"]
assert "status 404" in rows["missing"]["failed"], rows["missing"]["failed"]
PY
# One run per step: the table says there is no interval rather than
# print none or a misleading one; so do summary.json and summary_ci.csv.
grep -q "(no CI: n=1)" "$TMP/run.out" || fail "run: no 'too few repeats' in the table: $(cat "$TMP/run.out")"
grep -q '"ci_note": *"too few repeats for a 95 % interval (n = 1; 3 or more give one)"' \
    "$TMP/res/summary.json" || fail "summary.json: no ci_note"
grep -q "too few repeats" "$TMP/res/summary_ci.csv" || fail "summary_ci.csv: no ci_note"
grep -q '"status": *"failed"' "$TMP/res/summary.json" || fail "summary.json: $(head -c 600 "$TMP/res/summary.json")"
echo ok
