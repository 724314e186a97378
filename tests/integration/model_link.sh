#!/bin/bash
# ctest: run-serial
# A short run through an emulated 100 Mbit/s link (root: namespaces, tbf):
# UDP and TCP streams (IPv4 and IPv6), HTTP GET of 16 KiB and more, TLS
# and WebSocket streams (ws, wss) land within the model's tolerance (1 %,
# TLS and wss 2 %) unless the model marks
# the row CPU-bound
# (or short by no more than the host's steal time in its window: "steal"),
# and no namespace is left behind, also after Ctrl-C or a failed check.
set -u
NETRIG=${1:?usage: model_link.sh /path/to/netrig}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for tool in ip tc chrt python3; do
    command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done
if "$NETRIG" run --help 2>&1 | grep -q 'being built'; then
    echo "skip: netrig run is not in this build"
    exit 77
fi
TMP=$(mktemp -d)
RUN_PID=
STARTED=() # every netrig run this test started: their namespaces must go
ours() { # the namespaces of our runs still there
    local pid
    for pid in "${STARTED[@]}"; do
        ip netns list | awk '{print $1}' | grep -E "^netrig-[sc]-$pid$"
    done
}
cleanup() {
    local rc=$?
    [ -n "$RUN_PID" ] && kill -9 "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
    local ns
    for ns in $(ours); do
        ip netns del "$ns"
    done
    if [ -n "$(ours)" ]; then
        echo "FAIL: namespaces left: $(ours | tr '\n' ' ')"
        rc=1
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*"
    exit 1
}
left() { ip netns list | grep -cE "^netrig-[sc]-$1( |$)"; }

cat >"$TMP/link.ini" <<'INI'
[global]
link = tbf:100mbit
duration = 2s
warmup = 0.5s

[udp]
proto = udp
mode = stream
size = 256,1472
rate = 110mbit

[tcp]
proto = tcp
mode = stream
size = 4k,64k

# Eight connections keep about seven 16 KiB responses (9 ms of link time)
# queued behind the one on the wire: the link idles only if the client
# sleeps longer than that, where with four (4 ms) one late wake-up of the
# client under other load left it idle (-2.5 % once, with no host steal).
[http]
proto = http
mode = rr
conns = 8
size = 16k

# About 12 responses a second: a longer window, so that where one
# response starts and ends within it weighs less.
[http-big]
proto = http
mode = rr
conns = 4
size = 1m
duration = 4s

[https]
proto = https
mode = rr
conns = 4
size = 64k
tolerance = 2

[tls]
proto = tls
mode = stream
size = 1k,64k
tolerance = 2

# WebSocket: 64 KiB binary messages, one frame each (10 header bytes and
# 4 mask bytes from the client); the row is the receiver's, counted by
# netrig's sink from the window mark's ping to its close answer.
[ws]
proto = ws
mode = stream
size = 64k

# The same over TLS: the frames go inside TLS records.
[wss]
proto = wss
mode = stream
size = 64k
tolerance = 2

# The same link over IPv6 (2001:2::/48): 20 header bytes more per packet,
# 1.3 % of goodput at these sizes, more than the tolerance: an IPv4
# accounting of these rows would miss.
[udp6]
proto = udp
ipv6 = true
size = 1452
rate = 110mbit

[tcp6]
proto = tcp
ipv6 = true
size = 64k

# Small segments (mss = 536: 524 bytes of payload with timestamps): 11 %
# of the link is headers; the row's mss column carries that to the model.
[tcp-mss]
proto = tcp
size = 64k
mss = 536
INI

# HTTP/2 (#15): h2c and h2 GETs at the sizes and connections of the
# HTTP/1.1 rows above (one stream per connection, so the link stays as
# busy as theirs); the model counts the HEADERS frame as measured and 9
# bytes per DATA frame, then TLS records and TCP.
cat >>"$TMP/link.ini" <<'INI'

[h2c]
proto = http
http2 = true
mode = rr
conns = 8
size = 16k,64k

[h2]
proto = https
http2 = true
mode = rr
conns = 4
size = 64k
tolerance = 2
INI

# SCHED_FIFO: other load on the machine must not leave the link idle.
chrt -f 10 "$NETRIG" run "$TMP/link.ini" --out "$TMP/res" --no-plot >"$TMP/out" 2>&1 &
RUN_PID=$!
STARTED+=("$RUN_PID")
wait $RUN_PID
status=$?
LAST_PID=$RUN_PID
RUN_PID=
cat "$TMP/out"
[ $status = 0 ] || fail "netrig run exited $status"
[ "$(left $LAST_PID)" = 0 ] || fail "namespaces of run $LAST_PID left behind"
[ -s "$TMP/res/model.txt" ] || fail "no model.txt"
# meta.json names the link the rows went through (the plots draw it).
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["link_rate_bps"] != 100e6)' \
    "$TMP/res/meta.json" || fail "meta.json: link_rate_bps is not the link's 100 Mbit/s"

