"""Hostile WebSocket input against netrig's server (ws_hostile.py HOST PORT).

Each case opens its own connection to /ws/echo, sends frames the rules
refuse and checks the close code that comes back; all the while another
connection keeps echoing. Standard library only: the frames are built by
hand so that they can break every rule. Cases marked deflate offer
permessage-deflate (RFC 7692) and check that the server took it: a
compression bomb, RSV1 where it may not be, data that is not deflate."""
import base64
import os
import socket
import struct
import sys
import zlib

HOST, PORT = sys.argv[1], int(sys.argv[2])


def connect(path="/ws/echo", deflate=False):
    s = socket.create_connection((HOST, PORT), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    ext = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n"
               % (path, key, ext)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        got = s.recv(4096)
        if not got:
            raise SystemExit("no answer to the upgrade")
        head += got
    status = head.split(b"\r\n")[0]
    if b" 101 " not in status:
        raise SystemExit("upgrade refused: %r" % status)
    took = b"sec-websocket-extensions: permessage-deflate" in head.lower()
    if took != deflate:
        raise SystemExit("permessage-deflate %s: %r" % ("offered, not taken" if deflate
                                                        else "taken, not offered", head))
    return s, head.split(b"\r\n\r\n", 1)[1]


def frame(op, payload=b"", fin=True, mask=True, rsv=0, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | op
    mbit = 0x80 if mask else 0
    if n < 126:
        hdr = struct.pack("!BB", b0, mbit | n)
    elif n <= 0xFFFF:
        hdr = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return hdr + payload
    key = os.urandom(4)
    return hdr + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def read_frame(s, buf):
    def need(n):
        nonlocal buf
        while len(buf) < n:
            got = s.recv(65536)
            if not got:
                raise EOFError
            buf += got
    need(2)
    op, n = buf[0] & 0x0F, buf[1] & 0x7F
    pos = 2
    if n == 126:
        need(4)
        n, pos = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        need(10)
        n, pos = struct.unpack("!Q", buf[2:10])[0], 10
    need(pos + n)
    return op, buf[pos:pos + n], buf[pos + n:]


def close_code(s, buf):
    """The code of the server's close frame (data frames before it skipped)."""
    while True:
        op, p, buf = read_frame(s, buf)
        if op == 8:
            return struct.unpack("!H", p[:2])[0] if len(p) >= 2 else 1005


def deflated(data):
    """A message's payload as permessage-deflate sends it."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


# 32 MiB of zeros in some 32 KiB: past the server's 16 MiB message limit
# only once inflated.
BOMB = deflated(bytes(32 << 20))


def echo_once(s, buf, msg):
    s.sendall(frame(2, msg))
    op, p, buf = read_frame(s, buf)
    if op != 2 or p != msg:
        raise SystemExit("the other connection's echo went wrong")
    return buf


CASES = [
    ("unmasked frame", [frame(2, b"abc", mask=False)], 1002),
    ("reserved bit", [frame(2, b"abc", rsv=0x40)], 1002),
    ("reserved opcode", [frame(3, b"abc")], 1002),
    ("ping over 125 bytes", [frame(9, b"x" * 126)], 1002),
    ("fragmented ping", [frame(9, b"x", fin=False)], 1002),
    ("length 2^63", [frame(2, b"", length=1 << 63)[:10] + os.urandom(4)], 1002),
    ("bad UTF-8", [frame(1, b"ok\xc0\xaf")], 1007),
    ("continuation of nothing", [frame(0, b"abc")], 1002),
    ("new message inside a fragmented one", [frame(1, b"a", fin=False), frame(2, b"b")], 1002),
    ("bad close code", [frame(8, struct.pack("!H", 1005))], 1002),
    # To the sink: an echo would come back while this end only writes.
    ("never-ending fragmented message",
     [frame(2, b"x" * 65536, fin=False)] + [frame(0, b"x" * 65536, fin=False)] * 300, 1009,
     "/ws/sink"),
    ("clean close", [frame(8, struct.pack("!H", 4321) + b"bye")], 4321),
    ("compression bomb to the echo", [frame(2, BOMB, rsv=0x40)], 1009, "/ws/echo", True),
    ("compression bomb to the sink", [frame(2, BOMB, rsv=0x40)], 1009, "/ws/sink", True),
    ("RSV1 on a continuation", [frame(2, deflated(b"ab"), fin=False, rsv=0x40),
                                frame(0, b"\x00", rsv=0x40)], 1002, "/ws/echo", True),
    ("RSV1 on a ping", [frame(9, b"x", rsv=0x40)], 1002, "/ws/echo", True),
    ("RSV1 on data that is not deflate", [frame(2, b"\xff\xff\xff", rsv=0x40)], 1007,
     "/ws/echo", True),
    ("compressed text that is not UTF-8", [frame(1, deflated(b"ok\xc0\xaf"), rsv=0x40)], 1007,
     "/ws/sink", True),
]


def compressed_echo():
    """A compressed message comes back compressed, and inflates to itself."""
    s, buf = connect("/ws/echo", True)
    msg = os.urandom(100) + bytes(5000)
    s.sendall(frame(2, deflated(msg), rsv=0x40))
    raw = buf
    while len(raw) < 2:
        raw += s.recv(65536)
    rsv1 = raw[0] & 0x40
    op, p, buf = read_frame(s, raw)
    z = zlib.decompressobj(-15)
    back = z.decompress(p + b"\x00\x00\xff\xff")
    s.close()
    if op != 2 or not rsv1 or back != msg:
        return ["compressed echo: opcode %d, RSV1 %s, %d bytes back of %d"
                % (op, bool(rsv1), len(back), len(msg))]
    return []


def main():
    other, obuf = connect()
    bad = compressed_echo()
    for name, frames, want, *path in CASES:
        s, buf = connect(*path)
        try:
            for f in frames:
                s.sendall(f)
        except OSError:
            pass  # the server may close while the rest is on its way
        try:
            got = close_code(s, buf)
        except (EOFError, OSError) as e:
            got = "no close frame (%s)" % e
        if got != want:
            bad.append("%s: close code %s, expected %s" % (name, got, want))
        s.close()
        obuf = echo_once(other, obuf, os.urandom(200))
    other.sendall(frame(8, struct.pack("!H", 1000)))
    if close_code(other, obuf) != 1000:
        bad.append("the other connection did not close with 1000")
    if bad:
        raise SystemExit("\n".join(bad))
    print("OK: %d hostile inputs closed with their codes; another connection kept echoing"
          % len(CASES))


main()
