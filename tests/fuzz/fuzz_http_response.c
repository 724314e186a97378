/* Fuzzes the response head parser: no over-read (ASan), every reported
 * string inside the head, and a result consistent across prefixes. */
#include <stdint.h>
#include <string.h>

#include "fuzz_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct http_header h[8];
    struct http_response r;
    struct http_limits lim = {0, 512};
    bool head = size > 0 && (data[0] & 1);
    memset(&r, 0, sizeof(r));
    r.headers = h;
    r.max_headers = 8;
    long n = http_parse_response(buf, size, head, &lim, &r);
    check(n == HTTP_PARSE_ERROR || n == HTTP_PARSE_INCOMPLETE || (n > 0 && (size_t)n <= size));
    if (n == HTTP_PARSE_ERROR)
        check(r.err != HTTP_E_NONE);
    if (n == HTTP_PARSE_INCOMPLETE)
        check(size < lim.max_head);
    if (n <= 0)
        return 0;
    size_t len = (size_t)n;
    check(r.head_bytes == len && r.status >= 100 && r.status <= 599);
    check(inside(buf, len, r.reason, r.reason_len));
    check_headers(buf, len, h, r.nheaders < 8 ? r.nheaders : 8);
    if (r.body == HTTP_BODY_CLOSE)
        check(!r.keep_alive);
    /* The head alone parses to the same length; one byte less is not enough. */
    struct http_response r2;
    memset(&r2, 0, sizeof(r2));
    check(http_parse_response(buf, len, head, &lim, &r2) == n);
    check(r2.body == r.body && r2.content_length == r.content_length);
    memset(&r2, 0, sizeof(r2));
    check(http_parse_response(buf, len - 1, head, &lim, &r2) == HTTP_PARSE_INCOMPLETE);
    return 0;
}
