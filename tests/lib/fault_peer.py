#!/usr/bin/env python3
"""A misbehaving peer for the fault tests: speaks broken netrig control
frames, random bytes or a trickle of bytes at a server on loopback, and
says what the server answered. Every operation is bounded in time.

  fault_peer.py ctrl HOST PORT              malformed, truncated, oversized and
                                            out-of-order control messages
  fault_peer.py garbage HOST PORT SECONDS   random bytes on fresh connections
  fault_peer.py udp HOST PORT SECONDS       random datagrams at a UDP port
  fault_peer.py slow HOST PORT N SECONDS [http]
                                            N connections, one byte every 0.5 s of a
                                            control request (or of an HTTP head)
  fault_peer.py liar HOST PORT N            a fake server: answers N connections
                                            with random bytes
  fault_peer.py hold HOST PORT N SRC WAIT   N control connections from address SRC,
                                            each asking for a one-hour TCP test and
                                            never connecting its data; prints what
                                            each was told within WAIT seconds
  fault_peer.py idle HOST PORT N WAIT SRC   N connections from address SRC that never prove a key (every
                                            fourth sends an authentication HELLO, the
                                            rest nothing); prints 'open', then within
                                            WAIT seconds how many the server closed,
                                            when, and what it said
  fault_peer.py udpports PID                the UDP ports process PID has open
"""
import os
import random
import socket
import struct
import sys
import time

MAGIC = b"NRGC"
REQUEST, ACCEPT, ERROR, MARK, END, RESULT = 1, 2, 3, 4, 5, 6


def frame(type_, payload, version=1, length=None):
    n = len(payload) if length is None else length
    return MAGIC + struct.pack(">HHI", version, type_, n) + payload


def request(conns=1, duration_ns=10**9, warmup_ns=0, size=1024, proto=0, mode=0, resp_size=0):
    return struct.pack(">BBBBIIIQQddQQQQQ", proto, mode, 0, 0, conns, 1, 1, size, resp_size,
                       0.0, 0.0, duration_ns, warmup_ns, 10**9, 0, 0)


def read_reply(s, timeout):
    """Reads until the server closes or timeout. Returns (bytes, closed)."""
    s.settimeout(0.2)
    data, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def error_text(data):
    """The text of the first ERROR frame in data, or None."""
    if len(data) < 12 or data[:4] != MAGIC:
        return None
    _, type_, n = struct.unpack(">HHI", data[4:12])
    if type_ != ERROR or len(data) < 12 + n:
        return None
    k = struct.unpack(">H", data[12:14])[0]
    return data[14:14 + k].decode("ascii", "replace")


def ctrl_cases():
    ok_req = frame(REQUEST, request())
    return [
        # name, bytes, half-close after sending, an ERROR frame is required
        ("bad version", frame(REQUEST, request(), version=7), False, True),
        ("unknown type", frame(99, b""), False, True),
        ("oversized frame", frame(REQUEST, b"", length=2 << 20), False, True),
        ("too long for the server", frame(REQUEST, b"x" * 5000), False, True),
        ("short request", frame(REQUEST, request()[:20]), False, True),
        ("request with trailing bytes", frame(REQUEST, request() + b"zz"), False, True),
        ("conns out of range", frame(REQUEST, request(conns=0)), False, True),
        ("duration out of range", frame(REQUEST, request(duration_ns=10**15)), False, True),
        ("beyond --max-duration", frame(REQUEST, request(duration_ns=7200 * 10**9)), False, True),
        ("beyond --max-test-conns", frame(REQUEST, request(conns=99999)), False, True),
        # Bounds the client checks, checked again by the server.
        ("udp size below its header", frame(REQUEST, request(proto=1, mode=1, size=8)),
         False, True),
        ("udp response below its header",
         frame(REQUEST, request(proto=1, mode=1, size=64, resp_size=8)), False, True),
        ("udp size above 65507", frame(REQUEST, request(proto=1, size=65508)), False, True),
        ("crr over udp", frame(REQUEST, request(proto=1, mode=2, size=64)), False, True),
        ("mode rate without a rate", frame(REQUEST, request(mode=3)), False, True),
        ("mark before request", frame(MARK, b"\x01"), False, True),
        ("end before request", frame(END, b""), False, True),
        ("result from a client", frame(RESULT, b""), False, True),
        ("two requests", ok_req + ok_req, False, True),
        ("truncated header", ok_req[:7], True, False),
        ("truncated payload", ok_req[:30], True, False),
        ("bad data hello", b"NRGD" + os.urandom(12), False, False),
        ("bad auth message", b"NRGA\x09" + os.urandom(35), False, False),
    ]


def cmd_ctrl(host, port):
    failed = 0
    for name, data, half_close, want_error in ctrl_cases():
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        reply, closed = read_reply(s, 5)
        s.close()
        text = error_text(reply)
        good = closed and (text is not None or not want_error)
        if "two requests" == name:
            # the first request is accepted, the second refused
            good = closed and b"control: one test" in reply
        print("%-28s %s  %s" % (name, "ok  " if good else "FAIL",
                                text if text else ("closed" if closed else "still open")))
        failed += not good
    return 1 if failed else 0


