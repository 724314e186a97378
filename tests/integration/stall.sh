# A server that stalls for 200 ms in the middle of an open-loop (rate)
# ctest: run-serial
# test must show in the percentiles: every transaction meant to start
# during the stall waits for it, measured from its intended start. The
# stall is asked for with --stall, a test-only request flag. A closed-loop
# rr test with the same stall shows it in max only: coordinated omission.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server

run_json rate --mode rate --rate 2000/s --size 64 --duration 1 --warmup 0.2 --stall 200ms
check rate 'r["lat_max_us"] >= 180000' "the stall is missing from max"
check rate 'r["lat_p99_us"] >= 150000' "the stall is missing from p99"
check rate 'r["lat_p50_us"] < 50000' "the median should not see the stall"
check rate 'abs(r["msgs_per_s"] / 2000 - 1) < 0.05 * slack' "rate"

run_json rr --mode rr --size 64 --duration 1 --warmup 0.2 --stall 200ms
check rr 'r["lat_max_us"] >= 180000' "closed loop: max"
check rr 'r["lat_p99_us"] < 150000' "closed loop hides the stall below max"
echo "stall ok"
