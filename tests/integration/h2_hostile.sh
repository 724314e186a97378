#!/usr/bin/env bash
# A hostile HTTP/2 peer against netrig's server (tests/lib/h2_hostile.py):
# a SETTINGS flood and an HPACK bomb end with GOAWAY ENHANCE_YOUR_CALM
# (11); streams opened without end are refused past 128 (the connection
# goes on, or ends at the idle deadline); a window held at zero meets the idle deadline with GOAWAY 11. Each
# time a well-behaved client is served beside it, and the server's memory
# stays bounded.
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --quiet --idle-timeout 2s
peer() {
    timeout 60 python3 "$NETRIG_TESTS/lib/h2_hostile.py" "$port" "$1"
}
good() {
    got=$(curl -s --http2-prior-knowledge -m 10 -o /dev/null -w '%{http_version} %{http_code} %{size_download}' \
        "http://127.0.0.1:$port/bytes/1000")
    [ "$got" = "2 200 1000" ] || fail "$1: a good client beside it got '$got'"
}
spid=${pids[-1]}
rss0=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)
out=$(peer settings_flood)
[ "$out" = "goaway 11" ] || fail "settings flood: $out, not ENHANCE_YOUR_CALM"
good settings_flood
out=$(peer hpack_bomb)
[ "$out" = "goaway 11" ] || fail "hpack bomb: $out, not ENHANCE_YOUR_CALM"
good hpack_bomb
out=$(peer streams)
case "$out" in "goaway 11" | "goaway 0" | open) ;; *) fail "endless streams: $out" ;; esac
good streams
[ "$(peer zero_window)" = "goaway 11" ] || fail "zero window: not ENHANCE_YOUR_CALM at the deadline"
good zero_window
rss1=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)
[ "$rss1" -lt $((rss0 + 65536)) ] || fail "server memory grew from $rss0 to $rss1 KiB"
checks_done "OK: hostile HTTP/2 peers meet GOAWAY, others are served"
