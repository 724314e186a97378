/* Fuzzes the client's response reader: the responses it finds in a byte
 * stream must not depend on how the stream is cut into reads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEN 64

static void check(int cond)
{
    if (!cond)
        abort();
}

struct trace {
    size_t n;
    uint64_t sig[MAX_SEEN]; /* status, head and body bytes of each response */
    int end;                /* last result: error, more, or done at EOF */
};

/* Reads data in pieces of `step` bytes through a buffer that keeps an
 * unfinished head, as a connection does. */
static void run(const uint8_t *data, size_t size, size_t step, struct trace *t)
{
    static char buf[1 << 16];
    struct http_reader r;
    memset(&r, 0, sizeof(r));
    memset(t, 0, sizeof(*t));
    r.lim.max_head = 2048;
    size_t held = 0, pos = 0;
    while (pos < size) {
        size_t add = size - pos < step ? size - pos : step;
        memcpy(buf + held, data + pos, add);
        pos += add;
        size_t len = held + add, off = 0;
        for (;;) {
            size_t used;
            enum http_read_result res = http_reader_feed(&r, buf + off, len - off, &used);
            check(used <= len - off);
            off += used;
            if (res == HTTP_READ_ERROR) {
                t->end = -1;
                return;
            }
            if (res == HTTP_READ_MORE)
                break;
            check(r.resp.status >= 200 && r.resp.status <= 599);
            if (t->n < MAX_SEEN)
                t->sig[t->n] =
                    (uint64_t)r.resp.status * 1000003u ^ r.head_bytes << 20 ^ r.body_bytes;
            t->n++;
        }
        held = len - off;
        check(held <= 2048);
        memmove(buf, buf + off, held);
    }
    t->end = (int)http_reader_eof(&r, held);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    struct trace whole, pieces;
    size_t step = (size_t)data[0] % 17 + 1;
    run(data + 1, size - 1, size, &whole);
    run(data + 1, size - 1, step, &pieces);
    check(whole.n == pieces.n && whole.end == pieces.end);
    for (size_t i = 0; i < whole.n && i < MAX_SEEN; i++)
        check(whole.sig[i] == pieces.sig[i]);
    return 0;
}
