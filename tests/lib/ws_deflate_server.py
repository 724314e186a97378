"""A hostile WebSocket server for netrig's --ws-deflate client
(ws_deflate_server.py PORT MODE [EXTENSIONS]).

It answers every upgrade with a proper 101 and then misbehaves as MODE
says: "answer" puts EXTENSIONS in the 101's Sec-WebSocket-Extensions (an
answer the client must refuse) and then echoes nothing; "bomb" takes
permessage-deflate and answers each message with 32 MiB of zeros
compressed to some 32 KiB; "rsv1" declines the extension and answers
with a frame that has RSV1 set all the same. Standard library only;
serves until killed."""
import base64
import hashlib
import socket
import struct
import sys
import threading
import zlib

PORT, MODE = int(sys.argv[1]), sys.argv[2]
EXT = sys.argv[3] if len(sys.argv) > 3 else "permessage-deflate"
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def compressed(data):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH))[:-4]


BOMB = compressed(bytes(32 << 20))


def frame(payload, rsv1):
    b0 = 0x80 | (0x40 if rsv1 else 0) | 2
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", b0, n) + payload
    if n <= 0xFFFF:
        return struct.pack("!BBH", b0, 126, n) + payload
    return struct.pack("!BBQ", b0, 127, n) + payload


def serve(c):
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            got = c.recv(4096)
            if not got:
                return
            head += got
        key = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"sec-websocket-key:"):
                key = line.split(b":", 1)[1].strip()
        acc = base64.b64encode(hashlib.sha1(key + GUID).digest())
        ext = "" if MODE == "rsv1" else "Sec-WebSocket-Extensions: %s\r\n" % EXT
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n" +
                  ext.encode() + b"\r\n")
        while c.recv(65536):  # each read of the client's: an answer
            if MODE == "bomb":
                c.sendall(frame(BOMB, True))
            elif MODE == "rsv1":
                c.sendall(frame(b"abc", True))
    except OSError:
        pass
    finally:
        c.close()


def main():
    ls = socket.create_server(("127.0.0.1", PORT))
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
