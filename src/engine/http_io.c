/* The HTTP client's data path: requests queued in the ring of start
 * times, their heads and bodies written (plain or TLS), and responses
 * followed with http_reader and counted. drv_http.c holds the driver
 * table and the connections. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "http_target.h"
#include "http_io.h"

#define IO_BUDGET 16

void http_io_issue(struct ep *ep, uint64_t now)
{
    struct hep *h = http_io_hep(ep);
    if (ep->state != EP_RUN)
        return;
    if (ep->role & EP_RATE) {
        uint64_t when;
        while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
               ep->ring_n < ep->quota) {
            ep_ring_push(ep, when);
            h->to_send++;
            ep->sched_k++;
        }
        if (h->cs.phase == CS_RUN && ep->ring_n <= ep->ring_mask && ep->ring_n < ep->quota)
            loop_timer_set(ep->w->loop, &ep->timer, when);
        return;
    }
    uint32_t depth = (ep->role & EP_CRR) ? 1 : ep->w->req->pipeline;
    while (ep->ring_n < depth && ep->ring_n < ep->quota) {
        ep_ring_push(ep, now);
        h->to_send++;
    }
}

/* --- sending ----------------------------------------------------------- */

/* The iovecs of what is queued: request heads and bodies, several
 * requests when pipelining. */
static int build_iov(struct ep *ep, struct iovec *iov, int max)
{
    const struct http_target *t = ep->w->http;
    struct hep *h = http_io_hep(ep);
    uint64_t pos = h->tx_pos;
    int n = 0;
    for (uint32_t k = 0; k < h->to_send && n < max; k++, pos = 0) {
        if (pos < t->head_len)
            iov[n++] = (struct iovec){(void *)(t->head + pos), t->head_len - (size_t)pos};
        uint64_t body_off = pos > t->head_len ? pos - t->head_len : 0;
        if (n < max && body_off < t->body_len) {
            uint64_t left = t->body_len - body_off;
            iov[n++] = (struct iovec){(void *)(uintptr_t)ep_zero,
                                      left < EP_ZERO_LEN ? (size_t)left : EP_ZERO_LEN};
            if (left > EP_ZERO_LEN)
                break; /* the rest of this body goes next time */
        }
    }
    return n;
}

static void account_sent(struct ep *ep, size_t n)
{
    const struct http_target *t = ep->w->http;
    struct hep *h = http_io_hep(ep);
    uint64_t unit = t->head_len + t->body_len, body = 0;
    struct stats *s = ep->w->st;
    s->tx_total += n;
    while (n > 0 && h->to_send > 0) {
        uint64_t take = unit - h->tx_pos < n ? unit - h->tx_pos : n;
        uint64_t b0 = h->tx_pos > t->head_len ? h->tx_pos : t->head_len;
        uint64_t b1 = h->tx_pos + take;
        body += b1 > b0 ? b1 - b0 : 0;
        h->tx_pos += take;
        n -= (size_t)take;
        if (h->tx_pos == unit) {
            h->tx_pos = 0;
            h->to_send--;
        }
    }
    if (wctx_measuring(ep->w))
        s->tx_bytes += body;
}

static enum tls_result io_write(struct ep *ep, struct iovec *iov, int n, size_t *done)
{
    struct hep *h = http_io_hep(ep);
    if (h->cs.ssl != NULL) {
        /* Small pipelined requests go out in one record. */
        char buf[16384];
        size_t len = 0;
        for (int i = 0; i < n && len + iov[i].iov_len <= sizeof(buf); i++) {
            memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
            len += iov[i].iov_len;
        }
        if (len == 0)
            return tls_write(h->cs.ssl, iov[0].iov_base, iov[0].iov_len, done);
        return tls_write(h->cs.ssl, buf, len, done);
    }
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t w = sendmsg(ep->io.fd, &mh, MSG_NOSIGNAL);
    if (w >= 0) {
        *done = (size_t)w;
        return TLS_OK;
    }
    return errno == EAGAIN || errno == EINTR ? TLS_WANT_WRITE : TLS_ERR;
}

