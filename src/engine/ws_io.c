/* The WebSocket client's data path: messages queued as masked frames,
 * and the server's frames followed and counted. ws_upgrade.c holds the
 * upgrade, drv_ws.c the driver table and the connections. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "http_io.h"
#include "http_target.h"
#include "ws_io.h"

#define IO_BUDGET 16

static struct wsep *W(const struct ep *ep)
{
    return ws_io_wsep(ep);
}

void ws_io_issue(struct ep *ep, uint64_t now)
{
    struct wsep *s = W(ep);
    if (ep->state != EP_RUN || s->close_due)
        return;
    if (ep->role & EP_RATE) {
        uint64_t when;
        while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
               ep->ring_n < ep->quota) {
            ep_ring_push(ep, when);
            s->to_send++;
            ep->sched_k++;
        }
        if (s->upgraded && ep->ring_n <= ep->ring_mask && ep->ring_n < ep->quota)
            loop_timer_set(ep->w->loop, &ep->timer, when);
        return;
    }
    if (!(ep->role & EP_RR_CLIENT)) { /* stream: as many as the buffer takes */
        s->to_send = ep->quota < UINT32_MAX ? (uint32_t)ep->quota : UINT32_MAX;
        return;
    }
    uint32_t depth = (ep->role & EP_CRR) ? 1 : ep->w->req->pipeline;
    while (ep->ring_n < depth && ep->ring_n < ep->quota) {
        ep_ring_push(ep, now);
        s->to_send++;
    }
}

/* --- sending ----------------------------------------------------------- */

static void new_key(struct wsep *s, uint8_t key[4])
{
    /* xorshift64*: unpredictable enough for masking, which exists to stop
     * cache poisoning through proxies, not to keep secrets (RFC 6455 10.3). */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    uint32_t k = (uint32_t)((s->rng * 0x2545F4914F6CDD1Dull) >> 32);
    memcpy(key, &k, 4);
}

/* A control frame (pong, close), masked, at a frame boundary. */
static bool queue_control(struct wsep *s, uint8_t op, const uint8_t *p, size_t n)
{
    if (s->tx_cap - s->tx_len < WS_MAX_HEADER + n)
        return false;
    uint8_t key[4];
    new_key(s, key);
    s->tx_len += ws_write_header(s->tx + s->tx_len, true, op, n, key);
    ws_mask_copy(s->tx + s->tx_len, p, n, key, 0);
    s->tx_len += n;
    return true;
}

/* A stream's window mark: a ping, at the first message boundary in the
 * window, from which netrig's sink counts what its close frame reports. */
static const uint8_t window_mark[] = "netrig-window";
#define MARK_LEN (sizeof(window_mark) - 1)

static void queue_mark(struct ep *ep)
{
    struct wsep *s = W(ep);
    if (s->mark_sent || (ep->role & EP_RR_CLIENT) || !wctx_measuring(ep->w))
        return;
    s->mark_sent = queue_control(s, WS_OP_PING, window_mark, MARK_LEN);
}

/* permessage-deflate: the message's payload (zeros) compressed whole
 * into zmsg, with the stream the connection keeps. Returns 0, or -1 when
 * it did not fit (then it goes uncompressed, as a peer may send any
 * message, and the stream starts afresh). */
static int compress_message(struct ep *ep)
{
    struct wsep *s = W(ep);
    uint64_t left = ep->w->http->ws_size;
    s->zlen = 0;
    do {
        size_t k = left < EP_ZERO_LEN ? (size_t)left : EP_ZERO_LEN, used = 0;
        if (ws_deflate_put(&s->z, ep_zero, k, k == left, s->zmsg, s->zcap, &s->zlen, &used) != 0) {
            ws_deflate_drop(&s->z);
            return -1;
        }
        left -= k;
    } while (left > 0);
    return 0;
}

/* A new message: its first frame header comes with the payload. */
static bool next_message(struct ep *ep)
{
    struct wsep *s = W(ep);
    if (s->to_send == 0)
        return false;
    s->to_send--;
    uint64_t size = ep->w->http->ws_size;
    s->g = (struct ws_gen){.active = true, .first = true, .msg_left = size};
    if (s->deflate && compress_message(ep) == 0) {
        s->g.zsrc = true;
        s->g.msg_left = s->zlen;
    }
    if (wctx_measuring(ep->w) && ep->w->http->ws_deflate) {
        ep->w->st->ws_wire_bytes += s->g.msg_left;
        ep->w->st->ws_wire_payload += size;
    }
    return true;
}

