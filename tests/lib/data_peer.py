#!/usr/bin/env python3
"""A hostile peer on netrig's data paths (fault_peer.py's sibling for the
control protocol): asks a server for a test the way a client does, then
misbehaves on the test's data connection or UDP ports; or plays a server
that writes where a client expects nothing. Says ok or FAIL per case and
exits non-zero if a case failed. Every operation is bounded in time.

  data_peer.py udp-reverse HOST PORT   stream datagrams (with and without the
                                       test's tag) at the sending side of a
                                       --reverse UDP stream; the server lives
  data_peer.py udp-spoof HOST PORT     a third address (127.0.0.2) that sends
                                       requests or a hello with the test's id
                                       gets nothing back; the control peer's
                                       host gets answers only with the tag
  data_peer.py tcp-talk HOST PORT      100 bytes on the data connection of a
                                       --reverse TCP stream; the server still
                                       answers others
  data_peer.py tcp-liar HOST PORT      a fake server that writes 100 bytes on a
                                       stream's data connection
  data_peer.py spray FROM PORT...      16-byte datagrams from address FROM at
                                       the ports; prints the bytes answered
                                       (FAIL if any)
"""
import os
import socket
import struct
import sys
import threading
import time

MAGIC, HELLO = b"NRGC", b"NRGD"
REQUEST, ACCEPT, ERROR, MARK, END, RESULT = 1, 2, 3, 4, 5, 6
TCP, UDP = 0, 1
STREAM, RR = 0, 1
REVERSE = 1
MEASURED = 0x80000000
STRANGER = "127.0.0.2"  # a host that is not the control peer (127.0.0.1)


def frame(type_, payload, version=1):
    return MAGIC + struct.pack(">HHI", version, type_, len(payload)) + payload


def request(proto, mode, flags=0, size=64, resp_size=0, rate_bps=0.0, duration_s=3.0,
            conns=1):
    return struct.pack(">BBBBIIIQQddQQQQQ", proto, mode, flags, 0, conns, 1, 1, size,
                       resp_size, rate_bps, 0.0, int(duration_s * 1e9), 0, 10**9, 0, 0)


def recv_exact(s, n, timeout=5.0):
    s.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def read_frame(s, timeout=5.0):
    head = recv_exact(s, 12, timeout)
    if head[:4] != MAGIC:
        raise ConnectionError("not a control frame")
    _, type_, n = struct.unpack(">HHI", head[4:12])
    return type_, recv_exact(s, n, timeout)


def open_test(host, port, proto, mode, **kw):
    """Asks for a test. Returns (control socket, test id, UDP ports)."""
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(frame(REQUEST, request(proto, mode, **kw)))
    type_, p = read_frame(s)
    if type_ != ACCEPT:
        raise ConnectionError("the server refused the test: %r" % p)
    test_id, _, nports = struct.unpack(">QIH", p[:14])
    ports = list(struct.unpack(">%dH" % nports, p[14:14 + 2 * nports]))
    return s, test_id, ports


def flow_mask(conns):
    m = 0
    while m < conns - 1:
        m = m << 1 | 1
    return m


def flow_tag(test_id, conns=1):
    """The test's tag in a UDP flow word (src/wire.h)."""
    fold = (test_id ^ (test_id >> 32)) & 0xffffffff
    return fold & 0x7fffffff & ~flow_mask(conns)


def dgram(flow, seq=0, size=16):
    return struct.pack(">IIQ", flow, seq, time.monotonic_ns()) + bytes(size - 16)


def udp_sock(addr):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    return u


def drain(u, seconds):
    """Bytes that arrive at u within seconds."""
    got, end = 0, time.monotonic() + seconds
    u.settimeout(0.05)
    while time.monotonic() < end:
        try:
            got += len(u.recv(65536))
        except (socket.timeout, ConnectionRefusedError):
            pass
    return got


def alive(host, port, timeout=3.0):
    """Whether the server still answers a new connection: a frame of an
    unknown version must get an ERROR frame back."""
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        s.sendall(frame(REQUEST, request(TCP, STREAM), version=7))
        type_, _ = read_frame(s, timeout)
        s.close()
        return type_ == ERROR
    except OSError:
        return False


def report(name, good, detail=""):
    print("%-44s %s  %s" % (name, "ok  " if good else "FAIL", detail), flush=True)
    return 0 if good else 1


def say_hello(u, test_id, port, index=0):
    u.sendto(HELLO + struct.pack(">IQ", index, test_id), ("127.0.0.1", port))


def cmd_udp_reverse(host, port):
    ctrl, tid, ports = open_test(host, port, UDP, STREAM, flags=REVERSE, rate_bps=1e6)
    u = udp_sock("127.0.0.1")
    say_hello(u, tid, ports[0])
    failed = report("udp reverse: hello echoed", drain(u, 0.3) >= 16)
    # Timed stream datagrams at the side that only sends: without the
    # tag (what a port scan sends), with it (a peer that knows the id).
    for flow in (0, MEASURED, flow_tag(tid), flow_tag(tid) | MEASURED):
        for k in range(50):
            u.sendto(dgram(flow, k, 64), ("127.0.0.1", ports[0]))
    time.sleep(0.3)
    failed += report("udp reverse: stream datagrams at the sender", alive(host, port))
    ctrl.close()
    return failed