def cmd_garbage(host, port, seconds):
    end, n, closed = time.monotonic() + seconds, 0, 0
    prefixes = [b"", b"NRGC", b"NRGD", b"NRGA", b"NRGC\x00\x01", b"GET / HTTP/1.1\r\n"]
    while time.monotonic() < end:
        s = socket.create_connection((host, port), timeout=3)
        data = random.choice(prefixes) + os.urandom(random.randint(1, 4096))
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        _, c = read_reply(s, 3)
        closed += c
        n += 1
        s.close()
    print("garbage: %d connections, %d closed by the server" % (n, closed))
    return 0 if closed == n else 1


def cmd_udp(host, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        data = random.choice([b"", b"NRGD"]) + os.urandom(random.randint(0, 1400))
        try:
            s.sendto(data, (host, port))
        except OSError:
            pass  # ICMP refusals from an earlier datagram
        n += 1
        if n % 200 == 0:
            time.sleep(0.01)
    print("udp: %d datagrams" % n)
    return 0


def cmd_slow(host, port, count, seconds, http=False):
    """Opens count connections that each send one byte of a valid request
    every 0.5 s; reports how many the server cut off within seconds."""
    req = frame(REQUEST, request())
    if http:
        req = b"GET /bytes/10 HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"y" * 200 + b"\r\n\r\n"
    socks = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=3)
        s.setblocking(False)
        socks.append([s, 0, False])
    start = time.monotonic()
    while time.monotonic() - start < seconds and not all(x[2] for x in socks):
        for x in socks:
            if x[2]:
                continue
            s = x[0]
            try:
                if s.recv(4096) == b"":
                    x[2] = True
                    continue
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                x[2] = True
                continue
            if x[1] < len(req) - 1:  # never the last byte
                try:
                    s.send(req[x[1]:x[1] + 1])
                    x[1] += 1
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    pass
        time.sleep(0.5)
    cut = sum(1 for x in socks if x[2])
    print("slow: %d of %d cut off after %.1f s" % (cut, count, time.monotonic() - start))
    for x in socks:
        x[0].close()
    return 0 if cut == count else 1


def cmd_liar(host, port, count):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(8)
    ls.settimeout(30)
    print("listening", flush=True)
    for _ in range(count):
        c, _ = ls.accept()
        c.settimeout(3)
        try:
            c.recv(4096)
            c.sendall(os.urandom(64))
        except OSError:
            pass
        c.close()
    return 0


def frame_type(data):
    if len(data) < 12 or data[:4] != MAGIC:
        return None
    return struct.unpack(">HHI", data[4:12])[1]


def cmd_hold(host, port, count, src, wait):
    """Prints one line per connection: 'accepted', then what the server
    said later ('error: ...', 'closed' or 'held'); or 'refused: ...'."""
    held = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=3, source_address=(src, 0))
        s.sendall(frame(REQUEST, request(duration_ns=3600 * 10**9)))
        s.settimeout(3)
        data = s.recv(4096)
        if frame_type(data) == ACCEPT:
            held.append(s)
        else:
            print("refused: %s" % error_text(data))
            s.close()
    end = time.monotonic() + wait
    for s in held:
        reply, closed = read_reply(s, max(0.1, end - time.monotonic()))
        text = error_text(reply)
        print("accepted, then %s" % ("error: " + text if text else
                                     "closed" if closed else "held"))
        s.close()
    return 0


def auth_hello():
    return b"NRGA" + bytes([1, 1, 0, 0]) + os.urandom(32)


def cmd_idle(host, port, count, wait, src):
    socks, start = [], time.monotonic()
    for i in range(count):
        s = socket.create_connection((host, port), timeout=3, source_address=(src, 0))
        if i % 4 == 3:
            s.sendall(auth_hello())
        s.setblocking(False)
        socks.append([s, None, b""])  # socket, when closed, what it said
    print("open", flush=True)
    end = start + wait
    while time.monotonic() < end and any(x[1] is None for x in socks):
        for x in socks:
            if x[1] is not None:
                continue
            try:
                chunk = x[0].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                x[2] += chunk
            else:
                x[1] = time.monotonic() - start
        time.sleep(0.05)
    closed = [x for x in socks if x[1] is not None]
    texts = {}
    for x in closed:
        data = x[2]
        if data[:4] == b"NRGA":  # the CHALLENGE to the HELLO, then what the server said
            data = data[40:]
        t = error_text(data) or "(nothing)"
        t = t.split(" (")[0]
        texts[t] = texts.get(t, 0) + 1
    print("idle: %d of %d closed, the last after %.1f s" %
          (len(closed), count, max([x[1] for x in closed] or [0])))
    for t, n in sorted(texts.items()):
        print("idle: %d told: %s" % (n, t))
    for x in socks:
        x[0].close()
    return 0


def cmd_udpports(pid):
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[9] in inodes:
                    print(int(cols[1].split(":")[-1], 16))
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "udpports":
        return cmd_udpports(int(sys.argv[2]))
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "ctrl":
        return cmd_ctrl(host, port)
    if cmd == "garbage":
        return cmd_garbage(host, port, float(sys.argv[4]))
    if cmd == "udp":
        return cmd_udp(host, port, float(sys.argv[4]))
    if cmd == "slow":
        return cmd_slow(host, port, int(sys.argv[4]), float(sys.argv[5]),
                        len(sys.argv) > 6 and sys.argv[6] == "http")
    if cmd == "hold":
        return cmd_hold(host, port, int(sys.argv[4]), sys.argv[5], float(sys.argv[6]))
    if cmd == "idle":
        return cmd_idle(host, port, int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    if cmd == "liar":
        return cmd_liar(host, port, int(sys.argv[4]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
