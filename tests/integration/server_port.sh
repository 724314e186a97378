#!/bin/bash
# A second netrig server on a port a netrig server already holds is
# refused with a clear message (its SO_REUSEPORT listeners would otherwise
# share the port and clients land on either at random), in either thread
# model; --reuseport shares it on purpose; one server's own threads still
# share their port.
. "$(dirname "$0")/../lib/netrig_test.sh"
start_server --threads 2
want="127.0.0.1:$PORT is already in use by another server"
for model in epoll threads; do
    timeout 10 "$NETRIG" server --listen 127.0.0.1:$PORT --model $model >"$TMP/second.$model.out" 2>&1
    rc=$?
    [ $rc = 1 ] || fail "second server ($model): exit $rc, want 1: $(cat "$TMP/second.$model.out")"
    grep -q "$want (--reuseport" "$TMP/second.$model.out" ||
        fail "second server ($model): $(cat "$TMP/second.$model.out")"
done
# The first server is untouched and its two threads answer.
run_json after --duration 300ms --warmup 100ms --conns 4 --threads 2
check_sane after

# --reuseport: asked for, the port is shared.
"$NETRIG" server --listen 127.0.0.1:$PORT --reuseport >"$TMP/shared.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
    grep -q listening "$TMP/shared.log" && break
    sleep 0.05
done
grep -q "listening on 127.0.0.1:$PORT" "$TMP/shared.log" || fail "--reuseport: $(cat "$TMP/shared.log")"
echo ok
