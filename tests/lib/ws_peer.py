"""A WebSocket peer from python3-websockets, for tests/peer/ws_peers.sh.

  ws_peer.py server PORT [deflate]   an echo server on 127.0.0.1:PORT (for
                                     netrig's client); it refuses an upgrade
                                     to /refused with 403
  ws_peer.py client PORT [deflate]   checks netrig's server on 127.0.0.1:PORT:
                           every message comes back as sent (sizes across the
                           length forms, text and binary, fragmented), ping,
                           close codes, and the sink's count in its close frame.
With deflate, permessage-deflate is offered or taken (websockets' defaults);
the client checks that netrig's server took it. Without, compression is off.
Prints what failed and exits 1 on the first failure.
"""
import asyncio
import http
import os
import sys

import websockets

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, 300000]


def text_of(n):
    # Multi-byte characters too, so that a split inside one is exercised.
    s = ("aé€𝄞" * (n // 10 + 1))
    out = s.encode()[:n]
    while True:
        try:
            return out.decode()
        except UnicodeDecodeError:
            out = out[:-1]


COMPRESSION = None


async def serve(port):
    async def echo(ws):
        async for msg in ws:
            await ws.send(msg)

    def refuse(path, _headers):
        if path == "/refused":
            return http.HTTPStatus.FORBIDDEN, [], b"refused\n"
        return None

    async with websockets.serve(echo, "127.0.0.1", port, max_size=None, compression=COMPRESSION,
                                process_request=refuse):
        print("ready", flush=True)
        await asyncio.Future()


def need(ok, what):
    if not ok:
        print("FAIL: " + what, flush=True)
        sys.exit(1)


def deflate_on(ws):
    names = [e.name for e in ws.extensions]
    if COMPRESSION:
        need(names == ["permessage-deflate"], "netrig's server took %r, not permessage-deflate"
             % names)
    else:
        need(names == [], "an extension taken that was not offered: %r" % names)


async def client(port):
    base = "ws://127.0.0.1:%d" % port
    async with websockets.connect(base + "/ws/echo", max_size=None,
                                  compression=COMPRESSION) as ws:
        deflate_on(ws)
        for n in SIZES:
            b = os.urandom(n)
            await ws.send(b)
            got = await ws.recv()
            need(got == b, "binary %d bytes came back as %r bytes" % (n, len(got)))
            t = text_of(n)
            await ws.send(t)
            got = await ws.recv()
            need(got == t, "text %d bytes came back different" % len(t.encode()))
        # A fragmented message: the echo keeps the frames, the message is whole.
        parts = [os.urandom(k) for k in (0, 1, 126, 70000, 5)]
        await ws.send(parts)
        got = await ws.recv()
        need(got == b"".join(parts), "fragmented binary came back different")
        tparts = ["é" * 100, "x", "€" * 30000]
        await ws.send(tparts)
        got = await ws.recv()
        need(got == "".join(tparts), "fragmented text came back different")
        pong = await ws.ping(b"netrig-ping")
        await asyncio.wait_for(pong, 5)
        await ws.close(code=4001, reason="peer test")
        need(ws.close_code == 4001, "close 4001 answered with %s" % ws.close_code)
    # The sink counts and says so in its close frame.
    async with websockets.connect(base + "/ws/sink", max_size=None,
                                  compression=COMPRESSION) as ws:
        deflate_on(ws)
        total = 0
        for n in SIZES:
            await ws.send(os.urandom(n))
            total += n
        await ws.send([b"ab", b"cd"])
        total += 4
        await ws.close()
        want = "msgs=%d bytes=%d" % (len(SIZES) + 1, total)
        need(ws.close_code == 1000 and ws.close_reason == want,
             "sink closed with %s %r, want 1000 %r" % (ws.close_code, ws.close_reason, want))
    print("OK python3-websockets client%s" % (" (permessage-deflate)" if COMPRESSION else ""),
          flush=True)


def main():
    global COMPRESSION
    what, port = sys.argv[1], int(sys.argv[2])
    COMPRESSION = "deflate" if sys.argv[3:] == ["deflate"] else None
    asyncio.run(serve(port) if what == "server" else client(port))


if __name__ == "__main__":
    main()