def cmd_udp_spoof(host, port):
    failed = 0
    # rr: small requests, large answers (an amplifier if misused).
    ctrl, tid, ports = open_test(host, port, UDP, RR, size=16, resp_size=8000)
    victim, peer = udp_sock(STRANGER), udp_sock("127.0.0.1")
    for flow in (MEASURED, flow_tag(tid) | MEASURED):
        for k in range(50):
            victim.sendto(dgram(flow, k), ("127.0.0.1", ports[0]))
    got = drain(victim, 1.0)
    failed += report("udp rr: requests from a third address", got == 0, "%d bytes back" % got)
    for k in range(10):
        peer.sendto(dgram(MEASURED | (flow_tag(tid) ^ 0x40000000), k), ("127.0.0.1", ports[0]))
    got = drain(peer, 0.5)
    failed += report("udp rr: requests without the test's tag", got == 0, "%d bytes back" % got)
    for k in range(10):
        peer.sendto(dgram(flow_tag(tid) | MEASURED, k), ("127.0.0.1", ports[0]))
    got = drain(peer, 0.5)
    failed += report("udp rr: the test's own requests answered", got > 0, "%d bytes back" % got)
    ctrl.close()
    # reverse stream: a hello from a third address must not steer it.
    ctrl, tid, ports = open_test(host, port, UDP, STREAM, flags=REVERSE, size=1000,
                                 rate_bps=50e6)
    say_hello(victim, tid, ports[0])
    got = drain(victim, 1.0)
    failed += report("udp reverse: hello from a third address", got == 0, "%d bytes sent there" % got)
    say_hello(peer, tid, ports[0])
    got = drain(peer, 0.5)
    failed += report("udp reverse: hello from the control peer", got > 0, "%d bytes" % got)
    ctrl.close()
    return failed


def cmd_tcp_talk(host, port):
    ctrl, tid, _ = open_test(host, port, TCP, STREAM, flags=REVERSE, size=1024, rate_bps=1e6)
    d = socket.create_connection((host, port), timeout=5)
    d.sendall(HELLO + struct.pack(">IQ", 0, tid))
    d.sendall(b"x" * 100)
    time.sleep(0.3)
    failed = report("tcp reverse: 100 bytes at the sender", alive(host, port))
    # The test still ends: its result comes, with the bytes counted as a
    # protocol error (a thread of its own would spin unseen otherwise).
    ctrl.sendall(frame(END, b""))
    try:
        type_, p = read_frame(ctrl, 8)
        protocol = struct.unpack(">11I", p[104:148])[5] if type_ == RESULT else 0
        failed += report("tcp reverse: result after the bytes", type_ == RESULT and protocol >= 1,
                         "%d protocol error(s)" % protocol)
    except OSError as e:
        failed += report("tcp reverse: result after the bytes", False, str(e))
    d.close()
    ctrl.close()
    return failed


def cmd_tcp_liar(host, port):
    """Serves one forward stream test: accepts it, writes 100 bytes on the
    data connection, answers END with an empty RESULT."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(4)
    ls.settimeout(20)
    print("listening", flush=True)
    ctrl, _ = ls.accept()
    read_frame(ctrl)
    ctrl.sendall(frame(ACCEPT, struct.pack(">QIH", 0x1234, 1, 0)))
    data, _ = ls.accept()
    recv_exact(data, 16)
    data.sendall(b"y" * 100)

    def sink():  # reads what the client sends until it closes
        data.settimeout(20)
        try:
            while data.recv(65536):
                pass
        except OSError:
            pass
    t = threading.Thread(target=sink, daemon=True)
    t.start()
    end = time.monotonic() + 20
    while time.monotonic() < end:
        type_, _ = read_frame(ctrl, 20)
        if type_ == END:
            break
    result = bytes(13 * 8 + 11 * 4 + 5 * 4)  # counters, errors, TCP_INFO, no histogram
    ctrl.sendall(frame(RESULT, result))
    t.join(20)
    data.close()
    ctrl.close()
    return 0


def cmd_spray(src, ports):
    u = udp_sock(src)
    for p in ports:
        for k in range(100):
            flow = (0, MEASURED, k)[k % 3]
            try:
                u.sendto(dgram(flow, k), ("127.0.0.1", p))
            except OSError:
                pass
    got = drain(u, 1.0)
    return report("spray from %s at %d port(s)" % (src, len(ports)), src != STRANGER or got == 0,
                  "%d bytes back" % got)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    cmd = sys.argv[1]
    if cmd == "spray":
        return cmd_spray(sys.argv[2], [int(p) for p in sys.argv[3:]])
    host, port = sys.argv[2], int(sys.argv[3])
    cmds = {"udp-reverse": cmd_udp_reverse, "udp-spoof": cmd_udp_spoof,
            "tcp-talk": cmd_tcp_talk, "tcp-liar": cmd_tcp_liar}
    if cmd not in cmds:
        print(__doc__)
        return 2
    return cmds[cmd](host, port)


if __name__ == "__main__":
    sys.exit(main())
