/* Speed of the HTTP head parsers and the chunked decoder on typical
 * inputs: prints ns per call and MB/s. Not a test. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "http_chunked.h"
#include "http_parse.h"

static const char response[] =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
    "Date: Sun, 22 Nov 2026 00:00:00 GMT\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Length: 1000\r\nLast-Modified: Sun, 22 Nov 2026 00:00:00 GMT\r\n"
    "Connection: keep-alive\r\nETag: \"6560-3e8\"\r\n"
    "Accept-Ranges: bytes\r\n\r\n";
static const char request[] = "GET /bytes/1000 HTTP/1.1\r\nHost: 127.0.0.1:7878\r\n"
                              "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

static void report(const char *what, uint64_t ns, long iters, size_t bytes)
{
    printf("%-24s %8.1f ns/call %8.1f MB/s\n", what, (double)ns / (double)iters,
           (double)bytes * (double)iters / ((double)ns / 1e9) / 1e6);
}

int main(void)
{
    const long iters = 2000000;
    volatile long sink = 0;
    uint64_t t0 = clock_now_ns();
    for (long i = 0; i < iters; i++) {
        struct http_response r;
        r.headers = NULL;
        r.max_headers = 0;
        sink += http_parse_response(response, sizeof(response) - 1, false, NULL, &r);
    }
    report("response head", clock_now_ns() - t0, iters, sizeof(response) - 1);
    t0 = clock_now_ns();
    for (long i = 0; i < iters; i++) {
        struct http_header h[16];
        struct http_request r;
        r.headers = h;
        r.max_headers = 16;
        sink += http_parse_request(request, sizeof(request) - 1, NULL, &r);
    }
    report("request head", clock_now_ns() - t0, iters, sizeof(request) - 1);
    static char body[65536 + 64];
    int n = snprintf(body, sizeof(body), "%x\r\n", 65536);
    memset(body + n, 'x', 65536);
    memcpy(body + n + 65536, "\r\n0\r\n\r\n", 7);
    size_t blen = (size_t)n + 65536 + 7;
    t0 = clock_now_ns();
    for (long i = 0; i < iters / 100; i++) {
        struct http_chunked c;
        bool done;
        http_chunked_init(&c);
        sink += http_chunked_skip(&c, body, blen, &done);
    }
    report("chunked 64 KiB body", clock_now_ns() - t0, iters / 100, blen);
    return sink == 0;
}
