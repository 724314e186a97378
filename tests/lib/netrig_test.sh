# Shared by the integration and peer tests (sourced, not run): starting a
# server on a random loopback port, running the client for JSON, and
# checks that print what failed. Every process started is killed by PID in
# the EXIT trap.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
NETRIG=${1:?usage: bash TEST.sh /path/to/netrig}
TMP=$(mktemp -d)
PIDS=()
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    # A sanitizer report from a server (which exits only now) fails the test.
    if grep -lE "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error" "$TMP"/*.log "$TMP"/*.err \
        >/dev/null 2>&1; then
        grep -hE -A20 "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error" "$TMP"/*.log "$TMP"/*.err >&2
        rc=1
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# start_server [server options...]: sets PORT and SPID.
start_server() {
    local try
    for try in 1 2 3 4 5; do
        PORT=$(free_port)
        "$NETRIG" server --listen 127.0.0.1:$PORT "$@" >"$TMP/server.$PORT.log" 2>&1 &
        SPID=$!
        PIDS+=("$SPID")
        for _ in $(seq 50); do
            grep -q listening "$TMP/server.$PORT.log" 2>/dev/null && return 0
            kill -0 "$SPID" 2>/dev/null || break
            sleep 0.05
        done
    done
    fail "server did not start: $(cat "$TMP"/server.*.log)"
}

# run_json NAME client-options...: runs the client against PORT with
# --json; the object lands in $TMP/NAME.json.
run_json() {
    local name=$1
    shift
    timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --json "$@" >"$TMP/$name.json" \
        2>"$TMP/$name.err" || fail "$name: client exited $?: $(cat "$TMP/$name.err")"
}

# check NAME 'python expression over r (the result dict)' [message]
check() {
    local name=$1 expr=$2 msg=${3:-$2}
    python3 - "$TMP/$name.json" "$expr" <<'PY' || fail "$name: $msg: $(cat "$TMP/$name.json")"
import json, os, sys
r = json.load(open(sys.argv[1]))
# Sanitizer builds run several times slower: timing tolerances written
# as "0.03 * slack" widen by NETRIG_TEST_SLACK there, and only there.
slack = float(os.environ.get("NETRIG_TEST_SLACK", "1"))
ok = eval(sys.argv[2], {"r": r, "abs": abs, "slack": slack})
sys.exit(0 if ok else 1)
PY
}

# checks NAME EXPR...: several expressions in one python start (slow
# machines take a quarter second per start); names the first that fails.
checks() {
    local name=$1
    shift
    python3 - "$TMP/$name.json" "$@" <<'PY' || fail "$name: $(cat "$TMP/$name.json")"
import json, sys
r = json.load(open(sys.argv[1]))
for e in sys.argv[2:]:
    if not eval(e, {"r": r, "abs": abs}):
        print("failed: " + e, file=sys.stderr)
        sys.exit(1)
PY
}

# The checks every result must pass: no errors, something measured,
# latency percentiles in order.
check_sane() {
    checks "$1" 'r["errors"] == 0' 'r["messages"] > 0 and r["goodput_bps"] > 0' \
        'r["lat_min_us"] <= r["lat_p50_us"] <= r["lat_p90_us"] <= r["lat_p99_us"] <= r["lat_p999_us"] <= r["lat_max_us"]'
}
