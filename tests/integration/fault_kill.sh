# Peers that vanish mid-test. A client killed (reset) or frozen (half-open)
# must not cost the server anything once its test is over; a server killed
# mid-test leaves the client with a clear error naming it and the figures
# measured so far; an unreachable or lying server is named in the error.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/fault_peer.py"
start_server --threads 2 --grace 1s
fds() { ls /proc/$SPID/fd | wc -l; }
base=$(fds)
settled() { # waits up to $1 s for the server's descriptors to come back
    local i
    for i in $(seq $(($1 * 10))); do
        [ "$(fds)" -le "$base" ] && return 0
        sleep 0.1
    done
    return 1
}

# 1. A client killed mid-test.
"$NETRIG" client --server 127.0.0.1:$PORT --duration 3 --warmup 0 --conns 4 --threads 2 \
    --quiet >/dev/null 2>&1 &
C=$!
PIDS+=("$C")
sleep 0.7
[ "$(fds)" -gt "$base" ] || fail "the client's connections never reached the server"
kill -9 "$C"
settled 3 || fail "killed client: the server still holds $(fds) descriptors ($base before)"
run_json after_kill --duration 0.5 --warmup 0.1
check_sane after_kill
echo "killed client: resources freed, next test fine"

# 2. A frozen client (its sockets open but silent, as behind a dead
# link): the server ends the test at its planned end + --grace.
"$NETRIG" client --server 127.0.0.1:$PORT --duration 1 --warmup 0 --reverse --conns 2 \
    --quiet >/dev/null 2>&1 &
C=$!
PIDS+=("$C")
sleep 0.4
kill -STOP "$C"
t0=$(date +%s.%N)
settled 8 || fail "frozen client: the server still holds $(fds) descriptors ($base before)"
t1=$(date +%s.%N)
kill -9 "$C"
echo "frozen client: cut off after $(python3 -c "print('%.1f' % ($t1 - $t0))") s"
run_json after_freeze --duration 0.5 --warmup 0.1
check_sane after_freeze

# 2b. The same with a thread per connection: the threads end as well.
main_port=$PORT main_pid=$SPID
start_server --model threads --grace 1s
threads() { awk '$1 == "Threads:" {print $2}' /proc/$SPID/status; }
tbase=$(threads)
"$NETRIG" client --server 127.0.0.1:$PORT --duration 1 --warmup 0 --reverse --conns 2 \
    --quiet >/dev/null 2>&1 &
C=$!
PIDS+=("$C")
sleep 0.4
kill -STOP "$C"
for _ in $(seq 80); do [ "$(threads)" -le "$tbase" ] && break; sleep 0.1; done
[ "$(threads)" -le "$tbase" ] || fail "threads model: $(threads) threads left, $tbase before"
kill -9 "$C"
run_json after_freeze_threads --duration 0.5 --warmup 0.1
check_sane after_freeze_threads
echo "frozen client, thread per connection: threads ended"
PORT=$main_port SPID=$main_pid

# 3. A server killed mid-test.
kill_pid=$SPID
timeout 30 "$NETRIG" client --server 127.0.0.1:$PORT --duration 3 --warmup 0 --json \
    >"$TMP/dead.json" 2>"$TMP/dead.err" &
C=$!
PIDS+=("$C")
sleep 1
kill -9 "$kill_pid"
wait "$C"
rc=$?
[ $rc -eq 1 ] || fail "server killed: client exited $rc, expected 1: $(cat "$TMP/dead.err")"
grep -q "server 127.0.0.1:$PORT" "$TMP/dead.err" || fail "error does not name the server: $(cat "$TMP/dead.err")"
grep -q "closed the control connection" "$TMP/dead.err" || fail "unclear error: $(cat "$TMP/dead.err")"
check dead 'r["tx_bytes"] > 0 and r["duration_s"] > 0' "what was measured is not reported"
echo "killed server: $(grep "closed the control" "$TMP/dead.err")"

# 4. Nobody listening.
timeout 20 "$NETRIG" client --server 127.0.0.1:$PORT --duration 1 >/dev/null 2>"$TMP/gone.err"
rc=$?
[ $rc -eq 1 ] || fail "unreachable server: exit $rc"
grep -q "127.0.0.1:$PORT" "$TMP/gone.err" || fail "unreachable: $(cat "$TMP/gone.err")"
echo "unreachable: $(cat "$TMP/gone.err")"

# 5. A server that answers garbage.
timeout 30 python3 "$PEER" liar 127.0.0.1 $PORT 1 >"$TMP/liar.log" 2>&1 &
L=$!
PIDS+=("$L")
for _ in $(seq 50); do grep -q listening "$TMP/liar.log" 2>/dev/null && break; sleep 0.05; done
timeout 20 "$NETRIG" client --server 127.0.0.1:$PORT --duration 1 >/dev/null 2>"$TMP/liar.err"
rc=$?
[ $rc -eq 1 ] || fail "lying server: exit $rc"
grep -q "server 127.0.0.1:$PORT" "$TMP/liar.err" || fail "lying server: $(cat "$TMP/liar.err")"
echo "garbage answer: $(cat "$TMP/liar.err")"
echo "vanishing peers ok"
