# With --psk, connections that have not proved the key are on a short
# leash of their own (--max-unauth-conns, --auth-timeout): a stranger who
# opens every --max-conns slot and says nothing cannot starve the clients
# that hold the key, and a big test of such a client (its data connections
# also arrive before their hello) still gets all its connections in.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/fault_peer.py"
head -c 32 /dev/urandom | base64 >"$TMP/key"
chmod 600 "$TMP/key"
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# idle_attack NAME N WAIT: N idle connections from another address
# (127.0.0.2) held in the background; returns once they are all open.
idle_attack() {
    local name=$1
    python3 "$PEER" idle 127.0.0.1 $PORT "$2" "$3" 127.0.0.2 >"$TMP/$name.out" 2>"$TMP/$name.err" &
    APID=$!
    PIDS+=("$APID")
    for _ in $(seq 200); do
        grep -q '^open' "$TMP/$name.out" && return 0
        kill -0 $APID 2>/dev/null || break
        sleep 0.05
    done
    fail "$name: the idle peer did not get its connections open: $(cat "$TMP/$name.out" "$TMP/$name.err")"
}

# idle_counts NAME: N (made room) and M (cut off at --auth-timeout) from
# the idle peer's report.
idle_counts() {
    cat "$TMP/$1.out"
    N=$(sed -n 's/^idle: \([0-9]*\) told: closed: too many connections have not proved the key$/\1/p' \
        "$TMP/$1.out")
    M=$(sed -n 's/^idle: \([0-9]*\) told: timeout: neither the key proved nor a data hello within 2 s$/\1/p' \
        "$TMP/$1.out")
    N=${N:-0} M=${M:-0}
}

# A stranger takes every --max-conns slot (130) without a word; only 64 may
# wait for their key at once, so the oldest idle ones make room, and a
# client with the key runs its test at once. In --model threads the oldest
# is another connection's thread, woken to close it.
for model in epoll threads; do
    start_server --model $model --psk "$TMP/key" --max-conns 130 --max-unauth-conns 64 \
        --auth-timeout 2s
    idle_attack idle_$model 130 8
    run_json held_$model --duration 0.5 --warmup 0.1 --psk "$TMP/key"
    check_sane held_$model
    wait $APID || fail "$model: idle peer: $(cat "$TMP/idle_$model.err")"
    idle_counts idle_$model
    # Every idle connection is gone well before --hello-timeout (10 s): 66
    # or more to make room, the rest at --auth-timeout.
    grep -q "^idle: 130 of 130 closed" "$TMP/idle_$model.out" ||
        fail "$model: idle connections still open after 8 s"
    ! grep -q "told: server busy" "$TMP/idle_$model.out" ||
        fail "$model: newcomers refused instead of the oldest closed"
    [ $N -ge 66 ] || fail "$model: only $N idle connections made room"
    [ $M -ge 1 ] && [ $M -le 64 ] || fail "$model: $M cut off at --auth-timeout"
    kill "$SPID"
    wait "$SPID"
    grep -q "connections closed or refused before they proved the key (--max-unauth-conns 64)" \
        "$TMP/server.$PORT.log" || fail "$model: not counted: $(cat "$TMP/server.$PORT.log")"
done

for model in epoll threads; do
    # A test of 300 connections from a client with the key, with the cap
    # well below that: first alone, then while a stranger holds the cap.
    start_server --model $model --psk "$TMP/key" --max-unauth-conns 64
    run_json many_$model --conns 300 --duration 0.5 --warmup 0.1 --psk "$TMP/key"
    check_sane many_$model
    check many_$model 'r["conns"] == 300' "all 300 connections"
    idle_attack busy_$model 100 1
    run_json many_busy_$model --conns 300 --duration 0.5 --warmup 0.1 --psk "$TMP/key"
    check_sane many_busy_$model
    check many_busy_$model 'r["conns"] == 300' "all 300 connections under the attack"
    wait $APID
    echo "$model: 300 connections with --max-unauth-conns 64: ok"
done
echo "psk leash ok"
