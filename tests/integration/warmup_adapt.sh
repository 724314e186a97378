#!/bin/bash
# The adaptive warm-up of TCP streams on loopback: every stream's window
# opens (its start-up ends at once here, so at the warm-up asked for or
# soon after, never beyond the bound) and every test ends on time, also
# when a worker's planned window opens between client_run's release and
# the worker's wake-up (many short tests, both directions, two workers).
# With --warmup-fixed the window opens at the warm-up exactly, and UDP
# never waits.
set -u
NETRIG=$(readlink -f "${1:?usage: warmup_adapt.sh /path/to/netrig}")
export NETRIG_TESTS=${NETRIG_TESTS:-$(dirname "$0")/..}
source "$NETRIG_TESTS/lib/netrig_test.sh"

cat >"$TMP/w.ini" <<'INI'
[global]
duration = 0.1s
warmup = 0.05s
repeat = 12

[bidir]
proto = tcp
mode = stream
size = 16k
bidir = true
conns = 4
threads = 2

[rev]
proto = tcp
mode = stream
size = 16k
reverse = true
conns = 2
threads = 2

[fixed]
proto = tcp
mode = stream
size = 16k
warmup_fixed = true

[udp]
proto = udp
mode = stream
size = 1k
rate = 50mbit
INI
# 48 tests of 0.15 s to 0.35 s: a worker left without its end would hang.
timeout 120 "$NETRIG" run "$TMP/w.ini" --out "$TMP/w" --no-plot >"$TMP/w.log" 2>&1 ||
    fail "netrig run (exit $?): $(tail -5 "$TMP/w.log")"
python3 - "$TMP/w/summary.csv" <<'PY' || fail "warmup_used_s or warmup_capped is wrong"
import csv, sys
bad = []
for r in csv.DictReader(open(sys.argv[1], newline="")):
    w, cap = float(r["warmup_used_s"]), r["warmup_capped"]
    if r["step"] in ("fixed", "udp"):
        ok = abs(w - 0.05) < 0.0015 and cap == ""
    else:  # at most 4x the warm-up, and the row says whether the bound ended it
        ok = 0.0495 <= w <= 0.2015 and cap in ("0", "1") and (cap == "1") == (w > 0.2)
    ok = ok and float(r["errors"]) == 0
    if not ok:
        bad.append("%s/%s: warmup_used_s %s capped '%s' errors %s goodput %s"
                   % (r["step"], r["repeat"], r["warmup_used_s"], cap, r["errors"], r["goodput_bps"]))
for b in bad:
    print("FAIL " + b)
sys.exit(1 if bad else 0)
PY
echo "warmup_adapt ok"
