#!/usr/bin/env bash
# The command table: help, version, per-command help, unknown commands, and
# the README's column list kept in step with the CSV schema.
set -u
netrig=$1
fail=0
check() { # description, command...
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL: $what"
        fail=1
    fi
}
check "--help exits 0 and lists run" bash -c "'$netrig' --help | grep -q '^  run '"
check "--version prints the version" bash -c "'$netrig' --version | grep -Eq '^netrig [0-9]+\.[0-9]+\.[0-9]+'"
for c in server client run model plot compare hist; do
    check "help $c" bash -c "'$netrig' help $c | grep -q 'netrig $c'"
    check "$c --help" bash -c "'$netrig' $c --help | grep -q 'netrig $c'"
done
"$netrig" frobnicate >/dev/null 2>&1
check "unknown command exits 2" test $? -eq 2
"$netrig" >/dev/null 2>&1
check "no command exits 2" test $? -eq 2
"$netrig" help nosuch >/dev/null 2>&1
check "help of an unknown command exits 2" test $? -eq 2

# The server's options run through the same option table as the client's:
# a typo gets the nearest name, a bad value is named with its option, and
# the help lists every option with its default. All exit 2 before binding.
server_err() { # expected stderr line, arguments...
    local want=$1 got
    shift
    got=$("$netrig" server "$@" 2>&1 >/dev/null)
    local rc=$?
    [ "$rc" -eq 2 ] && [ "$got" = "netrig server: $want" ] && return 0
    echo "  got rc $rc: $got"
    return 1
}
check "server typo gets did you mean" \
    server_err "unknown option 'lisen' (did you mean 'listen'?)" --lisen 127.0.0.1:0
check "server flag typo gets did you mean" \
    server_err "unknown option 'open-htp' (did you mean 'open-http'?)" --open-htp
check "too-long --listen says so" \
    server_err "value for listen is too long: at most 255 characters" --listen "$(printf '%0300d' 0)"
check "bad --model value names the option" \
    server_err "bad value 'fork' for model: expected epoll or threads" --model fork
check "out-of-range limit names the option and range" \
    server_err "value '0' for max-conns is out of range (1 to 10000000)" --max-conns 0
# --stdio-control (netrig run's server_host): the server ends with its
# standard input, the ssh channel that started it.
stdio_server_ends() {
    { sleep 0.5; } | timeout 20 "$netrig" server --listen 127.0.0.1:0 --stdio-control --quiet
}
check "server --stdio-control stops when its stdin ends" stdio_server_ends
help_server=$("$netrig" help server)
for o in listen threads cpu busy-poll model tls cert key psk open-http quiet stdio-control max-conns max-unauth-conns max-tests \
    max-tests-per-peer max-test-conns max-duration max-rate max-size http-max-head \
    http-max-body hello-timeout auth-timeout idle-timeout grace data-timeout; do
    check "help server lists --$o with its default" \
        bash -c "grep -A1 -- '^  --$o ' <<<\"\$1\" | grep -q '\[default '" _ "$help_server"
done
check "help server gives --listen's default" grep -q "default 127.0.0.1:7878" <<<"$help_server"
check "help server gives --threads' range" grep -q "default 1; 1 to 256" <<<"$help_server"

# Every summary.csv column is documented in the README.
readme=${NETRIG_SRC:-$(dirname "$0")/../..}/README.md
while read -r col; do
    grep -q "\`$col\`" "$readme" || { echo "FAIL: column $col is not documented in README.md"; fail=1; }
done < <("$netrig" help columns | sed -n 's/^| `\([a-z0-9_]*\)`.*/\1/p')
# A --url run names its protocol and host in the banner (not "tcp ... to ,").
banner=$(timeout 10 "$netrig" client --url https://127.0.0.1:1/x --duration 200ms 2>&1 |
    grep '^netrig client: .* to ')
case "$banner" in
*"https "*" to 127.0.0.1:1, "*) ;;
*) echo "FAIL: --url banner: $banner"; fail=1 ;;
esac
for scheme in ws wss; do
    banner=$(timeout 10 "$netrig" client --url $scheme://127.0.0.1:1/x --mode rr --duration 200ms 2>&1 |
        grep '^netrig client: .* to ')
    case "$banner" in
    *"$scheme rr to 127.0.0.1:1, "*) ;;
    *) echo "FAIL: --url $scheme banner: $banner"; fail=1 ;;
    esac
done
[ "$fail" -eq 0 ] && echo "cli_basics: all checks passed"
exit $fail
