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
[ "$fail" -eq 0 ] && echo "cli_basics: all checks passed"
exit $fail
