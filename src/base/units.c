#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits "12.5mbit" into 12.5 and "mbit". Refuses empty numbers, signs,
 * blanks, NaN and infinities: strtod alone accepts all of those. */
static int split_number(const char *s, double *num, const char **suffix)
{
    if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0)
        return -1;
    *num = v;
    *suffix = end;
    return 0;
}

int units_parse_double(const char *s, double *out)
{
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) != 0 || *suf)
        return -1;
    *out = v;
    return 0;
}

int units_parse_size(const char *s, uint64_t *out)
{
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) != 0)
        return -1;
    double mul = 1;
    if (*suf) {
        switch (tolower((unsigned char)*suf)) {
        case 'k': mul = 1024.0; break;
        case 'm': mul = 1024.0 * 1024; break;
        case 'g': mul = 1024.0 * 1024 * 1024; break;
        default: return -1;
        }
        suf++;
        if (*suf == 'i' || *suf == 'I')
            suf++;
        if (*suf == 'b' || *suf == 'B')
            suf++;
        if (*suf)
            return -1;
    }
    double bytes = v * mul;
    if (bytes != floor(bytes) || bytes > 1e18)
        return -1;
    *out = (uint64_t)bytes;
    return 0;
}

int units_parse_rate(const char *s, double *bps, double *per_s)
{
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) != 0)
        return -1;
    double mul = 1;
    char c = (char)tolower((unsigned char)*suf);
    if (c == 'k' || c == 'm' || c == 'g') {
        mul = c == 'k' ? 1e3 : c == 'm' ? 1e6 : 1e9;
        suf++;
    }
    if (strcmp(suf, "/s") == 0) {
        *per_s = v * mul;
        *bps = 0;
        return 0;
    }
    if (strcasecmp(suf, "bit") == 0 || strcasecmp(suf, "bps") == 0 ||
        strcasecmp(suf, "bit/s") == 0 || (*suf == '\0' && mul == 1 && v > 0)) {
        *bps = v * mul;
        *per_s = 0;
        return 0;
    }
    return -1;
}

int units_parse_duration(const char *s, uint64_t *ns)
{
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) != 0)
        return -1;
    double mul;
    if (*suf == '\0' || strcmp(suf, "s") == 0)
        mul = 1e9;
    else if (strcmp(suf, "ms") == 0)
        mul = 1e6;
    else if (strcmp(suf, "us") == 0)
        mul = 1e3;
    else if (strcmp(suf, "ns") == 0)
        mul = 1;
    else if (strcmp(suf, "m") == 0 || strcmp(suf, "min") == 0)
        mul = 60e9;
    else if (strcmp(suf, "h") == 0)
        mul = 3600e9;
    else
        return -1;
    double r = v * mul;
    if (r > 1e18)
        return -1;
    *ns = (uint64_t)llround(r);
    return 0;
}

const char *units_fmt_bps(double bps, char *buf, unsigned len)
{
    static const char *const u[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
    int i = 0;
    while (bps >= 1000 && i < 4) {
        bps /= 1000;
        i++;
    }
    snprintf(buf, len, "%.2f %s", bps, u[i]);
    return buf;
}

const char *units_fmt_size(uint64_t bytes, char *buf, unsigned len)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB"};
    double v = (double)bytes;
    int i = 0;
    while (v >= 1024 && i < 3) {
        v /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%.1f %s", v, u[i]);
    return buf;
}

const char *units_fmt_ns(double ns, char *buf, unsigned len)
{
    if (ns < 1e3)
        snprintf(buf, len, "%.0f ns", ns);
    else if (ns < 1e6)
        snprintf(buf, len, "%.1f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, len, "%.2f ms", ns / 1e6);
    else
        snprintf(buf, len, "%.3f s", ns / 1e9);
    return buf;
}

void units_fmt_rate_spec(double bps, char *buf, size_t len)
{
    static const struct {
        double scale;
        const char *unit;
    } u[] = {{1e9, "gbit"}, {1e6, "mbit"}, {1e3, "kbit"}, {1, "bit"}};
    size_t i = 0;
    while (i + 1 < sizeof(u) / sizeof(u[0]) && bps < u[i].scale)
        i++;
    snprintf(buf, len, "%.15g%s", bps / u[i].scale, u[i].unit);
}
