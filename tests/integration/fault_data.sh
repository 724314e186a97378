# Hostile peers on the data paths (tests/lib/data_peer.py): datagrams at
# the sending side of a reverse UDP stream, UDP requests and hellos from a
# host that is not the control peer (with and without --psk), bytes on the
# data connection of a sending TCP side, at the server and at the client.
# The server survives, answers others, and sends nothing to a third host.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
PEER="$NETRIG_TESTS/lib/data_peer.py"
FAULT="$NETRIG_TESTS/lib/fault_peer.py"

# A server stuck in a loop ignores SIGTERM: the cleanup could not end it.
stuck() {
    kill -9 "$SPID" 2>/dev/null
    fail "$*"
}

for model in epoll threads; do
    start_server --threads 1 --model $model
    timeout 30 python3 "$PEER" udp-reverse 127.0.0.1 $PORT || stuck "$model: udp reverse"
    timeout 30 python3 "$PEER" udp-spoof 127.0.0.1 $PORT || stuck "$model: udp spoofing"
    timeout 30 python3 "$PEER" tcp-talk 127.0.0.1 $PORT || stuck "$model: tcp reverse"
    kill -0 "$SPID" 2>/dev/null || fail "$model: server died"
done

# The port scan of the review: a real reverse UDP stream and a real UDP rr
# test (with --psk: the datagrams need none), every port sprayed from the
# control peer's host and from another.
umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
start_server --threads 2 --psk "$TMP/key"
for args in "--reverse --rate 20mbit --size 512" "--mode rr --size 16 --resp-size 4k"; do
    name=$(echo "$args" | tr -dc 'a-z')
    timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --psk "$TMP/key" --json --proto udp \
        $args --duration 2 --warmup 0.2 >"$TMP/$name.json" 2>"$TMP/$name.err" &
    CL=$!
    PIDS+=("$CL")
    sleep 0.6
    ports=$(python3 "$FAULT" udpports "$SPID")
    [ -n "$ports" ] || fail "$args: no UDP ports found on the server"
    timeout 20 python3 "$PEER" spray 127.0.0.1 $ports || fail "$args: spray from the peer"
    timeout 20 python3 "$PEER" spray 127.0.0.2 $ports || fail "$args: spray from a third host"
    wait "$CL" || fail "$args: the test under the spray failed: $(cat "$TMP/$name.err")"
    kill -0 "$SPID" 2>/dev/null || fail "$args: server died"
    # The spray's datagrams are dropped and counted: protocol errors only.
    checks "$name" 'r["messages"] > 0 and r["goodput_bps"] > 0' \
        'r["errors"] == 0 or r["errors_by_class"].startswith("protocol")'

done

# The client: a server that writes on a forward stream's data connection.
LPORT=$(free_port)
python3 "$PEER" tcp-liar 127.0.0.1 $LPORT >"$TMP/liar.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$TMP/liar.log" && break; sleep 0.05; done
timeout 20 "$NETRIG" client --server 127.0.0.1:$LPORT --json --duration 1 --warmup 0 \
    >"$TMP/liar.json" 2>"$TMP/liar.err"
rc=$?
[ $rc -le 1 ] || fail "client against a server writing on its data connection: exit $rc"
check liar 'r["errors"] >= 1 and "protocol" in r["errors_by_class"]' \
    "the bytes were not counted as a protocol error"
echo "hostile data peers ok"
