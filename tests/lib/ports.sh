# Sourced by tests that start a listener of their own (netrig or a peer).
# free_port: prints a loopback port that nothing is bound to now, TCP or
# UDP, from 20000-32767: below the kernel's ephemeral range (32768 and
# up by default), so that no other test's outgoing connection can be
# holding it when the listener binds (a random port anywhere in
# 20000-39999 sometimes was, and the peer failed with "address already
# in use").
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 32767)
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break
PY
}
