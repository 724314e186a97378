# Ctrl-C ends a long test; what was measured is still reported and written.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/netrig_test.sh"
start_server

for proto in tcp udp; do
    csv=$TMP/$proto.csv
    "$NETRIG" client --server 127.0.0.1:$PORT --proto $proto --rate 20mbit --duration 60 \
        --warmup 0.2 --interval 0.2s --csv "$csv" >"$TMP/$proto.out" 2>"$TMP/$proto.err" &
    cpid=$!
    PIDS+=("$cpid")
    # Interrupt once it is measuring (its first interval line), a bit later.
    for _ in $(seq 200); do grep -q '^\[' "$TMP/$proto.out" && break; sleep 0.05; done
    sleep 0.6
    kill -INT $cpid
    for _ in $(seq 100); do kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
    kill -0 $cpid 2>/dev/null && fail "$proto: client still running 10 s after SIGINT"
    wait $cpid || fail "$proto: client exit status $? after SIGINT: $(cat "$TMP/$proto.err")"
    grep -q "goodput" "$TMP/$proto.out" || fail "$proto: no report: $(cat "$TMP/$proto.out")"
    python3 - "$csv" <<'PY' || fail "$proto: csv: $(cat "$csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 1, rows
r = rows[0]
d = float(r["duration_s"])
assert 0.6 < d < 5, d
assert float(r["goodput_bps"]) > 10e6, r["goodput_bps"]
PY
done
echo "sigint ok"
