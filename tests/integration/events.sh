#!/bin/bash
# --events: the live stream of netrig run and netrig client, read with jq.
# Every line is one JSON object; the kinds come in order (start, then per
# test step, intervals, end; done last); every end event's row equals the
# summary.csv row of the same test, field by field; a failing step
# writes an error event; and a scenario may not name a stream of its own.
source "$(dirname "$0")/../lib/netrig_test.sh"
command -v jq >/dev/null || fail "jq is missing (scripts/setup.sh installs it)"

# check_lines FILE: every line parses, alone, as one object.
check_lines() {
    local n
    n=$(wc -l <"$1")
    [ "$n" -gt 0 ] || fail "$1 is empty"
    while IFS= read -r line; do
        jq -e 'type == "object"' <<<"$line" >/dev/null 2>&1 || fail "$1: not one JSON object: $line"
    done <"$1"
    [ "$(jq -s '[.[] | select(.schema == 1)] | length' "$1")" = "$n" ] ||
        fail "$1: a line without schema 1"
}

# (jq 1.6 -e takes its exit status from the last input line, so the checks
# of one event slurp the file and select it.)

# kinds FILE: the kinds, one letter each, s(tart) t(step) i(nterval)
# e(nd) x(error) d(one).
kinds() {
    jq -r '.event' "$1" | sed 's/^start$/s/; s/^step$/t/; s/^interval$/i/; s/^end$/e/;
        s/^error$/x/; s/^done$/d/' | tr -d '\n'
}

# same_rows EVENTS CSV: prints every field where an end event's row and
# the CSV row differ (numbers compared as numbers, empty = null). The
# model's columns are filled after the run (netrig run's model check),
# so an end event, written as the test ends, has them empty.
same_rows() {
    jq -r -n --rawfile csv "$2" '
      ($csv | split("\r\n") | map(select(length > 0))) as $lines
      | ($lines[0] | split(",")) as $h
      | [inputs | select(.event == "end") | .row] as $rows
      | if ($rows | length) != ($lines | length) - 1 then
          "\($rows | length) end events, \(($lines | length) - 1) rows"
        else
          range(0; $rows | length) as $i
          | ($lines[$i + 1] | split(",")) as $f
          | if ($f | length) != ($h | length) then "row \($i + 1): \($f | length) fields"
            else
              range(0; $h | length) as $j
              | $h[$j] as $k | $f[$j] as $v | $rows[$i][$k] as $x
              | if ($rows[$i] | has($k) | not) then "row \($i + 1): no field \($k)"
                elif $k == "overhead_bytes" or ($k | startswith("model_")) then
                  if $x == null or $x == "" then empty else "row \($i + 1) \($k): set early" end
                elif $v == "" and $x == null then empty
                elif ($x | type) == "number" and ($v | tonumber) == $x then empty
                elif ($x | type) == "string" and $v == $x then empty
                else "row \($i + 1) \($k): csv \($v), event \($x)"
                end
            end
        end' "$1"
}

cat >"$TMP/ev.ini" <<'INI'
[global]
duration = 600ms
warmup = 100ms
interval = 200ms
[tcp]
proto = tcp
mode = stream
size = 1k,16k
[udp rr]
proto = udp
mode = rr
size = 64
repeat = 2
INI

# netrig run --events -: the stream on stdout, the console on stderr.
(cd "$TMP" && timeout 120 "$NETRIG" run ev.ini --out "$TMP/res" --no-plot --events - \
    >"$TMP/run.ndjson" 2>"$TMP/run.err") || fail "netrig run exited $?: $(cat "$TMP/run.err")"
check_lines "$TMP/run.ndjson"
k=$(kinds "$TMP/run.ndjson")
[[ $k =~ ^s(ti+e){4}d$ ]] || fail "run: kinds out of order: $k"
grep -q "results:" "$TMP/run.err" || fail "run: the console did not go to stderr"
diff=$(same_rows "$TMP/run.ndjson" "$TMP/res/summary.csv") || fail "run: jq failed"
[ -z "$diff" ] || fail "run: end events differ from summary.csv: $diff"
jq -s -e '.[] | select(.event == "start") | .scenario == "ev" and .steps == 3 and .tests == 4
        and (.version | length > 0) and (.host | length > 0)' "$TMP/run.ndjson" >/dev/null ||
    fail "run: start event: $(head -1 "$TMP/run.ndjson")"