/* Queues the header of the next frame of the message. */
static bool next_frame(struct ep *ep)
{
    struct wsep *s = W(ep);
    const struct http_target *t = ep->w->http;
    struct ws_gen *g = &s->g;
    uint64_t len = t->ws_frame && t->ws_frame < g->msg_left ? t->ws_frame : g->msg_left;
    if (s->tx_cap - s->tx_len < WS_MAX_HEADER)
        return false;
    uint8_t op = !g->first ? WS_OP_CONT : t->ws_text ? WS_OP_TEXT : WS_OP_BINARY;
    g->fin = len == g->msg_left;
    new_key(s, g->key);
    uint8_t *h = s->tx + s->tx_len;
    s->tx_len += ws_write_header(h, g->fin, op, len, g->key);
    if (g->first && g->zsrc)
        h[0] |= 0x40; /* RSV1: compressed, on the message's first frame */
    g->first = false;
    g->msg_left -= len;
    g->frame_left = len;
    g->frame_off = 0;
    return true;
}

/* The message is wholly queued: a stream counts it sent. */
static void message_queued(struct ep *ep)
{
    struct stats *st = ep->w->st;
    W(ep)->g.active = false;
    st->tx_total += ep->w->http->ws_size;
    if (ep->role & EP_RR_CLIENT)
        return;
    if (wctx_measuring(ep->w)) {
        st->tx_bytes += ep->w->http->ws_size;
        st->tx_msgs++;
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
}

/* Fills the send buffer with frames: payload bytes (zeros: valid in text
 * and binary alike; or, deflated, the compressed message) masked on their
 * way in. Compressed messages are small on the wire: a fill stops after a
 * buffer's worth of payload, so that one call does not compress for long
 * without the loop looking at its clock. */
static void fill(struct ep *ep)
{
    struct wsep *s = W(ep);
    struct ws_gen *g = &s->g;
    uint64_t payload = 0;
    while (s->tx_len < s->tx_cap) {
        if (!g->active || (g->frame_left == 0 && g->fin)) {
            if (s->pong_due && queue_control(s, WS_OP_PONG, s->pong, s->pong_len))
                s->pong_due = false;
            queue_mark(ep);
            if (s->close_due && !s->close_queued) {
                static const uint8_t normal[2] = {0x03, 0xE8};
                s->close_queued = queue_control(s, WS_OP_CLOSE, normal, 2);
                return;
            }
            if (g->active)
                message_queued(ep);
            if (s->close_queued || payload >= s->tx_cap || !next_message(ep))
                return;
            payload += ep->w->http->ws_size;
        }
        if (g->frame_left == 0 && !next_frame(ep))
            return;
        size_t room = s->tx_cap - s->tx_len;
        size_t take = g->frame_left < room ? (size_t)g->frame_left : room;
        take = g->zsrc || take < EP_ZERO_LEN ? take : EP_ZERO_LEN;
        ws_mask_copy(s->tx + s->tx_len, g->zsrc ? s->zmsg + g->src_off : ep_zero, take, g->key,
                     g->frame_off);
        g->src_off += g->zsrc ? take : 0;
        s->tx_len += take;
        g->frame_left -= take;
        g->frame_off += take;
    }
}

int ws_io_write(struct ep *ep)
{
    struct wsep *s = W(ep);
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        if (s->tx_off == s->tx_len) {
            s->tx_off = s->tx_len = 0;
            if (s->upgraded)
                fill(ep);
            if (s->tx_len == 0)
                return 0;
        }
        size_t done = 0;
        enum tls_result r = conn_slot_send(ep, s->tx + s->tx_off, s->tx_len - s->tx_off, &done);
        if (r == TLS_OK) {
            s->tx_off += done;
            continue;
        }
        if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
            ep->want_out = r == TLS_WANT_WRITE;
            return 0;
        }
        ep->w->st->err[ERRC_WRITE]++;
        ep->drv->close(ep, false);
        return -1;
    }
    ep->want_out = true;
    return 0;
}

