# TCP settings of a test, as iperf3's -C, -M and -w: --cc reaches both
# ends' sockets (ss shows it on the client's and the server's side of the
# connection, also when the server sends), --mss sets the segment size
# both ways, --window the client's socket buffers; a congestion control
# the kernel does not have and TCP settings for UDP are refused clearly.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
command -v ss >/dev/null || { echo "skip: no ss"; exit 77; }
start_server

# The default is the system's; ask for the other one of reno and cubic
# (both always built in), so that the check can tell.
def=$(cat /proc/sys/net/ipv4/tcp_congestion_control)
want=reno
[ "$def" = reno ] && want=cubic

# ss lines of the connections to or from the server's port, while a
# reverse stream (the server sends) runs.
"$NETRIG" client --server 127.0.0.1:$PORT --cc $want --reverse --conns 2 --duration 1.5 \
    --warmup 0 --json >"$TMP/rev.json" 2>"$TMP/rev.err" &
CPID=$!
PIDS+=("$CPID")
sleep 0.8
ss -tni "( sport = :$PORT or dport = :$PORT )" >"$TMP/ss.txt"
wait "$CPID" || fail "reverse --cc $want: client exited $?: $(cat "$TMP/rev.err")"
# Two data connections seen from both ends (4 sockets), the control
# connection (2) as the system made it.
n=$(grep -cw "$want" "$TMP/ss.txt")
[ "$n" -ge 4 ] || fail "ss shows $want on $n sockets, expected 4 or more: $(cat "$TMP/ss.txt")"
check rev "r['tcp_cc'] == '$want' and r['errors'] == 0" "tcp_cc $want"
check rev 'r["tx_bytes"] == r["rx_bytes"] and r["goodput_bps"] > 0' "reverse stream"

# --mss 1000: 988 bytes of payload per segment with timestamps, both ways
# (the server's sending MSS follows the client's advertised one).
run_json mss --mss 1000 --duration 0.5 --warmup 0.1
check mss 'r["mss"] == 988' "mss 1000 -> 988 with timestamps"
run_json mssrev --mss 1000 --reverse --duration 0.5 --warmup 0.1
check mssrev 'r["mss"] == 988' "the server sends 988-byte segments too"

# --window 64k: the kernel doubles socket buffer sizes; ss shows the
# client's send buffer (tb) at twice 64 KiB.
"$NETRIG" client --server 127.0.0.1:$PORT --window 64k --duration 1.5 --warmup 0 --json \
    >"$TMP/win.json" 2>"$TMP/win.err" &
CPID=$!
PIDS+=("$CPID")
sleep 0.8
ss -tnm "( dport = :$PORT )" >"$TMP/ssm.txt"
wait "$CPID" || fail "--window: client exited $?: $(cat "$TMP/win.err")"
grep -q "tb131072," "$TMP/ssm.txt" || fail "--window 64k: no 128 KiB send buffer: $(cat "$TMP/ssm.txt")"
check win 'r["errors"] == 0 and r["goodput_bps"] > 0' "window"

# Refused before anything runs, with the setting named.
"$NETRIG" client --server 127.0.0.1:$PORT --cc nosuchcc --duration 0.2 >"$TMP/bad.out" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "--cc nosuchcc accepted"
grep -q "congestion control 'nosuchcc'" "$TMP/bad.out" || fail "--cc message: $(cat "$TMP/bad.out")"
"$NETRIG" client --server 127.0.0.1:$PORT --proto udp --mss 536 >"$TMP/bad2.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "--proto udp --mss exit $rc"
grep -q "TCP settings" "$TMP/bad2.out" || fail "udp --mss message: $(cat "$TMP/bad2.out")"
echo ok
