/* permessage-deflate negotiation (RFC 7692 7.1) over the extension list
 * grammar of RFC 6455 9.1. */
#include "ws_ext.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS 8

struct param {
    const char *name, *val;
    size_t nlen, vlen;
    bool has_val;
};

/* One extension of the list: its name and parameters. */
struct elem {
    const char *name;
    size_t nlen;
    struct param p[MAX_PARAMS];
    int np;
};

static bool tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void ows(const char *v, size_t n, size_t *i)
{
    while (*i < n && (v[*i] == ' ' || v[*i] == '\t'))
        (*i)++;
}

/* A token at v[*i]: its start and length (0: none). */
static size_t token(const char *v, size_t n, size_t *i, const char **start)
{
    *start = v + *i;
    size_t s = *i;
    while (*i < n && tchar(v[*i]))
        (*i)++;
    return *i - s;
}

/* A parameter's value: a token, or a quoted string holding one (RFC 7692
 * 7.1: "the value ... MUST conform to the token ABNF" once unquoted). */
static int value(const char *v, size_t n, size_t *i, struct param *p)
{
    if (*i < n && v[*i] == '"') {
        (*i)++;
        p->vlen = token(v, n, i, &p->val);
        if (*i >= n || v[*i] != '"')
            return -1;
        (*i)++;
    } else {
        p->vlen = token(v, n, i, &p->val);
    }
    return p->vlen > 0 ? 0 : -1;
}

/* The element at v[*i], up to its comma (consumed) or the end. Returns 0,
 * or -1 on a syntax error (the rest of the list cannot be trusted). */
static int element(const char *v, size_t n, size_t *i, struct elem *e)
{
    e->np = 0;
    ows(v, n, i);
    e->nlen = token(v, n, i, &e->name);
    if (e->nlen == 0)
        return -1;
    ows(v, n, i);
    while (*i < n && v[*i] == ';') {
        (*i)++;
        ows(v, n, i);
        if (e->np == MAX_PARAMS)
            return -1;
        struct param *p = &e->p[e->np++];
        *p = (struct param){0};
        p->nlen = token(v, n, i, &p->name);
        if (p->nlen == 0)
            return -1;
        ows(v, n, i);
        if (*i < n && v[*i] == '=') {
            (*i)++;
            ows(v, n, i);
            p->has_val = true;
            if (value(v, n, i, p) != 0)
                return -1;
            ows(v, n, i);
        }
    }
    if (*i < n && v[*i] != ',')
        return -1;
    if (*i < n)
        (*i)++;
    return 0;
}

static bool is(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* Window bits 8..15, in their plain decimal form. */
static int bits(const struct param *p)
{
    if (!p->has_val || p->vlen > 2 || p->val[0] == '0')
        return -1;
    int b = 0;
    for (size_t k = 0; k < p->vlen; k++) {
        if (p->val[k] < '0' || p->val[k] > '9')
            return -1;
        b = b * 10 + (p->val[k] - '0');
    }
    return b >= 8 && b <= 15 ? b : -1;
}

enum { P_SNCT, P_CNCT, P_SBITS, P_CBITS, P_COUNT };
static const char *const pnames[P_COUNT] = {"server_no_context_takeover",
                                            "client_no_context_takeover", "server_max_window_bits",
                                            "client_max_window_bits"};

/* The parameters of a permessage-deflate element into *x. client_bits is
 * 0 when client_max_window_bits came without a value. Returns 0, or -1
 * with the reason. */
static int params(const struct elem *e, struct ws_ext *x, const char **why)
{
    bool seen[P_COUNT] = {false};
    *x = (struct ws_ext){.on = true, .server_bits = 15, .client_bits = 15};
    for (int k = 0; k < e->np; k++) {
        const struct param *p = &e->p[k];
        int id = 0;
        while (id < P_COUNT && !is(p->name, p->nlen, pnames[id]))
            id++;
        if (id == P_COUNT)
            return *why = "unknown permessage-deflate parameter", -1;
        if (seen[id])
            return *why = "permessage-deflate parameter repeated", -1;
        seen[id] = true;
        if ((id == P_SNCT || id == P_CNCT) && p->has_val)
            return *why = "no_context_takeover with a value", -1;
        int b = id == P_SBITS || (id == P_CBITS && p->has_val) ? bits(p) : 0;
        if (b < 0)
            return *why = "max_window_bits not 8 to 15", -1;
        if (id == P_SNCT)
            x->server_nct = true;
        else if (id == P_CNCT)
            x->client_nct = true;
        else if (id == P_SBITS)
            x->server_bits = (uint8_t)b;
        else
            x->client_bits = (uint8_t)b; /* 0: no value */
    }
    return 0;
}

int ws_ext_choose(const char *v, size_t n, struct ws_ext *e)
{
    size_t i = 0;
    struct elem el;
    while (i < n) {
        if (element(v, n, &i, &el) != 0)
            return 0;
        struct ws_ext x;
        const char *why;
        if (!is(el.name, el.nlen, "permessage-deflate") || params(&el, &x, &why) != 0 ||
            x.server_bits < 9)
            continue;
        /* The client's own window bound (with a value) is its business: the
         * server inflates with the largest window whatever it is. */
        x.client_bits = 15;
        *e = x;
        return 1;
    }
    return 0;
}

int ws_ext_answer_write(const struct ws_ext *e, char *buf, size_t cap)
{
    char sb[32] = "";
    if (e->server_bits < 15)
        snprintf(sb, sizeof(sb), "; server_max_window_bits=%u", (unsigned)e->server_bits);
    int w = snprintf(buf, cap, "permessage-deflate%s%s%s",
                     e->server_nct ? "; server_no_context_takeover" : "",
                     e->client_nct ? "; client_no_context_takeover" : "", sb);
    return w < 0 || (size_t)w >= cap ? -1 : w;
}

int ws_ext_answer_check(const char *v, size_t n, struct ws_ext *e, const char **why)
{
    size_t i = 0;
    struct elem el;
    if (element(v, n, &i, &el) != 0)
        return *why = "malformed Sec-WebSocket-Extensions", -1;
    if (i < n)
        return *why = "more than one extension chosen", -1;
    if (!is(el.name, el.nlen, "permessage-deflate"))
        return *why = "an extension that was not offered", -1;
    struct ws_ext x;
    if (params(&el, &x, why) != 0)
        return -1;
    for (int k = 0; k < el.np; k++)
        if (is(el.p[k].name, el.p[k].nlen, pnames[P_CBITS]) && !el.p[k].has_val)
            return *why = "client_max_window_bits without a value", -1;
    if (x.client_bits == 8)
        return *why = "client_max_window_bits=8 (zlib cannot deflate in a 256-byte window)", -1;
    *e = x;
    *why = NULL;
    return 0;
}
