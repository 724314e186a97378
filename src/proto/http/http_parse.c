/* Strict HTTP/1.1 head parser: request and status lines, header fields and
 * the framing they imply. See http_parse.h for the contract. */
#include "http_parse.h"

#include <string.h>

/* Framing facts gathered while the header lines go by. */
struct framing {
    uint64_t content_length;
    bool have_cl;
    unsigned te_codings; /* transfer codings listed, in order */
    unsigned te_chunked; /* how many of them were "chunked" */
    bool te_last_chunked;
    bool conn_close, conn_keep_alive;
    bool expect_continue;
    unsigned hosts;
};

/* RFC 9110 5.6.2 token characters: alphanumerics and !#$%&'*+-.^_`|~ */
const unsigned char http_tchar_map[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* field-vchar, SP or HTAB; obs-text allowed as RFC 9110 5.5 says. */
static bool is_value_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* All of p[0..n) are value characters. Eight bytes at a time: a word with
 * no byte below 0x20 and none equal to 0x7f needs no closer look (tabs
 * send their word to the byte loop). */
static bool value_ok(const char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, x;
        memcpy(&w, p + i, 8);
        x = w ^ (ones * 0x7f);
        if ((((w - ones * 0x20) & ~w) | ((x - ones) & ~x)) & highs) {
            for (size_t k = i; k < i + 8; k++)
                if (!is_value_char((unsigned char)p[k]))
                    return false;
        }
    }
    for (; i < n; i++)
        if (!is_value_char((unsigned char)p[i]))
            return false;
    return true;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* s[0..n) equals the lower-case literal, ignoring ASCII case. */
static bool ieq(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i] != '\0'; i++)
        if (lower(s[i]) != lit[i])
            return false;
    return i == n && lit[i] == '\0';
}

/* Finds the CRLF ending the line at p (searching no further than end).
 * Returns the line length without CRLF, INCOMPLETE, or ERROR for a bare LF
 * or a CR or other control byte inside the line. */
static long line_end(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
        return HTTP_PARSE_INCOMPLETE;
    if (nl == p || nl[-1] != '\r')
        return HTTP_PARSE_ERROR;
    *next = nl + 1;
    return (long)(nl - 1 - p);
}

/* Calls fn on each element of a comma-separated list, OWS trimmed, empty
 * elements skipped (RFC 9110 5.6.1). */
static void list_each(const char *v, size_t n, void (*fn)(struct framing *, const char *, size_t),
                      struct framing *f)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && is_ows(v[a]))
            a++;
        while (b > a && is_ows(v[b - 1]))
            b--;
        if (b > a)
            fn(f, v + a, b - a);
        i = j + 1;
    }
}

static void on_connection(struct framing *f, const char *t, size_t n)
{
    if (ieq(t, n, "close"))
        f->conn_close = true;
    else if (ieq(t, n, "keep-alive"))
        f->conn_keep_alive = true;
}

static void on_coding(struct framing *f, const char *t, size_t n)
{
    f->te_codings++;
    f->te_last_chunked = ieq(t, n, "chunked");
    if (f->te_last_chunked)
        f->te_chunked++;
}

/* 1*DIGIT with no sign, no list and no overflow past 2^62. */
static int parse_length(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (x > ((uint64_t)1 << 62))
        return -1;
    *out = x;
    return 0;
}

/* Applies the framing meaning of one header field. */
static enum http_error on_field(struct framing *f, const struct http_header *h)
{
    switch (h->name_len) {
    case 4:
        if (ieq(h->name, 4, "host"))
            f->hosts++;
        break;
    case 6:
        if (ieq(h->name, 6, "expect") && ieq(h->value, h->value_len, "100-continue"))
            f->expect_continue = true;
        break;
    case 10:
        if (ieq(h->name, 10, "connection"))
            list_each(h->value, h->value_len, on_connection, f);
        break;
    case 14:
        if (ieq(h->name, 14, "content-length")) {
            uint64_t v;
            if (parse_length(h->value, h->value_len, &v) != 0 ||
                (f->have_cl && v != f->content_length))
                return HTTP_E_CONTENT_LENGTH;
            f->have_cl = true;
            f->content_length = v;
        }
        break;
    case 17:
        if (ieq(h->name, 17, "transfer-encoding")) {
            unsigned before = f->te_codings;
            list_each(h->value, h->value_len, on_coding, f);
            if (f->te_codings == before)
                return HTTP_E_TRANSFER_ENCODING;
        }
        break;
    default: break;
    }
    return HTTP_E_NONE;
}

