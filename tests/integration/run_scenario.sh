#!/bin/bash
# netrig run end to end on loopback with the embedded server: the results
# folder, the CSV rows, the histogram logs, --dry-run, a scenario error,
# an interrupted run that keeps its finished steps, netrig compare
# with its --fail-on-regression exit status, and steps over IPv6.
set -u
NETRIG=$(readlink -f "${1:?usage: run_scenario.sh /path/to/netrig}")
tmp=$(mktemp -d /tmp/netrig-run-test.XXXXXX)
bgpid=
cleanup() {
    if [ -n "$bgpid" ] && kill -0 "$bgpid" 2>/dev/null; then
        kill -KILL "$bgpid" 2>/dev/null
        wait "$bgpid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

cat > "$tmp/small.ini" <<'INI'
; two TCP stream sizes, twice each, and one UDP rr step
[global]
duration = 400ms
warmup = 100ms
[tcp]
proto = tcp
mode = stream
size = 1k,16k
repeat = 2
[udp rr]
proto = udp
mode = rr
size = 64
INI

# --dry-run: the expanded steps, nothing written.
out=$(cd "$tmp" && "$NETRIG" run small.ini --dry-run 2>&1)
rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "not available"; then
    echo "netrig run is not in this build"
    exit 77
fi
[ $rc -eq 0 ] || fail "--dry-run exit $rc"
echo "$out" | grep -q "3 steps, 5 tests" || fail "--dry-run totals: $out"
echo "$out" | grep -q "tcp size=16k" || fail "--dry-run step names: $out"
[ ! -e "$tmp/results" ] || fail "--dry-run created results/"
ok "dry run"

# A scenario error: file, line and key named, nothing runs, exit 2.
printf '[a]\nduration = 1s\nszie = 4k\n' > "$tmp/bad.ini"
err=$(cd "$tmp" && "$NETRIG" run bad.ini 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "bad scenario exit $rc"
[ "$err" = "netrig run: bad.ini:3: unknown key 'szie' (did you mean 'size'?)" ] ||
    fail "bad scenario message: $err"
[ ! -e "$tmp/results" ] || fail "bad scenario created results/"
ok "scenario error"

# A whole run.
run_ok() {
    "$NETRIG" run "$tmp/small.ini" --out "$1" --no-plot > "$1.console" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || { fail "run $1 exit $rc"; cat "$1.console"; }
}
run_ok "$tmp/r1"
r=$tmp/r1
for f in summary.csv summary_ci.csv summary.json meta.json run.log \
    tcp_size_1k.hlog tcp_size_1k.hgrm tcp_size_16k.hlog tcp_size_16k.hgrm \
    udp_rr.hlog udp_rr.hgrm; do
    [ -s "$r/$f" ] || fail "missing or empty $f"
done
ls "$r" | grep -q '\.tmp\.' && fail "temporary files left in $r"
# The model checks the rows in-process at the end: its verdict counts are
# the last line, on the console and in run.log, and do not touch the exit
# status (0 above whatever the verdicts).
last=$(tail -n 1 "$r.console")
[[ "$last" =~ ^model:\ checked\ [0-9]+\ of\ 5\ rows:\ [0-9]+\ within\ tolerance,\ [0-9]+\ outside, ]] ||
    fail "last line is not the model's verdict counts: $last"
grep -qxF "$last" "$r/run.log" || fail "run.log lacks the model's verdict counts"
[ -s "$r/model.txt" ] || fail "no model.txt"

# Every row whole: as many fields as the header; 5 data rows.
check_rows() {
    awk -F, 'NR == 1 { n = NF; next } NF != n { bad++ } END { exit bad ? 1 : 0 }' "$1" ||
        fail "$1: a row with the wrong number of fields"
}
check_rows "$r/summary.csv"
rows=$(($(wc -l < "$r/summary.csv") - 1))
[ "$rows" -eq 5 ] || fail "summary.csv has $rows rows, expected 5"
head -1 "$r/summary.csv" | grep -q '^schema,scenario,step,repeat,proto,mode,size_bytes' ||
    fail "summary.csv header"
grep -q '^1,small,tcp size=16k,2,tcp,stream,16384,' "$r/summary.csv" ||
    fail "summary.csv lacks the second repetition of tcp size=16k"
grep -q '^1,small,udp rr,1,udp,rr,64,' "$r/summary.csv" || fail "summary.csv lacks udp rr"
# goodput_bps (column 16) is a positive number in every row.
awk -F, 'NR > 1 && !($16 > 0) { bad++ } END { exit bad ? 1 : 0 }' "$r/summary.csv" ||
    fail "a row without goodput"
ci_rows=$(($(wc -l < "$r/summary_ci.csv") - 1))
[ "$ci_rows" -eq 3 ] || fail "summary_ci.csv has $ci_rows rows, expected 3"
check_rows "$r/summary_ci.csv"
grep -q '"status":"complete"' "$r/summary.json" || fail "summary.json status"
grep -q '"embedded_server": true' "$r/meta.json" || fail "meta.json embedded_server"
grep -q '"scenario_text": "; two TCP' "$r/meta.json" || fail "meta.json scenario text"
grep -q '^results: ' "$r/run.log" || fail "run.log lacks the results line"
ok "results folder"

# The interval logs: header, one line per interval, decodable.
for h in "$r"/*.hlog; do
    grep -q '^#\[StartTime: ' "$h" || fail "$h: no StartTime"
    grep -qE '^(Tag=[^,]*,)?[0-9.]+,[0-9.]+,[0-9.]+,HISTF' "$h" || fail "$h: no interval line"
done
if "$NETRIG" hist show "$r/tcp_size_1k.hlog" > "$tmp/show.txt" 2>&1; then
    grep -qi 'percentile' "$tmp/show.txt" || fail "hist show output: $(head -3 "$tmp/show.txt")"
    ok "hlog decoded by netrig hist show"
else
    echo "note: netrig hist show not available, hlog checked by form only"
fi
grep -q 'Percentile' "$r/udp_rr.hgrm" || fail "udp_rr.hgrm is not a percentile distribution"
ok "histogram files"

# Interrupted: SIGINT during the third of four steps keeps the first two.
cat > "$tmp/long.ini" <<'INI'
[global]
duration = 1500ms
warmup = 0
[s]
size = 1k,2k,4k,8k
INI
"$NETRIG" run "$tmp/long.ini" --out "$tmp/int" --no-plot > "$tmp/int.console" 2>&1 &
bgpid=$!
for _ in $(seq 1 200); do
    if [ -f "$tmp/int/summary.csv" ]; then
        n=$(($(wc -l < "$tmp/int/summary.csv") - 1))
        [ "$n" -ge 2 ] && break
    fi
    sleep 0.1
done
sleep 0.5
kill -INT "$bgpid"
wait "$bgpid"
rc=$?
bgpid=
[ $rc -eq 1 ] || fail "interrupted run exit $rc"
check_rows "$tmp/int/summary.csv"
n=$(($(wc -l < "$tmp/int/summary.csv") - 1))
[ "$n" -ge 2 ] && [ "$n" -lt 4 ] || fail "interrupted run kept $n rows"
grep -q "interrupted (SIGINT) during step" "$tmp/int.console" || fail "no interrupt message"
grep -q "interrupted (SIGINT) during step" "$tmp/int/run.log" || fail "run.log lacks the message"
grep -q '"status":"interrupted"' "$tmp/int/summary.json" || fail "summary.json status"
grep -q '"status": "interrupted"' "$tmp/int/meta.json" || fail "meta.json status"
[ -s "$tmp/int/s_size_1k.hlog" ] && [ -s "$tmp/int/s_size_2k.hlog" ] ||
    fail "finished steps lost their .hlog"
ls "$tmp/int" | grep -q '\.tmp\.' && fail "temporary files left after the interrupt"
ok "interrupted run keeps $n finished steps"

# compare: a second real run matches step by step.
run_ok "$tmp/r2"
"$NETRIG" compare "$tmp/r1" "$tmp/r2" > "$tmp/cmp.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "compare exit $rc"
for s in "tcp size=1k" "tcp size=16k" "udp rr"; do
    grep -q "^$s " "$tmp/cmp.txt" || fail "compare lacks $s"
done
grep -q "only" "$tmp/cmp.txt" && fail "compare left steps unmatched"
# A copy of r1 with half the goodput is a regression; the other way round
# it is an improvement.
mkdir -p "$tmp/worse"
awk -F, -v OFS=, 'NR > 1 { $16 = $16 / 2 } { print }' "$r/summary.csv" > "$tmp/worse/summary.csv"
"$NETRIG" compare "$r" "$tmp/worse" --fail-on-regression 10 > "$tmp/cmp2.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "compare of a regression exit $rc"
grep -q -- "-50.0%" "$tmp/cmp2.txt" || fail "compare shows no -50 %: $(cat "$tmp/cmp2.txt")"
"$NETRIG" compare "$tmp/worse" "$r" --fail-on-regression 10 > /dev/null 2>&1
rc=$?
[ $rc -eq 0 ] || fail "compare of an improvement exit $rc"
"$NETRIG" compare "$r" "$tmp/nothing" > /dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "compare of a missing run exit $rc"
ok "compare"

# ipv6 = true: those steps run against a second embedded server on [::1]
# and their rows say ip_version 6; the others stay on 127.0.0.1 (4). Every
# row has the server's CPU, the HTTP one too. A
# step asking for IPv6 from an IPv4 server is refused before anything runs.
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
    cat > "$tmp/v6.ini" <<'INI'
[global]
duration = 300ms
warmup = 100ms
[tcp6]
proto = tcp
ipv6 = true
[udp6]
proto = udp
mode = rr
size = 64
ipv6 = true
[tcp4]
proto = tcp
[http]
proto = http
mode = rr
size = 1k
INI
    "$NETRIG" run "$tmp/v6.ini" --out "$tmp/v6" --no-plot > "$tmp/v6.console" 2>&1 ||
        fail "ipv6 run exit $?: $(cat "$tmp/v6.console")"
    grep -q "embedded server on \[::1\]:" "$tmp/v6.console" || fail "no IPv6 embedded server"
    python3 - "$tmp/v6/summary.csv" <<'PY2' || fail "ipv6 rows"
import csv, sys
rows = {r["step"]: r for r in csv.DictReader(open(sys.argv[1]))}
want = {"tcp6": "6", "udp6": "6", "tcp4": "4", "http": "4"}
bad = [s for s, v in want.items()
       if s not in rows or rows[s]["ip_version"] != v or not float(rows[s]["goodput_bps"] or 0) > 0
       or float(rows[s]["errors"] or 0) != 0]
# The embedded HTTP server sends no figures: its threads' CPU time is read
# around the window in the same process, as for every other row.
for s in want:
    cpu = float(rows.get(s, {}).get("cpu_server_pct") or 0)
    if not 0 < cpu < 250:
        bad.append(s + " cpu_server_pct %s" % cpu)
print("\n".join("bad row: %s %s" % (s, rows.get(s)) for s in bad))
sys.exit(1 if bad else 0)
PY2
    printf '[a]\nipv6 = true\nserver = 127.0.0.1:7878\n' > "$tmp/bad6.ini"
    err=$(cd "$tmp" && "$NETRIG" run bad6.ini 2>&1)
    rc=$?
    [ $rc -eq 2 ] || fail "ipv6 with an IPv4 server exit $rc"
    echo "$err" | grep -q "bad6.ini:1: \[a\] --ipv6: '127.0.0.1:7878' is not an IPv6 address" ||
        fail "ipv6 with an IPv4 server message: $err"
    ok "ipv6 steps"
else
    echo "no ::1 on lo: ipv6 steps not checked"
fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
