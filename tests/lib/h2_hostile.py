#!/usr/bin/env python3
"""A hostile HTTP/2 peer for netrig's server (h2c, raw frames written by
hand): usage h2_hostile.py PORT CASE. Prints the GOAWAY error code the
server ended with ("goaway N"), "closed" for a close without one, or
"open" when the connection still stands after the attack."""
import socket
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(typ, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([typ, flags]) + struct.pack(">I", sid) + payload


def lit(idx, val):
    return bytes([idx, len(val)]) + val


def get_headers(path=b"/bytes/100000"):
    return bytes([0x82, 0x86]) + lit(4, path) + lit(1, b"a")


def attack(s, case):
    if case == "settings_flood":
        s.sendall(frame(4, 0, 0) * 5000)
    elif case == "hpack_bomb":
        # One 4000-byte header put in the dynamic table, then referenced
        # again and again: a small frame that decodes to a huge list.
        big = bytes([0x40, 5]) + b"x-big" + bytes([0x7F, 0xA1, 0x1E]) + b"v" * 4000
        block = get_headers(b"/bytes/1") + big + bytes([0xBE]) * 2000
        s.sendall(frame(1, 0x5, 1, block))
    elif case == "streams":
        # Streams opened and never ended, well past the server's limit.
        s.sendall(b"".join(frame(1, 0x4, 2 * i + 1, get_headers(b"/sink")) for i in range(3000)))
    elif case == "zero_window":
        s.sendall(frame(4, 0, 0, struct.pack(">HI", 4, 0)) + frame(1, 0x5, 1, get_headers()))


def main():
    port, case = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(PREFACE + frame(4, 0, 0))
    try:
        attack(s, case)
    except OSError:
        pass
    deadline = time.time() + 30
    buf = b""
    while time.time() < deadline:
        try:
            d = s.recv(65536)
        except socket.timeout:
            print("open")
            return
        except OSError:
            d = b""
        if not d:
            break
        buf += d
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + n:
                break
            if buf[3] == 7:
                print("goaway %d" % struct.unpack(">I", buf[13:17])[0])
                return
            buf = buf[9 + n:]
    print("closed")


main()
