/* The server's HTTP/2 sessions: nghttp2's server callbacks turn a
 * stream's headers into an http_request for http_answer_route, and the
 * answer goes back as HEADERS and DATA frames (body data copied from the
 * thread's pattern). Stream state lives in a pool allocated with the
 * connection: nothing here allocates per request. */
#include "srv_h2.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <nghttp2/nghttp2.h>

#include "http_answer.h"
#include "tls.h"

#define OUT_CAP (64u * 1024u)
#define IO_BUDGET 16
#define CONN_WINDOW (16u << 20) /* at least; a larger stream window raises it */
#define JUNK_FREE 1000u         /* frames that do no work, beyond 4 per request */

struct h2s {
    bool used, answered;
    char method[8], path[160];
    size_t mlen, plen;
    uint32_t head_bytes; /* the header list so far, RFC 9113 6.5.2's measure */
    bool has_len;
    uint64_t clen, received;
    struct http_route rt;
    uint64_t off, left; /* response body: position in the pattern, bytes to go */
    char small[96];     /* /sink's and errors' bodies */
    size_t small_len;
};

struct srv_h2 {
    nghttp2_session *ns;
    const char *pattern, *date;
    size_t plen;
    uint32_t max_head;
    uint64_t max_body;
    uint64_t requests, rx_body, tx_body, junk;
    struct h2s *pool; /* max_streams of them, allocated with the session */
    uint32_t *free_ids, nfree, max_streams;
    const uint8_t *left;
    size_t left_len, out_len, out_off;
    uint8_t out[OUT_CAP];
};

static nghttp2_session_callbacks *cbs;
static nghttp2_option *opt;
static pthread_once_t once = PTHREAD_ONCE_INIT;

int srv_h2_sniff(const unsigned char *p, size_t n)
{
    size_t k = n < 4 ? n : 4;
    if (memcmp(p, SRV_H2_PREFACE, k) != 0)
        return 0;
    return n < 4 ? -1 : 1;
}

bool srv_h2_alpn(SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned int n = 0;
    SSL_get0_alpn_selected(ssl, &p, &n);
    return n == 2 && memcmp(p, "h2", 2) == 0;
}

static struct h2s *stream_of(struct srv_h2 *h, int32_t id)
{
    return nghttp2_session_get_stream_user_data(h->ns, id);
}

/* Frames that make the server work without asking for anything: past the
 * budget the peer is a flood, and the session ends with ENHANCE_YOUR_CALM. */
static void junk(struct srv_h2 *h)
{
    /* A window update per DATA frame sent (stream and connection) is work. */
    if (++h->junk > JUNK_FREE + 4 * h->requests + h->tx_body / 4096)
        nghttp2_session_terminate_session(h->ns, NGHTTP2_ENHANCE_YOUR_CALM);
}

