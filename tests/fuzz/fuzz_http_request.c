/* Fuzzes the request head parser: no over-read (ASan), strings inside the
 * head, limits enforced, and a result consistent across prefixes. */
#include <stdint.h>
#include <string.h>

#include "fuzz_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct http_header h[6];
    struct http_request r;
    struct http_limits lim = {128, 600};
    memset(&r, 0, sizeof(r));
    r.headers = h;
    r.max_headers = 6;
    long n = http_parse_request(buf, size, &lim, &r);
    check(n == HTTP_PARSE_ERROR || n == HTTP_PARSE_INCOMPLETE || (n > 0 && (size_t)n <= size));
    if (n == HTTP_PARSE_ERROR) {
        int st = http_error_status(r.err);
        check(r.err != HTTP_E_NONE && st >= 400 && st <= 505);
    }
    if (n == HTTP_PARSE_INCOMPLETE)
        check(size < lim.max_head);
    if (n <= 0)
        return 0;
    size_t len = (size_t)n;
    check(len <= lim.max_head && r.head_bytes == len && r.nheaders <= 6);
    check(r.method_len > 0 && inside(buf, len, r.method, r.method_len));
    check(r.target_len > 0 && inside(buf, len, r.target, r.target_len));
    check(r.method_len + r.target_len + 12 <= lim.max_line);
    check_headers(buf, len, h, r.nheaders);
    check(r.body != HTTP_BODY_CLOSE);
    check(r.body != HTTP_BODY_LENGTH || r.content_length > 0);
    struct http_request r2;
    memset(&r2, 0, sizeof(r2));
    check(http_parse_request(buf, len, &lim, &r2) == n && r2.body == r.body);
    memset(&r2, 0, sizeof(r2));
    check(http_parse_request(buf, len - 1, &lim, &r2) == HTTP_PARSE_INCOMPLETE);
    return 0;
}
