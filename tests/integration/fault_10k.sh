# 10,000 concurrent connections against one server: every one served, no
# ctest: run-serial
# errors, and the server's memory measured before, at the peak and after
# (VmRSS and VmHWM from /proc). The descriptors come back afterwards.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
N=10000
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 300)) ]; then
    echo "open-file limit $(ulimit -n) is below $((N + 300)): skipped"
    exit 77
fi
start_server --threads 2 --max-conns $((N + 100))
rss() { awk -v k="$1:" '$1 == k {print $2}' /proc/$SPID/status; }
fds() { ls /proc/$SPID/fd | wc -l; }
base=$(fds)
before=$(rss VmRSS)

# Sample the server while the test runs: peak descriptors and RSS.
( peak=0; prss=0
  while kill -0 "$SPID" 2>/dev/null && [ ! -e "$TMP/stop" ]; do
      n=$(fds); r=$(rss VmRSS)
      [ "$n" -gt "$peak" ] && peak=$n
      [ "$r" -gt "$prss" ] && prss=$r
      echo "$peak $prss" >"$TMP/peak"
      sleep 0.2
  done ) &
PIDS+=("$!")

run_json big --conns $N --threads 2 --mode rr --size 64 --duration 3 --warmup 1
touch "$TMP/stop"
sleep 0.3
check big 'r["errors"] == 0 and r["messages"] > 0' "errors with $N connections"
read -r peak_fds peak_rss <"$TMP/peak"
[ "$peak_fds" -ge "$N" ] || fail "the server never held $N connections at once (peak $peak_fds)"
for _ in $(seq 50); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
[ "$(fds)" -le "$base" ] || fail "server holds $(fds) descriptors after the test, $base before"
after=$(rss VmRSS)
hwm=$(rss VmHWM)
echo "server with $N connections: descriptors peak $peak_fds; VmRSS before ${before} kB," \
    "peak ${peak_rss} kB, after ${after} kB; VmHWM ${hwm} kB"
# Memory stays bounded: well under 100 KiB per connection.
[ "$hwm" -lt $((N * 100)) ] || fail "server used $hwm kB for $N connections"
check big 'True' && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("rr over %d connections: %.0f transactions/s, p99 %.0f us" % (int(sys.argv[2]), r["msgs_per_s"], r["lat_p99_us"]))' "$TMP/big.json" $N
# A second round: what the first left is the allocator's to reuse, not a
# leak, so the server does not grow again.
run_json big2 --conns $N --threads 2 --mode rr --size 64 --duration 2 --warmup 0.5
check big2 'r["errors"] == 0' "errors in the second round"
sleep 0.3
again=$(rss VmRSS)
echo "after a second round of $N connections: VmRSS ${again} kB"
# ASan keeps freed memory in quarantine, so RSS growth says nothing there.
if [ "${NETRIG_SANITIZED:-0}" = 1 ]; then
    echo "sanitizer build: growth check not applicable (freed memory is quarantined)"
else
    [ "$again" -le $((after + after / 10 + 1024)) ] || fail "the server grew from $after kB to $again kB"
fi
run_json after --duration 0.5 --warmup 0.1
check_sane after
echo "10k connections ok"