static int on_begin_headers(nghttp2_session *ns, const nghttp2_frame *f, void *ud)
{
    struct srv_h2 *h = ud;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    if (h->nfree == 0) { /* over our SETTINGS_MAX_CONCURRENT_STREAMS */
        junk(h);
        nghttp2_submit_rst_stream(ns, NGHTTP2_FLAG_NONE, f->hd.stream_id, NGHTTP2_REFUSED_STREAM);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    struct h2s *s = &h->pool[h->free_ids[--h->nfree]];
    memset(s, 0, offsetof(struct h2s, small));
    s->used = true;
    nghttp2_session_set_stream_user_data(ns, f->hd.stream_id, s);
    return 0;
}

static bool parse_len(const uint8_t *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

static int on_header(nghttp2_session *ns, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
                     const uint8_t *value, size_t vlen, uint8_t flags, void *ud)
{
    (void)flags;
    struct srv_h2 *h = ud;
    struct h2s *s = stream_of(h, f->hd.stream_id);
    if (s == NULL)
        return 0;
    s->head_bytes += (uint32_t)(nlen + vlen + 32);
    if (s->head_bytes > h->max_head) { /* a header list far over the limit: an HPACK bomb */
        nghttp2_session_terminate_session(ns, NGHTTP2_ENHANCE_YOUR_CALM);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    if (nlen == 7 && memcmp(name, ":method", 7) == 0 && vlen < sizeof(s->method)) {
        memcpy(s->method, value, vlen);
        s->mlen = vlen;
    } else if (nlen == 5 && memcmp(name, ":path", 5) == 0) {
        s->plen = vlen < sizeof(s->path) ? vlen : sizeof(s->path); /* a long path is a 404 */
        memcpy(s->path, value, s->plen);
    } else if (nlen == 14 && memcmp(name, "content-length", 14) == 0) {
        s->has_len = parse_len(value, vlen, &s->clen);
    }
    return 0;
}

static ssize_t body_read(nghttp2_session *ns, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *ud)
{
    (void)ns;
    (void)id;
    struct srv_h2 *h = ud;
    struct h2s *s = src->ptr;
    size_t n = s->left < len ? (size_t)s->left : len;
    if (s->rt.action == HTTP_ACT_BYTES) {
        for (size_t done = 0; done < n;) { /* the pattern, wrapped */
            size_t at = (size_t)(s->off % h->plen), k = h->plen - at;
            k = k < n - done ? k : n - done;
            memcpy(buf + done, h->pattern + at, k);
            done += k;
            s->off += k;
        }
        h->tx_body += n;
    } else {
        memcpy(buf, s->small + s->off, n);
        s->off += n;
    }
    s->left -= n;
    if (s->left == 0)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

/* The request is whole: answer it as HTTP/1.1's routing says. */
static void answer(struct srv_h2 *h, int32_t id, struct h2s *s)
{
    struct http_request req = {.method = s->method,
                               .method_len = s->mlen,
                               .target = s->path,
                               .target_len = s->plen,
                               .minor_version = 1,
                               .keep_alive = true,
                               .body =
                                   s->received || s->has_len ? HTTP_BODY_LENGTH : HTTP_BODY_NONE,
                               .content_length = s->has_len ? s->clen : s->received};
    http_answer_route(&req, h->max_body, &s->rt);
    s->rt.received = s->received;
    s->answered = true;
    h->requests++;
    char clen[24], status[4];
    s->off = 0;
    if (s->rt.action == HTTP_ACT_BYTES) {
        s->left = s->rt.head_only ? 0 : s->rt.body_bytes;
        snprintf(clen, sizeof(clen), "%" PRIu64, s->rt.body_bytes);
    } else {
        int n = s->rt.action == HTTP_ACT_SINK
                    ? snprintf(s->small, sizeof(s->small), "received %" PRIu64 "\n", s->received)
                    : snprintf(s->small, sizeof(s->small), "%d\n", s->rt.status);
        s->small_len = n > 0 ? (size_t)n : 0;
        s->left = strcmp(s->method, "HEAD") == 0 ? 0 : s->small_len;
        snprintf(clen, sizeof(clen), "%zu", s->small_len);
    }
    snprintf(status, sizeof(status), "%d", s->rt.status);
    const char *ctype = s->rt.action == HTTP_ACT_BYTES ? "application/octet-stream" : "text/plain";
#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE}
    nghttp2_nv nv[] = {NV(":status", status), NV("date", h->date), NV("server", "netrig"),
                       NV("content-type", ctype), NV("content-length", clen)};
#undef NV
    nghttp2_data_provider prd = {.source.ptr = s, .read_callback = body_read};
    nghttp2_submit_response(h->ns, id, nv, sizeof(nv) / sizeof(nv[0]), s->left ? &prd : NULL);
}

static int on_data(nghttp2_session *ns, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *ud)
{
    (void)flags;
    (void)data;
    struct srv_h2 *h = ud;
    struct h2s *s = stream_of(h, id);
    if (s == NULL)
        return 0;
    s->received += len;
    h->rx_body += len;
    if (s->received > h->max_body || (s->has_len && s->received > s->clen))
        nghttp2_submit_rst_stream(ns, NGHTTP2_FLAG_NONE, id, NGHTTP2_PROTOCOL_ERROR);
    return 0;
}

static int on_frame_recv(nghttp2_session *ns, const nghttp2_frame *f, void *ud)
{
    (void)ns;
    struct srv_h2 *h = ud;
    switch (f->hd.type) {
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA: {
        struct h2s *s = stream_of(h, f->hd.stream_id);
        if (f->hd.type == NGHTTP2_DATA && f->hd.length == 0 &&
            !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
            junk(h);
        if (s != NULL && !s->answered && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
            answer(h, f->hd.stream_id, s);
        break;
    }
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
    case NGHTTP2_RST_STREAM:
    case NGHTTP2_PRIORITY:
    case NGHTTP2_WINDOW_UPDATE: junk(h); break;
    default: break;
    }
    return 0;
}

static int on_stream_close(nghttp2_session *ns, int32_t id, uint32_t code, void *ud)
{
    (void)code;
    struct srv_h2 *h = ud;
    struct h2s *s = stream_of(h, id);
    if (s != NULL && s->used) {
        s->used = false;
        h->free_ids[h->nfree++] = (uint32_t)(s - h->pool);
        nghttp2_session_set_stream_user_data(ns, id, NULL);
    }
    return 0;
}

static void setup_once(void)
{
    if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0)
        return;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    /* Queued SETTINGS and PING acks a peer that does not read can pile up;
     * the junk budget (1000 frames) normally ends such a peer first. */
    nghttp2_option_set_max_outbound_ack(opt, 4096);
    nghttp2_option_set_max_settings(opt, 32);
}

struct srv_h2 *srv_h2_new(const char *pattern, size_t plen, const char *date,
                          const struct srv_h2_bounds *b)
{
    pthread_once(&once, setup_once);
    struct srv_h2 *h = cbs && opt ? malloc(sizeof(*h)) : NULL;
    if (h == NULL)
        return NULL;
    memset(h, 0, offsetof(struct srv_h2, out));
    h->pattern = pattern;
    h->plen = plen;
    h->date = date;
    h->max_head = b->max_head;
    h->max_body = b->max_body;
    h->max_streams = b->max_streams == 0                   ? 1
                     : b->max_streams > SRV_H2_MAX_STREAMS ? SRV_H2_MAX_STREAMS
                                                           : b->max_streams;
    h->pool = calloc(h->max_streams, sizeof(*h->pool));
    h->free_ids = malloc(h->max_streams * sizeof(*h->free_ids));
    if (h->pool == NULL || h->free_ids == NULL) {
        srv_h2_free(h);
        return NULL;
    }
    for (uint32_t i = 0; i < h->max_streams; i++)
        h->free_ids[i] = h->max_streams - 1 - i;
    h->nfree = h->max_streams;
    uint32_t window = b->window > 0 ? b->window : NGHTTP2_INITIAL_WINDOW_SIZE;
    const nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, h->max_streams},
                                         {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window},
                                         {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, b->max_head}};
    if (nghttp2_session_server_new2(&h->ns, cbs, h, opt) != 0) {
        srv_h2_free(h);
        return NULL;
    }
    int32_t conn = (int32_t)(window > CONN_WINDOW ? window : CONN_WINDOW);
    if (nghttp2_submit_settings(h->ns, NGHTTP2_FLAG_NONE, iv, 3) != 0 ||
        nghttp2_session_set_local_window_size(h->ns, NGHTTP2_FLAG_NONE, 0, conn) != 0) {
        srv_h2_free(h);
        return NULL;
    }
    return h;
}

void srv_h2_free(struct srv_h2 *h)
{
    if (h == NULL)
        return;
    nghttp2_session_del(h->ns); /* NULL before the session was made */
    free(h->pool);
    free(h->free_ids);
    free(h);
}

uint64_t srv_h2_progress(const struct srv_h2 *h)
{
    return h->requests + h->rx_body + h->tx_body;
}

/* --- moving bytes ----------------------------------------------------------- */

static void fill_out(struct srv_h2 *h, bool *fatal)
{
    h->out_len = h->out_off = 0;
    while (h->out_len < OUT_CAP) {
        if (h->left_len == 0) {
            ssize_t n = nghttp2_session_mem_send(h->ns, &h->left);
            if (n < 0)
                *fatal = true;
            if (n <= 0)
                return;
            h->left_len = (size_t)n;
        }
        size_t k = h->left_len < OUT_CAP - h->out_len ? h->left_len : OUT_CAP - h->out_len;
        memcpy(h->out + h->out_len, h->left, k);
        h->left += k;
        h->left_len -= k;
        h->out_len += k;
    }
}

/* Returns 1 when all is written, 0 when the socket is full, -1 on error. */
static int flush(struct srv_h2 *h, int fd, SSL *ssl, bool *want_out)
{
    bool fatal = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        if (h->out_off == h->out_len) {
            fill_out(h, &fatal);
            if (fatal)
                return -1;
            if (h->out_len == 0)
                return 1;
        }
        size_t done = 0;
        const uint8_t *p = h->out + h->out_off;
        size_t len = h->out_len - h->out_off;
        if (ssl != NULL) {
            enum tls_result r = tls_write(ssl, p, len, &done);
            if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
                *want_out = r == TLS_WANT_WRITE;
                return 0;
            }
            if (r != TLS_OK)
                return -1;
        } else {
            ssize_t w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    return -1;
                *want_out = true;
                return 0;
            }
            done = (size_t)w;
        }
        h->out_off += done;
    }
    *want_out = true; /* budget spent: come back after the others */
    return 0;
}

