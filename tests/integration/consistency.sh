#!/bin/bash
# Every output of a test tells the same story. One netrig run over every
# protocol and mode writes summary.csv, a .hlog and a .hgrm per step and
# intervals.csv; they must agree row by row:
#   * messages equal the histogram's count (every message is timed), in
#     the .hlog (all intervals) and the .hgrm alike;
#   * the .hgrm's p50, p90 and max are the row's;
#   * the intervals cover the window without slivers and add up to the
#     row: messages and bytes (the intervals are the receiving end's);
# and a client run's --hlog holds what its --json row counted. As root,
# through an emulated 20 Mbit/s link, a UDP stream paced at twice the link
# and TCP streams both ways: no row says more arrived than the link
# carries (its payload share of the rate, plus its bucket's burst), and no
# interval more than that and a window edge's held data.
set -u
NETRIG=$(readlink -f "${1:?usage: consistency.sh /path/to/netrig}")
export NETRIG_TESTS=${NETRIG_TESTS:-$(dirname "$0")/..}
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"

cat >"$TMP/all.ini" <<'INI'
[global]
duration = 1s
warmup = 0.2s
interval = 200ms
size = 1k

[tcp-stream]
proto = tcp
mode = stream

[tcp-bidir]
proto = tcp
mode = stream
bidir = true
rate = 200mbit

[tcp-reverse]
proto = tcp
mode = stream
reverse = true
rate = 200mbit

[tcp-rr]
proto = tcp
mode = rr
conns = 2

[tcp-crr]
proto = tcp
mode = crr

[tcp-rate]
proto = tcp
mode = rate
rate = 2000/s

[udp-stream]
proto = udp
mode = stream
rate = 100mbit

[udp-rr]
proto = udp
mode = rr

[udp-rate]
proto = udp
mode = rate
rate = 2000/s

[http-rr]
proto = http
mode = rr
conns = 2

[http-rate]
proto = http
mode = rate
rate = 1000/s

[https-rr]
proto = https
mode = rr

[tls-stream]
proto = tls
mode = stream
rate = 200mbit

[tls-rr]
proto = tls
mode = rr

[ws-rr]
proto = ws
mode = rr
conns = 2

[ws-rate]
proto = ws
mode = rate
rate = 1000/s

[wss-rr]
proto = wss
mode = rr
INI

