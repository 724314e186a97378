#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const err_names[ERRC_COUNT] = {"connect", "read",       "write",     "reset",
                                                  "timeout", "protocol",   "refused",   "other",
                                                  "parse",   "status_4xx", "status_5xx"};

const char *stats_err_name(int cls)
{
    return cls >= 0 && cls < ERRC_COUNT ? err_names[cls] : "?";
}

static const char *const h2err_names[H2E_COUNT] = {"rst_refused", "rst_cancel", "rst_other",
                                                   "goaway", "flow_stall"};

const char *stats_h2err_name(int cls)
{
    return cls >= 0 && cls < H2E_COUNT ? h2err_names[cls] : "?";
}

int stats_init(struct stats *s)
{
    memset(s, 0, sizeof(*s));
    if (hist_init_default(&s->lat) != 0 || hist_init_default(&s->total) != 0 ||
        hist_init_default(&s->connect) != 0 || hist_init_default(&s->upgrade) != 0) {
        stats_close(s);
        return -1;
    }
    return 0;
}

void stats_init_counters(struct stats *s)
{
    memset(s, 0, sizeof(*s));
}

void stats_close(struct stats *s)
{
    if (!s)
        return;
    hist_close(&s->lat);
    hist_close(&s->total);
    hist_close(&s->connect);
    hist_close(&s->upgrade);
}

void stats_add(struct stats *d, const struct stats *s)
{
    d->rx_bytes += s->rx_bytes;
    d->rx_msgs += s->rx_msgs;
    d->tx_bytes += s->tx_bytes;
    d->tx_msgs += s->tx_msgs;
    d->txn += s->txn;
    d->hdr_bytes += s->hdr_bytes;
    d->body_done += s->body_done;
    d->h2_frames += s->h2_frames;
    d->req_hdr_bytes += s->req_hdr_bytes;
    d->ws_peer_msgs += s->ws_peer_msgs;
    d->ws_peer_bytes += s->ws_peer_bytes;
    d->ws_peer_ns += s->ws_peer_ns;
    d->ws_peer_conns += s->ws_peer_conns;
    d->ws_deflate_on += s->ws_deflate_on;
    d->ws_deflate_declined += s->ws_deflate_declined;
    d->ws_wire_bytes += s->ws_wire_bytes;
    d->ws_wire_payload += s->ws_wire_payload;
    for (int i = 0; i < H2E_COUNT; i++)
        d->h2err[i] += s->h2err[i];
    d->tls_resumed += s->tls_resumed;
    if (d->tls_cipher == NULL) {
        d->tls_cipher = s->tls_cipher;
        d->tls_version = s->tls_version;
    }
    d->rx_total += s->rx_total;
    d->tx_total += s->tx_total;
    d->lost += s->lost;
    d->expected += s->expected;
    d->reorder += s->reorder;
    d->dup += s->dup;
    d->jitter_sum_ns += s->jitter_sum_ns;
    d->jitter_flows += s->jitter_flows;
    for (int i = 0; i < ERRC_COUNT; i++)
        d->err[i] += s->err[i];
    d->retrans += s->retrans;
    d->rtt_us_sum += s->rtt_us_sum;
    d->cwnd_sum += s->cwnd_sum;
    d->tcpinfo_n += s->tcpinfo_n;
    if (s->mss)
        d->mss = s->mss;
    if (!d->cc[0])
        memcpy(d->cc, s->cc, sizeof(d->cc));
    if (!d->note[0])
        memcpy(d->note, s->note, sizeof(d->note));
    /* Adding walks every slot: skip the (often) empty ones. */
    if (s->lat.total_count)
        hist_add(&d->lat, &s->lat);
    if (s->total.total_count)
        hist_add(&d->total, &s->total);
    if (s->connect.total_count)
        hist_add(&d->connect, &s->connect);
    if (s->upgrade.total_count)
        hist_add(&d->upgrade, &s->upgrade);
}

void stats_fold_interval(struct stats *s)
{
    if (s->lat.total_count == 0)
        return;
    hist_add(&s->total, &s->lat);
    hist_reset(&s->lat);
}

uint64_t stats_err_sum(const uint64_t err[ERRC_COUNT])
{
    uint64_t n = 0;
    for (int i = 0; i < ERRC_COUNT; i++)
        n += err[i];
    return n;
}

void stats_err_format(const uint64_t err[ERRC_COUNT], char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < ERRC_COUNT && off < len; i++) {
        if (!err[i])
            continue;
        int n = snprintf(buf + off, len - off, "%s%s=%llu", off ? " " : "", err_names[i],
                         (unsigned long long)err[i]);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

/* --- UDP sequence tracking ------------------------------------------- */

static bool seen_test_set(struct seqtrack *t, uint64_t seq)
{
    uint64_t bit = seq % SEQ_WINDOW, mask = 1ull << (bit % 64);
    uint64_t *w = &t->seen[bit / 64];
    bool was = (*w & mask) != 0;
    *w |= mask;
    return was;
}

static void seen_clear_range(struct seqtrack *t, uint64_t from, uint64_t to)
{
    if (to - from >= SEQ_WINDOW) {
        memset(t->seen, 0, sizeof(t->seen));
        return;
    }
    for (uint64_t s = from; s < to; s++)
        t->seen[(s % SEQ_WINDOW) / 64] &= ~(1ull << (s % 64));
}

void seqtrack_add(struct seqtrack *t, uint32_t seq, int64_t transit_ns)
{
    if (!t->started) {
        memset(t, 0, sizeof(*t));
        t->started = true;
        t->first = t->max = seq;
        t->received = 1;
        t->last_transit = transit_ns;
        seen_test_set(t, seq);
        return;
    }
    /* Extend the 32-bit number around the highest seen so far. */
    int32_t delta = (int32_t)(seq - (uint32_t)t->max);
    uint64_t ext = t->max + (uint64_t)(int64_t)delta;
    if (delta < 0 && (uint64_t)(-(int64_t)delta) > t->max - t->first + SEQ_WINDOW)
        return; /* from before the tracked range: stale */
    if (delta > 0) {
        seen_clear_range(t, t->max + 1, ext + 1);
        t->max = ext;
        seen_test_set(t, ext);
        t->received++;
    } else if (delta < 0 && (uint64_t)(-(int64_t)delta) < SEQ_WINDOW && ext >= t->first) {
        if (seen_test_set(t, ext)) {
            t->dup++;
            return;
        }
        t->received++;
        t->reorder++;
    } else {
        t->dup++; /* the same as the highest, or too old to tell: not new data */
        return;
    }
    /* The send time is the peer's word: unsigned, no difference overflows. */
    uint64_t a = (uint64_t)transit_ns, b = (uint64_t)t->last_transit;
    uint64_t d = transit_ns >= t->last_transit ? a - b : b - a;
    t->last_transit = transit_ns;
    t->jitter_ns += ((double)d - t->jitter_ns) / 16.0;
}

void seqtrack_flush(struct seqtrack *t, struct stats *s)
{
    if (!t->started)
        return;
    uint64_t expected = t->max - t->first + 1;
    s->expected += expected;
    s->lost += expected > t->received ? expected - t->received : 0;
    s->reorder += t->reorder;
    s->dup += t->dup;
    s->jitter_sum_ns += t->jitter_ns;
    s->jitter_flows++;
    memset(t, 0, sizeof(*t));
}
