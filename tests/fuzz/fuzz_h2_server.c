/* Fuzzes the server's HTTP/2 session (srv_h2.c over nghttp2) with a
 * peer's bytes: the input is cut in two at its first byte's say, as reads
 * would cut it. No crash or over-read (ASan), never more streams than
 * SETTINGS_MAX_CONCURRENT_STREAMS (--h2-max-streams), and the session
 * ends or goes on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srv_h2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    static char pattern[4096];
    /* the server's defaults, but a head of 1 KiB; the first byte picks
     * a stream limit of 1 to 128 */
    const struct srv_h2_bounds b = {1024, 1u << 20, size > 0 ? 1u + data[0] % 128u : 128u,
                                    1u << 20};
    struct srv_h2 *h = srv_h2_new(pattern, sizeof(pattern), "Mon, 07 Dec 2026 12:00:00 GMT", &b);
    check(h != NULL);
    size_t cut = size > 0 ? data[0] % (size + 1) : 0;
    if (srv_h2_feed(h, (const uint8_t *)preface, sizeof(preface) - 1) == 0 &&
        srv_h2_feed(h, data, cut) == 0)
        (void)srv_h2_feed(h, data + cut, size - cut);
    check(srv_h2_streams(h) <= b.max_streams);
    srv_h2_free(h);
    return 0;
}