# judge DIR INTERVAL_S [LINK_BPS]: the agreement checks over a results folder.
judge() {
    python3 - "$@" <<'PY'
import csv, math, os, re, sys
d, iv_len = sys.argv[1], float(sys.argv[2])
link = float(sys.argv[3]) if len(sys.argv) > 3 else 0
rows = list(csv.DictReader(open(os.path.join(d, "summary.csv"), newline="")))
ivs = {}
for r in csv.DictReader(open(os.path.join(d, "intervals.csv"), newline="")):
    ivs.setdefault(r["step"], []).append(r)
bad = []

def payload_rate(r):
    """The most payload a tbf link of rate `link` carries for this row:
    it counts every frame whole (Ethernet 14, IP, TCP with timestamps 32
    or UDP 8 bytes)."""
    ip = 40 if r["ip_version"] == "6" else 20
    if r["proto"] == "udp":
        pay = float(r["size_bytes"])
        return link * pay / (pay + 8 + ip + 14)
    pay = float(r["mss"] or 0) or (1500 - ip - 32)
    return link * pay / (pay + 32 + ip + 14)

# netrig's tbf (net/netns.c): a bucket of 2 ms of traffic (at least 32 KiB)
# lets that much through above the rate; its queue holds 20 ms of it, and
# that much may cross before an interval and still be read in it: data
# held behind a hole, until the retransmission fills it.
burst = max(link / 8 * 0.002, 32768)
queue = link / 8 * 0.020

def limit(r, secs, edge):
    """The payload rate the link allows over secs, the bucket's burst (and
    a window edge's worth of held data) included, plus 0.5 %."""
    extra = (burst + edge) / (link / 8 * secs) if secs > 0 else 0
    return payload_rate(r) * (1 + extra) * 1.005

def hlog_count(path):
    """Total count over the log's intervals, decoded by netrig itself."""
    out = os.popen("'%s' hist show '%s'" % (os.environ["NETRIG"], path)).read()
    m = re.search(r"Total count\s*=\s*(\d+)", out)
    return int(m.group(1)) if m else -1

def hgrm(path):
    pct, mx, total = {}, None, None
    for line in open(path):
        f = line.split()
        if len(f) == 4 and not line.startswith("#") and f[0][0].isdigit():
            pct[round(float(f[1]), 6)] = float(f[0])
        m = re.search(r"Max\s*=\s*([\d.]+),\s*Total count\s*=\s*(\d+)", line)
        if m:
            mx, total = float(m.group(1)), int(m.group(2))
    return pct, mx, total

for r in rows:
    step, msgs = r["step"], float(r["messages"])
    name = "%s (%s %s)" % (step, r["proto"], r["mode"])
    if float(r["errors"] or 0) != 0:
        bad.append("%s: %s errors" % (name, r["errors"]))
    if not msgs > 0:
        bad.append("%s: no messages" % name)
        continue
    # Histograms: one count per message, in the log and the distribution.
    n_hlog = hlog_count(os.path.join(d, step + ".hlog"))
    pct, mx, n_hgrm = hgrm(os.path.join(d, step + ".hgrm"))
    if n_hlog != msgs:
        bad.append("%s: .hlog counts %d, the row %d messages" % (name, n_hlog, msgs))
    if n_hgrm != msgs:
        bad.append("%s: .hgrm counts %s, the row %d messages" % (name, n_hgrm, msgs))
    for p, col in ((0.5, "lat_p50_us"), (0.9, "lat_p90_us")):
        if p not in pct or abs(pct[p] - float(r[col])) > 0.0015:
            bad.append("%s: .hgrm %g %s, the row's %s %s" % (name, p, pct.get(p), col, r[col]))
    if mx is None or abs(mx - float(r["lat_max_us"])) > 0.0015:
        bad.append("%s: .hgrm max %s, the row's %s" % (name, mx, r["lat_max_us"]))
    # Intervals: the window, in pieces of about iv_len, adding up to the row.
    v = ivs.get(step, [])
    if not v:
        bad.append("%s: no intervals" % name)
        continue
    dur = float(r["duration_s"])
    span = float(v[-1]["t_s"]) - float(v[0]["t_start_s"])
    n_iv = sum(float(x["messages"]) for x in v)  # exact counts, not rate x rounded time
    b_iv = sum(float(x["goodput_bps"]) * (float(x["t_s"]) - float(x["t_start_s"])) for x in v)
    for x in v:
        ln = float(x["t_s"]) - float(x["t_start_s"])
        if not (iv_len / 2 - 0.002 <= ln <= iv_len * 1.5 + 0.002):
            bad.append("%s: an interval of %.3f s (asked %.3f s): %s" % (name, ln, iv_len, x))
        if x["p50_us"] == "" and float(x["msgs_per_s"]) > 0:
            bad.append("%s: an interval with messages and no latency: %s" % (name, x))
        # What the application read crossed the link: within an interval,
        # or (held behind a hole) just before it.
        if link and float(x["goodput_bps"]) > limit(r, ln, queue):
            bad.append("%s: an interval of %.2f Mbit/s through a %.0f Mbit/s link (at most %.2f)"
                       % (name, float(x["goodput_bps"]) / 1e6, link / 1e6,
                          limit(r, ln, queue) / 1e6))
    if abs(span - dur) > 0.01 + 0.01 * dur:
        bad.append("%s: intervals span %.3f s, the window %.3f s" % (name, span, dur))
    # Each message completes in exactly one interval: the counts add up, but
    # for what each receiving end of each connection (two on a bidir
    # stream) had in hand as its window's edge passed.
    if abs(n_iv - msgs) > 4 * max(1, int(float(r["conns"] or 1))):
        bad.append("%s: intervals add up to %.0f messages, the row %d" % (name, n_iv, msgs))
    g = float(r["goodput_bps"])
    if abs(b_iv / span - g) > 0.02 * g:
        bad.append("%s: intervals carry %.4g bit/s, the row %.4g" % (name, b_iv / span, g))
    # The window: it opens after the start-up (the adaptive warm-up), so
    # nothing held from before it counts in it.
    if link and g > limit(r, dur, 0):
        bad.append("%s: %.2f Mbit/s through a %.0f Mbit/s link (at most %.2f)"
                   % (name, g / 1e6, link / 1e6, limit(r, dur, 0) / 1e6))
    print("%-26s %9d msgs  %d intervals  %.4g bit/s" % (name, msgs, len(v), g))
for b in bad:
    print("FAIL " + b)
sys.exit(1 if bad else 0)
PY
}

