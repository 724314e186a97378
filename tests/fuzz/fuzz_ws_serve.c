/* Fuzzes the server's WebSocket connection (ws_serve) as srv_ws.c drives
 * it: a client's bytes after the 101, fed in reads of varying size into a
 * bounded buffer, the output written before more input is taken; once as
 * /ws/echo and once as /ws/sink. Checks no over-read (ASan), that the
 * caller's buffer never has to grow past a frame at the limit, that every
 * pending output lies inside the buffer or the state machine's own control
 * frame, that our close codes are those RFC 6455 owes (1002, 1007, 1009
 * or the peer's own), and that the echo never sends more payload than came
 * in. The first input byte picks the read size. Each runs once more with
 * permessage-deflate negotiated (context takeover on), where compressed
 * echoes come from the state machine's own buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MESSAGE 4096
#define CAP (MAX_MESSAGE + WS_MAX_HEADER)

static void check(int ok)
{
    if (!ok)
        abort();
}

static bool inside(const struct ws_serve *s, const uint8_t *buf, const struct iovec *v)
{
    const uint8_t *p = v->iov_base;
    const uint8_t *ctl = s->ctl;
    return (p >= buf && p + v->iov_len <= buf + CAP) ||
           (p >= ctl && p + v->iov_len <= ctl + sizeof(s->ctl)) ||
           (s->deflate && p >= s->zout && p + v->iov_len <= s->zout + s->zcap);
}

/* Writes everything pending (the peer reads all). */
static void drain(struct ws_serve *s, const uint8_t *buf)
{
    struct iovec iov[WS_SERVE_IOV + 1];
    int n;
    for (int guard = 0; guard < 64 && (n = ws_serve_pending(s, iov, WS_SERVE_IOV + 1)) > 0;
         guard++) {
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            check(inside(s, buf, &iov[i]));
            total += iov[i].iov_len;
        }
        ws_serve_sent(s, total);
    }
    check(ws_serve_pending(s, iov, 1) == 0);
}

static void run(const uint8_t *data, size_t size, bool sink, size_t step, bool deflate)
{
    static uint8_t buf[CAP];
    struct ws_serve s;
    ws_serve_init(&s, sink, MAX_MESSAGE);
    static const struct ws_ext ext = {.on = true, .server_bits = 15, .client_bits = 15};
    char err[128];
    if (deflate)
        check(ws_serve_deflate(&s, &ext, err, sizeof(err)) == 0);
    size_t held = 0, pos = 0;
    for (int guard = 0; guard < 100000; guard++) {
        size_t room = CAP - held;
        size_t add = size - pos < step ? size - pos : step;
        add = add < room ? add : room;
        memcpy(buf + held, data + pos, add);
        pos += add;
        held += add;
        size_t used = ws_serve_input(&s, buf, held);
        check(used <= held);
        drain(&s, buf);
        memmove(buf, buf + used, held - used);
        held -= used;
        check(ws_serve_need(&s, buf, held) <= CAP);
        if (ws_serve_done(&s) || (pos == size && used == 0))
            break;
        check(add > 0 || used > 0); /* a full buffer is always taken from */
    }
    if (s.close_code != 0)
        check(s.close_code == 1002 || s.close_code == 1007 || s.close_code == 1009 ||
              s.close_code == s.peer_code);
    check(s.tx_payload <= s.rx_payload);
    check(s.mark_msgs <= s.msgs && s.mark_payload <= s.rx_payload);
    ws_serve_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] * 37 + 1;
    for (int d = 0; d < 2; d++) {
        run(data + 1, size - 1, false, step, d);
        run(data + 1, size - 1, true, step, d);
    }
    return 0;
}
