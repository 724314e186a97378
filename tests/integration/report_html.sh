#!/usr/bin/env bash
# index.html in a real browser: netrig plot on the fixed results folder
# tests/data/run-fixture, then headless Chromium renders the page at
# 1280 px. The screenshot must exist and not be blank, the summary table
# must fit the page (no horizontal scrolling), numbers must be written for
# people (units, no 1.1e+08) and verdicts shown as coloured cells.
set -euo pipefail
NETRIG=$(realpath "$1")
SRC=${NETRIG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FIXTURE=$SRC/tests/data/run-fixture
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { echo "chromium not installed: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$FIXTURE" "$TMP/run"
"$NETRIG" plot "$TMP/run" >"$TMP/plot.out" 2>&1 || true # without gnuplot: the page alone
HTML=$TMP/run/index.html
[ -s "$HTML" ] || fail "no index.html: $(cat "$TMP/plot.out")"

# Numbers for people: no exponent anywhere in the page's table, units on
# rates and times.
if grep -nE '[0-9]e[+-][0-9]' "$HTML" | grep -v '<pre>' | head -3 | grep .; then
    fail "index.html has numbers in exponent form"
fi
for want in 'too few repeats for a 95&nbsp;% confidence interval' 'Mbit/s' '&micro;s' 'KiB' 'class="v v-yes"' 'class="v v-no"' 'class="v v-cpu"'; do
    grep -qF "$want" "$HTML" || fail "index.html lacks $want"
done

# Chromium's own profile and caches stay in TMP; every run bounded.
chrome() {
    HOME=$TMP timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$TMP/profile" --window-size=1280,2000 "$@" 2>>"$TMP/chrome.err"
}
chrome --screenshot="$TMP/shot.png" "file://$HTML" >/dev/null ||
    fail "chromium failed: $(tail -5 "$TMP/chrome.err")"
python3 - "$TMP/shot.png" <<'PY' || fail "screenshot"
import struct, sys, zlib
png = open(sys.argv[1], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", png[16:24])
assert (w, h) == (1280, 2000), f"{w}x{h}"
# A blank page compresses to almost nothing; text, tables and figures do not.
assert len(png) > 60000, f"{len(png)} bytes: blank?"
PY

# The table fits: the page laid out at 1280 px is no wider than that. A
# wrapper page loads index.html in a frame of that width and writes what
# it measured into its own DOM, which --dump-dom prints.
cat >"$TMP/measure.html" <<HTML
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="file://$HTML" style="width:1280px;height:2000px;border:0"></iframe>
<pre id="out">not measured</pre>
<script>
document.getElementById("f").onload = function () {
    var d = this.contentDocument.documentElement;
    var t = this.contentDocument.querySelector("table.rows");
    document.getElementById("out").textContent =
        "scroll " + d.scrollWidth + " client " + d.clientWidth + " table " + t.getBoundingClientRect().right;
};
</script></body></html>
HTML
chrome --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom \
    "file://$TMP/measure.html" >"$TMP/dom.html" || fail "chromium --dump-dom failed"
m=$(grep -o 'scroll [0-9]* client [0-9]* table [0-9.]*' "$TMP/dom.html") ||
    fail "the page was not measured: $(grep -o '<pre id="out">[^<]*' "$TMP/dom.html")"
read -r _ sw _ cw _ tr <<<"$m"
[ "$sw" -le "$cw" ] || fail "the page scrolls sideways at 1280 px: $m"
python3 -c "import sys; sys.exit(0 if float('$tr') <= $cw else 1)" || fail "the table overflows: $m"
echo "ok: $m"