jq -s -e --arg dir "$TMP/res" '.[] | select(.event == "done") | .status == "complete" and .dir == $dir
        and .rows == 4 and (.model.yes + .model.no + .model.cpu + .model.steal + .model.skip) == 4' \
    "$TMP/run.ndjson" >/dev/null || fail "run: done event: $(tail -1 "$TMP/run.ndjson")"
# The step event carries the settings by option name; each interval the
# step's name, and an rr interval this end's latency.
jq -s -e '[.[] | select(.event == "step")] | .[1].settings.size == "16384"
        and .[2].settings.proto == "udp" and .[3].repeat == 2' "$TMP/run.ndjson" >/dev/null ||
    fail "run: step events: $(grep '"step"' "$TMP/run.ndjson")"
jq -s -e '[.[] | select(.event == "interval" and .step == "udp rr")]
        | length >= 4 and all(.source == "client" and .live and .lat_p50_us > 0
                               and .messages > 0 and .errors == 0 and .t_end_s > .t_start_s)' \
    "$TMP/run.ndjson" >/dev/null || fail "run: udp rr intervals"
# A stream's receiver is the server: live lines of what the client sent,
# then the server's own (not live) before the end event.
jq -s -e '[.[] | select(.event == "interval" and .step == "tcp size=1k")] as $iv
        | ($iv | map(.source) | index("server")) as $s
        | $s > 0 and ($iv[:$s] | all(.source == "client_sent" and .live))
          and ($iv[$s:] | all(.source == "server" and (.live | not) and .goodput_bps > 0))' \
    "$TMP/run.ndjson" >/dev/null || fail "run: stream intervals by end"

# netrig client --events FILE: the same kinds for one test; the row
# equals what --csv appended.
start_server
timeout 60 "$NETRIG" client --server 127.0.0.1:$PORT --mode rr --size 64 --duration 500ms \
    --interval 100ms --events "$TMP/client.ndjson" --csv "$TMP/client.csv" --quiet \
    >"$TMP/client.out" 2>"$TMP/client.err" || fail "client exited $?: $(cat "$TMP/client.err")"
check_lines "$TMP/client.ndjson"
k=$(kinds "$TMP/client.ndjson")
[[ $k =~ ^sti+ed$ ]] || fail "client: kinds out of order: $k"
diff=$(same_rows "$TMP/client.ndjson" "$TMP/client.csv") || fail "client: jq failed"
[ -z "$diff" ] || fail "client: end event differs from --csv: $diff"
jq -s -e '.[] | select(.event == "done") | .status == "complete" and .dir == null' \
    "$TMP/client.ndjson" >/dev/null || fail "client: done event"

# A step that fails: an error event naming it, then done "failed".
cat >"$TMP/bad.ini" <<INI
[global]
duration = 300ms
warmup = 50ms
[gone]
server = 127.0.0.1:1
INI
(cd "$TMP" && timeout 60 "$NETRIG" run bad.ini --out "$TMP/bad" --no-plot \
    --events "$TMP/bad.ndjson" >/dev/null 2>&1)
check_lines "$TMP/bad.ndjson"
k=$(kinds "$TMP/bad.ndjson")
[[ $k =~ ^stxd$ ]] || fail "failed run: kinds $k"
jq -s -e '.[] | select(.event == "error") | (.where | test("gone")) and (.message | length > 0)' \
    "$TMP/bad.ndjson" >/dev/null || fail "failed run: error event: $(cat "$TMP/bad.ndjson")"
jq -s -e '.[] | select(.event == "done") | .status == "failed" and .rows == 0' "$TMP/bad.ndjson" \
    >/dev/null || fail "failed run: done event"

# events = in a scenario: refused before anything runs.
printf '[s]\nevents = x.ndjson\n' >"$TMP/own.ini"
out=$(cd "$TMP" && "$NETRIG" run own.ini --out "$TMP/own" 2>&1)
[ $? -eq 2 ] && grep -q "netrig run --events" <<<"$out" || fail "events = in a scenario: $out"
echo "events: ok"
