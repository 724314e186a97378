#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

const char *const summary_metrics[SUMMARY_NMETRICS] = {
    "goodput_bps", "msgs_per_s", "lat_mean_us", "lat_p50_us",
    "lat_p90_us",  "lat_p99_us", "lat_p999_us", "lat_p9999_us",
};

double summary_metric(const struct test_result *r, int m)
{
    const struct result_column *c = result_column_find(summary_metrics[m]);
    return *(const double *)(const void *)((const char *)r + c->offset);
}

int summary_group(const struct test_result *rows, size_t n, struct summary_step **out, size_t *nout)
{
    struct summary_step *s = calloc(n ? n : 1, sizeof(*s));
    double *x = malloc((n ? n : 1) * sizeof(*x));
    size_t ns = 0;
    if (!s || !x) {
        free(s);
        free(x);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        if (result_is_host_row(&rows[i])) /* one host's part of the "all" row */
            continue;
        while (j < ns && strcmp(s[j].first.step, rows[i].step) != 0)
            j++;
        if (j == ns)
            s[ns++].first = rows[i];
        s[j].nrows++;
    }
    for (size_t j = 0; j < ns; j++) {
        for (int m = 0; m < SUMMARY_NMETRICS; m++) {
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (strcmp(rows[i].step, s[j].first.step) == 0 && !result_is_host_row(&rows[i]))
                    x[k++] = summary_metric(&rows[i], m);
            confint_mean95(x, k, &s[j].ci[m]);
            /* Goodput, rates and latencies cannot go below zero: neither
             * can their interval (two repeats make t = 12.7 and a half
             * width wider than the mean). */
            if (s[j].ci[m].lo < 0)
                s[j].ci[m].lo = 0;
        }
    }
    free(x);
    *out = s;
    *nout = ns;
    return 0;
}

const char *summary_ci_note(size_t n, char *buf, size_t len)
{
    if (n >= SUMMARY_CI_MIN_N)
        snprintf(buf, len, "%s", "");
    else
        snprintf(buf, len, "too few repeats for a 95 %% interval (n = %zu; %d or more give one)", n,
                 SUMMARY_CI_MIN_N);
    return buf;
}

static void put_num(FILE *out, double v)
{
    if (!isnan(v) && !isinf(v))
        fprintf(out, "%.10g", v);
}

void summary_ci_csv(FILE *out, const struct summary_step *steps, size_t n)
{
    fputs("scenario,step,proto,mode,size_bytes,resp_bytes,conns,threads,pipeline,rate_target,n",
          out);
    for (int m = 0; m < SUMMARY_NMETRICS; m++)
        fprintf(out, ",%s_mean,%s_lo,%s_hi", summary_metrics[m], summary_metrics[m],
                summary_metrics[m]);
    fputs(",ci_note\r\n", out);
    for (size_t i = 0; i < n; i++) {
        const struct test_result *f = &steps[i].first;
        result_csv_str(out, f->scenario);
        fputc(',', out);
        result_csv_str(out, f->step);
        fprintf(out, ",%s,%s,", f->proto, f->mode);
        const double id[] = {f->size_bytes, f->resp_bytes, f->conns,
                             f->threads,    f->pipeline,   f->rate_target};
        for (size_t k = 0; k < sizeof(id) / sizeof(id[0]); k++) {
            put_num(out, id[k]);
            fputc(',', out);
        }
        fprintf(out, "%zu", steps[i].nrows);
        bool few = steps[i].nrows < SUMMARY_CI_MIN_N;
        for (int m = 0; m < SUMMARY_NMETRICS; m++) {
            const struct confint *c = &steps[i].ci[m];
            fputc(',', out);
            put_num(out, c->mean);
            fputc(',', out);
            put_num(out, few ? NAN : c->lo);
            fputc(',', out);
            put_num(out, few ? NAN : c->hi);
        }
        char note[96];
        fputc(',', out);
        result_csv_str(out, summary_ci_note(steps[i].nrows, note, sizeof(note)));
        fputs("\r\n", out);
    }
}

void summary_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

void summary_json_num(FILE *out, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", out);
    else
        fprintf(out, "%.10g", v);
}

