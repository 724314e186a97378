#ifndef NETRIG_FUZZ_HTTP_H
#define NETRIG_FUZZ_HTTP_H
/* Checks shared by the HTTP head parser harnesses (included, not a
 * harness of its own): a failed check aborts, which libFuzzer and the
 * corpus replay both report. */
#include <stddef.h>
#include <stdlib.h>

#include "http_parse.h"

static inline void check(int cond)
{
    if (!cond)
        abort();
}

/* Whether [p, p + n) lies inside [base, base + len). */
static inline int inside(const char *base, size_t len, const char *p, size_t n)
{
    return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

/* Every one of the n parsed headers names something and lies inside the
 * head of len bytes. */
static inline void check_headers(const char *buf, size_t len, const struct http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check(h[i].name_len > 0 && inside(buf, len, h[i].name, h[i].name_len));
        check(inside(buf, len, h[i].value, h[i].value_len));
    }
}

#endif
