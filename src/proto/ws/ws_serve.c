/* Server-side WebSocket connection state machine (echo and sink). */
#include "ws_serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { S_OPEN, S_CLOSING };

void ws_serve_init(struct ws_serve *s, bool sink, uint64_t max_message)
{
    memset(s, 0, sizeof(*s));
    s->sink = sink;
    s->max_message = max_message ? max_message : WS_SERVE_DEFAULT_MAX;
}

int ws_serve_deflate(struct ws_serve *s, const struct ws_ext *e, char *err, size_t errlen)
{
    if (ws_deflate_init(&s->z, e, WS_SERVER, err, errlen) != 0)
        return -1;
    s->zcap = 64u * 1024u;
    s->zout = malloc(s->zcap);
    if (s->zout == NULL) {
        snprintf(err, errlen, "no memory for permessage-deflate");
        ws_deflate_free(&s->z);
        return -1;
    }
    s->deflate = true;
    return 0;
}

void ws_serve_free(struct ws_serve *s)
{
    if (!s->deflate)
        return;
    ws_deflate_free(&s->z);
    free(s->zout);
    s->zout = NULL;
    s->deflate = false;
}

static bool pending(const struct ws_serve *s)
{
    return s->out_first < s->nout;
}

static void push(struct ws_serve *s, void *p, size_t n)
{
    s->out[s->nout++] = (struct iovec){p, n};
}

/* Queues a control frame (pong or close) from ctl. */
static void control(struct ws_serve *s, uint8_t op, const uint8_t *p, size_t n)
{
    unsigned h = ws_write_header(s->ctl, true, op, n, NULL);
    memmove(s->ctl + h, p, n);
    s->ctl_busy = true;
    push(s, s->ctl, h + n);
}

/* Our close frame: the code, then a reason (cut to what fits). */
static void send_close(struct ws_serve *s, unsigned code, const char *reason)
{
    uint8_t p[WS_MAX_CONTROL];
    size_t n = 0;
    if (code != WS_CLOSE_NO_STATUS) {
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        size_t r = reason ? strlen(reason) : 0;
        if (r > sizeof(p) - 2)
            r = sizeof(p) - 2;
        memcpy(p + 2, reason, r);
        n = 2 + r;
    }
    s->close_code = code;
    s->state = S_CLOSING;
    control(s, WS_OP_CLOSE, p, n);
}

static void fail(struct ws_serve *s, unsigned code, const char *why)
{
    s->why = why;
    send_close(s, code, why);
}

/* The peer's close: answered with its own code (RFC 6455 5.5.1); the sink
 * says in the reason what it counted since the latest ping (or the
 * upgrade), so that a sender can take the receiver's figures for its
 * window and check delivery. */
static void peer_close(struct ws_serve *s, const uint8_t *p, size_t n)
{
    unsigned code;
    unsigned bad = ws_close_parse(p, n, &code);
    if (bad) {
        fail(s, bad, "malformed close frame");
        return;
    }
    s->peer_code = code;
    char reason[64] = "";
    if (s->sink)
        snprintf(reason, sizeof(reason), "msgs=%llu bytes=%llu",
                 (unsigned long long)(s->msgs - s->mark_msgs),
                 (unsigned long long)(s->rx_payload - s->mark_payload));
    send_close(s, code, reason);
}

/* A whole control frame at p (payload masked). */
static void on_control(struct ws_serve *s, const struct ws_frame *f, uint8_t *p)
{
    size_t n = (size_t)f->payload_len;
    ws_mask(p, n, f->mask, 0);
    if (f->opcode == WS_OP_PING) {
        s->pings++;
        s->mark_msgs = s->msgs;
        s->mark_payload = s->rx_payload;
        control(s, WS_OP_PONG, p, n);
    } else if (f->opcode == WS_OP_CLOSE) {
        peer_close(s, p, n);
    }
}

/* Text is checked as it is unmasked; a message's end checks the last
 * character is whole. Returns false when the connection is failed. */
static bool check_text(struct ws_serve *s, const uint8_t *p, size_t n, bool fin)
{
    if (s->rd.msg_opcode != WS_OP_TEXT)
        return true;
    if (!ws_utf8_feed(&s->rd.utf8, p, n) || (fin && !ws_utf8_done(s->rd.utf8))) {
        fail(s, WS_CLOSE_BAD_DATA, "text message is not UTF-8");
        return false;
    }
    return true;
}

/* Echo: a whole data frame at buf (header h bytes): unmasked, checked,
 * and queued with its unmasked header written over the masked one's end. */