/* Returns bytes read, 0 when nothing is ready, -1 on EOF or error. */
static long fill(int fd, SSL *ssl, uint8_t *buf, size_t cap, bool *want_out)
{
    if (ssl != NULL) {
        size_t got = 0;
        enum tls_result r = tls_read(ssl, buf, cap, &got);
        if (r == TLS_WANT_READ)
            return 0;
        if (r == TLS_WANT_WRITE) {
            *want_out = true;
            return 0;
        }
        return r == TLS_OK ? (long)got : -1;
    }
    ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    return n > 0 ? (long)n : -1;
}

int srv_h2_io(struct srv_h2 *h, int fd, SSL *ssl, uint8_t *buf, size_t cap, bool *want_out)
{
    *want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        int f = flush(h, fd, ssl, want_out);
        if (f < 0)
            return -1;
        if (!nghttp2_session_want_read(h->ns) && !nghttp2_session_want_write(h->ns) &&
            h->out_off == h->out_len && h->left_len == 0)
            return -1; /* over: GOAWAY sent, or the peer's GOAWAY and no streams left */
        if (f == 0 || !nghttp2_session_want_read(h->ns))
            return 0;
        long n = fill(fd, ssl, buf, cap, want_out);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        ssize_t rv = nghttp2_session_mem_recv(h->ns, buf, (size_t)n);
        if (rv == NGHTTP2_ERR_FLOODED) { /* acks piled up: say why, once */
            nghttp2_session_terminate_session(h->ns, NGHTTP2_ENHANCE_YOUR_CALM);
            (void)flush(h, fd, ssl, want_out);
            return -1;
        }
        if (rv < 0)
            return -1; /* fatal: nghttp2 could not even say GOAWAY */
    }
    *want_out = true;
    return 0;
}

