#!/bin/bash
# netrig plot and netrig model read only regular files of a bounded size
# and write only into a plots/ folder of their own: a device, a FIFO or a
# symlink to one given as a results file is refused by name (never read
# until memory runs out, never waited on), and a plots/ or plots/data/ that
# is a symlink is refused before anything is written or removed through it.
set -u
NETRIG=$(readlink -f "${1:?usage: plot_files.sh /path/to/netrig}")
SRC=${NETRIG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FIXTURE=$SRC/tests/data/run-fixture
tmp=$(mktemp -d /tmp/netrig-plot-files.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect_refusal WHAT WANT-IN-MESSAGE command...: exits non-zero within the
# time limit, with the message; a memory cap turns a runaway read into a
# quick failure instead of a swapping machine (not under ASan, whose
# shadow memory needs terabytes of address space).
expect_refusal() {
    local what=$1 want=$2
    shift 2
    local out rc
    out=$( ([ -n "${NETRIG_SANITIZED:-}" ] || ulimit -v 2000000; timeout 20 "$@") 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        fail "$what: accepted"
    elif [ $rc -eq 124 ]; then
        fail "$what: still reading after 20 s"
    elif ! grep -qF -- "$want" <<<"$out"; then
        fail "$what: exit $rc, message lacks '$want': $(head -c 400 <<<"$out")"
    else
        ok "$what: $(grep -F -- "$want" <<<"$out" | head -1)"
    fi
}

fresh() { # a copy of the fixture run at $tmp/$1
    rm -rf "${tmp:?}/$1"
    cp -r "$FIXTURE" "$tmp/$1"
}

# Results files that are not regular files.
expect_refusal "model /dev/zero" "/dev/zero: not a regular file" "$NETRIG" model /dev/zero --no-write
fresh zero
ln -sf /dev/zero "$tmp/zero/summary.csv"
expect_refusal "model, summary.csv -> /dev/zero" "summary.csv: not a regular file" \
    "$NETRIG" model "$tmp/zero" --no-write
expect_refusal "plot, summary.csv -> /dev/zero" "summary.csv: not a regular file" \
    "$NETRIG" plot "$tmp/zero"
fresh fifo
rm "$tmp/fifo/intervals.csv"
mkfifo "$tmp/fifo/intervals.csv"
expect_refusal "plot, intervals.csv a FIFO" "intervals.csv: not a regular file" \
    "$NETRIG" plot "$tmp/fifo"
fresh meta
rm "$tmp/meta/meta.json"
mkfifo "$tmp/meta/meta.json"
expect_refusal "plot, meta.json a FIFO" "meta.json: not a regular file" "$NETRIG" plot "$tmp/meta"
fresh hgrm
ln -sf /dev/zero "$tmp/hgrm/tcp-stream-size=1024.hgrm"
expect_refusal "plot, an .hgrm -> /dev/zero" "tcp-stream-size=1024.hgrm: not a regular file" \
    "$NETRIG" plot "$tmp/hgrm"

# plots/ and plots/data/ that lead out of the folder.
mkdir "$tmp/victim"
touch "$tmp/victim/keep.png" "$tmp/victim/keep.dat" "$tmp/victim/keep.log"
fresh link
ln -s "$tmp/victim" "$tmp/link/plots"
expect_refusal "plot, plots/ a symlink" "plots: not a directory of its own" \
    "$NETRIG" plot "$tmp/link"
fresh link2
mkdir "$tmp/link2/plots"
ln -s "$tmp/victim" "$tmp/link2/plots/data"
expect_refusal "plot, plots/data/ a symlink" "data: not a directory of its own" \
    "$NETRIG" plot "$tmp/link2"
for f in keep.png keep.dat keep.log; do
    [ -e "$tmp/victim/$f" ] || fail "plot removed $f through a symlink"
done
[ "$(ls "$tmp/victim" | wc -l)" -eq 3 ] || fail "plot wrote through a symlink: $(ls "$tmp/victim")"

# The fixture itself still plots (data files at least; gnuplot may be absent).
fresh good
PATH=/nonexistent "$NETRIG" plot "$tmp/good" > "$tmp/good.out" 2>&1
[ -s "$tmp/good/plots/data/spectrum-tcp.dat" ] || [ -n "$(ls "$tmp/good/plots/data")" ] ||
    fail "plot wrote no data for the fixture: $(cat "$tmp/good.out")"

[ $fails -eq 0 ] || exit 1
echo "all refusals named"
