#include "plot_series.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    K_PROTO = 1 << 0,
    K_MODE = 1 << 1,
    K_SIZE = 1 << 2,
    K_RESP = 1 << 3,
    K_CONNS = 1 << 4,
    K_THREADS = 1 << 5,
    K_PIPE = 1 << 6,
    K_RATE = 1 << 7,
    K_LINK = 1 << 8, /* rows through an emulated link are not loopback rows */
};

static int same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static int same_key(const struct test_result *a, const struct test_result *b, unsigned mask)
{
    return (!(mask & K_PROTO) || strcmp(a->proto, b->proto) == 0) &&
           (!(mask & K_MODE) || strcmp(a->mode, b->mode) == 0) &&
           (!(mask & K_SIZE) || same_num(a->size_bytes, b->size_bytes)) &&
           (!(mask & K_RESP) || same_num(a->resp_bytes, b->resp_bytes)) &&
           (!(mask & K_CONNS) || same_num(a->conns, b->conns)) &&
           (!(mask & K_THREADS) || same_num(a->threads, b->threads)) &&
           (!(mask & K_PIPE) || same_num(a->pipeline, b->pipeline)) &&
           (!(mask & K_RATE) || same_num(a->rate_target, b->rate_target)) &&
           (!(mask & K_LINK) || same_num(a->link_rate_bps, b->link_rate_bps));
}

double plot_series_x(const struct test_result *r, enum plot_axis axis)
{
    switch (axis) {
    case PLOT_AXIS_SIZE: return r->size_bytes;
    case PLOT_AXIS_RESP: return r->resp_bytes;
    case PLOT_AXIS_RATE: return r->rate_target;
    }
    return NAN;
}

/* Distinct values of field x among members (NaN ignored). */
static size_t distinct(const struct plot_rows *rows, const size_t *m, size_t n, enum plot_axis ax)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = plot_series_x(&rows->r[m[i]], ax);
        if (isnan(xi))
            continue;
        size_t j = 0;
        while (j < i && plot_series_x(&rows->r[m[j]], ax) != xi)
            j++;
        d += j == i;
    }
    return d;
}

/* Appends the members with a defined x, sorted by x (insertion sort keeps
 * repetitions in file order), if they span two x values or more. */
static int add_series(struct plot_series_set *set, const struct plot_rows *rows, const size_t *m,
                      size_t n, enum plot_axis ax)
{
    size_t nx = distinct(rows, m, n, ax);
    if (nx < 2)
        return 0;
    struct plot_series *p = realloc(set->s, (set->n + 1) * sizeof(*p));
    if (!p)
        return -1;
    set->s = p;
    struct plot_series *s = &set->s[set->n];
    memset(s, 0, sizeof(*s));
    s->idx = malloc(n * sizeof(size_t));
    if (!s->idx)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double x = plot_series_x(&rows->r[m[i]], ax);
        if (isnan(x))
            continue;
        size_t j = s->n++;
        while (j > 0 && plot_series_x(&rows->r[s->idx[j - 1]], ax) > x) {
            s->idx[j] = s->idx[j - 1];
            j--;
        }
        s->idx[j] = m[i];
    }
    s->axis = ax;
    s->nx = nx;
    set->n++;
    return 0;
}

struct build_ctx {
    struct plot_series_set *set;
    const struct plot_rows *rows;
};

typedef int (*group_fn)(struct build_ctx *c, size_t *m, size_t n);

/* Calls fn once per group of members with equal key under mask. m is
 * reordered in place so that each group is contiguous. */
static int group_by(struct build_ctx *c, size_t *m, size_t n, unsigned mask, group_fn fn)
{
    size_t i = 0;
    while (i < n) {
        size_t k = i + 1;
        for (size_t j = i + 1; j < n; j++) {
            if (same_key(&c->rows->r[m[i]], &c->rows->r[m[j]], mask)) {
                size_t t = m[k];
                m[k++] = m[j];
                m[j] = t;
            }
        }
        if (fn(c, m + i, k - i) != 0)
            return -1;
        i = k;
    }
    return 0;
}

static int on_size_sub(struct build_ctx *c, size_t *m, size_t n)
{
    return add_series(c->set, c->rows, m, n, PLOT_AXIS_SIZE);
}

/* The response size follows the request size: two members share one
 * exactly when they share the other (rr with the response as large as
 * the request, HTTP bodies named by size). */
static int resp_follows(const struct plot_rows *rows, const size_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (same_key(&rows->r[m[i]], &rows->r[m[j]], K_SIZE) !=
                same_key(&rows->r[m[i]], &rows->r[m[j]], K_RESP))
                return 0;
    return 1;
}

/* A group whose request size is fixed is a sweep of the response size
 * (HTTP bodies); one whose response size follows the request size is a
 * sweep of the size; otherwise each response size is a series of its own. */
static int on_size_group(struct build_ctx *c, size_t *m, size_t n)
{
    if (distinct(c->rows, m, n, PLOT_AXIS_SIZE) >= 2 && resp_follows(c->rows, m, n))
        return add_series(c->set, c->rows, m, n, PLOT_AXIS_SIZE);
    if (distinct(c->rows, m, n, PLOT_AXIS_SIZE) >= 2)
        return group_by(c, m, n, K_RESP, on_size_sub);
    return add_series(c->set, c->rows, m, n, PLOT_AXIS_RESP);
}

static int on_rate_group(struct build_ctx *c, size_t *m, size_t n)
{
    return add_series(c->set, c->rows, m, n, PLOT_AXIS_RATE);
}

