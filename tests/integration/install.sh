#!/usr/bin/env bash
# cmake --install into a scratch prefix: the binary, the gnuplot scripts
# and the scenarios land in bin/ and share/netrig/, and the installed
# netrig draws a results folder with its own installed scripts (not the
# source tree's), found from its own path.
set -u
NETRIG=$(realpath "${1:?usage: install.sh /path/to/netrig}")
BUILD=$(dirname "$NETRIG")
SRC=${NETRIG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -f "$BUILD/cmake_install.cmake" ] || { echo "skip: $BUILD is not a CMake build"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$TMP/p" >"$TMP/install.log" 2>&1 ||
    fail "cmake --install: $(cat "$TMP/install.log")"
P=$TMP/p
[ -x "$P/bin/netrig" ] || fail "no bin/netrig"
for f in style.gp throughput.gp timeseries.gp; do
    [ -f "$P/share/netrig/plots/$f" ] || fail "no share/netrig/plots/$f"
done
[ -f "$P/share/netrig/scenarios/quickstart.ini" ] || fail "no share/netrig/scenarios/quickstart.ini"
"$P/bin/netrig" run "$P/share/netrig/scenarios/quickstart.ini" --dry-run >/dev/null 2>&1 ||
    fail "the installed quickstart scenario does not parse"

if command -v gnuplot >/dev/null; then
    cp -r "$SRC/tests/data/run-fixture" "$TMP/run"
    "$P/bin/netrig" plot "$TMP/run" >"$TMP/plot.log" 2>&1 || fail "installed plot: $(cat "$TMP/plot.log")"
    [ -s "$TMP/run/plots/throughput.png" ] || fail "no throughput.png"
    grep -rqF "$(realpath "$P/share/netrig/plots")" "$TMP/run/plots/data" ||
        fail "the installed netrig did not use its installed scripts"
fi
echo ok