static void echo_frame(struct ws_serve *s, const struct ws_frame *f, uint8_t *buf, unsigned h)
{
    uint8_t *p = buf + h;
    size_t n = (size_t)f->payload_len;
    ws_mask(p, n, f->mask, 0);
    if (!check_text(s, p, n, f->fin))
        return;
    unsigned ho = ws_header_len(f->payload_len, false);
    uint8_t *start = p - ho;
    ws_write_header(start, f->fin, f->opcode, f->payload_len, NULL);
    push(s, start, ho + n);
    s->tx_payload += n;
}

/* Compresses into zout, growing it (up to what a whole message at the
 * limit may take). Returns 0 or the close code owed. */
static unsigned zput(struct ws_serve *s, const uint8_t *p, size_t n, bool end)
{
    size_t max = ws_deflate_bound((size_t)s->max_message) + WS_MAX_HEADER;
    for (;;) {
        size_t used = 0;
        if (ws_deflate_put(&s->z, p, n, end, s->zout, s->zcap, &s->zlen, &used) == 0)
            return 0;
        if (s->zlen < s->zcap)
            return WS_CLOSE_INTERNAL; /* zlib failed, not out of room */
        if (s->zcap >= max)
            return WS_CLOSE_TOO_BIG;
        p += used;
        n -= used;
        size_t ncap = s->zcap < max / 2 ? s->zcap * 2 : max;
        uint8_t *b = realloc(s->zout, ncap);
        if (b == NULL)
            return WS_CLOSE_INTERNAL;
        s->zout = b;
        s->zcap = ncap;
    }
}

static bool text_ok(struct ws_serve *s, const uint8_t *p, size_t n)
{
    return s->rd.msg_opcode != WS_OP_TEXT || ws_utf8_feed(&s->rd.utf8, p, n);
}

/* Echo: each inflated piece is checked and compressed again. */
static unsigned echo_emit(void *arg, const uint8_t *p, size_t n)
{
    struct ws_serve *s = arg;
    if (!text_ok(s, p, n))
        return WS_CLOSE_BAD_DATA;
    s->rx_payload += n;
    s->tx_payload += n;
    return zput(s, p, n, false);
}

/* Sink: each inflated piece is checked and counted. */
static unsigned sink_emit(void *arg, const uint8_t *p, size_t n)
{
    struct ws_serve *s = arg;
    if (!text_ok(s, p, n))
        return WS_CLOSE_BAD_DATA;
    s->rx_payload += n;
    return 0;
}

/* Inflates p[0..n) of a compressed message (end: its last bytes). Returns
 * false when the connection is failed. */
static bool inflate_piece(struct ws_serve *s, const uint8_t *p, size_t n, bool end)
{
    unsigned code =
        ws_deflate_take(&s->z, p, n, end, s->max_message, s->sink ? sink_emit : echo_emit, s);
    if (code == 0 && end && s->rd.msg_opcode == WS_OP_TEXT && !ws_utf8_done(s->rd.utf8))
        code = WS_CLOSE_BAD_DATA;
    if (code == 0 && end && !s->sink)
        code = zput(s, NULL, 0, true);
    if (code == 0)
        return true;
    fail(s, code,
         code == WS_CLOSE_TOO_BIG    ? "message over the size limit once inflated"
         : code == WS_CLOSE_BAD_DATA ? "compressed data or text not valid"
                                     : "deflate failed");
    return false;
}

/* Echo of a whole frame of a compressed message: inflated, checked and
 * compressed again into zout behind room for its header, which goes in
 * front with RSV1 on the message's first frame. */
static void echo_deflated(struct ws_serve *s, const struct ws_frame *f, uint8_t *buf, unsigned h)
{
    uint8_t *p = buf + h;
    size_t n = (size_t)f->payload_len;
    ws_mask(p, n, f->mask, 0);
    s->zlen = WS_MAX_HEADER;
    if (!inflate_piece(s, p, n, f->fin))
        return;
    size_t len = s->zlen - WS_MAX_HEADER;
    unsigned ho = ws_header_len(len, false);
    uint8_t *start = s->zout + WS_MAX_HEADER - ho;
    ws_write_header(start, f->fin, f->opcode, len, NULL);
    if (f->opcode != WS_OP_CONT)
        start[0] |= 0x40;
    push(s, start, ho + len);
    s->z_busy = true;
}

static void data_end(struct ws_serve *s, bool fin)
{
    s->frames++;
    if (fin)
        s->msgs++;
}

