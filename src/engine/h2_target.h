#ifndef NETRIG_H2_TARGET_H
#define NETRIG_H2_TARGET_H
/* What an HTTP/2 test requests (h2_target.c): the request's header list,
 * built once per test as nghttp2 name/value pairs that every stream of
 * every worker submits as they are (nghttp2 compresses them with HPACK
 * per connection). Part of the test's http_target. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>

#include "config.h"

#define H2_TARGET_MAX_NV (5 + CONFIG_MAX_HEADERS)

struct h2_target {
    bool on;          /* --http2 */
    uint32_t streams; /* concurrent streams per connection */
    nghttp2_nv nv[H2_TARGET_MAX_NV];
    size_t nnv;
    char method[8], scheme[8], path[1100], authority[300], clen[24];
    char names[CONFIG_MAX_HEADERS][128]; /* lower case, as HTTP/2 requires */
    char values[CONFIG_MAX_HEADERS][256];
};

/* Builds the header list: :method, :scheme, :path, :authority, then
 * content-length for a body and the --header lines (names lowered; a Host
 * header becomes :authority; connection-specific headers, which HTTP/2
 * forbids, are refused). Returns 0 or -1 with a message naming the
 * option at fault. */
int h2_target_init(struct h2_target *t, const struct netrig_config *cfg, const char *path,
                   const char *authority, bool tls, uint64_t body_len, char *err, size_t errlen);

#endif
