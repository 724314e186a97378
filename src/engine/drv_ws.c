/* The WebSocket client driver (drv_ws in ep.h): rr with pipelining, crr
 * (connect, TLS, upgrade, one message and the close handshake, timed
 * whole), open-loop rate, and stream (messages back to back to netrig's
 * /ws/sink), over plain TCP or TLS, against netrig's server or any RFC
 * 6455 echo server. Each endpoint is one connection slot; a connection
 * the server ends is reopened and its unanswered messages sent again,
 * their start times kept. This file holds the table and what WebSocket
 * adds to the connection slot (conn_slot.c: connect, TLS, close and
 * reconnect): the upgrade starts each connection's session; the data path
 * is in ws_io.c. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn_slot.h"
#include "http_target.h"
#include "ws_io.h"

#define TX_MAX (256u * 1024u)
#define TX_MIN 4096u

static struct wsep *W(const struct ep *ep)
{
    return ws_io_wsep(ep);
}

/* A fresh connection's state: what was unanswered goes out again. */
static void fresh(struct ep *ep)
{
    struct wsep *s = W(ep);
    memset(&s->rd, 0, sizeof(s->rd));
    s->upgraded = false;
    s->deflate = false; /* until the next 101 takes it again */
    s->z_msg = 0;
    s->hlen = 0;
    s->msg_hdr = 0;
    s->in_frame = false;
    s->held = 0;
    s->tx_off = s->tx_len = 0;
    s->g.active = false;
    s->close_queued = false;
    s->close_due = ep->state != EP_RUN;
    s->pong_due = false;
    s->mark_sent = false;
    s->mark_ns = 0;
    s->to_send = (ep->role & EP_RR_CLIENT) ? ep->ring_n : 0;
}

/* Messages wait for the 101; crr's one is queued before its connection,
 * so that its time counts from the connect. */
static void issue(struct ep *ep, uint64_t now)
{
    if (W(ep)->upgraded || (ep->role & EP_CRR))
        ws_io_issue(ep, now);
}

/* Stops queueing; the close handshake follows the last answer. An
 * endpoint still in its upgrade finishes at once. */
static bool drain(struct ep *ep)
{
    if (!W(ep)->upgraded)
        return false;
    ws_io_close(ep);
    return true;
}

static void release(struct ep *ep)
{
    ws_deflate_free(&W(ep)->z);
    free(W(ep)->zmsg);
    free(W(ep)->tx);
}

static const struct ep_rounds ws_rounds = {ws_io_read, ws_io_write, ws_io_spec};

static const struct conn_slot_ops ws_slot = {
    .fresh = fresh,
    .session_start = ws_upgrade_request,
    .release = release,
    .drain = drain,
    .issue = issue,
    .write = ws_io_write,
    .rounds = &ws_rounds,
    /* Alone in its thread over plain TCP, it sleeps in recv (the loop's
     * waiter). */
    .wait_setup = ws_io_wait_setup,
    .verify_note = true, /* a failed verification names OpenSSL's reason, as for HTTP */
};

/* --- the table --------------------------------------------------------- */

/* The send buffer: what the pipeline (or a stream's batch) holds, within
 * TX_MIN and TX_MAX; allocated once per endpoint. */
static size_t tx_cap(const struct ep *ep)
{
    const struct http_target *t = ep->w->http;
    uint64_t frames = t->ws_frame ? t->ws_size / t->ws_frame + 1 : 1;
    uint64_t msg = t->ws_size + frames * WS_MAX_HEADER + 2 * (WS_MAX_HEADER + WS_MAX_CONTROL);
    uint64_t want = (ep->role & EP_CRR) ? msg : msg * ep->w->req->pipeline;
    if (!(ep->role & EP_RR_CLIENT) || (ep->role & EP_RATE))
        want = TX_MAX;
    return want < TX_MIN ? TX_MIN : want > TX_MAX ? TX_MAX : (size_t)want;
}

static int ws_init(struct ep *ep)
{
    int rc = (ep->role & EP_RR_CLIENT) ? ep_ring_init(ep) : 0;
    struct wsep *s = calloc(1, sizeof(*s));
    ep->priv = s;
    conn_slot_init(ep, &ws_slot);
    if (rc != 0 || s == NULL)
        return -1;
    s->tx_cap = tx_cap(ep);
    s->tx = malloc(s->tx_cap);
    if (s->tx == NULL)
        return -1;
    if (ep->w->http->ws_deflate) { /* a message compressed whole */
        s->zcap = ws_deflate_bound((size_t)ep->w->http->ws_size);
        s->zmsg = malloc(s->zcap);
        if (s->zmsg == NULL)
            return -1;
    }
    s->rng = clock_now_ns() ^ ((uint64_t)(uintptr_t)ep << 16) ^ 0x9E3779B97F4A7C15ull;
    return 0;
}

const struct drv_ops drv_ws = CONN_SLOT_DRV("ws", ws_init);
