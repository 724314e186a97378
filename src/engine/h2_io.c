/* The HTTP/2 client's data path: nghttp2's callbacks (what a response
 * says and when its stream ends), the requests queued in the ring and
 * opened as streams, and the bytes moved between the session and the
 * connection (plain or TLS). drv_h2.c holds the driver table and the
 * connections. Nothing here allocates per request: a stream's state is a
 * slot taken from the endpoint's free list (nghttp2 allocates its own). */
#include "h2_io.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http_target.h"

#define IO_BUDGET 16
#define H2_WINDOW ((1u << 30) - 1) /* our receive windows, as h2load's default */

static nghttp2_session_callbacks *cbs;
static pthread_once_t cbs_once = PTHREAD_ONCE_INIT;

static struct h2slot *slot_of(struct h2ep *h, nghttp2_session *ns, int32_t id)
{
    uintptr_t k = (uintptr_t)nghttp2_session_get_stream_user_data(ns, id);
    return k == 0 || k > h->nslots ? NULL : &h->slot[k - 1];
}

static void slot_free(struct h2ep *h, struct h2slot *s)
{
    s->used = false;
    h->free_slots[h->nfree++] = (uint32_t)(s - h->slot);
}

/* A request goes back to the ring with its start time (it was never
 * answered: the server refused it or the connection ended); its latency
 * will show the wait. Dropped when a rate backlog has filled the ring. */
static void requeue(struct ep *ep, uint64_t t0)
{
    if (ep->ring_n <= ep->ring_mask)
        ep_ring_push(ep, t0);
}

/* --- nghttp2's callbacks ----------------------------------------------- */

static int on_header(nghttp2_session *ns, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)flags;
    struct h2ep *h = h2_io_hep(ud);
    if (f->hd.type != NGHTTP2_HEADERS || namelen != 7 || memcmp(name, ":status", 7) != 0)
        return 0;
    struct h2slot *s = slot_of(h, ns, f->hd.stream_id);
    if (s != NULL && valuelen == 3)
        s->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    return 0;
}

/* Body bytes count as they arrive in the window, as HTTP/1.1's do. */
static int on_data(nghttp2_session *ns, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *ud)
{
    (void)flags;
    (void)data;
    struct ep *ep = ud;
    struct h2slot *s = slot_of(h2_io_hep(ep), ns, id);
    if (s == NULL)
        return 0;
    s->body += len;
    ep->w->st->rx_total += len;
    if (s->status < 400 && wctx_measuring(ep->w))
        ep->w->st->rx_bytes += len;
    return 0;
}

static int on_frame_recv(nghttp2_session *ns, const nghttp2_frame *f, void *ud)
{
    struct ep *ep = ud;
    struct h2ep *h = h2_io_hep(ep);
    struct stats *st = ep->w->st;
    bool meas = wctx_measuring(ep->w);
    st->h2_frames += meas;
    if (f->hd.type == NGHTTP2_HEADERS && meas)
        st->hdr_bytes += f->hd.length + 9;
    if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
        (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        struct h2slot *s = slot_of(h, ns, f->hd.stream_id);
        if (s != NULL)
            s->done = true;
    }
    if (f->hd.type == NGHTTP2_SETTINGS && !(f->hd.flags & NGHTTP2_FLAG_ACK))
        h->settings = true;
    if (f->hd.type == NGHTTP2_RST_STREAM) {
        uint32_t c = f->rst_stream.error_code;
        st->h2err[c == NGHTTP2_REFUSED_STREAM ? H2E_RST_REFUSED
                  : c == NGHTTP2_CANCEL       ? H2E_RST_CANCEL
                                              : H2E_RST_OTHER]++;
    }
    if (f->hd.type == NGHTTP2_GOAWAY) {
        h->closing = true;
        if (f->goaway.error_code != NGHTTP2_NO_ERROR)
            st->h2err[H2E_GOAWAY]++;
    }
    return 0;
}

