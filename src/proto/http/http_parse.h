#ifndef NETRIG_HTTP_PARSE_H
#define NETRIG_HTTP_PARSE_H
/* A strict, allocation-free, zero-copy HTTP/1.1 parser (RFC 9110/9112).
 *
 * The parsers read a caller's buffer and never write to it or read past
 * buf[len - 1]. Every string they report points into that buffer. They
 * return the number of bytes of the message head (start line, header lines
 * and the blank line), HTTP_PARSE_ERROR (-1, reason in ->err) or
 * HTTP_PARSE_INCOMPLETE (-2: call again with the same start and more bytes).
 * Only CRLF ends a line; obs-fold, whitespace before ':', control bytes,
 * conflicting framing headers and oversized heads are rejected. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_PARSE_ERROR (-1)
#define HTTP_PARSE_INCOMPLETE (-2)

/* Why a message was rejected. A server maps each to a status with
 * http_error_status; a client counts them all as parse errors. */
enum http_error {
    HTTP_E_NONE = 0,
    HTTP_E_START_LINE,        /* malformed request or status line */
    HTTP_E_METHOD,            /* method is not a token */
    HTTP_E_TARGET,            /* empty or invalid request-target */
    HTTP_E_VERSION,           /* not HTTP/1.0 or HTTP/1.1 */
    HTTP_E_STATUS,            /* status code not 100..599 */
    HTTP_E_HEADER,            /* malformed header line */
    HTTP_E_TOO_MANY_HEADERS,  /* more header lines than the caller's array */
    HTTP_E_LINE_TOO_LONG,     /* request line over the limit */
    HTTP_E_HEAD_TOO_LARGE,    /* head over the limit */
    HTTP_E_CONTENT_LENGTH,    /* bad or conflicting Content-Length */
    HTTP_E_TRANSFER_ENCODING, /* coding we do not support, or misplaced chunked */
    HTTP_E_FRAMING,           /* both Content-Length and Transfer-Encoding, or TE in 1.0 */
    HTTP_E_HOST,              /* HTTP/1.1 request without exactly one Host */
    HTTP_E_CHUNK_SIZE,        /* bad chunk-size line or size overflow */
    HTTP_E_CHUNK_DATA,        /* no CRLF after chunk data */
    HTTP_E_TRAILER,           /* malformed or oversized trailer section */
    HTTP_E_COUNT
};

/* How the body after the head is delimited. */
enum http_body {
    HTTP_BODY_NONE,   /* no body (HEAD, 1xx, 204, 304, or a request without one) */
    HTTP_BODY_LENGTH, /* content_length bytes */
    HTTP_BODY_CHUNKED,
    HTTP_BODY_CLOSE /* response read until the peer closes */
};

struct http_header {
    const char *name;
    size_t name_len;
    const char *value; /* optional whitespace trimmed on both sides */
    size_t value_len;
};

/* Limits on what a peer may make us buffer. Zero fields take the defaults
 * (HTTP_DEFAULT_MAX_LINE, HTTP_DEFAULT_MAX_HEAD). */
struct http_limits {
    size_t max_line; /* request line, bytes with its CRLF */
    size_t max_head; /* whole head, bytes */
};

#define HTTP_DEFAULT_MAX_LINE 8192
#define HTTP_DEFAULT_MAX_HEAD 16384

/* A parsed response head. Set headers/max_headers before the call (headers
 * may be NULL: lines are then validated but not stored). */
struct http_response {
    int minor_version; /* 0 or 1 */
    int status;
    const char *reason;
    size_t reason_len;
    struct http_header *headers;
    size_t max_headers;
    size_t nheaders; /* lines seen (stored only up to max_headers) */
    enum http_body body;
    uint64_t content_length;
    bool keep_alive;   /* the connection may carry another request after this one */
    size_t head_bytes; /* equal to the parser's return value */
    enum http_error err;
};

/* A parsed request head; headers/max_headers as for responses, except that
 * more lines than max_headers is an error (HTTP_E_TOO_MANY_HEADERS) when
 * headers is not NULL. */
struct http_request {
    const char *method;
    size_t method_len;
    const char *target;
    size_t target_len;
    int minor_version;
    struct http_header *headers;
    size_t max_headers;
    size_t nheaders;
    enum http_body body; /* NONE, LENGTH or CHUNKED */
    uint64_t content_length;
    bool keep_alive;
    bool expect_continue; /* Expect: 100-continue */
    size_t head_bytes;    /* includes skipped leading blank lines */
    enum http_error err;
};

/* Parses the response head at buf[0..len). head_request: the request was
 * HEAD (no body whatever the headers say). Returns the head's length,
 * HTTP_PARSE_ERROR or HTTP_PARSE_INCOMPLETE. lim may be NULL. */
long http_parse_response(const char *buf, size_t len, bool head_request,
                         const struct http_limits *lim, struct http_response *r);

/* Parses a request head at buf[0..len); leading blank lines (CRLF) are
 * skipped and counted. Returns as http_parse_response. lim may be NULL. */
long http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                        struct http_request *r);

/* Token characters (RFC 9110 5.6.2), as a table for the hot path. */
extern const unsigned char http_tchar_map[256];
static inline bool http_is_tchar(unsigned char c)
{
    return http_tchar_map[c] != 0;
}

/* Case-insensitive lookup of a header in a parsed array; NULL if absent. */
const struct http_header *http_header_find(const struct http_header *h, size_t n, const char *name);

/* Short text naming an error ("bad Content-Length"). */
const char *http_error_name(enum http_error e);

/* The status a server answers a request rejected with e: 400, 414, 431,
 * 501 or 505. */
int http_error_status(enum http_error e);

#endif