/* Splits one header line (without CRLF) into name and trimmed value. */
static int split_field(const char *p, size_t n, struct http_header *h)
{
    size_t i = 0;
    while (i < n && http_is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i == n || p[i] != ':')
        return -1; /* empty name, no colon, or space before the colon */
    h->name = p;
    h->name_len = i;
    size_t a = i + 1, b = n;
    if (!value_ok(p + a, n - a))
        return -1;
    while (a < b && is_ows(p[a]))
        a++;
    while (b > a && is_ows(p[b - 1]))
        b--;
    h->value = p + a;
    h->value_len = b - a;
    return 0;
}

/* Parses header lines from p up to and including the blank line. Returns
 * the position after it, or NULL with *rc set (INCOMPLETE or ERROR with
 * *err). must_fit: more lines than max is an error rather than unstored. */
static const char *parse_fields(const char *p, const char *end, struct http_header *hs, size_t max,
                                bool must_fit, size_t *nout, struct framing *f, long *rc,
                                enum http_error *err)
{
    size_t n = 0;
    for (;;) {
        const char *next;
        long l = line_end(p, end, &next);
        if (l < 0) {
            *rc = l;
            *err = HTTP_E_HEADER;
            *nout = n;
            return NULL;
        }
        if (l == 0) {
            *nout = n;
            return next;
        }
        struct http_header tmp, *h = (hs != NULL && n < max) ? &hs[n] : &tmp;
        *err = HTTP_E_NONE;
        if (hs != NULL && n >= max && must_fit)
            *err = HTTP_E_TOO_MANY_HEADERS;
        else if (split_field(p, (size_t)l, h) != 0)
            *err = HTTP_E_HEADER;
        else
            *err = on_field(f, h);
        if (*err != HTTP_E_NONE) {
            *rc = HTTP_PARSE_ERROR;
            *nout = n;
            return NULL;
        }
        n++;
        p = next;
    }
}

static size_t limit_or(size_t v, size_t def)
{
    return v != 0 ? v : def;
}

/* "HTTP/1.0" or "HTTP/1.1" at p (8 bytes available): minor version, or -1
 * with *err telling a well-formed other version from garbage. */
static int parse_version(const char *p, enum http_error *err)
{
    if (memcmp(p, "HTTP/", 5) == 0 && p[5] >= '0' && p[5] <= '9' && p[6] == '.' && p[7] >= '0' &&
        p[7] <= '9') {
        if (p[5] == '1' && (p[7] == '0' || p[7] == '1'))
            return p[7] - '0';
        *err = HTTP_E_VERSION;
        return -1;
    }
    *err = HTTP_E_START_LINE;
    return -1;
}

/* Turns an incomplete result into a size error once the limit is reached. */
static long incomplete_or_limit(size_t have, size_t limit, enum http_error code,
                                enum http_error *err)
{
    if (have >= limit) {
        *err = code;
        return HTTP_PARSE_ERROR;
    }
    return HTTP_PARSE_INCOMPLETE;
}

static int parse_status_line(const char *p, size_t n, struct http_response *r)
{
    if (n < 12) {
        r->err = HTTP_E_START_LINE;
        return -1;
    }
    if (parse_version(p, &r->err) < 0)
        return -1;
    if (p[8] != ' ') {
        r->err = HTTP_E_START_LINE;
        return -1;
    }
    r->minor_version = p[7] - '0';
    int st = 0;
    for (int i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9') {
            r->err = HTTP_E_STATUS;
            return -1;
        }
        st = st * 10 + (p[i] - '0');
    }
    if (st < 100 || st > 599 || (n > 12 && p[12] != ' ')) {
        r->err = st < 100 || st > 599 ? HTTP_E_STATUS : HTTP_E_START_LINE;
        return -1;
    }
    if (n > 13 && !value_ok(p + 13, n - 13)) {
        r->err = HTTP_E_START_LINE;
        return -1;
    }
    r->status = st;
    r->reason = n > 13 ? p + 13 : p + n;
    r->reason_len = n > 13 ? n - 13 : 0;
    return 0;
}

