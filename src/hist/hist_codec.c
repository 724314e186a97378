/* The HdrHistogram binary encoding: V2 (LEB128 ZigZag items) written and
 * read, V1 and V0 (fixed-size words) read, each optionally wrapped in a
 * zlib stream. Decoding never trusts its input: every length is checked
 * against the buffer and the layout before anything is allocated. */
#include "hist.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define COOKIE_V2 0x1c849303u
#define COOKIE_V2_Z 0x1c849304u
#define COOKIE_V1 0x1c849301u
#define COOKIE_V1_Z 0x1c849302u
#define COOKIE_V0 0x1c849308u
#define COOKIE_V0_Z 0x1c849309u
#define COOKIE_DOUBLE 0x0c72124eu
#define COOKIE_DOUBLE_Z 0x0c72124fu
#define HEADER_V2 40
#define HEADER_V0 32

__attribute__((format(printf, 3, 4))) static void fail(char *err, size_t errlen, const char *fmt,
                                                       ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* --- LEB128-64b9B ZigZag --------------------------------------------- */

static size_t put_item(uint8_t *p, int64_t n)
{
    uint64_t z = ((uint64_t)n << 1) ^ (uint64_t)(n >> 63);
    size_t k = 0;
    for (; k < 8; k++) {
        if (z < 0x80) {
            p[k] = (uint8_t)z;
            return k + 1;
        }
        p[k] = (uint8_t)((z & 0x7f) | 0x80);
        z >>= 7;
    }
    p[8] = (uint8_t)z; /* bits 56..63, verbatim */
    return 9;
}

/* Reads one item from p[0..end); returns bytes used, 0 if truncated. */
static size_t get_item(const uint8_t *p, size_t avail, int64_t *n)
{
    uint64_t z = 0;
    size_t k = 0;
    for (;; k++) {
        if (k >= avail)
            return 0;
        if (k == 8) {
            z |= (uint64_t)p[8] << 56;
            break;
        }
        z |= (uint64_t)(p[k] & 0x7f) << (7 * k);
        if (!(p[k] & 0x80))
            break;
    }
    *n = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    return k + 1;
}

/* --- encoding -------------------------------------------------------- */

size_t hist_encoded_max(const struct hist *h)
{
    return HEADER_V2 + 9 * (size_t)h->counts_len;
}

size_t hist_encode_v2(const struct hist *h, uint8_t *buf, size_t cap)
{
    int64_t limit = h->max_value == 0 ? 1 : hist_index_of(h, h->max_value) + 1;
    if (limit > h->counts_len)
        limit = h->counts_len;
    if (cap < HEADER_V2)
        return 0;
    size_t o = HEADER_V2;
    for (int64_t i = 0; i < limit;) {
        int64_t c = h->counts[i++];
        if (c < 0)
            return 0;
        if (c == 0) {
            int64_t zeros = 1;
            while (i < limit && h->counts[i] == 0) {
                zeros++;
                i++;
            }
            /* A lone zero slot is item 0, a run of k >= 2 is -k (Java). */
            c = zeros > 1 ? -zeros : 0;
        }
        uint8_t item[9];
        size_t k = put_item(item, c);
        if (cap - o < k)
            return 0;
        memcpy(buf + o, item, k);
        o += k;
    }
    put32(buf, COOKIE_V2 | 0x10);
    put32(buf + 4, (uint32_t)(o - HEADER_V2));
    put32(buf + 8, 0);
    put32(buf + 12, (uint32_t)h->digits);
    put64(buf + 16, (uint64_t)h->lowest);
    put64(buf + 24, (uint64_t)h->highest);
    put64(buf + 32, 0x3ff0000000000000ull); /* conversion ratio 1.0 */
    return o;
}

int hist_encode_compressed(const struct hist *h, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    size_t cap = hist_encoded_max(h);
    uint8_t *raw = malloc(cap);
    size_t rawlen = raw ? hist_encode_v2(h, raw, cap) : 0;
    uLongf zlen = compressBound((uLong)rawlen);
    uint8_t *z = rawlen ? malloc(8 + zlen) : NULL;
    /* Level 9, as Java's log writer: same zlib, same bytes. */
    if (!z || compress2(z + 8, &zlen, raw, (uLong)rawlen, 9) != Z_OK) {
        free(raw);
        free(z);
        return -1;
    }
    free(raw);
    put32(z, COOKIE_V2_Z | 0x10);
    put32(z + 4, (uint32_t)zlen);
    *out = z;
    *len = 8 + zlen;
    return 0;
}

/* --- decoding -------------------------------------------------------- */

struct header {
    uint32_t base;     /* cookie with bits 4..7 cleared */
    int word;          /* 2, 4, 8, or 9 for V2 items */
    size_t header_len; /* 40, or 32 for V0 */
    int64_t payload;   /* payload bytes; V0: counts_len * word */
    int32_t digits;
    int64_t lowest, highest;
    int64_t counts_len;
};

/* Parses and validates a header; the counts array it implies is bounded
 * before anyone allocates it. */
static int parse_header(const uint8_t *p, size_t len, struct header *hd, char *err, size_t errlen)
{
    uint32_t cookie = len >= 4 ? get32(p) : 0;
    hd->base = cookie & ~0xf0u;
    bool v0 = hd->base == COOKIE_V0;
    if (len >= 4 && !v0 && hd->base != COOKIE_V2 && hd->base != COOKIE_V1) {
        if (cookie == COOKIE_DOUBLE || cookie == COOKIE_DOUBLE_Z)
            fail(err, errlen, "DoubleHistogram encodings are not supported");
        else
            fail(err, errlen, "not a histogram encoding (cookie 0x%08x)", cookie);
        return -1;
    }
    if (len < (v0 ? HEADER_V0 : HEADER_V2)) {
        fail(err, errlen, "histogram truncated in its header (%zu bytes)", len);
        return -1;
    }
    hd->word = hd->base == COOKIE_V2 ? 9 : (int)((cookie >> 4) & 0xe);
    if (v0) {
        hd->header_len = HEADER_V0;
        hd->digits = (int32_t)get32(p + 4);
        hd->lowest = (int64_t)get64(p + 8);
        hd->highest = (int64_t)get64(p + 16);
    } else {
        hd->header_len = HEADER_V2;
        hd->payload = (int32_t)get32(p + 4);
        hd->digits = (int32_t)get32(p + 12);
        hd->lowest = (int64_t)get64(p + 16);
        hd->highest = (int64_t)get64(p + 24);
    }
    if (hd->word != 2 && hd->word != 4 && hd->word != 8 && hd->word != 9) {
        fail(err, errlen, "invalid word size %d in cookie 0x%08x", hd->word, cookie);
        return -1;
    }
    hd->counts_len = hist_counts_len_for(hd->lowest, hd->highest, hd->digits);
    if (hd->counts_len < 0 || hd->counts_len > HIST_MAX_COUNTS_LEN) {
        fail(err, errlen, "invalid histogram parameters (lowest %lld, highest %lld, digits %d)",
             (long long)hd->lowest, (long long)hd->highest, hd->digits);
        return -1;
    }
    int64_t max_payload = hd->counts_len * hd->word;
    if (hd->base == COOKIE_V0)
        hd->payload = max_payload;
    if (hd->payload < 0 || hd->payload > max_payload) {
        fail(err, errlen, "invalid payload length %lld", (long long)hd->payload);
        return -1;
    }
    return 0;
}

/* The fills set *end past the last slot they wrote, so that what follows
 * a decode costs what the payload holds, not what the layout could. */
static int fill_items(struct hist *h, const uint8_t *p, size_t len, int32_t *end, char *err,
                      size_t errlen)
{
    int64_t idx = 0;
    for (size_t pos = 0; pos < len;) {
        int64_t n;
        size_t used = get_item(p + pos, len - pos, &n);
        if (used == 0) {
            fail(err, errlen, "histogram payload truncated at byte %zu", pos);
            return -1;
        }
        pos += used;
        if (n < 0) {
            if (n < -INT32_MAX) {
                fail(err, errlen, "zero run too long in histogram payload");
                return -1;
            }
            idx += -n;
            continue;
        }
        if (n > 0 && idx >= h->counts_len) {
            fail(err, errlen, "histogram payload overruns its %d slots", h->counts_len);
            return -1;
        }
        if (n > 0) {
            h->counts[idx] = n;
            *end = (int32_t)idx + 1;
        }
        idx++;
    }
    return 0;
}

static int fill_words(struct hist *h, const uint8_t *p, size_t len, int word, int32_t *end,
                      char *err, size_t errlen)
{
    size_t n = len / (size_t)word;
    for (size_t i = 0; i < n && i < (size_t)h->counts_len; i++) {
        const uint8_t *w = p + i * (size_t)word;
        int64_t c = word == 2   ? (int16_t)(w[0] << 8 | w[1])
                    : word == 4 ? (int32_t)get32(w)
                                : (int64_t)get64(w);
        if (c < 0) {
            fail(err, errlen, "negative count in histogram payload");
            return -1;
        }
        h->counts[i] = c;
        *end = (int32_t)i + 1;
    }
    return 0;
}

/* Totals, min and max follow from the counts (spec 4.5), slots 0 to
 * end - 1 (the rest are zero). */
static int recompute_stats(struct hist *h, int32_t end, char *err, size_t errlen)
{
    int64_t total = 0;
    for (int32_t i = 0; i < end && i < h->counts_len; i++) {
        if (h->counts[i] == 0)
            continue;
        if (__builtin_add_overflow(total, h->counts[i], &total)) {
            fail(err, errlen, "histogram total count overflows");
            return -1;
        }
        int64_t v = hist_value_from_index(h, i);
        h->max_value = hist_highest_equivalent(h, v);
        if (i > 0 && h->min_non_zero == INT64_MAX)
            h->min_non_zero = v;
    }
    h->total_count = total;
    return 0;
}

static int decode_plain(struct hist *h, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct header hd;
    if (parse_header(buf, len, &hd, err, errlen) != 0)
        return -1;
    size_t avail = len - hd.header_len;
    size_t plen = (size_t)hd.payload;
    if (hd.base == COOKIE_V0)
        plen = avail < plen ? avail : plen;
    else if (plen > avail) {
        fail(err, errlen, "histogram payload truncated (%zu of %zu bytes)", avail, plen);
        return -1;
    }
    if (hist_init(h, hd.lowest, hd.highest, hd.digits) != 0) {
        fail(err, errlen, "out of memory for a histogram of %lld slots", (long long)hd.counts_len);
        return -1;
    }
    const uint8_t *p = buf + hd.header_len;
    int32_t end = 0;
    int rc = hd.word == 9 ? fill_items(h, p, plen, &end, err, errlen)
                          : fill_words(h, p, plen, hd.word, &end, err, errlen);
    if (rc == 0)
        rc = recompute_stats(h, end, err, errlen);
    if (rc != 0)
        hist_close(h);
    return rc;
}

/* Inflates into dst until it is full or the stream ends; returns the
 * bytes produced or -1 on a corrupt stream. */
static long inflate_some(z_stream *zs, uint8_t *dst, size_t want)
{
    zs->next_out = dst;
    zs->avail_out = (uInt)want;
    while (zs->avail_out > 0) {
        int zr = inflate(zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK)
            return -1;
        if (zs->avail_in == 0 && zs->avail_out > 0)
            break;
    }
    return (long)(want - zs->avail_out);
}

static int decode_zlib(struct hist *h, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    size_t zlen = get32(buf + 4);
    if (zlen > len - 8) {
        fail(err, errlen, "compressed histogram truncated (%zu of %zu bytes)", len - 8, zlen);
        return -1;
    }
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK) {
        fail(err, errlen, "zlib initialisation failed");
        return -1;
    }
    zs.next_in = (Bytef *)(uintptr_t)(buf + 8);
    zs.avail_in = (uInt)zlen;
    uint8_t head[HEADER_V2];
    uint8_t *all = NULL;
    int rc = -1;
    size_t want = (get32(buf) & ~0xf0u) == COOKIE_V0_Z ? HEADER_V0 : HEADER_V2;
    long got = inflate_some(&zs, head, want);
    struct header hd;
    if (got < 0 || (size_t)got < want) {
        fail(err, errlen, "compressed histogram is corrupt or truncated");
        goto out;
    }
    if (parse_header(head, want, &hd, err, errlen) != 0)
        goto out;
    /* Deflate expands at most ~1032:1, so a payload length the compressed
     * bytes cannot hold is a lie: refuse it before allocating. */
    int64_t bound = (int64_t)zlen * 1032 + 64;
    if (hd.base == COOKIE_V0 && hd.payload > bound)
        hd.payload = bound;
    if (hd.payload > bound) {
        fail(err, errlen, "payload length %lld cannot come from %zu compressed bytes",
             (long long)hd.payload, zlen);
        goto out;
    }
    all = malloc(want + (size_t)hd.payload);
    if (!all) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    memcpy(all, head, want);
    got = inflate_some(&zs, all + want, (size_t)hd.payload);
    if (got < 0 || (hd.base != COOKIE_V0 && got < hd.payload)) {
        fail(err, errlen, "compressed histogram is corrupt or truncated");
        goto out;
    }
    rc = decode_plain(h, all, want + (size_t)got, err, errlen);
out:
    inflateEnd(&zs);
    free(all);
    return rc;
}

int hist_decode(struct hist *h, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    if (len < 8) {
        fail(err, errlen, "histogram encoding truncated (%zu bytes)", len);
        return -1;
    }
    uint32_t base = get32(buf) & ~0xf0u;
    if (base == COOKIE_V2_Z || base == COOKIE_V1_Z || base == COOKIE_V0_Z)
        return decode_zlib(h, buf, len, err, errlen);
    return decode_plain(h, buf, len, err, errlen);
}
