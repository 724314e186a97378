# The instrument's own options: --cpu pins worker threads (client and
# server), --busy-poll spins before sleeping, --no-timing leaves the
# latency out but counts everything else; request/response answers read
# at once after sending (both ends on one CPU, where they are there
# already, or a client alone in its thread that sleeps in recv) lose and
# duplicate nothing.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --threads 2 --cpu 0 --busy-poll 20

# Both server threads run on CPU 0 only (the main thread is not pinned).
pinned=0
for t in /proc/$SPID/task/*/status; do
    grep -q '^Cpus_allowed_list:[[:space:]]*0$' "$t" && pinned=$((pinned + 1))
done
[ "$pinned" -ge 2 ] || fail "server threads pinned: $pinned, expected 2"

# Exact counts with client and server on one CPU: every answer read at
# once must be counted once.
run_json rr --mode rr --size 100 --resp-size 1000 --pipeline 4 --conns 2 --count 5000 \
    --warmup 0 --cpu 0
check rr 'r["messages"] == 5000 and r["tx_bytes"] == r["rx_bytes"] and r["errors"] == 0' \
    "rr count on one CPU"
# One connection per thread: the client sleeps in recv for its answers.
run_json wait --mode rr --size 100 --resp-size 1000 --pipeline 2 --conns 2 --threads 2 \
    --count 4000 --warmup 0
check wait 'r["messages"] == 4000 and r["tx_bytes"] == r["rx_bytes"] and r["errors"] == 0' \
    "rr count, a connection per thread"
run_json udprr --proto udp --mode rr --size 64 --conns 2 --count 3000 --warmup 0 --cpu 0
check udprr 'r["messages"] == 3000 and r["loss_pct"] == 0 and r["errors"] == 0' "udp rr count"

# Busy polling on the client as well: still a sane result.
run_json busy --mode rr --size 64 --duration 0.5 --warmup 0.1 --busy-poll 50 --cpu 0
check_sane busy

# --no-timing: everything counted, no latency.
run_json nt --size 64k --duration 0.5 --warmup 0.1 --no-timing
checks nt 'r["messages"] > 0 and r["errors"] == 0' 'r["lat_p50_us"] is None' \
    'r["tx_bytes"] == r["rx_bytes"]'
run_json ntrr --mode rr --size 64 --duration 0.5 --warmup 0.1 --no-timing
checks ntrr 'r["messages"] > 0 and r["errors"] == 0' 'r["lat_p50_us"] is None'
run_json ntudp --proto udp --size 512 --rate 10000/s --duration 0.5 --warmup 0.1 --no-timing
checks ntudp 'r["messages"] > 0 and r["loss_pct"] == 0' 'r["lat_p50_us"] is None'

# HTTP's closed loop with 8+ requests in flight per thread coalesces its
# wake-ups (--coalesce): every answer still counted once, and the banner
# says so; --coalesce 0, a thin loop and rr do not coalesce.
run_json coal --proto http --size 1k --conns 16 --pipeline 2 --count 20000 --warmup 0
check coal 'r["messages"] == 20000 and r["errors"] == 0 and r["rx_bytes"] >= 20000 * 1024' \
    "http stream count with coalescing"
banner() { # banner NAME ARGS...: the client's first line
    local name=$1
    shift
    timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --proto http --size 1k --duration 0.2 \
        --warmup 0 "$@" >"$TMP/$name.txt" 2>&1 || fail "$name: $(cat "$TMP/$name.txt")"
    head -1 "$TMP/$name.txt"
}
banner on --conns 16 | grep -q "answers gathered up to 20 us" || fail "banner: $(cat "$TMP/on.txt")"
banner us --conns 4 --pipeline 2 --coalesce 50 | grep -q "gathered up to 50 us" ||
    fail "banner --coalesce 50: $(cat "$TMP/us.txt")"
for args in "--conns 16 --coalesce 0" "--conns 4" "--conns 16 --mode rr"; do
    # shellcheck disable=SC2086
    ! banner off $args | grep -q "gathered" || fail "coalescing with $args: $(cat "$TMP/off.txt")"
done
"$NETRIG" client --server 127.0.0.1:$PORT --proto http --coalesce 10001 >"$TMP/cbad" 2>&1
[ $? = 2 ] && grep -q "coalesce" "$TMP/cbad" || fail "--coalesce 10001: $(cat "$TMP/cbad")"

# Bad CPU lists are usage errors that name the problem.
for bad in "x" "0,,1" "3-1" "99999"; do
    "$NETRIG" client --server 127.0.0.1:$PORT --cpu "$bad" --duration 0.1 >"$TMP/bad" 2>&1
    rc=$?
    [ "$rc" = 2 ] || fail "client --cpu '$bad' exited $rc"
    grep -qi "cpu" "$TMP/bad" || fail "client --cpu '$bad': $(cat "$TMP/bad")"
done
"$NETRIG" server --listen 127.0.0.1:0 --cpu 1-x >"$TMP/sbad" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "server --cpu 1-x exited $rc"
grep -qi "cpu" "$TMP/sbad" || fail "server --cpu: $(cat "$TMP/sbad")"
echo "perf options ok"