static bool keep_alive(int minor, const struct framing *f)
{
    return minor >= 1 ? !f->conn_close : (f->conn_keep_alive && !f->conn_close);
}

/* Decides how the response body is delimited (RFC 9112 6.3). */
static int response_framing(struct http_response *r, bool head_request, const struct framing *f)
{
    if (f->te_codings > 0 && (f->have_cl || r->minor_version == 0)) {
        r->err = HTTP_E_FRAMING;
        return -1;
    }
    if (f->te_chunked > 1 || (f->te_chunked == 1 && !f->te_last_chunked)) {
        r->err = HTTP_E_TRANSFER_ENCODING;
        return -1;
    }
    r->content_length = f->have_cl ? f->content_length : 0;
    if (head_request || r->status < 200 || r->status == 204 || r->status == 304)
        r->body = HTTP_BODY_NONE;
    else if (f->te_codings > 0)
        r->body = f->te_last_chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_CLOSE;
    else if (f->have_cl)
        r->body = f->content_length > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
    else
        r->body = HTTP_BODY_CLOSE;
    r->keep_alive = r->body != HTTP_BODY_CLOSE && keep_alive(r->minor_version, f);
    return 0;
}

long http_parse_response(const char *buf, size_t len, bool head_request,
                         const struct http_limits *lim, struct http_response *r)
{
    size_t max_head = limit_or(lim ? lim->max_head : 0, HTTP_DEFAULT_MAX_HEAD);
    const char *end = buf + (len < max_head ? len : max_head), *p;
    struct framing f;
    memset(&f, 0, sizeof(f));
    r->err = HTTP_E_NONE;
    r->nheaders = 0;
    long l = line_end(buf, end, &p), rc;
    if (l == HTTP_PARSE_INCOMPLETE)
        return incomplete_or_limit(len, max_head, HTTP_E_HEAD_TOO_LARGE, &r->err);
    if (l < 0 || parse_status_line(buf, (size_t)l, r) != 0) {
        if (r->err == HTTP_E_NONE)
            r->err = HTTP_E_START_LINE;
        return HTTP_PARSE_ERROR;
    }
    p = parse_fields(p, end, r->headers, r->max_headers, false, &r->nheaders, &f, &rc, &r->err);
    if (p == NULL) {
        if (rc == HTTP_PARSE_INCOMPLETE)
            return incomplete_or_limit(len, max_head, HTTP_E_HEAD_TOO_LARGE, &r->err);
        return HTTP_PARSE_ERROR;
    }
    if (response_framing(r, head_request, &f) != 0)
        return HTTP_PARSE_ERROR;
    r->head_bytes = (size_t)(p - buf);
    return (long)r->head_bytes;
}

/* method SP request-target SP HTTP-version, without CRLF. */
static int parse_request_line(const char *p, size_t n, struct http_request *r)
{
    size_t i = 0;
    while (i < n && http_is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i == n || p[i] != ' ') {
        r->err = i == n ? HTTP_E_START_LINE : HTTP_E_METHOD;
        return -1;
    }
    r->method = p;
    r->method_len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
        i++;
    if (i == t || i == n || p[i] != ' ') {
        r->err = HTTP_E_TARGET;
        return -1;
    }
    r->target = p + t;
    r->target_len = i - t;
    i++;
    if (n - i != 8) {
        r->err = HTTP_E_START_LINE;
        return -1;
    }
    int minor = parse_version(p + i, &r->err);
    if (minor < 0)
        return -1;
    r->minor_version = minor;
    return 0;
}

static int request_framing(struct http_request *r, const struct framing *f)
{
    if ((r->minor_version == 1 && f->hosts != 1) || f->hosts > 1)
        r->err = HTTP_E_HOST;
    else if (f->te_codings > 0 && (f->have_cl || r->minor_version == 0))
        r->err = HTTP_E_FRAMING;
    else if (f->te_codings > f->te_chunked)
        r->err = HTTP_E_TRANSFER_ENCODING;
    else if (f->te_chunked > 1)
        r->err = HTTP_E_FRAMING;
    if (r->err != HTTP_E_NONE)
        return -1;
    r->content_length = f->have_cl ? f->content_length : 0;
    if (f->te_chunked == 1)
        r->body = HTTP_BODY_CHUNKED;
    else
        r->body = r->content_length > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
    r->keep_alive = keep_alive(r->minor_version, f);
    r->expect_continue = f->expect_continue && r->minor_version == 1;
    return 0;
}

