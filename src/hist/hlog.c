/* HdrHistogram interval logs. The writer prints what Java's
 * HistogramLogWriter prints so the existing tools read our logs; the
 * reader accepts what Java's reader accepts (and what the C port writes). */
#include "hlog.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HLOG_MAX_LINE (16 * 1024 * 1024)
#define HLOG_YEAR_S (365 * 24 * 3600.0)

static void java_date(char *out, size_t cap, int64_t ms)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(out, cap, "%a %b %d %H:%M:%S %Z %Y", &tm) == 0)
        snprintf(out, cap, "?");
}

int hlog_writer_init(struct hlog_writer *w, FILE *out, double start_time_s, const char *comment)
{
    w->out = out;
    w->base_time_s = start_time_s;
    w->max_unit_ratio = 1e6;
    w->base_ms = (int64_t)llround(start_time_s * 1000.0);
    /* A multi-line comment becomes one #[...] line per line. */
    for (const char *c = comment; c && *c;) {
        size_t n = strcspn(c, "\r\n");
        fprintf(out, "#[%.*s]\n", (int)n, c);
        c += n;
        c += strspn(c, "\r\n");
    }
    char secs[64], date[80];
    hist_fmt_java(secs, sizeof(secs), (double)w->base_ms / 1000.0, 3);
    java_date(date, sizeof(date), w->base_ms);
    fprintf(out, "#[Histogram log format version 1.3]\n");
    fprintf(out, "#[StartTime: %s (seconds since epoch), %s]\n", secs, date);
    fprintf(out, "#[BaseTime: %s (seconds since epoch)]\n", secs);
    fprintf(out, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                 "\"Interval_Compressed_Histogram\"\n");
    return ferror(out) ? -1 : 0;
}

int hlog_write_interval(struct hlog_writer *w, const struct hist *h)
{
    if (strpbrk(h->tag, ", \r\n"))
        return -1;
    double start = (double)(h->start_ms - w->base_ms) / 1000.0;
    double end = (double)(h->end_ms - w->base_ms) / 1000.0;
    char s[64], len[64], max[64];
    hist_fmt_java(s, sizeof(s), start, 3);
    hist_fmt_java(len, sizeof(len), end - start, 3);
    hist_fmt_java(max, sizeof(max), (double)hist_max(h) / w->max_unit_ratio, 3);
    uint8_t *z;
    size_t zlen;
    if (hist_encode_compressed(h, &z, &zlen) != 0)
        return -1;
    char *b64 = hist_base64_encode(z, zlen);
    free(z);
    if (!b64)
        return -1;
    if (h->tag[0])
        fprintf(w->out, "Tag=%s,", h->tag);
    fprintf(w->out, "%s,%s,%s,%s\n", s, len, max, b64);
    free(b64);
    return ferror(w->out) ? -1 : 0;
}

/* --- reading --------------------------------------------------------- */

void hlog_reader_init(struct hlog_reader *r, FILE *in)
{
    memset(r, 0, sizeof(*r));
    r->in = in;
    r->name = "-";
}

void hlog_reader_close(struct hlog_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

__attribute__((format(printf, 4, 5))) static int bad_line(struct hlog_reader *r, char *err,
                                                          size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s:%ld: ", r->name, r->line);
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* Next field separated by commas or spaces; NULL when none is left. */
static char *next_field(char **cursor)
{
    char *p = *cursor + strspn(*cursor, ", \t");
    if (*p == '\0')
        return NULL;
    char *end = p + strcspn(p, ", \t");
    if (*end)
        *end++ = '\0';
    *cursor = end;
    return p;
}

static int parse_num(const char *s, double *v)
{
    char *end;
    if (!s)
        return -1;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*v) ? 0 : -1;
}

/* #[StartTime: and #[BaseTime: comments set the log's time origin. */
static void parse_comment(struct hlog_reader *r, const char *line)
{
    static const char st[] = "#[StartTime:", bt[] = "#[BaseTime:";
    bool is_start = strncmp(line, st, sizeof(st) - 1) == 0;
    bool is_base = strncmp(line, bt, sizeof(bt) - 1) == 0;
    if (!is_start && !is_base)
        return;
    const char *p = line + (is_start ? sizeof(st) : sizeof(bt)) - 1;
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v))
        return;
    if (is_start) {
        r->start_time_s = v;
        r->have_start = 1;
    } else {
        r->base_time_s = v;
        r->have_base = 1;
    }
}

