/* netrig compare RUN_A RUN_B [--fail-on-regression PCT]: the steps of two
 * runs side by side, for a user's CI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "compare.h"
#include "units.h"

void cmd_compare_help(FILE *out)
{
    fprintf(out, "usage: netrig compare RUN_A RUN_B [--fail-on-regression PCT]\n"
                 "\n"
                 "Matches the steps of two results folders (or summary.csv files) by their\n"
                 "parameters and prints goodput, p50 and p99 latency of each side by side\n"
                 "with the change from A to B in percent (means over repetitions). A '*'\n"
                 "marks a change whose 95 %% confidence intervals do not overlap (needs\n"
                 "repeat >= 2 in both runs).\n"
                 "\n"
                 "  --fail-on-regression PCT  exit 1 when a step got worse by more than PCT\n"
                 "                            percent: goodput lower, or p50 or p99 higher\n"
                 "\n"
                 "Exit status: 0 no regression, 1 a regression, 2 usage or input error.\n");
}

static void fmt_val(int k, double v, char *buf, unsigned len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (k == COMPARE_GOODPUT)
        units_fmt_bps(v, buf, len);
    else
        units_fmt_ns(v * 1000, buf, len); /* the CSV holds microseconds */
}

static void print_pair(const struct compare_pair *p)
{
    const struct summary_step *s = p->a ? p->a : p->b;
    printf("%-34.34s", s->first.step);
    for (int k = 0; k < COMPARE_N; k++) {
        int m = compare_metric[k];
        char va[32], vb[32], ch[32];
        fmt_val(k, p->a ? p->a->ci[m].mean : NAN, va, sizeof(va));
        fmt_val(k, p->b ? p->b->ci[m].mean : NAN, vb, sizeof(vb));
        if (!p->a || !p->b)
            snprintf(ch, sizeof(ch), "%s", p->a ? "only A" : "only B");
        else if (isnan(p->change_pct[k]))
            snprintf(ch, sizeof(ch), "-");
        else
            snprintf(ch, sizeof(ch), "%+.1f%%%s%s", p->change_pct[k], p->differs[k] ? "*" : "",
                     p->regression[k] ? "!" : "");
        printf(" %12s %12s %9s", va, vb, ch);
    }
    putchar('\n');
}

static int parse_args(int argc, char **argv, const char **ra, const char **rb, double *pct)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (strcmp(a, "--fail-on-regression") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(a, "--fail-on-regression=", 21) == 0)
            v = a + 21;
        else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "netrig compare: unknown option '%s' (see netrig help compare)\n", a);
            return -1;
        } else if (npos < 2) {
            *(npos++ == 0 ? ra : rb) = a;
            continue;
        } else {
            fprintf(stderr, "netrig compare: too many arguments: '%s'\n", a);
            return -1;
        }
        char *end;
        *pct = strtod(v, &end);
        if (end == v || (*end != '\0' && strcmp(end, "%") != 0) || !(*pct >= 0)) {
            fprintf(stderr,
                    "netrig compare: bad value '%s' for --fail-on-regression: "
                    "expected a percentage such as 5\n",
                    v);
            return -1;
        }
    }
    if (npos != 2) {
        fprintf(stderr, "usage: netrig compare RUN_A RUN_B [--fail-on-regression PCT]\n");
        return -1;
    }
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    const char *ra = NULL, *rb = NULL;
    double pct = -1;
    if (parse_args(argc, argv, &ra, &rb, &pct) != 0)
        return 2;
    struct summary_step *a = NULL, *b = NULL;
    struct compare_pair *p = NULL;
    size_t na = 0, nb = 0;
    char err[1024];
    int rc = 2;
    if (compare_load(ra, &a, &na, err, sizeof(err)) != 0 ||
        compare_load(rb, &b, &nb, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig compare: %s\n", err);
        goto out;
    }
    long n = compare_pairs(a, na, b, nb, pct, &p);
    if (n < 0) {
        fprintf(stderr, "netrig compare: out of memory\n");
        goto out;
    }
    printf("A: %s\nB: %s\n\n%-34s %12s %12s %9s %12s %12s %9s %12s %12s %9s\n", ra, rb, "step",
           "goodput A", "goodput B", "change", "p50 A", "p50 B", "change", "p99 A", "p99 B",
           "change");
    int worse = 0;
    for (long i = 0; i < n; i++) {
        print_pair(&p[i]);
        for (int k = 0; k < COMPARE_N; k++)
            worse += p[i].regression[k];
    }
    printf("\n* the 95 %% confidence intervals do not overlap\n");
    rc = 0;
    if (pct >= 0) {
        printf("! worse by more than %g %%\n", pct);
        if (worse) {
            printf("netrig compare: %d regression(s) beyond %g %%\n", worse, pct);
            rc = 1;
        }
    }
out:
    free(a);
    free(b);
    free(p);
    return rc;
}
