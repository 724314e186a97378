#!/usr/bin/env bash
# The server's HTTP/2 bounds are its options: --h2-max-streams and
# --h2-window go out in its SETTINGS (MAX_CONCURRENT_STREAMS,
# INITIAL_WINDOW_SIZE), a stream past the limit is refused
# (RST_STREAM REFUSED_STREAM), and netrig's client, asked for more
# streams than that, opens no more than the server allows: no refused
# stream, every request answered. Out-of-range values are refused by name.
export NETRIG_TESTS=${NETRIG_TESTS:-$(dirname "$0")/..}
source "$NETRIG_TESTS/lib/check_tally.sh"
start_server --quiet --tls --h2-max-streams 2 --h2-window 128k

# A raw h2c peer: the server's SETTINGS, then three streams left open
# (POST /sink, no END_STREAM): the third is refused.
got=$(timeout 30 python3 - "$port" <<'PY'
import socket, struct, sys
def frame(typ, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([typ, flags]) + struct.pack(">I", sid) + payload
def lit(idx, val):
    return bytes([idx, len(val)]) + val
post = bytes([0x83, 0x86]) + lit(4, b"/sink") + lit(1, b"a")  # :method POST, :scheme http
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0) +
          b"".join(frame(1, 0x4, sid, post) for sid in (1, 3, 5)))
buf, settings, rst = b"", {}, {}
while 5 not in rst:
    d = s.recv(65536)
    if not d:
        break
    buf += d
    while len(buf) >= 9:
        n = int.from_bytes(buf[:3], "big")
        if len(buf) < 9 + n:
            break
        typ, flags, sid, p = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF, buf[9:9 + n]
        buf = buf[9 + n:]
        if typ == 4 and not flags & 1:
            settings.update(struct.unpack(">HI", p[i:i + 6]) for i in range(0, n, 6))
        if typ == 3:
            rst[sid] = int.from_bytes(p, "big")
print("streams=%s window=%s rst=%s" % (settings.get(3), settings.get(4), sorted(rst.items())))
PY
)
[ "$got" = "streams=2 window=131072 rst=[(5, 7)]" ] ||
    fail "raw peer: '$got', expected the server's 2 streams and 128 KiB window, stream 5 refused"

# netrig's client asks for 8 streams a connection; the server allows 2.
for p in http https; do
    "$NETRIG" client --http2 --server 127.0.0.1:$port --proto $p --mode rr --streams 8 \
        --conns 2 --size 100 --duration 1s --warmup 200ms --json >"$tmp/$p.json" \
        2>"$tmp/$p.err" || fail "$p client: exit $? ($(tail -1 "$tmp/$p.err"))"
    python3 - "$tmp/$p.json" <<'PY' || fail "$p client over --h2-max-streams 2: $(cat "$tmp/$p.json")"
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["errors"] == 0 and d["messages"] > 50 and "rst_refused" not in d["errors_by_class"]
sys.exit(0 if ok else 1)
PY
done

# Out of range: the option is named.
for bad in "--h2-max-streams 0" "--h2-max-streams 1025" "--h2-window 1k"; do
    # shellcheck disable=SC2086
    if "$NETRIG" server --listen 127.0.0.1:0 $bad >"$tmp/bad.out" 2>&1; then
        fail "server $bad: accepted"
    fi
    opt=${bad%% *}
    grep -q -- "${opt#--}" "$tmp/bad.out" || fail "server $bad: '$(cat "$tmp/bad.out")' does not name the option"
done
checks_done "OK: --h2-max-streams and --h2-window bound what peers and netrig's client see"
