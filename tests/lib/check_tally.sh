# Shared by the tests that go on after a failed check and name every one
# at the end (sourced, not run): $tmp, a folder removed on exit; pids, the
# processes the test started, killed by PID on exit; fail, which counts;
# checks_done, which turns the count into the exit status.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
NETRIG=${1:?usage: bash TEST.sh /path/to/netrig}
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# checks_done MESSAGE: exits 1 when any check failed, else prints MESSAGE.
checks_done() {
    if [ "$fails" -ne 0 ]; then
        echo "$fails check(s) failed"
        exit 1
    fi
    echo "$1"
}

# start_server [server options...]: a netrig server on a random loopback
# port, tried on another port when it does not stay up; sets $port.
start_server() {
    local try pid
    for try in 1 2 3 4 5; do
        port=$(free_port)
        "$NETRIG" server --listen "127.0.0.1:$port" "$@" 2>"$tmp/server.err" &
        pid=$!
        pids+=("$pid")
        sleep 0.3
        kill -0 "$pid" 2>/dev/null && return 0
        wait "$pid" 2>/dev/null
        unset 'pids[-1]'
    done
    return 1
}

# check NAME PYTHON-EXPRESSION-ON-d: the JSON result in $tmp/NAME.json.
check() {
    python3 - "$tmp/$1.json" "$2" <<'PY' || fail "$1: $2 ($(head -c 600 "$tmp/$1.json"))"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
