/* Chunked transfer coding decoder: a byte-wise state machine for the
 * framing, bulk spans for the data. */
#include "http_chunked.h"

#include <string.h>

enum {
    S_SIZE_FIRST, /* first hex digit of a chunk size */
    S_SIZE,       /* more hex digits, BWS, ';' or CR */
    S_SIZE_BWS,   /* whitespace after the size: only more of it or ';' */
    S_EXT,        /* chunk extension up to CR */
    S_SIZE_LF,
    S_DATA,
    S_DATA_CR,
    S_DATA_LF,
    S_TRAILER_BOL, /* start of a trailer line or the final CRLF */
    S_TRAILER_NAME,
    S_TRAILER_VALUE,
    S_TRAILER_LF,
    S_END_LF,
    S_DONE
};

void http_chunked_init(struct http_chunked *c)
{
    memset(c, 0, sizeof(*c));
}

static int hex_value(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (unsigned char)(ch | 0x20);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static bool is_text(unsigned char ch)
{
    return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

static int fail(struct http_chunked *c, enum http_error e)
{
    c->err = e;
    return -1;
}

/* The chunk-size line: 1*HEXDIG [ BWS ; ext ] CRLF. */
static int size_byte(struct http_chunked *c, unsigned char ch)
{
    if (++c->line_len > HTTP_CHUNK_MAX_LINE)
        return fail(c, HTTP_E_CHUNK_SIZE);
    int h = hex_value(ch);
    switch (c->state) {
    case S_SIZE_FIRST:
    case S_SIZE:
        if (h >= 0) {
            if (c->remaining >> 59) /* the next digit would pass 2^63 */
                return fail(c, HTTP_E_CHUNK_SIZE);
            c->remaining = c->remaining << 4 | (uint64_t)h;
            c->state = S_SIZE;
            return 0;
        }
        if (c->state == S_SIZE_FIRST)
            return fail(c, HTTP_E_CHUNK_SIZE);
        if (ch == '\r')
            c->state = S_SIZE_LF;
        else if (ch == ';')
            c->state = S_EXT;
        else if (ch == ' ' || ch == '\t')
            c->state = S_SIZE_BWS;
        else
            return fail(c, HTTP_E_CHUNK_SIZE);
        return 0;
    case S_SIZE_BWS:
        if (ch == ';')
            c->state = S_EXT;
        else if (ch != ' ' && ch != '\t')
            return fail(c, HTTP_E_CHUNK_SIZE);
        return 0;
    case S_EXT:
        if (ch == '\r')
            c->state = S_SIZE_LF;
        else if (!is_text(ch))
            return fail(c, HTTP_E_CHUNK_SIZE);
        return 0;
    default: /* S_SIZE_LF */
        if (ch != '\n')
            return fail(c, HTTP_E_CHUNK_SIZE);
        c->line_len = 0;
        c->state = c->remaining > 0 ? S_DATA : S_TRAILER_BOL;
        return 0;
    }
}

/* trailer-section = *( field-line CRLF ), then the final CRLF. */
static int trailer_byte(struct http_chunked *c, unsigned char ch)
{
    if (++c->trailer_bytes > HTTP_CHUNK_MAX_TRAILER)
        return fail(c, HTTP_E_TRAILER);
    switch (c->state) {
    case S_TRAILER_BOL:
        if (ch == '\r')
            c->state = S_END_LF;
        else if (http_is_tchar(ch))
            c->state = S_TRAILER_NAME;
        else
            return fail(c, HTTP_E_TRAILER);
        return 0;
    case S_TRAILER_NAME:
        if (ch == ':')
            c->state = S_TRAILER_VALUE;
        else if (!http_is_tchar(ch))
            return fail(c, HTTP_E_TRAILER);
        return 0;
    case S_TRAILER_VALUE:
        if (ch == '\r')
            c->state = S_TRAILER_LF;
        else if (!is_text(ch))
            return fail(c, HTTP_E_TRAILER);
        return 0;
    case S_TRAILER_LF:
        if (ch != '\n')
            return fail(c, HTTP_E_TRAILER);
        c->state = S_TRAILER_BOL;
        return 0;
    default: /* S_END_LF */
        if (ch != '\n')
            return fail(c, HTTP_E_TRAILER);
        c->state = S_DONE;
        return 0;
    }
}

static int framing_byte(struct http_chunked *c, unsigned char ch)
{
    switch (c->state) {
    case S_DATA_CR:
        if (ch != '\r')
            return fail(c, HTTP_E_CHUNK_DATA);
        c->state = S_DATA_LF;
        return 0;
    case S_DATA_LF:
        if (ch != '\n')
            return fail(c, HTTP_E_CHUNK_DATA);
        c->state = S_SIZE_FIRST;
        return 0;
    case S_SIZE_FIRST:
    case S_SIZE:
    case S_SIZE_BWS:
    case S_EXT:
    case S_SIZE_LF: return size_byte(c, ch);
    default: return trailer_byte(c, ch);
    }
}

enum http_chunk_result http_chunked_step(struct http_chunked *c, const char *buf, size_t len,
                                         size_t *used, const char **data, size_t *data_len)
{
    size_t i = 0;
    if (c->err != HTTP_E_NONE) {
        *used = 0;
        return HTTP_CHUNK_ERROR;
    }
    while (i < len && c->state != S_DONE) {
        if (c->state == S_DATA) {
            size_t n = len - i;
            if (n > c->remaining)
                n = (size_t)c->remaining;
            *data = buf + i;
            *data_len = n;
            c->remaining -= n;
            c->body_bytes += n;
            if (c->remaining == 0)
                c->state = S_DATA_CR;
            *used = i + n;
            return HTTP_CHUNK_DATA;
        }
        if (framing_byte(c, (unsigned char)buf[i++]) != 0) {
            *used = i;
            return HTTP_CHUNK_ERROR;
        }
    }
    *used = i;
    return c->state == S_DONE ? HTTP_CHUNK_DONE : HTTP_CHUNK_MORE;
}

long http_chunked_skip(struct http_chunked *c, const char *buf, size_t len, bool *done)
{
    size_t off = 0;
    *done = false;
    for (;;) {
        size_t used, dlen;
        const char *d;
        enum http_chunk_result r = http_chunked_step(c, buf + off, len - off, &used, &d, &dlen);
        off += used;
        switch (r) {
        case HTTP_CHUNK_ERROR: return -1;
        case HTTP_CHUNK_DONE: *done = true; return (long)off;
        case HTTP_CHUNK_MORE: return (long)off;
        case HTTP_CHUNK_DATA: break;
        }
    }
}
