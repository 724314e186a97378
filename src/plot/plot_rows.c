#include "plot_rows.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int rows_push(struct plot_rows *rows, size_t *cap, const struct test_result *r)
{
    if (rows->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct test_result *p = realloc(rows->r, ncap * sizeof(*p));
        if (!p)
            return -1;
        rows->r = p;
        *cap = ncap;
    }
    rows->r[rows->n++] = *r;
    return 0;
}

int plot_rows_load(const char *path, struct plot_rows *rows, char *err, size_t errlen)
{
    rows->r = NULL;
    rows->n = 0;
    FILE *f = fileio_open_read(path, FILEIO_RESULT_MAX, err, errlen);
    if (!f)
        return -1;
    char *header = NULL, *line = NULL;
    size_t hcap = 0, lcap = 0, cap = 0;
    long lineno = 1;
    int rc = -1;
    if (getline(&header, &hcap, f) < 0) {
        snprintf(err, errlen, "%s: empty file, expected a header row", path);
        goto out;
    }
    chomp(header);
    while (getline(&line, &lcap, f) >= 0) {
        lineno++;
        chomp(line);
        if (line[0] == '\0')
            continue;
        struct test_result r;
        char why[160];
        if (result_csv_parse(header, line, &r, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s:%ld: %s", path, lineno, why);
            goto out;
        }
        if (result_is_host_row(&r)) /* the figures draw a step's "all" row */
            continue;
        if (rows_push(rows, &cap, &r) != 0) {
            snprintf(err, errlen, "%s:%ld: out of memory", path, lineno);
            goto out;
        }
    }
    rc = 0;
out:
    free(header);
    free(line);
    fclose(f);
    if (rc != 0)
        plot_rows_free(rows);
    return rc;
}

void plot_rows_free(struct plot_rows *rows)
{
    free(rows->r);
    rows->r = NULL;
    rows->n = 0;
}

double plot_t95(size_t df)
{
    /* t(0.975, df) for df = 1..30; beyond that the normal limit is close
     * enough for a plot's error bar. */
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0)
        return NAN;
    if (df <= sizeof(t) / sizeof(t[0]))
        return t[df - 1];
    if (df <= 60)
        return 2.000;
    if (df <= 120)
        return 1.980;
    return 1.960;
}

struct plot_stat plot_stat_of(const double *v, size_t n)
{
    struct plot_stat s = {0, NAN, NAN};
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i])) {
            sum += v[i];
            s.n++;
        }
    }
    if (s.n == 0)
        return s;
    s.mean = sum / (double)s.n;
    if (s.n < 2)
        return s;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            ss += (v[i] - s.mean) * (v[i] - s.mean);
    double sd = sqrt(ss / (double)(s.n - 1));
    s.half = plot_t95(s.n - 1) * sd / sqrt((double)s.n);
    return s;
}

/* Compares a step name with a file name over n characters of name. */
static int loose_eq(const char *step, const char *name, size_t n)
{
    if (strlen(step) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)step[i], b = (unsigned char)name[i];
        if (isalnum(a) || isalnum(b)) {
            if (a != b)
                return 0;
        }
    }
    return 1;
}

const struct test_result *plot_rows_step(const struct plot_rows *rows, const char *name)
{
    size_t n = strlen(name), cut = n;
    /* "-r2", "_r2", ".r2": one file per repetition */
    size_t d = n;
    while (d > 0 && isdigit((unsigned char)name[d - 1]))
        d--;
    if (d < n && d >= 3 && name[d - 1] == 'r' && !isalnum((unsigned char)name[d - 2]))
        cut = d - 2;
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < rows->n; i++)
            if (loose_eq(rows->r[i].step, name, pass == 0 ? n : cut))
                return &rows->r[i];
    return NULL;
}
