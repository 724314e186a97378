#include "optab.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "units.h"

/* Names compare with '-' and '_' the same, so --resp-size and resp_size
 * both work. */
static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

const struct opt_def *optab_find(const struct optab *t, const char *name)
{
    for (const struct opt_def *d = t->defs; d->name; d++)
        if (name_eq(d->name, name))
            return d;
    return NULL;
}

static char norm_char(char c)
{
    return c == '-' ? '_' : (char)tolower((unsigned char)c);
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = norm_char(a[i - 1]) == norm_char(b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* True if a (n characters) begins b, dashes and underscores the same. */
static bool is_prefix(const char *a, size_t n, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\0' || norm_char(a[i]) != norm_char(b[i]))
            return false;
    return true;
}

const char *optab_suggest(const struct optab *t, const char *name)
{
    const char *best = NULL;
    size_t bestd = 3, n = strlen(name);
    for (const struct opt_def *d = t->defs; d->name; d++) {
        size_t dist = edit_distance(name, d->name);
        /* A prefix of a long name is also a likely slip. */
        if (n >= 3 && is_prefix(name, n, d->name))
            dist = 1;
        if (dist < bestd) {
            bestd = dist;
            best = d->name;
        }
    }
    return best;
}

static const char *type_hint(const struct optab *t, const struct opt_def *d)
{
    switch (d->type) {
    case OPT_SIZE:
    case OPT_SIZE32: return "a size such as 1500, 4k or 1m";
    case OPT_U32:
    case OPT_U64: return "a whole number";
    case OPT_DURATION: return "a duration such as 500ms, 10s or 2m";
    case OPT_BITRATE: return "a bit rate such as 100mbit or 1gbit";
    case OPT_DOUBLE: return "a number";
    case OPT_BOOL: return "true or false";
    case OPT_STR: return "text";
    default: return t->hint ? t->hint(d) : "a value";
    }
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static bool has_range(const struct opt_def *d)
{
    return d->min != 0 || d->max != 0;
}

static int check_range(const struct opt_def *d, double v)
{
    if (!has_range(d))
        return 0;
    return v < d->min || v > d->max ? -1 : 0;
}

static int store_count(const struct opt_def *d, char *field, const char *v)
{
    uint64_t u = 0;
    bool narrow = d->type == OPT_U32 || d->type == OPT_SIZE32;
    if (units_parse_size(v, &u) != 0 ||
        ((d->type == OPT_U32 || d->type == OPT_U64) && strspn(v, "0123456789") != strlen(v)))
        return -1;
    if (check_range(d, (double)u) != 0 || (narrow && u > UINT32_MAX))
        return -2;
    if (narrow)
        *(uint32_t *)(void *)field = (uint32_t)u;
    else
        *(uint64_t *)(void *)field = u;
    return 0;
}

/* Stores one value; returns 0, -1 for a malformed value, -2 out of range. */
static int store(const struct optab *t, void *base, const struct opt_def *d, const char *v)
{
    char *field = (char *)base + d->offset;
    uint64_t u = 0;
    double x = 0, y = 0;
    switch (d->type) {
    case OPT_STR:
        if (strlen(v) >= d->size)
            return -2;
        memcpy(field, v, strlen(v) + 1);
        return 0;
    case OPT_SIZE:
    case OPT_SIZE32:
    case OPT_U32:
    case OPT_U64: return store_count(d, field, v);
    case OPT_DURATION:
        if (units_parse_duration(v, &u) != 0)
            return -1;
        if (check_range(d, (double)u / 1e9) != 0)
            return -2;
        *(uint64_t *)(void *)field = u;
        return 0;
    case OPT_BITRATE:
        if (units_parse_rate(v, &x, &y) != 0 || y != 0)
            return -1;
        *(double *)(void *)field = x;
        return 0;
    case OPT_DOUBLE:
        if (units_parse_double(v, &x) != 0)
            return -1;
        if (check_range(d, x) != 0)
            return -2;
        *(double *)(void *)field = x;
        return 0;
    case OPT_BOOL: return parse_bool(v, (bool *)(void *)field);
    default: return t->store ? t->store(base, d, v) : -1;
    }
}

void optab_defaults(const struct optab *t, void *base, size_t base_size)
{
    memset(base, 0, base_size);
    for (const struct opt_def *d = t->defs; d->name; d++)
        if (d->def && store(t, base, d, d->def) != 0)
            fprintf(stderr, "netrig: internal error: bad default for %s\n", d->name);
}

/* "1 to 100000", "0.001s to 3600s": the range as a user types it. */
static void range_text(const struct opt_def *d, char *buf, size_t len)
{
    double lo = d->min, hi = d->max;
    if (!has_range(d) && (d->type == OPT_U32 || d->type == OPT_SIZE32))
        hi = UINT32_MAX;
    if (d->type == OPT_DURATION)
        snprintf(buf, len, "%gs to %gs", lo, hi);
    else if (lo == floor(lo) && hi == floor(hi) && hi < 1e16)
        snprintf(buf, len, "%.0f to %.0f", lo, hi);
    else
        snprintf(buf, len, "%g to %g", lo, hi);
}

int optab_set(const struct optab *t, void *base, const char *name, const char *value, char *err,
              size_t errlen)
{
    const struct opt_def *d = optab_find(t, name);
    if (!d) {
        const char *s = optab_suggest(t, name);
        if (s)
            snprintf(err, errlen, "unknown option '%s' (did you mean '%s'?)", name, s);
        else
            snprintf(err, errlen, "unknown option '%s'", name);
        return -1;
    }
    int r = store(t, base, d, value);
    char range[64];
    if (r == -1) {
        snprintf(err, errlen, "bad value '%s' for %s: expected %s", value, d->name,
                 type_hint(t, d));
        return -1;
    }
    if (r == -2 && d->type == OPT_STR) {
        snprintf(err, errlen, "value for %s is too long: at most %zu characters", d->name,
                 d->size - 1);
        return -1;
    }
    if (r == -2 && d->type >= OPT_CUSTOM) {
        snprintf(err, errlen, "value '%s' for %s is not accepted: expected %s", value, d->name,
                 type_hint(t, d));
        return -1;
    }
    if (r == -2) {
        range_text(d, range, sizeof(range));
        snprintf(err, errlen, "value '%s' for %s is out of range (%s)", value, d->name, range);
        return -1;
    }
    return t->check ? t->check(base, d, err, errlen) : 0;
}

int optab_parse_argv(const struct optab *t, void *base, int argc, char **argv, char *err,
                     size_t errlen)
{
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return strcmp(a, "--") == 0 ? i + 1 : i;
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t nl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (nl >= sizeof(name)) {
            snprintf(err, errlen, "unknown option '%s'", a);
            return -1;
        }
        memcpy(name, a + 2, nl);
        name[nl] = '\0';
        const struct opt_def *d = optab_find(t, name);
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (d && d->type == OPT_BOOL &&
                   (i + 1 >= argc || parse_bool(argv[i + 1], &(bool){false}) != 0)) {
            value = "true";
        } else if (d && i + 1 < argc) {
            value = argv[++i];
        } else if (d) {
            snprintf(err, errlen, "option --%s needs a value: %s", name, type_hint(t, d));
            return -1;
        } else {
            value = "";
        }
        if (optab_set(t, base, name, value, err, errlen) != 0)
            return -1;
        i++;
    }
    return i;
}

void optab_format(const struct optab *t, const void *base, const struct opt_def *d, char *buf,
                  size_t len)
{
    const char *field = (const char *)base + d->offset;
    switch (d->type) {
    case OPT_STR: snprintf(buf, len, "%s", field); break;
    case OPT_SIZE:
    case OPT_U64:
        snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)(const void *)field);
        break;
    case OPT_SIZE32:
    case OPT_U32: snprintf(buf, len, "%u", *(const uint32_t *)(const void *)field); break;
    case OPT_DURATION:
        snprintf(buf, len, "%gs", (double)*(const uint64_t *)(const void *)field / 1e9);
        break;
    case OPT_BITRATE: units_fmt_rate_spec(*(const double *)(const void *)field, buf, len); break;
    case OPT_DOUBLE: snprintf(buf, len, "%g", *(const double *)(const void *)field); break;
    case OPT_BOOL:
        snprintf(buf, len, "%s", *(const bool *)(const void *)field ? "true" : "false");
        break;
    default:
        if (t->format)
            t->format(base, d, buf, len);
        else if (len)
            buf[0] = '\0';
        break;
    }
}

/* What an option is when it is not given: its default as written in
 * the table, or the zero of its kind. */
static const char *default_text(const struct opt_def *d)
{
    if (d->def)
        return d->def;
    switch (d->type) {
    case OPT_BOOL: return "false";
    case OPT_STR: return "none";
    default: return d->type >= OPT_CUSTOM ? "none" : "0";
    }
}

void optab_print_help(const struct optab *t, FILE *out)
{
    for (const struct opt_def *d = t->defs; d->name; d++) {
        char flag[40], range[64] = "";
        snprintf(flag, sizeof(flag), "--%s", d->name);
        for (char *p = flag; *p; p++)
            if (*p == '_')
                *p = '-';
        if (has_range(d) && d->type < OPT_CUSTOM)
            range_text(d, range, sizeof(range));
        char tail[160];
        snprintf(tail, sizeof(tail), "[default %s%s%s]", default_text(d), range[0] ? "; " : "",
                 range);
        /* 2 + 20 + 1 columns before the help; past 100, the default and
         * range go on a line of their own. */
        bool wrap = 23 + strlen(d->help) + 1 + strlen(tail) > 100;
        fprintf(out, "  %-20s %s%s%s\n", flag, d->help, wrap ? "\n                       " : " ",
                tail);
    }
}
