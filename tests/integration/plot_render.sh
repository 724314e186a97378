#!/usr/bin/env bash
# netrig plot on the fixed results folder tests/data/run-fixture: every
# expected figure is drawn as a valid PNG and a well-formed SVG carrying its
# title and axis labels, index.html references them all, a run without a
# rate sweep gets no load figure, and a missing gnuplot is reported.
set -euo pipefail
NETRIG=$(realpath "$1")
SRC=${NETRIG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FIXTURE=$SRC/tests/data/run-fixture
command -v gnuplot >/dev/null || { echo "gnuplot not installed: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# check.py RUN_DIR FIG... : PNG magic and size, SVG parses, texts present.
cat >"$TMP/check.py" <<'PY'
import struct, sys, xml.etree.ElementTree as ET
run, specs = sys.argv[1], sys.argv[2:]
bad = 0
for spec in specs:
    name, *want = spec.split("|")
    png = open(f"{run}/plots/{name}.png", "rb").read()
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        print(f"{name}.png: not a PNG"); bad = 1; continue
    w, h = struct.unpack(">II", png[16:24])
    if w < 800 or h < 500:
        print(f"{name}.png: {w}x{h} is too small to read"); bad = 1
    try:
        root = ET.parse(f"{run}/plots/{name}.svg").getroot()
    except ET.ParseError as e:
        print(f"{name}.svg: not well-formed: {e}"); bad = 1; continue
    if not root.tag.endswith("svg"):
        print(f"{name}.svg: root element is {root.tag}"); bad = 1
    text = " ".join(t for el in root.iter() for t in (el.text, el.tail) if t)
    for w in want:
        if w not in text:
            print(f"{name}.svg: no text '{w}'"); bad = 1
sys.exit(bad)
PY

# 1. The full fixture: every kind of figure.
cp -r "$FIXTURE" "$TMP/run"
"$NETRIG" plot "$TMP/run" >"$TMP/out.txt" 2>&1 || { cat "$TMP/out.txt"; fail "plot exited $?"; }
groups="tcp-stream udp-stream tls-stream http-rr http-rate"
figs=(
    "throughput|Throughput vs message size|goodput (Mbit/s)|message size|tcp stream|udp stream|tls stream|http rr|model prediction|link rate 100 Mbit/s|CPU-bound"
    "overhead|Protocol overhead: efficiency B/(B+O)|efficiency B/(B+O) (%)|message size|tcp stream measured|predicted B/(B+O)"
    "load-http-rate|Latency vs offered load: http rate|latency (ms)|target rate (transactions/s)|achieved (transactions/s)|p50|p99|p99.9|achieved = target"
)
for g in $groups; do
    label=${g/-/ }
    figs+=("spectrum-$g|Latency percentile spectrum: $label|percentile|latency (|99.9%")
    figs+=("timeseries-$g|Goodput and p99 latency over the run: $label|goodput (|p99 latency (|time since the run started (s)")
done
python3 "$TMP/check.py" "$TMP/run" "${figs[@]}" || fail "figures"
n=$(ls "$TMP/run/plots"/*.png | wc -l)
[ "$n" -eq "${#figs[@]}" ] || fail "expected ${#figs[@]} PNG files, found $n"
grep -q "${#figs[@]} figures" "$TMP/out.txt" || fail "summary line: $(cat "$TMP/out.txt")"

html=$TMP/run/index.html
[ -s "$html" ] || fail "no index.html"
python3 - "$html" <<'PY' || fail "index.html is not well-formed"
import sys, html.parser
class P(html.parser.HTMLParser):
    pass
P().feed(open(sys.argv[1]).read())
PY
for spec in "${figs[@]}"; do
    name=${spec%%|*}
    grep -q "src=\"plots/$name.svg\"" "$html" || fail "index.html lacks plots/$name.svg"
    grep -q "href=\"plots/$name.png\"" "$html" || fail "index.html lacks plots/$name.png"
done
grep -q '<table class="rows">' "$html" || fail "index.html has no summary table"
grep -q 'limited by the CPU' "$html" || fail "index.html has no model verdicts"
grep -q 'protocol overhead: efficiency' "$html" || fail "index.html lacks model.txt"
if grep -Eq '<script|<link|https?://' "$html"; then fail "index.html refers outside the folder"; fi
rows=$(($(wc -l <"$TMP/run/summary.csv") - 1))
trs=$(grep -c '^<tr><td' "$html")
[ "$trs" -eq "$rows" ] || fail "index.html has $trs table rows, summary.csv $rows"

# 2. No rate sweep: no load figure, the rest still drawn.
cp -r "$FIXTURE" "$TMP/norate"
rm "$TMP/norate"/http-rate-*.hgrm
awk -F, 'NR == 1 || $6 != "rate"' "$FIXTURE/summary.csv" >"$TMP/norate/summary.csv"
grep -v '^http-rate' "$FIXTURE/intervals.csv" >"$TMP/norate/intervals.csv"
"$NETRIG" plot "$TMP/norate" >/dev/null
if ls "$TMP/norate/plots" | grep -q '^load-'; then fail "load figure without a rate sweep"; fi
[ -s "$TMP/norate/plots/throughput.png" ] || fail "throughput missing without rate data"
grep -q 'load-' "$TMP/norate/index.html" && fail "index.html mentions a load figure"

# 3. No model columns and no latencies (a run before `netrig model`, a
# driver that times nothing): throughput and load still drawn, without the
# model line, the overhead figure or the latency panel.
mkdir "$TMP/nomodel"
python3 - "$FIXTURE/summary.csv" "$TMP/nomodel/summary.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = rows[0]
gone = [head.index(c) for c in ("overhead_bytes", "model_c_bps", "model_t0_us",
        "model_goodput_bps", "model_err_pct", "model_ok", "lat_p50_us", "lat_p99_us",
        "lat_p999_us")]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(head)
    for r in rows[1:]:
        for i in gone:
            r[i] = ""
        w.writerow(r)
PY
"$NETRIG" plot "$TMP/nomodel" >/dev/null || fail "plot without model columns"
python3 "$TMP/check.py" "$TMP/nomodel" "throughput|Throughput vs message size|tcp stream" \
    "load-http-rate|achieved (transactions/s)" || fail "figures without model columns"
[ ! -e "$TMP/nomodel/plots/overhead.png" ] || fail "overhead figure without model columns"
grep -q 'model prediction' "$TMP/nomodel/plots/throughput.svg" && fail "model line without a model"
grep -q 'latency (' "$TMP/nomodel/plots/load-http-rate.svg" && fail "latency panel without latencies"
grep -q 'No row has been checked' "$TMP/nomodel/index.html" || fail "report claims a model check"

# 4. Only a summary of one step: no figure at all, still a report.
mkdir "$TMP/single"
head -2 "$FIXTURE/summary.csv" >"$TMP/single/summary.csv"
"$NETRIG" plot "$TMP/single" >"$TMP/single.txt"
grep -q '^0 figures' "$TMP/single.txt" || fail "single step: $(cat "$TMP/single.txt")"
[ -z "$(ls "$TMP/single/plots" | grep -E '\.(png|svg)$' || true)" ] || fail "figures for a single step"
grep -q 'no data any figure needs' "$TMP/single/index.html" || fail "single step report"

# 5. No gnuplot on PATH: exit 1 and say how to get it; data and report written.
cp -r "$FIXTURE" "$TMP/nognuplot"
set +e
PATH=/nonexistent "$NETRIG" plot "$TMP/nognuplot" 2>"$TMP/err.txt"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "without gnuplot: exit $rc, expected 1"
grep -q 'apt-get install gnuplot-nox' "$TMP/err.txt" || fail "no install hint: $(cat "$TMP/err.txt")"
[ -s "$TMP/nognuplot/plots/data/throughput.gp" ] || fail "no driver written without gnuplot"
[ -s "$TMP/nognuplot/index.html" ] || fail "no index.html without gnuplot"

# 6. Usage and input errors: exit 2.
set +e
"$NETRIG" plot "$TMP/does-not-exist" 2>/dev/null; rc1=$?
"$NETRIG" plot 2>/dev/null; rc2=$?
"$NETRIG" plot "$TMP/run" --bogus 2>/dev/null; rc3=$?
"$NETRIG" plot "$TMP/run" --link-rate fast 2>/dev/null; rc4=$?
set -e
[ "$rc1$rc2$rc3$rc4" = 2222 ] || fail "usage errors exited $rc1 $rc2 $rc3 $rc4, expected 2"
echo "plot_render: ok"
