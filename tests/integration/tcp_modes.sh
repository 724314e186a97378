# TCP: every mode on loopback against the real server, with figures that
# ctest: run-serial
# must hold whatever the machine's speed.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server --threads 2

run_json stream --duration 1 --warmup 0.2 --size 8k
check_sane stream
check stream 'r["tx_bytes"] == r["rx_bytes"]' "bytes not conserved"
check stream 'r["tx_bytes"] % 8192 == 0' "partial messages"
check stream 'r["mss"] > 0 and r["rtt_us"] >= 0' "TCP_INFO"

run_json reverse --duration 1 --warmup 0.2 --reverse --conns 2
check_sane reverse
check reverse 'r["tx_bytes"] == r["rx_bytes"]' "bytes not conserved"

run_json bidir --duration 1 --warmup 0.2 --bidir --conns 2 --threads 2
check_sane bidir
check bidir 'r["tx_bytes"] == r["rx_bytes"]' "bytes not conserved"

# Paced: 200 Mbit/s must come out at 200 Mbit/s, never above it. Below it
# by what a descheduled sender lost: a pacer that falls behind moves its
# schedule on instead of bursting, so a 40 ms stall of this client under
# other load costs 2 % of a 2 s window (it cost 4.3 % of a 1 s one).
run_json paced --duration 2 --warmup 0.2 --rate 200mbit --size 1k
check_sane paced
check paced 'r["goodput_bps"] / 200e6 - 1 < 0.03 * slack' "paced above the rate by more than 3 %"
check paced 'r["goodput_bps"] / 200e6 - 1 > -0.05 * slack' "paced below the rate by more than 5 %"

# Exact counts: 2000 messages of 1000 bytes, nothing else.
run_json count --count 2000 --size 1000 --warmup 0 --conns 3
check count 'r["tx_bytes"] == 2000000 and r["rx_bytes"] == 2000000' "count"
check count 'r["messages"] == 2000' "count messages"

run_json rr --duration 1 --warmup 0.2 --mode rr --size 100 --resp-size 1000 --pipeline 4 --conns 2
check_sane rr
check rr 'r["tx_bytes"] == r["rx_bytes"]' "bytes not conserved"
check rr 'abs(r["goodput_bps"] - 8 * 1100 * r["msgs_per_s"]) < 1e-6 * r["goodput_bps"] + 1' "rr goodput"

run_json rrcount --mode rr --count 5000 --warmup 0 --size 64
check rrcount 'r["messages"] == 5000 and r["errors"] == 0' "rr count"

run_json crr --duration 1 --warmup 0.2 --mode crr --size 200 --conns 2
check_sane crr
check crr 'r["connect_p50_us"] > 0 and r["connect_p50_us"] <= r["connect_p99_us"]' "connect time"
check crr 'r["connect_p50_us"] < r["lat_p50_us"]' "connect inside the transaction"

run_json rate --duration 2 --warmup 0.2 --mode rate --rate 4000/s --size 100 --conns 2
check_sane rate
check rate 'abs(r["msgs_per_s"] / 4000 - 1) < 0.03 * slack' "rate not held"
echo "tcp modes ok"
