#!/bin/bash
# netrig run on a disk that fills up: the run stops with summary.json
# finalised as failed (never left "running"), its message naming what was
# kept, and summary.csv and summary.json listing the same rows, none of
# them half written. Needs root for a small tmpfs; skipped otherwise.
set -u
NETRIG=$(readlink -f "${1:?usage: run_disk_full.sh /path/to/netrig}")
tmp=$(mktemp -d /tmp/netrig-disk-full.XXXXXX)
mnt=$tmp/mnt
mounted=
cleanup() {
    [ -n "$mounted" ] && umount "$mnt"
    rm -rf "$tmp"
}
trap cleanup EXIT
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
mkdir "$mnt"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
    echo "cannot mount a small tmpfs (needs root)"
    exit 77
fi
mounted=1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Twelve repetitions of a quarter second. Once the first row is in, the
# rest of the disk is filled: the next repetition cannot be kept, and
# nothing is left for finishing the summaries but what the run kept aside.
cat > "$tmp/full.ini" <<'INI'
[global]
duration = 200ms
warmup = 50ms
interval = 10ms
[a]
mode = rr
size = 64
repeat = 12
INI
"$NETRIG" run "$tmp/full.ini" --out "$mnt/out" --no-plot > "$tmp/console" 2>&1 &
pid=$!
for _ in $(seq 200); do
    [ "$(cat "$mnt/out/summary.csv" 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.05
done
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
wait $pid
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, expected 1 (a step failed)"
grep -q "No space left" "$tmp/console" || fail "console does not say the disk is full"

python3 - "$mnt/out" <<'PY' || fails=$((fails + 1))
import csv, json, sys
d = sys.argv[1]
try:
    j = json.load(open(d + "/summary.json"))
except Exception as e:
    sys.exit("FAIL: summary.json unreadable: %s" % e)
rows = list(csv.reader(open(d + "/summary.csv", newline="")))
bad = [r for r in rows[1:] if len(r) != len(rows[0])]
done = sum(s["done"] for s in j["steps"])
print("summary.csv rows %d, summary.json done %d, status %s: %s"
      % (len(rows) - 1, done, j["status"], j["message"]))
err = []
if bad:
    err.append("summary.csv holds %d half-written rows" % len(bad))
if j["status"] != "failed":
    err.append("summary.json status %r, expected 'failed'" % j["status"])
if len(rows) - 1 != done:
    err.append("summary.csv has %d rows, summary.json %d" % (len(rows) - 1, done))
if done >= 12 or done == 0:
    err.append("%d tests kept: the disk did not fill as planned" % done)
if "%d of 12 tests finished and kept" % done not in j["message"]:
    err.append("message does not say what was kept: %r" % j["message"])
m = json.load(open(d + "/meta.json"))
if m["status"] != "failed":
    err.append("meta.json status %r, expected 'failed'" % m["status"])
for e in err:
    print("FAIL: " + e)
sys.exit(1 if err else 0)
PY
[ $fails -eq 0 ] || { cat "$tmp/console"; exit 1; }
echo "ok: a full disk ends the run with matching, finalised summaries"