"$NETRIG" run "$TMP/all.ini" --out "$TMP/all" --no-plot >"$TMP/all.log" 2>&1 ||
    fail "netrig run: $(cat "$TMP/all.log")"
export NETRIG
judge "$TMP/all" 0.2 || fail "the outputs of one run disagree"

# HTTP/2 (#15): h2c and h2, many streams per connection, closed and open
# loop: the same agreement (messages, .hlog, .hgrm, intervals).
cat >"$TMP/h2.ini" <<'INI'
[global]
duration = 1s
warmup = 0.2s
interval = 200ms
size = 1k
http2 = true

[h2c-rr]
proto = http
mode = rr
conns = 2
streams = 4

[h2c-rate]
proto = http
mode = rate
streams = 8
rate = 1000/s

[h2c-crr]
proto = http
mode = crr

[h2-rr]
proto = https
mode = rr
streams = 2
INI
"$NETRIG" run "$TMP/h2.ini" --out "$TMP/h2" --no-plot >"$TMP/h2.log" 2>&1 ||
    fail "netrig run (HTTP/2): $(cat "$TMP/h2.log")"
judge "$TMP/h2" 0.2 || fail "the outputs of an HTTP/2 run disagree"

# A client run: its --hlog holds the messages its row counted, also for a
# stream whose latency the server measured.
start_server
for proto in tcp udp; do
    "$NETRIG" client --server 127.0.0.1:$PORT --proto $proto --rate 100mbit --duration 1 \
        --warmup 0.2 --interval 250ms --hlog "$TMP/c-$proto.hlog" --json \
        >"$TMP/c-$proto.json" 2>"$TMP/c-$proto.err" || fail "client $proto: $(cat "$TMP/c-$proto.err")"
    n=$("$NETRIG" hist show "$TMP/c-$proto.hlog" | sed -n 's/.*Total count *= *\([0-9]*\).*/\1/p')
    checks c-$proto "r[\"messages\"] == ${n:-0}" || fail "client $proto: --hlog counts $n"
    # Live lines say what was sent; the receiver's follow, and count.
    lines=$(grep '^\[' "$TMP/c-$proto.err" | grep -vc 'sent;')
    [ "$lines" = 4 ] || fail "client $proto: $lines interval lines, not 4: $(cat "$TMP/c-$proto.err")"
done

# Through a link (root): the receiving end's intervals never exceed it.
if [ "$(id -u)" = 0 ] && command -v tc >/dev/null && command -v ip >/dev/null &&
    command -v chrt >/dev/null &&
    ! "$NETRIG" run --help 2>&1 | grep -q 'being built'; then
    cat >"$TMP/link.ini" <<'INI'
[global]
link = tbf:20mbit
duration = 2s
warmup = 0.5s
interval = 500ms

[udp-over]
proto = udp
mode = stream
size = 1k
rate = 40mbit

[tcp]
proto = tcp
mode = stream
size = 16k

[tcp-rev]
proto = tcp
mode = stream
size = 16k
reverse = true
INI
    # SCHED_FIFO, as model_link.sh: other load must not hold the reader.
    chrt -f 10 "$NETRIG" run "$TMP/link.ini" --out "$TMP/link" --no-plot >"$TMP/link.log" 2>&1 ||
        fail "netrig run through the link: $(cat "$TMP/link.log")"
    judge "$TMP/link" 0.5 20e6 || fail "the outputs of a run through a link disagree"
    # The TCP windows waited at least the warm-up asked for, the UDP one no more.
    python3 - "$TMP/link/summary.csv" <<'PY' || fail "warmup_used_s is not the warm-up the window waited"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    w = float(r["warmup_used_s"])
    ok = w >= 0.499 if r["proto"] == "tcp" else abs(w - 0.5) < 0.002
    print("%-9s warmup_used_s %.3f capped %s" % (r["step"], w, r["warmup_capped"]))
    if not ok or (r["proto"] == "tcp") != (r["warmup_capped"] in ("0", "1")):
        sys.exit(1)
PY
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["link_rate_bps"] != 20e6)' \
        "$TMP/link/meta.json" || fail "meta.json does not carry the link's rate"
else
    echo "not root (or no tc/ip): the emulated link part is not run"
fi
echo "consistency ok"