long http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                        struct http_request *r)
{
    size_t max_line = limit_or(lim ? lim->max_line : 0, HTTP_DEFAULT_MAX_LINE);
    size_t max_head = limit_or(lim ? lim->max_head : 0, HTTP_DEFAULT_MAX_HEAD);
    const char *end = buf + (len < max_head ? len : max_head), *s = buf, *p;
    struct framing f;
    memset(&f, 0, sizeof(f));
    r->err = HTTP_E_NONE;
    r->nheaders = 0;
    /* RFC 9112 2.2: ignore blank lines before the request line, such as a
     * client's stray CRLF after a POST body. */
    while (end - s >= 2 && s[0] == '\r' && s[1] == '\n')
        s += 2;
    if (s == end || (end - s == 1 && *s == '\r'))
        return incomplete_or_limit(len, max_head, HTTP_E_HEAD_TOO_LARGE, &r->err);
    size_t line_room = (size_t)(end - s) < max_line ? (size_t)(end - s) : max_line;
    long l = line_end(s, s + line_room, &p), rc;
    if (l == HTTP_PARSE_INCOMPLETE) {
        if (line_room == max_line) {
            r->err = HTTP_E_LINE_TOO_LONG;
            return HTTP_PARSE_ERROR;
        }
        return incomplete_or_limit(len, max_head, HTTP_E_HEAD_TOO_LARGE, &r->err);
    }
    if (l < 0 || parse_request_line(s, (size_t)l, r) != 0) {
        if (r->err == HTTP_E_NONE)
            r->err = HTTP_E_START_LINE;
        return HTTP_PARSE_ERROR;
    }
    p = parse_fields(p, end, r->headers, r->max_headers, true, &r->nheaders, &f, &rc, &r->err);
    if (p == NULL) {
        if (rc == HTTP_PARSE_INCOMPLETE)
            return incomplete_or_limit(len, max_head, HTTP_E_HEAD_TOO_LARGE, &r->err);
        return HTTP_PARSE_ERROR;
    }
    if (request_framing(r, &f) != 0)
        return HTTP_PARSE_ERROR;
    r->head_bytes = (size_t)(p - buf);
    return (long)r->head_bytes;
}

const struct http_header *http_header_find(const struct http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (ieq(h[i].name, h[i].name_len, name))
            return &h[i];
    return NULL;
}

static const char *const error_names[HTTP_E_COUNT] = {
    [HTTP_E_NONE] = "no error",
    [HTTP_E_START_LINE] = "malformed start line",
    [HTTP_E_METHOD] = "bad method",
    [HTTP_E_TARGET] = "bad request target",
    [HTTP_E_VERSION] = "unsupported HTTP version",
    [HTTP_E_STATUS] = "bad status code",
    [HTTP_E_HEADER] = "malformed header line",
    [HTTP_E_TOO_MANY_HEADERS] = "too many header lines",
    [HTTP_E_LINE_TOO_LONG] = "request line too long",
    [HTTP_E_HEAD_TOO_LARGE] = "header section too large",
    [HTTP_E_CONTENT_LENGTH] = "bad Content-Length",
    [HTTP_E_TRANSFER_ENCODING] = "unsupported Transfer-Encoding",
    [HTTP_E_FRAMING] = "conflicting message framing",
    [HTTP_E_HOST] = "missing or repeated Host",
    [HTTP_E_CHUNK_SIZE] = "bad chunk size",
    [HTTP_E_CHUNK_DATA] = "no CRLF after chunk data",
    [HTTP_E_TRAILER] = "bad chunked trailer",
};

const char *http_error_name(enum http_error e)
{
    return (unsigned)e < HTTP_E_COUNT ? error_names[e] : "unknown error";
}

int http_error_status(enum http_error e)
{
    switch (e) {
    case HTTP_E_LINE_TOO_LONG: return 414;
    case HTTP_E_HEAD_TOO_LARGE:
    case HTTP_E_TOO_MANY_HEADERS: return 431;
    case HTTP_E_TRANSFER_ENCODING: return 501;
    case HTTP_E_VERSION: return 505;
    default: return 400;
    }
}
