#include "ctrl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "config.h"
#include "net.h"
#include "wire.h"

/* Bounded writer and reader: an overflow or short read sets a flag that
 * the caller checks once, so the field lists read like the format. */
struct wbuf {
    uint8_t *p;
    size_t cap, len;
    bool over;
};

struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
};

static void put_bytes(struct wbuf *w, const void *src, size_t n)
{
    if (w->over || w->cap - w->len < n) {
        w->over = true;
        return;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put8(struct wbuf *w, uint8_t v)
{
    put_bytes(w, &v, 1);
}

static void put16(struct wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put_bytes(w, b, 2);
}

static void put32(struct wbuf *w, uint32_t v)
{
    uint8_t b[4];
    bytes_put32(b, v);
    put_bytes(w, b, 4);
}

static void put64(struct wbuf *w, uint64_t v)
{
    uint8_t b[8];
    bytes_put64(b, v);
    put_bytes(w, b, 8);
}

static void putd(struct wbuf *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    put64(w, v);
}

static const uint8_t *get_bytes(struct rbuf *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint8_t get8(struct rbuf *r)
{
    const uint8_t *p = get_bytes(r, 1);
    return p ? p[0] : 0;
}

static uint16_t get16(struct rbuf *r)
{
    const uint8_t *p = get_bytes(r, 2);
    if (!p)
        return 0;
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(struct rbuf *r)
{
    const uint8_t *p = get_bytes(r, 4);
    return p ? bytes_get32(p) : 0;
}

static uint64_t get64(struct rbuf *r)
{
    const uint8_t *p = get_bytes(r, 8);
    return p ? bytes_get64(p) : 0;
}

static double getd(struct rbuf *r)
{
    uint64_t v = get64(r);
    double d;
    memcpy(&d, &v, sizeof(d));
    return d;
}

/* --- per type ---------------------------------------------------------- */

static void enc_request(struct wbuf *w, const struct ctrl_request *q)
{
    put8(w, q->proto);
    put8(w, q->mode);
    put8(w, q->flags);
    /* Once reserved (zero), now the length of the congestion control name
     * that ends the request: a server that predates it refuses a request
     * naming one, with a message, and understands every other. */
    size_t cc_len = strnlen(q->cc, sizeof(q->cc) - 1);
    put8(w, (uint8_t)cc_len);
    put32(w, q->conns);
    put32(w, q->threads);
    put32(w, q->pipeline);
    put64(w, q->size);
    put64(w, q->resp_size);
    putd(w, q->rate_bps);
    putd(w, q->rate_per_s);
    put64(w, q->duration_ns);
    put64(w, q->warmup_ns);
    put64(w, q->timeout_ns);
    put64(w, q->count);
    put64(w, q->stall_ns);
    for (size_t i = 0; i < cc_len; i++)
        put8(w, (uint8_t)q->cc[i]);
    if (q->flags & CTRL_F_INTERVALS)
        put64(w, q->interval_ns);
}

/* Returns false if the congestion control name is longer than this
 * version knows: refused, not half understood. */
static bool dec_request(struct rbuf *r, struct ctrl_request *q)
{
    q->proto = get8(r);
    q->mode = get8(r);
    q->flags = get8(r);
    uint8_t cc_len = get8(r);
    q->conns = get32(r);
    q->threads = get32(r);
    q->pipeline = get32(r);
    q->size = get64(r);
    q->resp_size = get64(r);
    q->rate_bps = getd(r);
    q->rate_per_s = getd(r);
    q->duration_ns = get64(r);
    q->warmup_ns = get64(r);
    q->timeout_ns = get64(r);
    q->count = get64(r);
    q->stall_ns = get64(r);
    memset(q->cc, 0, sizeof(q->cc));
    if (cc_len >= sizeof(q->cc))
        return false;
    for (uint8_t i = 0; i < cc_len; i++)
        q->cc[i] = (char)get8(r);
    q->interval_ns = q->flags & CTRL_F_INTERVALS ? get64(r) : 0;
    return true;
}

#define DAY_NS (86400ull * 1000000000ull)

int ctrl_request_check(const struct ctrl_request *q, char *err, size_t errlen)
{
    const char *what = NULL, *why = "";
    if (q->proto >= PROTO_COUNT)
        what = "proto";
    else if (q->mode >= MODE_COUNT)
        what = "mode";
    else if (q->flags & ~(CTRL_F_REVERSE | CTRL_F_BIDIR | CTRL_F_NO_TIMING | CTRL_F_INTERVALS))
        what = "flags";
    else if (q->conns < 1 || q->conns > CTRL_MAX_CONNS)
        what = "conns";
    else if (q->threads < 1 || q->threads > 256)
        what = "threads";
    else if (q->pipeline < 1 || q->pipeline > 1024)
        what = "pipeline";
    else if (q->size < 1 || q->size > (1u << 30) || q->resp_size > (1u << 30))
        what = "size";
    else if (q->proto == PROTO_UDP &&
             (q->size < WIRE_HDR_LEN || q->size > WIRE_UDP_MAX || q->resp_size > WIRE_UDP_MAX ||
              (q->mode != MODE_STREAM && q->resp_size && q->resp_size < WIRE_HDR_LEN)))
        what = "size", why = " (udp: 16 to 65507 bytes, the header included)";
    else if (q->mode == MODE_CRR && q->proto != PROTO_TCP && q->proto != PROTO_TLS)
        what = "mode", why = " (crr is for tcp)";
    else if (q->mode == MODE_RATE && !(q->rate_per_s > 0))
        what = "rate", why = " (mode rate needs one)";
    else if (!isfinite(q->rate_bps) || !isfinite(q->rate_per_s) || q->rate_bps < 0 ||
             q->rate_per_s < 0 || q->rate_bps > 1e13 || q->rate_per_s > 1e9)
        what = "rate";
    else if (q->duration_ns > DAY_NS || q->warmup_ns > DAY_NS || q->timeout_ns > DAY_NS ||
             q->stall_ns > 60ull * 1000000000ull)
        what = "duration";
    else if ((q->flags & CTRL_F_INTERVALS) &&
             (q->interval_ns < 10000000ull || q->interval_ns > 3600ull * 1000000000ull))
        what = "interval";
    else if (!net_cc_name_ok(q->cc))
        what = "cc";
    if (!what)
        return 0;
    snprintf(err, errlen, "control: request field %s out of range%s", what, why);
    return -1;
}

static void enc_result(struct wbuf *w, const struct ctrl_result *s)
{
    const uint64_t v[] = {s->window_ns, s->rx_bytes, s->rx_msgs,  s->tx_bytes, s->tx_msgs,
                          s->rx_total,  s->tx_total, s->cpu_ns,   s->lost,     s->expected,
                          s->reorder,   s->dup,      s->jitter_ns};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        put64(w, v[i]);
    for (size_t i = 0; i < CTRL_NERR; i++)
        put32(w, s->errors[i]);
    put32(w, s->retrans);
    put32(w, s->rtt_us);
    put32(w, s->cwnd);
    put32(w, s->mss);
    put32(w, s->hist_len);
    if (s->hist_len)
        put_bytes(w, s->hist, s->hist_len);
}

static void dec_result(struct rbuf *r, struct ctrl_result *s)
{
    uint64_t *v[] = {&s->window_ns, &s->rx_bytes, &s->rx_msgs,  &s->tx_bytes, &s->tx_msgs,
                     &s->rx_total,  &s->tx_total, &s->cpu_ns,   &s->lost,     &s->expected,
                     &s->reorder,   &s->dup,      &s->jitter_ns};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        *v[i] = get64(r);
    for (size_t i = 0; i < CTRL_NERR; i++)
        s->errors[i] = get32(r);
    s->retrans = get32(r);
    s->rtt_us = get32(r);
    s->cwnd = get32(r);
    s->mss = get32(r);
    s->hist_len = get32(r);
    s->hist = s->hist_len ? get_bytes(r, s->hist_len) : NULL;
}

static void enc_iv(struct wbuf *w, const struct ctrl_iv *iv)
{
    put64(w, iv->t0_ns);
    put64(w, iv->t1_ns);
    put64(w, iv->rx_bytes);
    put64(w, iv->rx_msgs);
    put32(w, iv->hist_len);
    if (iv->hist_len)
        put_bytes(w, iv->hist, iv->hist_len);
}

static void dec_iv(struct rbuf *r, struct ctrl_iv *iv)
{
    iv->t0_ns = get64(r);
    iv->t1_ns = get64(r);
    iv->rx_bytes = get64(r);
    iv->rx_msgs = get64(r);
    iv->hist_len = get32(r);
    iv->hist = iv->hist_len ? get_bytes(r, iv->hist_len) : NULL;
}

size_t ctrl_iv_put(const struct ctrl_iv *iv, uint8_t *buf, size_t cap)
{
    struct wbuf w = {.p = buf, .cap = cap};
    enc_iv(&w, iv);
    return w.over ? 0 : w.len;
}

int ctrl_iv_get(const struct ctrl_intervals *v, size_t *off, struct ctrl_iv *iv)
{
    struct rbuf r = {.p = v->items, .len = v->len, .pos = *off};
    if (*off >= v->len)
        return -1;
    dec_iv(&r, iv);
    if (r.bad)
        return -1;
    *off = r.pos;
    return 0;
}

/* The items must be exactly n well-formed intervals, t0 <= t1. */
static int dec_intervals(struct rbuf *r, struct ctrl_intervals *v, char *err, size_t errlen)
{
    v->last = get8(r);
    v->first = get32(r);
    v->n = get16(r);
    if (r->bad)
        return 0;
    v->items = r->p + r->pos;
    size_t start = r->pos;
    for (uint16_t i = 0; i < v->n && !r->bad; i++) {
        struct ctrl_iv iv;
        dec_iv(r, &iv);
        if (!r->bad && iv.t1_ns < iv.t0_ns) {
            snprintf(err, errlen, "control: interval %u ends before it starts", v->first + i);
            return -1;
        }
    }
    v->len = r->pos - start;
    if (v->last > 1) {
        snprintf(err, errlen, "control: intervals: bad last flag %u", v->last);
        return -1;
    }
    return 0;
}

static void enc_payload(struct wbuf *w, const struct ctrl_msg *m)
{
    switch (m->type) {
    case CTRL_REQUEST: enc_request(w, &m->u.req); break;
    case CTRL_ACCEPT:
        put64(w, m->u.acc.test_id);
        put32(w, m->u.acc.server_threads);
        put16(w, m->u.acc.nports);
        for (size_t i = 0; i < m->u.acc.nports && i < CTRL_MAX_PORTS; i++)
            put16(w, m->u.acc.ports[i]);
        break;
    case CTRL_ERROR: {
        size_t n = strnlen(m->u.error, sizeof(m->u.error) - 1);
        put16(w, (uint16_t)n);
        put_bytes(w, m->u.error, n);
        break;
    }
    case CTRL_MARK: put8(w, m->u.phase); break;
    case CTRL_END: break;
    case CTRL_RESULT: enc_result(w, &m->u.res); break;
    case CTRL_INTERVALS:
        put8(w, m->u.ivs.last);
        put32(w, m->u.ivs.first);
        put16(w, m->u.ivs.n);
        put_bytes(w, m->u.ivs.items, m->u.ivs.len);
        break;
    default: w->over = true;
    }
}

size_t ctrl_encode(const struct ctrl_msg *m, uint8_t *buf, size_t cap)
{
    if (cap < CTRL_HDR_LEN || (m->type == CTRL_ACCEPT && m->u.acc.nports > CTRL_MAX_PORTS))
        return 0;
    struct wbuf w = {.p = buf, .cap = cap, .len = CTRL_HDR_LEN};
    enc_payload(&w, m);
    size_t plen = w.len - CTRL_HDR_LEN;
    if (w.over || plen > CTRL_MAX_PAYLOAD)
        return 0;
    bytes_put32(buf, CTRL_MAGIC);
    buf[4] = 0;
    buf[5] = CTRL_VERSION;
    buf[6] = (uint8_t)(m->type >> 8);
    buf[7] = (uint8_t)m->type;
    bytes_put32(buf + 8, (uint32_t)plen);
    return w.len;
}

static int dec_payload(struct rbuf *r, struct ctrl_msg *m, char *err, size_t errlen)
{
    switch (m->type) {
    case CTRL_REQUEST:
        if (!dec_request(r, &m->u.req) && !r->bad) {
            snprintf(err, errlen, "control: congestion control name too long");
            return -1;
        }
        return r->bad ? 0 : ctrl_request_check(&m->u.req, err, errlen);
    case CTRL_ACCEPT:
        m->u.acc.test_id = get64(r);
        m->u.acc.server_threads = get32(r);
        m->u.acc.nports = get16(r);
        if (m->u.acc.nports > CTRL_MAX_PORTS) {
            snprintf(err, errlen, "control: too many ports (%u)", m->u.acc.nports);
            return -1;
        }
        for (size_t i = 0; i < m->u.acc.nports; i++)
            m->u.acc.ports[i] = get16(r);
        return 0;
    case CTRL_ERROR: {
        uint16_t n = get16(r);
        const uint8_t *s = get_bytes(r, n);
        size_t k = n < sizeof(m->u.error) - 1 ? n : sizeof(m->u.error) - 1;
        if (s)
            for (size_t i = 0; i < k; i++) /* keep it printable */
                m->u.error[i] = s[i] >= 32 && s[i] < 127 ? (char)s[i] : '?';
        m->u.error[s ? k : 0] = '\0';
        return 0;
    }
    case CTRL_MARK:
        m->u.phase = get8(r);
        if (!r->bad && m->u.phase != CTRL_PHASE_MEASURE && m->u.phase != CTRL_PHASE_DONE) {
            snprintf(err, errlen, "control: unknown phase %u", m->u.phase);
            return -1;
        }
        return 0;
    case CTRL_END: return 0;
    case CTRL_RESULT: dec_result(r, &m->u.res); return 0;
    case CTRL_INTERVALS: return dec_intervals(r, &m->u.ivs, err, errlen);
    }
    snprintf(err, errlen, "control: unknown message type %u", m->type);
    return -1;
}

long ctrl_decode(const uint8_t *buf, size_t len, struct ctrl_msg *m, size_t *need, char *err,
                 size_t errlen)
{
    *need = CTRL_HDR_LEN;
    if (len < CTRL_HDR_LEN)
        return 0;
    if (bytes_get32(buf) != CTRL_MAGIC) {
        snprintf(err, errlen, "control: not a netrig control frame");
        return -1;
    }
    unsigned ver = (unsigned)buf[4] << 8 | buf[5];
    if (ver != CTRL_VERSION) {
        snprintf(err, errlen, "control: protocol version %u, this netrig speaks %u", ver,
                 CTRL_VERSION);
        return -1;
    }
    uint32_t plen = bytes_get32(buf + 8);
    if (plen > CTRL_MAX_PAYLOAD) {
        snprintf(err, errlen, "control: frame of %u bytes is too long", plen);
        return -1;
    }
    *need = CTRL_HDR_LEN + (size_t)plen;
    if (len < *need)
        return 0;
    memset(m, 0, sizeof(*m));
    m->type = (uint16_t)((unsigned)buf[6] << 8 | buf[7]);
    struct rbuf r = {.p = buf + CTRL_HDR_LEN, .len = plen};
    if (dec_payload(&r, m, err, errlen) != 0)
        return -1;
    if (r.bad || r.pos != r.len) {
        snprintf(err, errlen, "control: message type %u has a bad length (%u bytes)", m->type,
                 plen);
        return -1;
    }
    return (long)*need;
}

void ctrl_hello_encode(uint8_t out[CTRL_HELLO_LEN], uint64_t test_id, uint32_t index)
{
    bytes_put32(out, CTRL_HELLO_MAGIC);
    bytes_put32(out + 4, index);
    bytes_put64(out + 8, test_id);
}

int ctrl_hello_decode(const uint8_t *buf, size_t len, uint64_t *test_id, uint32_t *index)
{
    if (len != CTRL_HELLO_LEN || bytes_get32(buf) != CTRL_HELLO_MAGIC)
        return -1;
    *index = bytes_get32(buf + 4);
    *test_id = bytes_get64(buf + 8);
    return *index < CTRL_MAX_CONNS ? 0 : -1;
}
