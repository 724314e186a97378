#ifndef NETRIG_HTTP_CHUNKED_H
#define NETRIG_HTTP_CHUNKED_H
/* Incremental decoder for the chunked transfer coding (RFC 9112 7.1):
 * framing is checked byte by byte, data is handed back as spans of the
 * caller's buffer, nothing is copied or allocated. Chunk-size lines are
 * limited to HTTP_CHUNK_MAX_LINE bytes and trailers to HTTP_CHUNK_MAX_TRAILER. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"

#define HTTP_CHUNK_MAX_LINE 1024
#define HTTP_CHUNK_MAX_TRAILER 8192

/* Incremental chunked-body decoder. Zero it (or http_chunked_init) before
 * the first byte of a body; it keeps no pointer into earlier input. */
struct http_chunked {
    int state;
    uint64_t remaining;  /* data bytes left in the current chunk */
    uint64_t body_bytes; /* data bytes decoded so far */
    size_t line_len;     /* bytes of the current size or trailer line */
    size_t trailer_bytes;
    unsigned digits;
    enum http_error err;
};

void http_chunked_init(struct http_chunked *c);

enum http_chunk_result {
    HTTP_CHUNK_ERROR = -1, /* reason in c->err */
    HTTP_CHUNK_MORE = 0,   /* all input consumed, the body goes on */
    HTTP_CHUNK_DATA = 1,   /* *data, *data_len: body bytes inside buf */
    HTTP_CHUNK_DONE = 2    /* the body and its trailers ended */
};

/* Decodes from buf[0..len) until one span of body data, the end of the
 * body or the end of the input, whichever is first. *used is how many
 * bytes of buf were taken (with DONE, the next message starts at
 * buf + *used). */
enum http_chunk_result http_chunked_step(struct http_chunked *c, const char *buf, size_t len,
                                         size_t *used, const char **data, size_t *data_len);

/* Skips chunked framing and data alike (for a reader that only counts).
 * Returns bytes used (<= len); *done tells whether the body ended there.
 * Returns -1 on error (c->err). Body bytes accumulate in c->body_bytes. */
long http_chunked_skip(struct http_chunked *c, const char *buf, size_t len, bool *done);

#endif
