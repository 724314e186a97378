/* The WebSocket client's upgrade: the request (with the permessage-deflate
 * offer under --ws-deflate) and the server's 101, checked, timed and, for
 * an accepted offer, turned into the connection's compression streams. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "http_io.h"
#include "http_target.h"
#include "ws_io.h"

static struct wsep *W(const struct ep *ep)
{
    return ws_io_wsep(ep);
}

int ws_upgrade_request(struct ep *ep)
{
    struct wsep *s = W(ep);
    const struct http_target *t = ep->w->http;
    if (ws_key_new(s->key) != 0)
        return -1;
    int n = ws_request_write((char *)s->tx, s->tx_cap, t->authority, t->path, s->key,
                             t->ws_deflate ? WS_EXT_OFFER : NULL);
    if (n < 0)
        return -1;
    s->tx_off = 0;
    s->tx_len = (size_t)n;
    s->up_start = clock_now_ns();
    return 0;
}

/* The server's answer to our permessage-deflate offer (ext: its
 * Sec-WebSocket-Extensions, NULL when it declined): the streams set up
 * for what it chose. Returns 0, or -1 with the server named in the note
 * when the answer is not one RFC 7692 allows. */
static int deflate_answer(struct ep *ep, const struct http_header *ext)
{
    struct wsep *s = W(ep);
    struct stats *st = ep->w->st;
    struct ws_ext e;
    const char *why = NULL;
    char err[96];
    ws_deflate_free(&s->z);
    s->deflate = false;
    if (ext == NULL) {
        st->ws_deflate_declined++;
        return 0;
    }
    if (ws_ext_answer_check(ext->value, ext->value_len, &e, &why) != 0 ||
        ws_deflate_init(&s->z, &e, WS_CLIENT, err, sizeof(err)) != 0) {
        if (!st->note[0])
            snprintf(st->note, sizeof(st->note), "server %.30s: permessage-deflate: %.68s",
                     ep->w->http->authority, why ? why : err);
        return -1;
    }
    s->deflate = true;
    st->ws_deflate_on++;
    return 0;
}

long ws_upgrade_answer(struct ep *ep, const uint8_t *p, size_t n)
{
    struct wsep *s = W(ep);
    size_t take = n < sizeof(s->hold) - s->held ? n : sizeof(s->hold) - s->held;
    memcpy(s->hold + s->held, p, take);
    struct http_header hh[32];
    struct http_response r = {.headers = hh, .max_headers = 32};
    long h = http_parse_response(s->hold, s->held + take, false, NULL, &r);
    if (h == HTTP_PARSE_INCOMPLETE && s->held + take < sizeof(s->hold)) {
        s->held += take;
        return (long)n;
    }
    const char *why = NULL;
    if (h >= 0)
        http_io_note_status(ep->w->st, &r, s->hold, s->held + take);
    const struct http_header *ext = NULL;
    bool offered = ep->w->http->ws_deflate;
    if (h < 0 || ws_response_check(&r, s->key, offered, &ext, &why) != 0)
        return ws_io_fail(ep, h < 0             ? ERRC_PARSE
                              : r.status >= 500 ? ERRC_STATUS_5XX
                              : r.status >= 400 ? ERRC_STATUS_4XX
                                                : ERRC_PROTOCOL);
    if (offered && deflate_answer(ep, ext) != 0)
        return ws_io_fail(ep, ERRC_PROTOCOL);
    size_t used = (size_t)h - s->held;
    s->held = 0;
    s->upgraded = true;
    if (ep_timed(ep) && (wctx_measuring(ep->w) || !(ep->role & EP_CRR)))
        hist_record(&ep->w->st->upgrade, (int64_t)(clock_now_ns() - s->up_start));
    ws_io_issue(ep, clock_now_ns());
    return (long)used;
}