static void json_ci(FILE *out, const struct summary_step *s)
{
    fputs("{", out);
    bool few = s->nrows < SUMMARY_CI_MIN_N;
    for (int m = 0; m < SUMMARY_NMETRICS; m++) {
        const struct confint *c = &s->ci[m];
        fprintf(out, "%s\"%s\":{\"n\":%zu,\"mean\":", m ? "," : "", summary_metrics[m], c->n);
        summary_json_num(out, c->mean);
        fputs(",\"sd\":", out);
        summary_json_num(out, c->sd);
        fputs(",\"lo\":", out);
        summary_json_num(out, few ? NAN : c->lo);
        fputs(",\"hi\":", out);
        summary_json_num(out, few ? NAN : c->hi);
        fputc('}', out);
    }
    fputs("}", out);
}

static void json_step(FILE *out, const struct summary_step_info *in, const struct test_result *rows,
                      size_t nrows)
{
    struct test_result *mine = malloc((nrows ? nrows : 1) * sizeof(*mine));
    size_t k = 0;
    for (size_t i = 0; mine && i < nrows; i++)
        if (strcmp(rows[i].step, in->name) == 0)
            mine[k++] = rows[i];
    fputs("{\"name\":", out);
    summary_json_str(out, in->name);
    fputs(",\"file\":", out);
    summary_json_str(out, in->file);
    fputs(",\"params\":", out);
    summary_json_str(out, in->params);
    fprintf(out, ",\"planned\":%u,\"done\":%zu,\"results\":[", in->planned, k);
    for (size_t i = 0; i < k; i++) {
        if (i)
            fputc(',', out);
        result_json(out, &mine[i]);
    }
    fputs("],\"ci95\":", out);
    struct summary_step *s = NULL;
    size_t ns = 0;
    char note[96];
    if (k && summary_group(mine, k, &s, &ns) == 0 && ns == 1)
        json_ci(out, s);
    else
        fputs("null", out);
    if (k > 0) { /* a step that ran: whether its runs give an interval */
        fputs(",\"ci_note\":", out);
        summary_json_str(out, summary_ci_note(k, note, sizeof(note)));
    }
    fputs("}", out);
    free(s);
    free(mine);
}

void summary_json(FILE *out, const char *scenario, const char *status, const char *message,
                  const struct summary_step_info *info, size_t ninfo,
                  const struct test_result *rows, size_t nrows)
{
    fprintf(out, "{\"schema\":%d,\"scenario\":", RESULT_SCHEMA_VERSION);
    summary_json_str(out, scenario);
    fputs(",\"status\":", out);
    summary_json_str(out, status);
    fputs(",\"message\":", out);
    summary_json_str(out, message);
    fputs(",\"steps\":[\n", out);
    for (size_t i = 0; i < ninfo; i++) {
        json_step(out, &info[i], rows, nrows);
        fputs(i + 1 < ninfo ? ",\n" : "\n", out);
    }
    fputs("]}\n", out);
}

/* Cuts the next line off *p (LF or CRLF). NULL at the end. */
static char *next_line(char **p)
{
    if (**p == '\0')
        return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    line[strcspn(line, "\r")] = '\0';
    return line;
}

int summary_read_csv(const char *path, struct test_result **rows, size_t *n, char *err,
                     size_t errlen)
{
    char *text = NULL;
    size_t len = 0, cap = 0, k = 0;
    struct test_result *r = NULL;
    if (fileio_read_all(path, (size_t)1 << 30, &text, &len, err, errlen) != 0)
        return -1;
    char *p = text;
    char *header = next_line(&p);
    if (!header || strncmp(header, "schema,", 7) != 0) {
        snprintf(err, errlen, "%s:1: not a netrig summary.csv (no schema column)", path);
        goto fail;
    }
    long line = 1;
    for (char *row = next_line(&p); row; row = next_line(&p)) {
        line++;
        if (*row == '\0')
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            struct test_result *nr = realloc(r, cap * sizeof(*nr));
            if (!nr) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            r = nr;
        }
        char msg[256];
        if (result_csv_parse(header, row, &r[k], msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s:%ld: %s", path, line, msg);
            goto fail;
        }
        k++;
    }
    free(text);
    *rows = r;
    *n = k;
    return 0;
fail:
    free(text);
    free(r);
    return -1;
}