# The tolerances, row by row: UDP, TCP and ws 1 %, HTTP 1 % from 16 KiB,
# TLS, HTTPS and wss 2 %. A row the model marks cpu is not a miss; sanitizer builds
# run several times slower and widen the tolerance by NETRIG_TEST_SLACK.
python3 - "$TMP/res/summary.csv" <<'PY' || fail "rows outside the model's tolerance"
import csv, os, sys
slack = float(os.environ.get("NETRIG_TEST_SLACK", "1"))
limit = {"udp": 1, "tcp": 1, "http": 1, "https": 2, "tls": 2, "ws": 1, "wss": 2}
limit.update({"h2c": 1, "h2": 2})  # HTTP/2
rows = list(csv.DictReader(open(sys.argv[1])))
bad, checked, seen = [], 0, set()
for r in rows:
    proto, size = r["proto"], float(r["size_bytes"])
    seen.add(proto)
    want_ip = "6" if r["step"].split()[0].endswith("6") else "4"
    if r["ip_version"] != want_ip:
        bad.append("%s: ip_version %s, expected %s" % (r["step"], r["ip_version"], want_ip))
    if float(r["link_rate_bps"] or 0) != 100e6:
        bad.append("%s: link_rate_bps %s" % (r["step"], r["link_rate_bps"]))
    if r["model_ok"] == "cpu":
        print("%-24s cpu-bound, not checked" % r["step"])
        continue
    # The hypervisor took CPU time in the window (steal): netrig model
    # excused the shortfall as at most that share of the link; the row is
    # still judged here, with that allowance, and never above the model.
    steal = float(r.get("steal_pct") or 0)
    if proto == "http" and size < 16384:
        continue
    err = float(r["model_err_pct"])
    ok = -(limit[proto] * slack + steal) <= err <= limit[proto] * slack
    if slack == 1 and (r["model_ok"] == "steal") != (ok and abs(err) > limit[proto]):
        bad.append("%s: verdict %s for %+.3f %% with steal %.2f %%" % (r["step"], r["model_ok"], err, steal))
    checked += 1
    print("%-24s %+.3f %%  %s%s" % (r["step"], err, "ok" if ok else "OUT",
                                   "  (host steal %.2f %%)" % steal if steal else ""))
    # A sanitized binary is several times slower than the one users run:
    # its rows are printed, but the accuracy verdict belongs to the plain
    # build. Every other check (rows, link rate, namespaces) still holds.
    if not ok and os.environ.get("NETRIG_SANITIZED") != "1":
        bad.append("%s: %+.3f %% (limit %g %%)" % (r["step"], err, limit[proto] * slack))
mss = [r for r in rows if r["step"] == "tcp-mss"]
if not mss or float(mss[0]["mss"] or 0) != 524:
    bad.append("tcp-mss: mss %s, expected 524" % (mss[0]["mss"] if mss else "(no row)"))
if seen != set(limit):
    bad.append("protocols run: %s" % sorted(seen))
if checked < 10 and slack == 1:
    bad.append("only %d rows checked: the link was not saturated" % checked)
for b in bad:
    print("FAIL " + b)
sys.exit(1 if bad else 0)
PY

# The rows carry their link rate and tolerance: a plain re-check agrees
# (at full speed; the sanitizer pass only widened the check above).
if [ "${NETRIG_TEST_SLACK:-1}" = 1 ]; then
    "$NETRIG" model "$TMP/res" --no-write >"$TMP/check" 2>&1
    status=$?
    [ $status = 0 ] || { cat "$TMP/check"; fail "netrig model exited $status"; }
fi

# Ctrl-C in the middle of a step: the namespaces go too.
"$NETRIG" run "$TMP/link.ini" --out "$TMP/res2" --no-plot >"$TMP/out2" 2>&1 &
RUN_PID=$!
STARTED+=("$RUN_PID")
sleep 1.5
[ "$(left $RUN_PID)" = 2 ] || fail "no namespaces while running"
kill -INT $RUN_PID
wait $RUN_PID
LAST_PID=$RUN_PID
RUN_PID=
[ "$(left $LAST_PID)" = 0 ] || fail "namespaces left after Ctrl-C"
echo ok
