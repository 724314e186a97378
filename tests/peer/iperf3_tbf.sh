# TCP stream goodput across a veth pair shaped by tbf to 100 Mbit/s, in
# ctest: run-serial
# two network namespaces this test makes: netrig and iperf3 must agree
# within 2 %. Needs root (exit 77 otherwise).
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
[ "$(id -u)" = 0 ] || exit 77
command -v iperf3 >/dev/null || exit 77

C=nrdrv-c-$$
S=nrdrv-s-$$
netns_cleanup() {
    ip netns del "$C" 2>/dev/null
    ip netns del "$S" 2>/dev/null
    cleanup
}
trap netns_cleanup EXIT
ip netns add "$C" && ip netns add "$S" || exit 77
ip link add "vc$$" type veth peer name "vs$$" || fail "veth"
ip link set "vc$$" netns "$C"
ip link set "vs$$" netns "$S"
ip -n "$C" addr add 198.18.0.1/24 dev "vc$$"
ip -n "$S" addr add 198.18.0.2/24 dev "vs$$"
for ns in "$C" "$S"; do ip -n "$ns" link set lo up; done
ip -n "$C" link set "vc$$" up
ip -n "$S" link set "vs$$" up
tc -n "$C" qdisc add dev "vc$$" root tbf rate 100mbit burst 32kb latency 50ms || fail "tbf"

IP=$((20000 + RANDOM % 20000))
NP=$((IP + 1))
ip netns exec "$S" iperf3 -s -B 198.18.0.2 -p $IP >"$TMP/iperf3_s.log" 2>&1 &
PIDS+=($!)
ip netns exec "$S" "$NETRIG" server --listen 198.18.0.2:$NP >"$TMP/netrig_s.log" 2>&1 &
PIDS+=($!)
sleep 0.5

# Alternating, twice each: the mean of each tool is compared, so one
# disturbed run on a shared machine does not decide alone.
for i in 1 2; do
    ip netns exec "$C" timeout 60 iperf3 -c 198.18.0.2 -p $IP -t 4 -O 1 -J \
        >"$TMP/iperf3.$i.json" || fail "iperf3: $(cat "$TMP/iperf3.$i.json")"
    ip netns exec "$C" timeout 60 "$NETRIG" client --server 198.18.0.2:$NP --duration 4 \
        --warmup 1 --size 128k --json >"$TMP/netrig.$i.json" 2>"$TMP/netrig.err" ||
        fail "netrig: $(cat "$TMP/netrig.err")"
done
python3 - "$TMP" <<'PY' || fail "goodput differs"
import json, sys
d = sys.argv[1]
i = [json.load(open(f"{d}/iperf3.{k}.json"))["end"]["sum_received"]["bits_per_second"] for k in (1, 2)]
n = [json.load(open(f"{d}/netrig.{k}.json"))["goodput_bps"] for k in (1, 2)]
mi, mn = sum(i) / 2, sum(n) / 2
print("iperf3 " + " ".join(f"{x/1e6:.3f}" for x in i) + " Mbit/s; netrig " +
      " ".join(f"{x/1e6:.3f}" for x in n) + f" Mbit/s; ratio of means {mn/mi:.4f}")
sys.exit(0 if abs(mn / mi - 1) < 0.02 and 80e6 < mn < 100e6 else 1)
PY
echo "iperf3 agreement ok"
