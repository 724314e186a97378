# --echo against socat echo servers (RFC 862 behaviour: every byte comes
# back) on loopback: TCP request/response (pipelined) and open-loop rate,
# UDP request/response.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
command -v socat >/dev/null || exit 77

PORT=$(free_port)
socat TCP4-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork PIPE 2>"$TMP/socat_tcp.err" &
PIDS+=($!)
for _ in $(seq 100); do # until it listens (slow under load)
    (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
    sleep 0.05
done

# socat's UDP listener answers the first peer only: one per client run.
udp_echo() {
    PORT=$(free_port)
    socat UDP4-LISTEN:$PORT,bind=127.0.0.1 PIPE 2>"$TMP/socat_udp.err" &
    PIDS+=($!)
    for _ in $(seq 100); do # until the port is bound (slow under load)
        ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q . && break
        sleep 0.05
    done
}

run_json tcprr --echo --mode rr --size 200 --duration 1 --warmup 0.2 --conns 2 --pipeline 4
check_sane tcprr
check tcprr 'r["tx_bytes"] == r["rx_bytes"]' "echoed bytes"
check tcprr 'r["resp_bytes"] == 200' "response size"

run_json tcprate --echo --mode rate --rate 1000/s --size 64 --duration 1 --warmup 0.2
check_sane tcprate
check tcprate 'abs(r["msgs_per_s"] / 1000 - 1) < 0.05' "rate"

udp_echo
run_json udprr --echo --proto udp --mode rr --size 100 --duration 1 --warmup 0.2
check_sane udprr
check udprr 'r["loss_pct"] == 0' "udp echo loss"

# (No open-loop UDP against socat: its PIPE may join two queued datagrams
# into one answer, which is socat's doing, not loss.)

# An echo peer cannot answer with another size.
if "$NETRIG" client --server 127.0.0.1:$PORT --echo --proto udp --mode rr --size 64 \
    --resp-size 100 >/dev/null 2>&1; then
    fail "--echo with --resp-size was accepted"
fi
echo "echo peers ok"