static int to_ms(double s, int64_t *ms)
{
    double v = s * 1000.0;
    if (!(v > -9e18 && v < 9e18))
        return -1;
    *ms = (int64_t)v;
    return 0;
}

static int parse_interval(struct hlog_reader *r, char *line, struct hist *h, char *err,
                          size_t errlen)
{
    char *cur = line, *f = next_field(&cur), *tag = NULL;
    if (f && strncmp(f, "Tag=", 4) == 0) {
        tag = f + 4;
        if (strlen(tag) >= sizeof(h->tag))
            return bad_line(r, err, errlen, "tag longer than %zu characters", sizeof(h->tag) - 1);
        f = next_field(&cur);
    }
    double start, length, max;
    if (parse_num(f, &start) != 0)
        return bad_line(r, err, errlen, "interval start time is not a number");
    if (parse_num(next_field(&cur), &length) != 0)
        return bad_line(r, err, errlen, "interval length is not a number");
    if (parse_num(next_field(&cur), &max) != 0)
        return bad_line(r, err, errlen, "interval max is not a number");
    char *b64 = next_field(&cur);
    if (!b64)
        return bad_line(r, err, errlen, "interval histogram missing");
    if (!r->have_start) {
        r->start_time_s = start;
        r->have_start = 1;
    }
    if (!r->have_base) {
        /* Starts more than a year before StartTime are relative ones. */
        r->base_time_s = start < r->start_time_s - HLOG_YEAR_S ? r->start_time_s : 0.0;
        r->have_base = 1;
    }
    double abs_start = start + r->base_time_s;
    int64_t start_ms, end_ms;
    if (to_ms(abs_start, &start_ms) != 0 || to_ms(abs_start + length, &end_ms) != 0)
        return bad_line(r, err, errlen, "interval timestamps out of range");
    uint8_t *bin;
    size_t binlen;
    if (hist_base64_decode(b64, strlen(b64), &bin, &binlen) != 0)
        return bad_line(r, err, errlen, "interval histogram is not valid base64");
    char why[200] = "";
    int rc = hist_decode(h, bin, binlen, why, sizeof(why));
    free(bin);
    if (rc != 0)
        return bad_line(r, err, errlen, "%s", why);
    h->start_ms = start_ms;
    h->end_ms = end_ms;
    snprintf(h->tag, sizeof(h->tag), "%s", tag ? tag : "");
    return 1;
}

int hlog_read_interval(struct hlog_reader *r, struct hist *h, char *err, size_t errlen)
{
    for (;;) {
        ssize_t n = getline(&r->buf, &r->cap, r->in);
        if (n < 0)
            return ferror(r->in) ? bad_line(r, err, errlen, "read error") : 0;
        r->line++;
        if (n > HLOG_MAX_LINE)
            return bad_line(r, err, errlen, "line longer than %d bytes", HLOG_MAX_LINE);
        char *line = r->buf;
        if (memchr(line, '\0', (size_t)n))
            return bad_line(r, err, errlen, "NUL byte in line");
        line[strcspn(line, "\r\n")] = '\0';
        line += strspn(line, " \t");
        if (line[0] == '\0')
            continue;
        if (line[0] == '#') {
            parse_comment(r, line);
            continue;
        }
        /* Java's legend starts with "StartTimestamp", the C port's too. */
        if (strncmp(line, "\"StartTimestamp\"", 16) == 0)
            continue;
        return parse_interval(r, line, h, err, errlen);
    }
}