void ws_io_close(struct ep *ep)
{
    struct wsep *s = W(ep);
    if (ep->role & EP_RR_CLIENT) { /* requests not yet queued are dropped */
        ep->ring_n -= s->to_send;
        s->to_send = 0;
        if (ep->ring_n == 0 || (ep->role & EP_CRR))
            s->close_due = true; /* else when the last answer is in */
        return;
    }
    s->to_send = 0;
    s->close_due = true;
}

/* --- receiving --------------------------------------------------------- */

/* A whole message came back: a transaction (rr, rate) or, crr, the
 * message before the close. Returns -1 when the connection was closed. */
static int message_done(struct ep *ep, uint64_t now)
{
    struct wsep *s = W(ep);
    struct stats *st = ep->w->st;
    if (!(ep->role & EP_RR_CLIENT))
        return 0; /* a stream's peer echoing: read and dropped */
    if (ep->ring_n == 0 || ep->ring_n - s->to_send == 0) {
        st->err[ERRC_PROTOCOL]++; /* an answer to nothing sent */
        ep->drv->close(ep, false);
        return -1;
    }
    if (ep->role & EP_CRR) { /* timed when the close handshake is done */
        s->close_due = true;
        s->crr_hdr = s->msg_hdr;
        s->msg_hdr = 0;
        return 0;
    }
    uint64_t t0 = ep_ring_pop(ep);
    if (wctx_measuring(ep->w)) {
        st->txn++;
        st->rx_msgs++;
        st->tx_bytes += ep->w->http->ws_size;
        st->hdr_bytes += s->msg_hdr; /* per completed message, as txn */
        if (ep_timed(ep))
            hist_record(&st->lat, (int64_t)(now - t0));
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    s->msg_hdr = 0;
    if (ep->state == EP_DRAIN && ep->ring_n == 0)
        s->close_due = true;
    ws_io_issue(ep, now);
    return 0;
}

/* A stream's close answer from netrig's sink ("msgs=N bytes=B": what it
 * received since our window mark): the receiver's figures for the row,
 * over the time from the mark's pong to this answer (each arrives half a
 * round trip after the sink saw it, so the two shifts cancel). */
static void sink_count(struct ep *ep, uint64_t now)
{
    struct wsep *s = W(ep);
    struct stats *st = ep->w->st;
    unsigned long long msgs, bytes;
    char reason[WS_MAX_CONTROL + 1];
    if ((ep->role & EP_RR_CLIENT) || s->mark_ns == 0 || s->ctl_len < 2)
        return;
    memcpy(reason, s->ctl + 2, s->ctl_len - 2);
    reason[s->ctl_len - 2] = '\0';
    if (sscanf(reason, "msgs=%llu bytes=%llu", &msgs, &bytes) != 2)
        return;
    st->ws_peer_msgs += msgs;
    st->ws_peer_bytes += bytes;
    st->ws_peer_ns += now - s->mark_ns;
    st->ws_peer_conns++;
}

/* The server's close: the end of our close handshake (crr: the end of the
 * transaction), or the server ending the connection on its own. */
static int peer_close(struct ep *ep, uint64_t now)
{
    struct wsep *s = W(ep);
    struct stats *st = ep->w->st;
    if (!s->close_queued) {
        st->err[ERRC_READ]++;
        ep->drv->close(ep, false);
        return -1;
    }
    if ((ep->role & EP_CRR) && ep->ring_n > 0) {
        uint64_t t0 = ep_ring_pop(ep);
        if (wctx_measuring(ep->w)) {
            st->txn++;
            st->rx_msgs++;
            st->tx_bytes += ep->w->http->ws_size;
            st->hdr_bytes += s->crr_hdr;
            if (ep_timed(ep))
                hist_record(&st->lat, (int64_t)(now - t0));
            if (ep->quota != UINT64_MAX && --ep->quota == 0)
                ep_quota_done(ep);
        }
        return conn_slot_done(ep);
    }
    sink_count(ep, clock_now_ns());
    ep->drv->close(ep, true);
    return -1;
}

int ws_io_fail(struct ep *ep, int cls)
{
    ep->w->st->err[cls]++;
    ep->drv->close(ep, false);
    return -1;
}

/* Counts n payload bytes received. */
static void count_rx(struct ep *ep, uint64_t n)
{
    ep->w->st->rx_total += n;
    if (wctx_measuring(ep->w) && (ep->role & EP_RR_CLIENT))
        ep->w->st->rx_bytes += n;
    if (wctx_measuring(ep->w) && ep->w->http->ws_deflate)
        ep->w->st->ws_wire_payload += n;
}

/* Payload bytes of a message received: checked as text, counted as they
 * come, or, inflated from a compressed message, when it is whole (a bomb
 * stopped at the limit counts nothing). Returns 0 or a close code (1007). */
static unsigned message_bytes(void *arg, const uint8_t *p, size_t n)
{
    struct ep *ep = arg;
    struct wsep *s = W(ep);
    if (s->rd.msg_opcode == WS_OP_TEXT && !ws_utf8_feed(&s->rd.utf8, p, n))
        return WS_CLOSE_BAD_DATA;
    if (s->rd.msg_deflated)
        s->z_msg += n;
    else
        count_rx(ep, n);
    return 0;
}

/* The client's bound on a message inflated: the server's own limit, or
 * the message size asked for when larger. */
static uint64_t inflate_limit(const struct ep *ep)
{
    uint64_t size = ep->w->http->ws_size;
    return size > WS_DEFLATE_MAX_MESSAGE ? size : WS_DEFLATE_MAX_MESSAGE;
}

/* Inflates a piece of a compressed message (end: its last). Returns false
 * on bad data or past the bound; the first such names the server. */
static bool inflate_piece(struct ep *ep, const uint8_t *p, size_t n, bool end)
{
    struct wsep *s = W(ep);
    unsigned code = ws_deflate_take(&s->z, p, n, end, inflate_limit(ep), message_bytes, ep);
    if (code == 0)
        return true;
    struct stats *st = ep->w->st;
    if (!st->note[0])
        snprintf(st->note, sizeof(st->note), "server %.60s: %s", ep->w->http->authority,
                 code == WS_CLOSE_TOO_BIG ? "a compressed message inflates past the limit"
                                          : "a compressed message is not valid");
    return false;
}

/* A frame's payload is all in. Returns -1 when the connection was closed. */
static int frame_done(struct ep *ep, uint64_t now)
{
    struct wsep *s = W(ep);
    const struct ws_frame *f = &s->f;
    s->in_frame = false;
    if (f->opcode == WS_OP_PING) {
        memcpy(s->pong, s->ctl, s->ctl_len);
        s->pong_len = s->ctl_len;
        s->pong_due = true;
        return 0;
    }
    if (f->opcode == WS_OP_CLOSE) {
        unsigned code;
        if (ws_close_parse(s->ctl, s->ctl_len, &code) != 0)
            return ws_io_fail(ep, ERRC_PROTOCOL);
        return peer_close(ep, now);
    }
    if (f->opcode == WS_OP_PONG) {
        if (s->mark_sent && s->mark_ns == 0 && s->ctl_len == MARK_LEN &&
            memcmp(s->ctl, window_mark, MARK_LEN) == 0)
            s->mark_ns = clock_now_ns();
        return 0;
    }
    if (!f->fin)
        return 0;
    if (s->rd.msg_deflated && !inflate_piece(ep, NULL, 0, true))
        return ws_io_fail(ep, ERRC_PROTOCOL); /* the message's end: 00 00 ff ff put back */
    if (s->rd.msg_deflated)
        count_rx(ep, s->z_msg);
    s->z_msg = 0;
    if (s->rd.msg_opcode == WS_OP_TEXT && !ws_utf8_done(s->rd.utf8))
        return ws_io_fail(ep, ERRC_PROTOCOL);
    return message_done(ep, now);
}

/* Payload bytes of the frame in progress. */
static size_t payload(struct ep *ep, const uint8_t *p, size_t n)
{
    struct wsep *s = W(ep);
    size_t take = n < s->f_left ? n : (size_t)s->f_left;
    if (s->f.opcode & 0x8) {
        memcpy(s->ctl + s->ctl_len, p, take);
        s->ctl_len += take;
    } else {
        if (wctx_measuring(ep->w) && ep->w->http->ws_deflate)
            ep->w->st->ws_wire_bytes += take;
        if (s->rd.msg_deflated ? !inflate_piece(ep, p, take, false)
                               : message_bytes(ep, p, take) != 0)
            return SIZE_MAX;
    }
    s->f_left -= take;
    return take;
}

/* A frame header, perhaps split across reads (kept in hdr). Returns the
 * bytes of p used, 0 when more are needed, SIZE_MAX on a protocol error. */
static size_t header(struct ep *ep, const uint8_t *p, size_t n)
{
    struct wsep *s = W(ep);
    size_t copy = sizeof(s->hdr) - s->hlen < n ? sizeof(s->hdr) - s->hlen : n;
    memcpy(s->hdr + s->hlen, p, copy);
    int h = ws_parse_header_ext(s->hdr, s->hlen + copy, WS_CLIENT, 0, s->deflate, &s->f);
    if (h == WS_PARSE_INCOMPLETE) {
        s->hlen += (unsigned)copy;
        return copy;
    }
    if (h < 0 || ws_reader_frame(&s->rd, &s->f, 0) != 0)
        return SIZE_MAX;
    size_t used = (size_t)h - s->hlen;
    s->hlen = 0;
    s->in_frame = true;
    s->f_left = s->f.payload_len;
    s->ctl_len = 0;
    if (!(s->f.opcode & 0x8))
        s->msg_hdr += (unsigned)h;
    return used;
}

/* Frames in p[0..n). Returns -1 when the connection was closed. */
static int feed(struct ep *ep, const uint8_t *p, size_t n)
{
    struct wsep *s = W(ep);
    uint64_t now = ep_timed(ep) || (ep->role & EP_RATE) ? clock_now_ns() : 0;
    size_t off = 0;
    while (off < n || (s->in_frame && s->f_left == 0)) {
        if (s->in_frame && s->f_left == 0) {
            if (frame_done(ep, now) < 0)
                return -1;
            continue;
        }
        size_t u = s->in_frame ? payload(ep, p + off, n - off) : header(ep, p + off, n - off);
        if (u == SIZE_MAX)
            return ws_io_fail(ep, ERRC_PROTOCOL);
        off += u;
    }
    return 0;
}

int ws_io_read(struct ep *ep, bool wait)
{
    struct wsep *s = W(ep);
    uint8_t *buf = ep->w->rxbuf;
    int any = 0;
    for (int i = 0; i < IO_BUDGET; i++) {
        size_t got = 0;
        enum tls_result r =
            conn_slot_recv(ep, buf, ep->w->rxcap, &got, wait && i == 0 && ep_waits(ep));
        if (r == TLS_OK) {
            any = 1;
            size_t used = 0;
            if (!s->upgraded) {
                long u = ws_upgrade_answer(ep, buf, got);
                if (u < 0)
                    return -1;
                used = (size_t)u;
            }
            if (s->upgraded && used < got && feed(ep, buf + used, got - used) < 0)
                return -1;
            if (!conn_slot_more(ep, got, ep->w->rxcap))
                return any;
            continue;
        }
        if (r == TLS_WANT_READ)
            return any;
        if (r == TLS_WANT_WRITE) {
            ep->want_out = true;
            return any;
        }
        if (r == TLS_EOF && s->close_queued && ep->ring_n == 0) {
            ep->drv->close(ep, true); /* closed after our close: fine */
            return -1;
        }
        return r == TLS_EOF ? ws_io_fail(ep, ERRC_READ) : conn_slot_read_fail(ep);
    }
    return any;
}

int ws_io_wait_setup(struct ep *ep)
{
    return ep->w->http->tls ? -1 : ep_wait_setup(ep);
}

bool ws_io_spec(struct ep *ep)
{
    const struct wsep *s = W(ep);
    if (!(ep->role & EP_RR_CLIENT) || (ep->role & EP_CRR) || ep->state != EP_RUN || !s->upgraded ||
        ep->want_out || s->tx_off != s->tx_len || s->to_send > 0 || s->g.active || ep->ring_n == 0)
        return false;
    if (ep_waits(ep))
        return true;
    return ep_spec_try(ep);
}
