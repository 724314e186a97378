/* Fuzzes the chunked decoder: decoding the input whole and split at a
 * point chosen by its first byte must give the same data, end and error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

struct outcome {
    enum http_chunk_result last;
    size_t end; /* bytes used when the body ended or failed */
    uint64_t body;
    uint64_t sum; /* checksum of the data seen, in order */
    enum http_error err;
};

/* Feeds buf in pieces cut at the offsets in cuts (ascending, ncuts of them). */
static void decode(const char *buf, size_t size, const size_t *cuts, size_t ncuts,
                   struct outcome *o)
{
    struct http_chunked c;
    http_chunked_init(&c);
    memset(o, 0, sizeof(*o));
    size_t from = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t to = k < ncuts ? cuts[k] : size, pos = from;
        enum http_chunk_result r;
        do {
            size_t used, dlen = 0;
            const char *d = NULL;
            r = http_chunked_step(&c, buf + pos, to - pos, &used, &d, &dlen);
            check(used <= to - pos);
            if (r == HTTP_CHUNK_DATA) {
                check(dlen > 0 && d >= buf + pos && d + dlen <= buf + pos + used);
                for (size_t i = 0; i < dlen; i++)
                    o->sum = o->sum * 31 + (unsigned char)d[i];
            }
            pos += used;
        } while (r == HTTP_CHUNK_DATA);
        o->last = r;
        if (r != HTTP_CHUNK_MORE) {
            o->end = pos;
            break;
        }
        check(pos == to);
        from = to;
    }
    o->body = c.body_bytes;
    o->err = c.err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct outcome whole, split;
    decode(buf, size, NULL, 0, &whole);
    size_t cut = size > 0 ? data[0] % (size + 1) : 0;
    decode(buf, size, &cut, 1, &split);
    check(whole.last == split.last && whole.end == split.end && whole.body == split.body &&
          whole.sum == split.sum && whole.err == split.err);
    check((whole.last == HTTP_CHUNK_ERROR) == (whole.err != HTTP_E_NONE));
    struct http_chunked c;
    bool done;
    http_chunked_init(&c);
    long n = http_chunked_skip(&c, buf, size, &done);
    if (whole.last == HTTP_CHUNK_ERROR)
        check(n == -1);
    else
        check(n >= 0 && done == (whole.last == HTTP_CHUNK_DONE) && c.body_bytes == whole.body);
    return 0;
}