int http_io_write(struct ep *ep)
{
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        struct iovec iov[8];
        int n = build_iov(ep, iov, 8);
        if (n == 0)
            return 0;
        size_t done = 0;
        enum tls_result r = io_write(ep, iov, n, &done);
        if (r == TLS_OK) {
            account_sent(ep, done);
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

/* --- receiving --------------------------------------------------------- */

/* Body bytes count as they arrive in the window, not when their response
 * completes: a body straddling an edge counts for its part inside. 4xx and
 * 5xx bodies stay out, as their responses do. */
static void credit_body(struct ep *ep)
{
    struct hep *h = http_io_hep(ep);
    uint64_t got = h->rd.body_bytes - h->credited;
    h->credited = h->rd.body_bytes;
    if (got > 0 && h->rd.resp.status < 400 && wctx_measuring(ep->w))
        ep->w->st->rx_bytes += got;
}

/* A whole response arrived. Returns -1 when the connection was closed
 * (crr, or the server said it would close). */
static int response_done(struct ep *ep, uint64_t now)
{
    struct hep *h = http_io_hep(ep);
    struct stats *s = ep->w->st;
    bool meas = wctx_measuring(ep->w);
    if (ep->ring_n == 0) {
        s->err[ERRC_PARSE]++; /* an answer nobody asked for */
        ep->drv->close(ep, false);
        return -1;
    }
    /* Requests go out in ring order: the oldest ring_n - to_send are on
     * the wire, and one more has begun when tx_pos > 0. An answer to a
     * request not yet sent is a server answering ahead (a transaction of
     * 0 ns): one protocol error, and the connection is not trusted on. */
    if (ep->ring_n - h->to_send == 0 && h->tx_pos == 0) {
        s->err[ERRC_PROTOCOL]++;
        ep->drv->close(ep, false);
        return -1;
    }
    credit_body(ep);
    h->credited = 0; /* the next response starts from zero */
    uint64_t t0 = ep_ring_pop(ep);
    int st = h->rd.resp.status;
    bool last = ep->state == EP_DRAIN && ep->ring_n == 0;
    if (meas) {
        s->rx_total += h->rd.body_bytes + h->rd.head_bytes;
        if (st >= 400) {
            s->err[st >= 500 ? ERRC_STATUS_5XX : ERRC_STATUS_4XX]++;
        } else {
            s->txn++;
            s->rx_msgs++;
            s->body_done += h->rd.body_bytes;
            s->hdr_bytes += h->rd.head_bytes;
            if (ep_timed(ep))
                hist_record(&s->lat, (int64_t)(now - t0));
        }
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    if ((ep->role & EP_CRR) || !h->rd.resp.keep_alive || last) {
        return conn_slot_done(ep);
    }
    http_io_issue(ep, now);
    return 0;
}

/* The reason is copied only while it still lies in buf: a head parsed by
 * an earlier read may have been overwritten since. */
void http_io_note_status(struct stats *st, const struct http_response *r, const char *buf,
                         size_t len)
{
    if (r->status < 400 || st->note[0])
        return;
    bool fresh = r->reason >= buf && r->reason + r->reason_len <= buf + len;
    int n = fresh && r->reason_len < 80 ? (int)r->reason_len : 0;
    snprintf(st->note, sizeof(st->note), "status %d (HTTP/1.%d %d %.*s)", r->status,
             r->minor_version, r->status, n, fresh ? r->reason : "");
}

/* Feeds what was read (hold first). Returns -1 when closed. */
static int feed(struct ep *ep, char *buf, size_t len)
{
    struct hep *h = http_io_hep(ep);
    size_t off = 0;
    /* Without timing, only open-loop schedules need the time. */
    uint64_t now = ep_timed(ep) || (ep->role & EP_RATE) ? clock_now_ns() : 0;
    while (off < len) {
        size_t used = 0;
        enum http_read_result r = http_reader_feed(&h->rd, buf + off, len - off, &used);
        off += used;
        credit_body(ep);
        if (r == HTTP_READ_ERROR) {
            ep->w->st->err[ERRC_PARSE]++;
            ep->drv->close(ep, false);
            return -1;
        }
        if (r == HTTP_READ_DONE) {
            http_io_note_status(ep->w->st, &h->rd.resp, buf, len);
            if (response_done(ep, now) < 0)
                return -1;
            continue;
        }
        if (off < len) { /* the start of a head: keep it for the next read */
            memcpy(h->hold, buf + off, len - off);
            h->held = len - off;
        }
        return 0;
    }
    h->held = 0;
    return 0;
}

/* The server closed: a body read until close ends here; otherwise it is
 * a keep-alive connection ending, clean or cut short. */
static void on_eof(struct ep *ep)
{
    struct hep *h = http_io_hep(ep);
    enum http_read_result r = http_reader_eof(&h->rd, h->held);
    if (r == HTTP_READ_DONE) {
        if (response_done(ep, clock_now_ns()) < 0)
            return;
    } else if (r == HTTP_READ_ERROR || ep->ring_n > h->to_send) {
        ep->w->st->err[ERRC_READ]++; /* a response was cut short or never came */
    }
    ep->drv->close(ep, false);
}

int http_io_read(struct ep *ep)
{
    struct hep *h = http_io_hep(ep);
    char *buf = (char *)ep->w->rxbuf;
    for (int i = 0; i < IO_BUDGET; i++) {
        size_t got = 0, held = h->held;
        memcpy(buf, h->hold, held);
        enum tls_result r = conn_slot_recv(ep, buf + held, ep->w->rxcap - held, &got, false);
        if (r == TLS_OK) {
            if (feed(ep, buf, held + got) < 0)
                return -1;
            if (!conn_slot_more(ep, held + got, ep->w->rxcap))
                return 0;
            continue;
        }
        if (r == TLS_WANT_READ)
            return 0;
        if (r == TLS_WANT_WRITE) {
            ep->want_out = true;
            return 0;
        }
        if (r == TLS_EOF) {
            on_eof(ep);
            return -1;
        }
        return conn_slot_read_fail(ep);
    }
    return 0;
}