static int on_frame_send(nghttp2_session *ns, const nghttp2_frame *f, void *ud)
{
    (void)ns;
    struct ep *ep = ud;
    struct stats *st = ep->w->st;
    if (f->hd.type == NGHTTP2_DATA)
        h2_io_hep(ep)->stalled = false;
    if (f->hd.type == NGHTTP2_GOAWAY && f->goaway.error_code != NGHTTP2_NO_ERROR)
        st->err[ERRC_PROTOCOL]++; /* our session found the server at fault */
    if (!wctx_measuring(ep->w))
        return 0;
    st->h2_frames++;
    if (f->hd.type == NGHTTP2_HEADERS)
        st->req_hdr_bytes += f->hd.length + 9;
    return 0;
}

/* A whole response: timed and counted as HTTP/1.1's are. */
static void complete(struct ep *ep, const struct h2slot *s)
{
    struct stats *st = ep->w->st;
    struct h2ep *h = h2_io_hep(ep);
    h->completed++;
    if (!wctx_measuring(ep->w))
        return;
    if (s->status >= 400 || s->status < 100) {
        st->err[s->status >= 500   ? ERRC_STATUS_5XX
                : s->status >= 400 ? ERRC_STATUS_4XX
                                   : ERRC_PARSE]++;
    } else {
        st->txn++;
        st->rx_msgs++;
        st->body_done += s->body;
        if (ep_timed(ep))
            hist_record(&st->lat, (int64_t)(clock_now_ns() - s->t0));
    }
    if (ep->quota != UINT64_MAX && --ep->quota == 0)
        ep_quota_done(ep);
}