void srv_h2_goaway(struct srv_h2 *h, int fd, SSL *ssl)
{
    uint32_t code = NGHTTP2_NO_ERROR;
    for (uint32_t i = 0; i < h->max_streams; i++)
        if (h->pool[i].used && h->pool[i].answered && h->pool[i].left > 0)
            code = NGHTTP2_ENHANCE_YOUR_CALM; /* a body held up by the peer's window */
    nghttp2_session_terminate_session(h->ns, code);
    bool want = false;
    (void)flush(h, fd, ssl, &want);
}

void srv_h2_refuse(int fd, SSL *ssl)
{
    static const char why[] = "this netrig server requires --psk; it serves HTTP to anyone only "
                              "with --open-http";
    uint8_t f[9 + 9 + 8 + sizeof(why)] = {0};
    size_t glen = 8 + sizeof(why) - 1;
    f[3] = NGHTTP2_SETTINGS; /* an empty SETTINGS: the server preface */
    f[9] = (uint8_t)(glen >> 16);
    f[10] = (uint8_t)(glen >> 8);
    f[11] = (uint8_t)glen;
    f[12] = NGHTTP2_GOAWAY;
    f[25] = NGHTTP2_REFUSED_STREAM; /* last stream 0: nothing was processed */
    memcpy(f + 26, why, sizeof(why) - 1);
    size_t len = 26 + sizeof(why) - 1, done = 0;
    if (ssl != NULL)
        (void)tls_write(ssl, f, len, &done);
    else
        (void)send(fd, f, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

int srv_h2_feed(struct srv_h2 *h, const uint8_t *p, size_t n)
{
    if (nghttp2_session_mem_recv(h->ns, p, n) < 0)
        return -1;
    const uint8_t *out;
    for (int i = 0; i < 256; i++) /* a 1 TiB body is not sent here */
        if (nghttp2_session_mem_send(h->ns, &out) <= 0)
            break;
    return nghttp2_session_want_read(h->ns) || nghttp2_session_want_write(h->ns) ? 0 : -1;
}

uint32_t srv_h2_streams(const struct srv_h2 *h)
{
    return h->max_streams - h->nfree;
}
