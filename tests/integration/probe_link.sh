#!/bin/bash
# ctest: run-serial
# Latency under load through an emulated link (root: namespaces, tbf): a
# cubic TCP stream fills the link's queue, so the UDP probe's loaded
# median is well above its idle one, and the row predicts the full
# queue's delay (probe_model_us). Short; the run's namespaces are named
# after its pid, and removed.
set -u
NETRIG=${1:?usage: probe_link.sh /path/to/netrig}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tc python3; do
    command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done
TMP=$(mktemp -d)
RUN_PID=
cleanup() {
    local rc=$?
    if [ -n "$RUN_PID" ]; then
        kill -9 "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
        local ns
        for ns in netrig-s-$RUN_PID netrig-c-$RUN_PID; do
            ip netns list | awk '{print $1}' | grep -qx "$ns" && ip netns del "$ns"
        done
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

cat >"$TMP/bloat.ini" <<'INI'
[global]
link = tbf:50mbit
duration = 2s
warmup = 0.5s
probe = udp
probe_interval = 10ms
[cubic]
proto = tcp
mode = stream
size = 64k
cc = cubic
INI
(cd "$TMP" && exec timeout 60 "$NETRIG" run bloat.ini --out "$TMP/res" --no-plot \
    >"$TMP/run.log" 2>&1) &
RUN_PID=$!
wait "$RUN_PID" || fail "netrig run exited $?: $(cat "$TMP/run.log")"
python3 - "$TMP/res/summary.csv" <<'PY' || fail "$(cat "$TMP/res/summary.csv")"
import csv, sys
r = next(csv.DictReader(open(sys.argv[1], newline="")))
f = lambda k: float(r[k])
idle, p50, model = f("probe_idle_p50_us"), f("probe_p50_us"), f("probe_model_us")
print(f"idle p50 {idle:.0f} us, loaded p50 {p50:.0f} us, p99 {f('probe_p99_us'):.0f} us, "
      f"model {model:.0f} us, verdict {r['probe_model_ok']}, loss {r['probe_loss_pct']} %")
# 20 ms of queue at 50 Mbit/s plus the bucket: about 25 ms.
ok = model > 15000 and p50 > 3 * idle and p50 > 5000 and r["probe_model_ok"] in ("yes", "no")
sys.exit(0 if ok else 1)
PY
echo "probe_link: ok"
