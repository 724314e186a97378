#!/bin/bash
# netrig run --dry-run checks everything a run checks before its first
# test: a value the run would refuse is refused at load, with the file and
# line at fault and exit 2, and nothing is written.
set -u
NETRIG=$(readlink -f "${1:?usage: run_check.sh /path/to/netrig}")
tmp=$(mktemp -d /tmp/netrig-run-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# refused NAME EXPECTED-MESSAGE-PART [run options...] < scenario text
refused() {
    local name=$1 want=$2
    shift 2
    cat > "$tmp/$name.ini"
    local out rc
    out=$(cd "$tmp" && "$NETRIG" run "$name.ini" --dry-run "$@" 2>&1)
    rc=$?
    if [ $rc -ne 2 ]; then
        fail "$name: dry run exit $rc, expected 2: $out"
    elif ! grep -qF -- "$want" <<<"$out"; then
        fail "$name: message '$out' lacks '$want'"
    else
        ok "$name: $out"
    fi
    [ ! -e "$tmp/results" ] || fail "$name: dry run created results/"
}

refused link "link.ini:3: bad link 'tbf:100mbit; x'" <<'INI'
[global]
duration = 1s
link = tbf:100mbit; x
[a]
INI

refused interval "interval.ini:3: " <<'INI'
[a]
duration = 1s
interval = 1ms
INI

# The client's own rules, at the line of the step's section.
refused udp_size "udp_size.ini:2: [b] udp needs --size" <<'INI'
duration = 1s
[b]
proto = udp
size = 100000
INI

refused method "method.ini:1: [h] --method PUT" <<'INI'
[h]
proto = http
method = PUT
INI

refused ciphers "ciphers.ini:1: [t] " <<'INI'
[t]
proto = tls
ciphers = NO-SUCH-CIPHER
INI

refused link_server "drop --server" --server 127.0.0.1:9 <<'INI'
[a]
link = tbf:100mbit
INI

refused ipv6_server "ipv6_server.ini:1: [six] " --server 127.0.0.1:9 <<'INI'
[six]
ipv6 = true
INI

# Each section may run through a link of its own: a dry run shows both.
cat > "$tmp/two_links.ini" <<'INI'
[a]
link = tbf:100mbit
[b]
link = tbf:10mbit
INI
out=$(cd "$tmp" && "$NETRIG" run two_links.ini --dry-run 2>&1) || fail "two_links refused: $out"
grep -q "link=tbf:100mbit" <<<"$out" && grep -q "link=tbf:10mbit" <<<"$out" ||
    fail "two_links: the dry run does not show both links: $out"

# What passes a dry run still passes.
cat > "$tmp/good.ini" <<'INI'
[global]
interval = 10ms
link = tbf:100mbit
[a]
[b]
proto = udp
size = 65507
INI
out=$(cd "$tmp" && "$NETRIG" run good.ini --dry-run 2>&1) || fail "good.ini refused: $out"

[ $fails -eq 0 ] || exit 1
echo "all dry-run checks passed"