void plot_fmt_bytes(double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "?");
    else if (v >= 1048576 && fmod(v * 10, 1048576) == 0)
        snprintf(buf, len, "%g MiB", v / 1048576);
    else if (v >= 1024 && fmod(v * 10, 1024) == 0)
        snprintf(buf, len, "%g KiB", v / 1024);
    else
        snprintf(buf, len, "%g B", v);
}

int plot_proto_style(const char *proto)
{
    static const char *const names[] = {"tcp", "udp", "http", "tls", "https",
                                        "ws",  "wss", "h2c",  "h2"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(proto, names[i]) == 0)
            return (int)i + 1;
    return 8;
}

void plot_slug(const char *text, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = text; *p && o + 1 < len; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch) || ch == '.' || ch == '=')
            out[o++] = (char)tolower(ch);
        else if (o > 0 && out[o - 1] != '-')
            out[o++] = '-';
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
}

size_t plot_common_prefix(const char *const *names, size_t n)
{
    if (n < 2)
        return 0;
    size_t len = strlen(names[0]);
    for (size_t i = 1; i < n; i++) {
        size_t j = 0;
        while (j < len && names[i][j] == names[0][j])
            j++;
        len = j;
    }
    while (len > 0 && strchr("-_ .,;:/", names[0][len - 1]) == NULL)
        len--;
    return len;
}

/* Appends " name=value" for every parameter that tells this series apart
 * from another of the same protocol and mode in the set. */
static void label_one(struct plot_series_set *set, const struct plot_rows *rows, size_t k)
{
    struct plot_series *s = &set->s[k];
    const struct test_result *a = &rows->r[s->idx[0]];
    unsigned differ = 0;
    for (size_t j = 0; j < set->n; j++) {
        const struct test_result *b = &rows->r[set->s[j].idx[0]];
        if (j == k || strcmp(a->proto, b->proto) != 0 || strcmp(a->mode, b->mode) != 0)
            continue;
        unsigned all = K_SIZE | K_RESP | K_CONNS | K_THREADS | K_PIPE | K_RATE | K_LINK;
        for (unsigned bit = K_SIZE; bit <= K_LINK; bit <<= 1)
            if ((all & bit) && !same_key(a, b, bit))
                differ |= bit;
    }
    differ &= ~(unsigned)(s->axis == PLOT_AXIS_SIZE   ? K_SIZE
                          : s->axis == PLOT_AXIS_RESP ? K_RESP
                                                      : K_RATE);
    int o = snprintf(s->label, sizeof(s->label), "%s %s", a->proto, a->mode);
    char b1[32];
    struct {
        unsigned bit;
        const char *name;
        double v;
        int bytes;
    } f[] = {{K_SIZE, "size", a->size_bytes, 1},   {K_RESP, "resp", a->resp_bytes, 1},
             {K_CONNS, "conns", a->conns, 0},      {K_THREADS, "threads", a->threads, 0},
             {K_PIPE, "pipeline", a->pipeline, 0}, {K_RATE, "rate", a->rate_target, 0},
             {K_LINK, "link", a->link_rate_bps, 2}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (!(differ & f[i].bit) || o < 0 || (size_t)o >= sizeof(s->label))
            continue;
        if (f[i].bytes == 2 && !(f[i].v > 0))
            snprintf(b1, sizeof(b1), "none");
        else if (f[i].bytes == 2)
            snprintf(b1, sizeof(b1), "%gMbit", f[i].v / 1e6);
        else if (f[i].bytes)
            plot_fmt_bytes(f[i].v, b1, sizeof(b1));
        else
            snprintf(b1, sizeof(b1), "%g", f[i].v);
        o += snprintf(s->label + o, sizeof(s->label) - (size_t)o, " %s=%s", f[i].name, b1);
    }
    plot_slug(s->label, s->slug, sizeof(s->slug));
}

/* One colour per protocol; a second series of the same protocol takes the
 * next free style so no two lines in a figure look alike. */
static void style_all(struct plot_series_set *set, const struct plot_rows *rows)
{
    for (size_t k = 0; k < set->n; k++) {
        int want = plot_proto_style(rows->r[set->s[k].idx[0]].proto);
        for (int tries = 0; tries < 12; tries++) {
            size_t j = 0;
            while (j < k && set->s[j].style != want)
                j++;
            if (j == k)
                break;
            want = want < 8 ? 8 : want % 12 + 1;
        }
        set->s[k].style = want;
    }
}

int plot_series_build(const struct plot_rows *rows, int by_rate, struct plot_series_set *set)
{
    set->s = NULL;
    set->n = 0;
    size_t *m = malloc((rows->n ? rows->n : 1) * sizeof(size_t));
    if (!m)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < rows->n; i++)
        if (by_rate ? !isnan(rows->r[i].rate_target) : !isnan(rows->r[i].goodput_bps))
            m[n++] = i;
    struct build_ctx c = {set, rows};
    unsigned all =
        K_PROTO | K_MODE | K_SIZE | K_RESP | K_CONNS | K_THREADS | K_PIPE | K_RATE | K_LINK;
    int rc = by_rate ? group_by(&c, m, n, all & ~(unsigned)K_RATE, on_rate_group)
                     : group_by(&c, m, n, all & ~(unsigned)(K_SIZE | K_RESP), on_size_group);
    free(m);
    if (rc != 0) {
        plot_series_free(set);
        return -1;
    }
    for (size_t k = 0; k < set->n; k++)
        label_one(set, rows, k);
    style_all(set, rows);
    return 0;
}

void plot_series_free(struct plot_series_set *set)
{
    for (size_t k = 0; k < set->n; k++)
        free(set->s[k].idx);
    free(set->s);
    set->s = NULL;
    set->n = 0;
}