/* Sink: payload bytes of the open frame. */
static size_t sink_payload(struct ws_serve *s, uint8_t *p, size_t n)
{
    size_t take = n < s->f_left ? n : (size_t)s->f_left;
    bool last = take == s->f_left;
    if (s->rd.msg_deflated) {
        ws_mask(p, take, s->f.mask, s->f_off);
        if (!inflate_piece(s, p, take, last && s->f.fin))
            return n;
    } else if (s->rd.msg_opcode == WS_OP_TEXT) {
        ws_mask(p, take, s->f.mask, s->f_off);
        if (!check_text(s, p, take, last && s->f.fin))
            return n;
    }
    s->f_left -= take;
    s->f_off += take;
    s->rx_payload += s->rd.msg_deflated ? 0 : take;
    s->rx_wire += take;
    if (last) {
        s->f_open = false;
        data_end(s, s->f.fin);
    }
    return take;
}

/* One frame (or, sink, its header) at buf. Returns the bytes used, 0 when
 * it must wait for more input or for the output to drain. */
static size_t take_frame(struct ws_serve *s, uint8_t *buf, size_t len)
{
    struct ws_frame f;
    int h = ws_parse_header_ext(buf, len, WS_SERVER, s->max_message, s->deflate, &f);
    if (h == WS_PARSE_INCOMPLETE)
        return 0;
    if (h < 0) {
        fail(s, f.close_code, f.err);
        return len;
    }
    bool whole = len - (size_t)h >= f.payload_len;
    if (f.opcode & 0x8) {
        if (!whole || s->ctl_busy)
            return 0;
        on_control(s, &f, buf + h);
        return (size_t)h + (size_t)f.payload_len;
    }
    if (!s->sink && !whole)
        return 0;
    bool deflated = f.opcode == WS_OP_CONT ? s->rd.msg_deflated : f.rsv1;
    if (!s->sink && deflated && s->z_busy)
        return 0; /* one compressed echo per batch: zout is pending */
    unsigned code = ws_reader_frame(&s->rd, &f, s->max_message);
    if (code != 0) {
        fail(s, code,
             code == WS_CLOSE_TOO_BIG ? "message over the size limit"
                                      : "frame out of the message sequence");
        return len;
    }
    s->rx_payload += s->sink || deflated ? 0 : f.payload_len;
    if (!s->sink) {
        s->rx_wire += f.payload_len;
        if (deflated)
            echo_deflated(s, &f, buf, (unsigned)h);
        else
            echo_frame(s, &f, buf, (unsigned)h);
        data_end(s, f.fin);
        return (size_t)h + (size_t)f.payload_len;
    }
    s->f = f;
    s->f_left = f.payload_len;
    s->f_off = 0;
    s->f_open = true;
    if (f.payload_len == 0 && deflated && f.fin && !inflate_piece(s, buf, 0, true))
        return len;
    if (f.payload_len == 0 && !deflated && !check_text(s, buf, 0, f.fin))
        return len;
    if (f.payload_len == 0) {
        s->f_open = false;
        data_end(s, f.fin);
    }
    return (size_t)h;
}

size_t ws_serve_input(struct ws_serve *s, uint8_t *buf, size_t len)
{
    if (s->state != S_OPEN)
        return len; /* after a close, input is read and dropped */
    if (pending(s))
        return 0;
    s->nout = s->out_first = 0;
    s->ctl_busy = false;
    s->z_busy = false;
    size_t off = 0;
    while (off < len && s->state == S_OPEN && s->nout < WS_SERVE_IOV) {
        size_t u =
            s->f_open ? sink_payload(s, buf + off, len - off) : take_frame(s, buf + off, len - off);
        if (u == 0)
            break;
        off += u;
    }
    return s->state == S_OPEN ? off : len;
}

size_t ws_serve_need(const struct ws_serve *s, const uint8_t *buf, size_t len)
{
    struct ws_frame f;
    if (s->f_open || s->state != S_OPEN)
        return 1;
    int h = ws_parse_header_ext(buf, len, WS_SERVER, s->max_message, s->deflate, &f);
    if (h < 0)
        return WS_MAX_HEADER;
    if (s->sink && !(f.opcode & 0x8))
        return (size_t)h;
    return (size_t)h + (size_t)f.payload_len;
}

int ws_serve_pending(const struct ws_serve *s, struct iovec *iov, int max)
{
    int n = 0;
    for (int i = s->out_first; i < s->nout && n < max; i++)
        iov[n++] = s->out[i];
    return n;
}

void ws_serve_sent(struct ws_serve *s, size_t n)
{
    while (n > 0 && s->out_first < s->nout) {
        struct iovec *v = &s->out[s->out_first];
        size_t k = n < v->iov_len ? n : v->iov_len;
        v->iov_base = (uint8_t *)v->iov_base + k;
        v->iov_len -= k;
        n -= k;
        if (v->iov_len == 0)
            s->out_first++;
    }
}

bool ws_serve_done(const struct ws_serve *s)
{
    return s->state == S_CLOSING && !pending(s);
}
