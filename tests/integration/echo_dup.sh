# --echo --proto udp --mode rate against an echo server that answers every
# 20th datagram twice: a reply matches its request once, the second copy
# goes to dup, and the transactions are the requests answered, not the
# datagrams that came back.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
command -v python3 >/dev/null || exit 77

PORT=$(free_port)
python3 - "$PORT" >"$TMP/echo.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)  # bounded: gone half a minute after the last datagram
print("listening", flush=True)
n = 0
try:
    while True:
        data, peer = s.recvfrom(65536)
        n += 1
        s.sendto(data, peer)
        if n % 20 == 0:
            s.sendto(data, peer)
except socket.timeout:
    pass
PY
PIDS+=($!)
for _ in $(seq 100); do
    grep -q listening "$TMP/echo.log" 2>/dev/null && break
    sleep 0.05
done

run_json dup --echo --proto udp --mode rate --rate 1000/s --size 64 --duration 2 --warmup 0.2
cat "$TMP/dup.json"
# 2000 requests in the window; the echo answers each (loopback loses none
# at this rate) and about 100 twice.
# (A slow build's late schedule sends a few more in the window; duplicates
# counted as transactions would add about a hundred.)
checks dup 'r["messages"] <= 2060' 'r["messages"] >= 2000 * 0.95' \
    '80 <= r["dup"] <= 110' 'r["loss_pct"] is not None and r["loss_pct"] < 5' \
    'abs(r["msgs_per_s"] / 1000 - 1) < 0.05'
echo "echo duplicates ok"
