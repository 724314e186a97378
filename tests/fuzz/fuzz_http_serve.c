/* Fuzzes the server's connection state machine with arbitrary request
 * bytes, read in pieces: whatever comes in, what goes out must be a
 * sequence of well-formed responses, and a connection must never stall
 * holding a full buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "http_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

static char out[1 << 17];
static size_t outlen;
static int truncated;

static void flush(struct http_serve *s)
{
    struct iovec iov[4];
    int n;
    while ((n = http_serve_pending(s, iov, 4)) > 0) {
        size_t w = 0;
        for (int i = 0; i < n; i++) {
            size_t l = iov[i].iov_len;
            if (outlen + l <= sizeof(out)) {
                memcpy(out + outlen, iov[i].iov_base, l);
                outlen += l;
            } else {
                truncated = 1;
            }
            w += l;
        }
        http_serve_sent(s, w);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[4096];
    static const char pattern[] = "abcdefgh";
    static const char date[30] = "Sun, 06 Nov 1994 08:49:37 GMT";
    if (size < 1)
        return 0;
    size_t step = (size_t)data[0] % 29 + 1, held = 0, pos = 1;
    struct http_serve s;
    http_serve_init(&s, pattern, sizeof(pattern) - 1, date, 1000);
    s.lim.max_head = 1024;
    s.lim.max_line = 256;
    outlen = 0;
    truncated = 0;
    while (pos < size && !http_serve_done(&s)) {
        size_t add = size - pos < step ? size - pos : step;
        check(held + add <= sizeof(buf));
        memcpy(buf + held, data + pos, add);
        pos += add;
        held += add;
        size_t used = http_serve_input(&s, buf, held);
        check(used <= held);
        memmove(buf, buf + used, held - used);
        held -= used;
        flush(&s);
        /* With the output drained, a full head buffer must have been
         * answered (431) or consumed, never kept waiting. */
        check(held <= s.lim.max_head);
    }
    /* Every response written is well-formed and complete. A HEAD answer
     * has a Content-Length but no body, which a reader cannot know without
     * the method, so inputs naming HEAD skip this check. */
    if (memmem(data, size, "HEAD", 4) != NULL || truncated)
        return 0;
    struct http_reader rd;
    memset(&rd, 0, sizeof(rd));
    size_t off = 0;
    while (off < outlen) {
        size_t used;
        enum http_read_result res = http_reader_feed(&rd, out + off, outlen - off, &used);
        check(res != HTTP_READ_ERROR);
        off += used;
        if (res == HTTP_READ_MORE)
            break;
        check(rd.resp.status == 200 || (rd.resp.status >= 400 && rd.resp.status <= 505));
    }
    /* Only a 100 Continue may stand alone, while its body is awaited. */
    check(off == outlen && (http_reader_idle(&rd) || !http_serve_peer_closed(&s, 0)));
    return 0;
}
