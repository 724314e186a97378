# Slow clients: connections that trickle a request one byte at a time are
# cut off after --hello-timeout, while a real test on the same server runs
# as usual.
source "$NETRIG_TESTS/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/fault_peer.py"
start_server --hello-timeout 1s
fds() { ls /proc/$SPID/fd | wc -l; }
base=$(fds)

timeout 30 python3 "$PEER" slow 127.0.0.1 $PORT 300 8 >"$TMP/slow.log" 2>&1 &
SLOW=$!
PIDS+=("$SLOW")
sleep 0.5
run_json during --mode rr --size 64 --duration 1 --warmup 0.1
check_sane during
wait "$SLOW" || fail "slow clients not cut off: $(cat "$TMP/slow.log")"
cat "$TMP/slow.log"
# All cut off well before the 8 s the trickle would have gone on.
python3 - "$TMP/slow.log" <<'PY' || fail "cut off too late: $(cat "$TMP/slow.log")"
import re, sys
t = float(re.search(r"after ([0-9.]+) s", open(sys.argv[1]).read()).group(1))
sys.exit(0 if t < 4 else 1)
PY
for _ in $(seq 30); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
[ "$(fds)" -le "$base" ] || fail "server holds $(fds) descriptors, $base before"
echo "slowloris ok"
