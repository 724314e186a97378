#!/usr/bin/env bash
# --proto tls against netrig's own server: stream both ways, rr with
# pipelining, crr with full and resumed handshakes, TLS 1.2 and 1.3. No
# errors, the TLS columns filled, and resumed handshakes faster than full
# ones (TLS 1.2 resumption skips the key exchange altogether).
source "${NETRIG_TESTS:?run it through ctest, which sets NETRIG_TESTS}/lib/check_tally.sh"
start_server --quiet

# run NAME ARGS...: a test whose JSON lands in NAME.json.
run() {
    local name=$1
    shift
    "$NETRIG" client --server "127.0.0.1:$port" --proto tls --duration 1s --warmup 200ms \
        --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
        fail "$name: exit $? ($(tail -1 "$tmp/$name.err"))"
}

for v in 1.2 1.3; do
    run "stream$v" --mode stream --size 64k --tls-version "$v"
    check "stream$v" "d['errors'] == 0 and d['goodput_bps'] > 1e8"
    check "stream$v" "d['tls_cipher'].startswith('TLSv$v ') and d['tls_record_overhead'] in (21, 22, 29)"
    check "stream$v" "d['tls_crypto_Bps'] > 1e7"
    run "rev$v" --mode stream --reverse --size 64k --tls-version "$v"
    check "rev$v" "d['errors'] == 0 and d['goodput_bps'] > 1e8"
    run "rr$v" --mode rr --size 200 --pipeline 4 --conns 2 --tls-version "$v"
    check "rr$v" "d['errors'] == 0 and d['messages'] > 1000"
    run "crr$v" --mode crr --size 100 --tls-version "$v"
    check "crr$v" "d['messages'] > 20 and d['connect_p50_us'] > 0"
    run "res$v" --mode crr --size 100 --tls-version "$v" --resume
    check "res$v" "d['messages'] > 20 and d['connect_p50_us'] > 0"
done
python3 - "$tmp/crr1.2.json" "$tmp/res1.2.json" <<'PY' || fail "TLS 1.2: resumed handshakes not faster than full ones"
import json, sys
full, res = (json.load(open(p)) for p in sys.argv[1:3])
print(f"TLS 1.2 connect+handshake p50: full {full['connect_p50_us']:.0f} us, resumed {res['connect_p50_us']:.0f} us")
sys.exit(0 if res['connect_p50_us'] < full['connect_p50_us'] else 1)
PY
checks_done "OK: --proto tls stream, rr and crr (full and resumed), TLS 1.2 and 1.3"