static int on_stream_close(nghttp2_session *ns, int32_t id, uint32_t code, void *ud)
{
    struct ep *ep = ud;
    struct h2ep *h = h2_io_hep(ep);
    struct h2slot *s = slot_of(h, ns, id);
    if (s == NULL || !s->used)
        return 0;
    h->open--;
    if (s->done && code == NGHTTP2_NO_ERROR) {
        complete(ep, s);
    } else if (code == NGHTTP2_REFUSED_STREAM) {
        /* Not processed (RST_STREAM, or above a GOAWAY's last stream):
         * safe to ask again. RST_STREAM frames were counted as they came. */
        requeue(ep, s->t0);
    } else {
        if (wctx_measuring(ep->w) && ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    slot_free(h, s);
    return 0;
}

/* POST bodies: zeros, written by nghttp2 into its frames. */
static ssize_t body_read(nghttp2_session *ns, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *ud)
{
    (void)ns;
    (void)id;
    struct ep *ep = ud;
    struct h2slot *s = src->ptr;
    size_t n = s->body_left < len ? (size_t)s->body_left : len;
    memset(buf, 0, n);
    s->body_left -= n;
    if (s->body_left == 0)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    ep->w->st->tx_total += n;
    if (wctx_measuring(ep->w))
        ep->w->st->tx_bytes += n;
    return (ssize_t)n;
}

static void cbs_init(void)
{
    if (nghttp2_session_callbacks_new(&cbs) != 0)
        return;
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
}

/* --- sessions and requests ---------------------------------------------- */

int h2_io_init(struct ep *ep)
{
    const struct http_target *t = ep->w->http;
    const struct ctrl_request *q = ep->w->req;
    struct h2ep *h = calloc(1, sizeof(*h));
    ep->priv = h;
    if (h == NULL)
        return -1;
    h->nslots = (ep->role & EP_CRR) ? 1 : t->h2.streams;
    double cap = h->nslots;
    if (ep->role & EP_RATE) {
        double share = ep_rate_share(q, q->conns);
        ep->period_ns = share > 0 ? 1e9 / share : 1e9;
        cap = share * 4 + h->nslots; /* four seconds of backlog, as HTTP/1.1's */
    }
    uint32_t n = 1;
    while (n < cap && n < (1u << 30))
        n <<= 1;
    ep->ring_mask = n - 1;
    ep->ring = malloc(n * sizeof(*ep->ring));
    h->slot = calloc(h->nslots, sizeof(*h->slot));
    h->free_slots = malloc(h->nslots * sizeof(*h->free_slots));
    h->out = malloc(H2_OUT_CAP);
    pthread_once(&cbs_once, cbs_init);
    if (!ep->ring || !h->slot || !h->free_slots || !h->out || !cbs)
        return -1;
    for (uint32_t i = 0; i < h->nslots; i++)
        h->free_slots[i] = h->nslots - 1 - i;
    h->nfree = h->nslots;
    return 0;
}

void h2_io_free(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    if (h == NULL)
        return;
    nghttp2_session_del(h->ns);
    free(h->slot);
    free(h->free_slots);
    free(h->out);
}

int h2_io_session(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    if (nghttp2_session_client_new(&h->ns, cbs, ep) != 0)
        return -1;
    const nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                         {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_WINDOW}};
    if (nghttp2_submit_settings(h->ns, NGHTTP2_FLAG_NONE, iv, 2) != 0 ||
        nghttp2_session_set_local_window_size(h->ns, NGHTTP2_FLAG_NONE, 0, H2_WINDOW) != 0)
        return -1;
    return 0;
}

void h2_io_session_end(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    for (uint32_t i = 0; i < h->nslots; i++)
        if (h->slot[i].used) {
            requeue(ep, h->slot[i].t0);
            slot_free(h, &h->slot[i]);
        }
    nghttp2_session_del(h->ns);
    h->ns = NULL;
    h->open = 0;
    h->completed = 0;
    h->closing = h->stalled = h->fatal = h->settings = false;
    h->left_len = h->out_len = h->out_off = 0;
}

/* Opens streams for waiting requests while the server's limit and ours
 * allow. Until the server's SETTINGS arrive its limit is unknown (RFC
 * 9113 says unlimited, but a server with a lower one refuses the excess):
 * one stream goes at once, so a new connection's first request does not
 * wait a round trip, and the others follow the SETTINGS. */
static void submit(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    const struct http_target *t = ep->w->http;
    uint32_t lim =
        nghttp2_session_get_remote_settings(h->ns, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    if (!h->settings)
        lim = 1;
    if (lim > h->nslots)
        lim = h->nslots;
    while (ep->ring_n > 0 && h->open < lim && h->nfree > 0 && !h->closing) {
        if (nghttp2_session_get_next_stream_id(h->ns) >= (1u << 31) - 2) {
            h->closing = true; /* stream ids used up: a new connection */
            break;
        }
        uint32_t k = h->free_slots[--h->nfree];
        struct h2slot *s = &h->slot[k];
        *s = (struct h2slot){.t0 = ep_ring_pop(ep), .body_left = t->body_len, .used = true};
        nghttp2_data_provider prd = {.source.ptr = s, .read_callback = body_read};
        int32_t id = nghttp2_submit_request(h->ns, NULL, t->h2.nv, t->h2.nnv,
                                            t->body_len ? &prd : NULL, (void *)(uintptr_t)(k + 1));
        if (id < 0) {
            requeue(ep, s->t0);
            slot_free(h, s);
            h->closing = true;
            break;
        }
        h->open++;
    }
}

void h2_io_issue(struct ep *ep, uint64_t now)
{
    struct h2ep *h = h2_io_hep(ep);
    if (ep->state == EP_RUN) {
        if (ep->role & EP_RATE) {
            uint64_t when;
            while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
                   ep->ring_n + h->open < ep->quota) {
                ep_ring_push(ep, when);
                ep->sched_k++;
            }
            if (h->cs.phase == CS_RUN && ep->ring_n <= ep->ring_mask)
                loop_timer_set(ep->w->loop, &ep->timer, when);
        } else if (!(ep->role & EP_CRR) || h->completed == 0) {
            uint32_t depth = h->nslots; /* crr: one per connection */
            while (ep->ring_n + h->open < depth && ep->ring_n + h->open < ep->quota)
                ep_ring_push(ep, now);
        }
    }
    if (h->ns != NULL && h->cs.phase == CS_RUN)
        submit(ep);
}

/* --- moving bytes -------------------------------------------------------- */

/* Gathers the session's frames into out (only when out is empty: a TLS
 * write cut short must be retried with the same buffer). */
static void fill_out(struct h2ep *h)
{
    h->out_len = h->out_off = 0;
    while (h->out_len < H2_OUT_CAP) {
        if (h->left_len == 0) {
            ssize_t n = nghttp2_session_mem_send(h->ns, &h->left);
            if (n < 0)
                h->fatal = true;
            if (n <= 0)
                return;
            h->left_len = (size_t)n;
        }
        size_t k = h->left_len < H2_OUT_CAP - h->out_len ? h->left_len : H2_OUT_CAP - h->out_len;
        memcpy(h->out + h->out_len, h->left, k);
        h->left += k;
        h->left_len -= k;
        h->out_len += k;
    }
}

/* A request body that waits while the session has nothing to send waits
 * on the server's flow-control window: one stall per such wait. */
static void note_stall(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    if (h->stalled || ep->w->http->body_len == 0)
        return;
    for (uint32_t i = 0; i < h->nslots; i++)
        if (h->slot[i].used && h->slot[i].body_left > 0) {
            h->stalled = true;
            ep->w->st->h2err[H2E_FLOW_STALL]++;
            return;
        }
}

/* What ends a connection once its input and output are handled: the
 * session is over (GOAWAY both ways, a protocol error), the server said
 * GOAWAY and the streams left are done, crr's one request is done, or a
 * draining endpoint has nothing left. Returns -1 when it closed. */
static int maybe_end(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    bool idle = h->open == 0 && h->out_off == h->out_len;
    bool over = h->fatal || (!nghttp2_session_want_read(h->ns) &&
                             !nghttp2_session_want_write(h->ns) && h->out_off == h->out_len);
    bool crr = (ep->role & EP_CRR) && h->completed > 0;
    bool drained = ep->state == EP_DRAIN && ep->ring_n == 0;
    if (!over && !(idle && (h->closing || crr || drained)))
        return 0;
    return conn_slot_done(ep);
}

int h2_io_write(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        if (h->out_off == h->out_len) {
            fill_out(h);
            if (h->out_len == 0) {
                note_stall(ep);
                return maybe_end(ep);
            }
        }
        size_t done = 0;
        enum tls_result r = conn_slot_send(ep, h->out + h->out_off, h->out_len - h->out_off, &done);
        if (r == TLS_OK) {
            h->out_off += done;
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

/* The server closed: streams it left open were cut short (they go out
 * again on the next connection). */
static void on_eof(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    if (h->open > 0 && !h->closing)
        ep->w->st->err[ERRC_READ]++;
    ep->drv->close(ep, false);
}

int h2_io_read(struct ep *ep)
{
    struct h2ep *h = h2_io_hep(ep);
    uint8_t *buf = ep->w->rxbuf;
    for (int i = 0; i < IO_BUDGET; i++) {
        size_t got = 0;
        enum tls_result r = conn_slot_recv(ep, buf, ep->w->rxcap, &got, false);
        if (r == TLS_OK) {
            if (nghttp2_session_mem_recv(h->ns, buf, got) < 0 || h->fatal) {
                ep->w->st->err[ERRC_PROTOCOL]++;
                ep->drv->close(ep, false);
                return -1;
            }
            if (!conn_slot_more(ep, got, ep->w->rxcap))
                break;
            continue;
        }
        if (r == TLS_WANT_READ)
            break;
        if (r == TLS_WANT_WRITE) {
            ep->want_out = true;
            break;
        }
        if (r == TLS_EOF) {
            on_eof(ep);
            return -1;
        }
        return conn_slot_read_fail(ep);
    }
    h2_io_issue(ep, clock_now_ns());
    return 0;
}
