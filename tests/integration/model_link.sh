#!/bin/bash
# A short run through an emulated 100 Mbit/s link (root: namespaces, tbf):
# every row the sender can saturate lands within the model's tolerance, the
# rest are marked cpu, and no namespace is left behind, also after Ctrl-C.
set -u
NETRIG=${1:?usage: model_link.sh /path/to/netrig}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for tool in tc chrt; do
    command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done
if "$NETRIG" run --help 2>&1 | grep -q 'being built'; then
    echo "skip: netrig run is not in this build"
    exit 77
fi
TMP=$(mktemp -d)
RUN_PID=
cleanup() {
    [ -n "$RUN_PID" ] && kill -9 "$RUN_PID" 2>/dev/null
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^netrig-[sc]-(${RUN_PID:-x}|${LAST_PID:-x})$"); do
        ip netns del "$ns"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
left() { ip netns list | grep -cE "^netrig-[sc]-$1( |$)"; }

cat >"$TMP/link.ini" <<'INI'
[global]
link = tbf:100mbit
duration = 2s
warmup = 0.5s

[udp]
proto = udp
mode = stream
size = 512,1472
rate = 110mbit

[tcp]
proto = tcp
mode = stream
size = 16k,64k
INI

# SCHED_FIFO: other load on the machine must not leave the link idle.
chrt -f 10 "$NETRIG" run "$TMP/link.ini" --out "$TMP/res" --no-plot >"$TMP/out" 2>&1 &
RUN_PID=$!
wait $RUN_PID
status=$?
LAST_PID=$RUN_PID
RUN_PID=
cat "$TMP/out"
[ $status = 0 ] || fail "netrig run exited $status"
[ "$(left $LAST_PID)" = 0 ] || fail "namespaces of run $LAST_PID left behind"
[ -s "$TMP/res/model.txt" ] || fail "no model.txt"
grep -q 'link_rate_bps' "$TMP/res/summary.csv" || fail "no link rate in summary.csv"

# The rows say their link rate and tolerance: a plain re-check must pass.
"$NETRIG" model "$TMP/res" --no-write >"$TMP/check" 2>&1
status=$?
cat "$TMP/check"
[ $status = 0 ] || fail "rows outside tolerance"
yes=$(grep -c ' yes$' "$TMP/check")
[ "$yes" -ge 3 ] || fail "only $yes rows within tolerance: the link was not saturated"

# Ctrl-C in the middle of a step: the namespaces go too.
"$NETRIG" run "$TMP/link.ini" --out "$TMP/res2" --no-plot >"$TMP/out2" 2>&1 &
RUN_PID=$!
sleep 1.5
[ "$(left $RUN_PID)" = 2 ] || fail "no namespaces while running"
kill -INT $RUN_PID
wait $RUN_PID
LAST_PID=$RUN_PID
RUN_PID=
[ "$(left $LAST_PID)" = 0 ] || fail "namespaces left after Ctrl-C"
echo ok
