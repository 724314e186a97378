#include "report_html.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "confint.h"
#include "fileio.h"
#include "version.h"

void report_html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, out);
        }
    }
}

/* The most of a text file the report copies (model.txt is a few KB). */
#define REPORT_FILE_MAX ((size_t)1 << 20)

/* Copies a text file of the run into a <pre>, escaped; nothing if absent
 * or not a regular file of a sensible size. */
static void put_file(FILE *out, const char *dir, const char *name, const char *heading)
{
    char path[PATH_MAX + 64], buf[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char e[8];
    FILE *f = fileio_open_read(path, REPORT_FILE_MAX, e, sizeof(e));
    if (!f)
        return;
    fprintf(out, "<h2>%s</h2>\n<pre>", heading);
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
        buf[n] = '\0';
        report_html_escape(out, buf);
    }
    fclose(f);
    fputs("</pre>\n", out);
}

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}\n"
    "table.rows{border-collapse:collapse;font-size:12px}\n"
    "th,td{border:1px solid #ccc;padding:2px 3px;text-align:right}\n"
    "th{background:#f0f0f0;position:sticky;top:0;font-weight:600;vertical-align:bottom}\n"
    "td{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "td.s{text-align:left}td.n{white-space:normal;min-width:8em}\n"
    "td.v{text-align:left;font-weight:600}\n"
    "td.v-yes{background:#cdebcd;color:#175c17}td.v-no{background:#f5c6c6;color:#8a1414}\n"
    "td.v-cpu{background:#fbe7bd;color:#6b4a00}td.v-none{background:#e8e8e8;color:#555}\n"
    "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\n"
    "pre{background:#f7f7f7;padding:.8em;overflow-x:auto}\n"
    ".note{background:#fff4d6;padding:.6em}\n";

static void put_figures(FILE *out, const struct plot_ctx *c, int images)
{
    fputs("<h2>Figures</h2>\n", out);
    if (c->nfigs == 0)
        fputs("<p>This run holds no data any figure needs.</p>\n", out);
    if (!images && c->nfigs > 0)
        fputs("<p class=\"note\">The figures are not drawn: gnuplot was not found. Install it "
              "(<code>apt-get install gnuplot-nox</code>) and run <code>netrig plot</code> on "
              "this folder.</p>\n",
              out);
    for (size_t i = 0; i < c->nfigs; i++) {
        const struct plot_fig *g = &c->figs[i];
        fputs("<figure>\n", out);
        if (images) {
            fputs("<a href=\"plots/", out);
            report_html_escape(out, g->name);
            fputs(".svg\"><img src=\"plots/", out);
            report_html_escape(out, g->name);
            fputs(".svg\" alt=\"", out);
            report_html_escape(out, g->title);
            fputs("\"></a>\n", out);
        }
        fputs("<figcaption>", out);
        report_html_escape(out, g->title);
        fputs(" (<a href=\"plots/", out);
        report_html_escape(out, g->name);
        fputs(".png\">PNG</a>, <a href=\"plots/", out);
        report_html_escape(out, g->name);
        fputs(".svg\">SVG</a>)</figcaption>\n</figure>\n", out);
    }
}

/* --- the summary table: numbers as people read them ------------------- */

/* Three significant digits, never an exponent: 0.123, 12.3, 123, 1234;
 * a whole number as it is (64, not 64.0). */
static void num3(char *b, size_t len, double v)
{
    double a = fabs(v);
    if (v == floor(v) && a < 1e6) {
        snprintf(b, len, "%.0f", v);
        return;
    }
    snprintf(b, len, "%.*f", a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3, v);
}

/* A value scaled by 1000 (or 1024) per step through the units given. */
static void scaled(char *b, size_t len, double v, double step, const char *const *u, int nu)
{
    int i = 0;
    while (fabs(v) >= step && i < nu - 1) {
        v /= step;
        i++;
    }
    char n[32];
    num3(n, sizeof(n), v);
    snprintf(b, len, "%s%s%s", n, u[i][0] ? "&nbsp;" : "", u[i]);
}

static void fmt_bytes(char *b, size_t len, double v)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB"};
    scaled(b, len, v, 1024, u, 4);
}

static void fmt_bps(char *b, size_t len, double v)
{
    static const char *const u[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
    scaled(b, len, v, 1000, u, 5);
}

static void fmt_count(char *b, size_t len, double v)
{
    static const char *const u[] = {"", "k", "M", "G"};
    if (fabs(v) < 1000 && v == floor(v))
        snprintf(b, len, "%.0f", v);
    else
        scaled(b, len, v, 1000, u, 4);
}

static void fmt_us(char *b, size_t len, double us)
{
    static const char *const u[] = {"&micro;s", "ms", "s"};
    scaled(b, len, us, 1000, u, 3);
}

static void fmt_pct(char *b, size_t len, double v)
{
    char n[32];
    num3(n, sizeof(n), v);
    snprintf(b, len, "%s&nbsp;%%", n);
}

/* A row's verdict as a coloured cell: the class names the verdict, the
 * text says it in words, the title what it was measured against. */
static void put_verdict(FILE *out, const struct test_result *r)
{
    const char *v = r->model_ok, *cls, *text;
    if (strcmp(v, "yes") == 0)
        cls = "v-yes", text = "within";
    else if (strcmp(v, "cpu") == 0)
        cls = "v-cpu", text = "CPU-bound";
    else if (strcmp(v, "steal") == 0)
        cls = "v-cpu", text = "host steal";
    else if (v[0])
        cls = "v-no", text = "outside";
    else
        cls = "v-none", text = "not checked";
    fprintf(out, "<td class=\"v %s\" title=\"", cls);
    if (!v[0])
        fputs("no verdict: the reason is in model.txt", out);
    else if (!isnan(r->model_err_pct))
        fprintf(out, "measured %+.2f %% from the model; tolerance %.3g %%", r->model_err_pct,
                isnan(r->tolerance_pct) ? 1.0 : r->tolerance_pct);
    fprintf(out, "\">%s</td>", text);
}

static void put_num(FILE *out, double v, void (*fmt)(char *, size_t, double))
{
    char b[64];
    if (isnan(v))
        fputs("<td></td>", out);
    else {
        fmt(b, sizeof(b), v);
        fprintf(out, "<td>%s</td>", b);
    }
}

static void put_signed_pct(char *b, size_t len, double v)
{
    snprintf(b, len, "%+.2f&nbsp;%%", v);
}

/* A step's name may break after a '-' or '=' of its own (a sweep's
 * "tcp-stream-size=1024") where the table is short of width. */
static void put_step(FILE *out, const char *step)
{
    char one[2] = "";
    for (const char *p = step; *p; p++) {
        one[0] = *p;
        report_html_escape(out, one);
        if ((*p == '-' || *p == '=') && p[1])
            fputs("<wbr>", out);
    }
}

static void put_cpu(FILE *out, const struct test_result *r)
{
    char c[32] = "", s[32] = "";
    if (!isnan(r->cpu_client_pct))
        num3(c, sizeof(c), r->cpu_client_pct);
    if (!isnan(r->cpu_server_pct))
        num3(s, sizeof(s), r->cpu_server_pct);
    if (c[0] || s[0])
        fprintf(out, "<td>%s&nbsp;/&nbsp;%s&nbsp;%%</td>", c[0] ? c : "?", s[0] ? s : "?");
    else
        fputs("<td></td>", out);
}

static void put_row(FILE *out, const struct test_result *r)
{
    fputs("<tr><td class=\"s n\">", out);
    put_step(out, r->step);
    fprintf(out, "</td><td>%u</td><td class=\"s\">", r->repeat);
    report_html_escape(out, r->proto);
    fputs(" ", out);
    report_html_escape(out, r->mode);
    fputs("</td>", out);
    put_num(out, r->size_bytes, fmt_bytes);
    put_num(out, r->resp_bytes, fmt_bytes);
    put_num(out, r->conns, fmt_count);
    /* bits/s for a paced stream, transactions per second in rate mode */
    if (strcmp(r->mode, "rate") == 0 && r->rate_target > 0) {
        char b[48];
        fmt_count(b, sizeof(b), r->rate_target);
        fprintf(out, "<td>%s/s</td>", b);
    } else
        put_num(out, r->rate_target > 0 ? r->rate_target : NAN, fmt_bps);
    put_num(out, r->goodput_bps, fmt_bps);
    put_num(out, r->msgs_per_s, fmt_count);
    put_num(out, r->lat_p50_us, fmt_us);
    put_num(out, r->lat_p99_us, fmt_us);
    put_num(out, r->lat_max_us, fmt_us);
    put_num(out, r->loss_pct, fmt_pct);
    put_num(out, r->errors, fmt_count);
    put_cpu(out, r);
    put_num(out, r->overhead_bytes, fmt_bytes);
    put_num(out, r->model_goodput_bps, fmt_bps);
    put_num(out, r->model_err_pct, put_signed_pct);
    put_verdict(out, r);
    fputs("</tr>\n", out);
}

static const char *const table_heads[] = {"step",
                                          "run",
                                          "protocol",
                                          "size",
                                          "response",
                                          "conns",
                                          "rate asked",
                                          "goodput",
                                          "msgs/s",
                                          "p50",
                                          "p99",
                                          "max",
                                          "loss",
                                          "errors",
                                          "CPU client / server",
                                          "overhead per message",
                                          "model goodput",
                                          "model error",
                                          "verdict"};

/* Steps repeated fewer than CONFINT_MIN_N times get no 95 % interval in
 * summary_ci.csv: say so rather than leave the reader to wonder. */
static void put_ci_note(FILE *out, const struct plot_rows *rows)
{
    size_t steps = 0, few = 0;
    for (size_t i = 0; i < rows->n; i++) {
        size_t k = 0, first = i;
        for (size_t j = 0; j < rows->n; j++)
            if (strcmp(rows->r[j].step, rows->r[i].step) == 0) {
                k++;
                if (j < first)
                    first = j;
            }
        if (first != i)
            continue; /* counted at its first row */
        steps++;
        few += k < CONFINT_MIN_N;
    }
    if (few == 0)
        return;
    fprintf(out,
            "<p class=\"note\">%zu of %zu steps ran fewer than %d times: too few repeats for a "
            "95&nbsp;%% confidence interval (<code>repeat = %d</code> or more in the scenario "
            "gives one in summary_ci.csv).</p>\n",
            few, steps, CONFINT_MIN_N, CONFINT_MIN_N);
}

static void put_table(FILE *out, const struct plot_rows *rows)
{
    fputs("<h2>Summary</h2>\n<p>One row per step and repetition, from "
          "<a href=\"summary.csv\">summary.csv</a> (every column, in base units). Latency "
          "percentiles are of one message or transaction; CPU in percent of one core.</p>\n"
          "<table class=\"rows\">\n<tr>",
          out);
    for (size_t k = 0; k < sizeof(table_heads) / sizeof(table_heads[0]); k++)
        fprintf(out, "<th>%s</th>", table_heads[k]);
    fputs("</tr>\n", out);
    for (size_t i = 0; i < rows->n; i++)
        put_row(out, &rows->r[i]);
    fputs("</table>\n", out);
    put_ci_note(out, rows);
}

static void put_verdicts(FILE *out, const struct plot_rows *rows)
{
    size_t yes = 0, no = 0, cpu = 0, none = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const char *v = rows->r[i].model_ok;
        yes += strcmp(v, "yes") == 0;
        cpu += strcmp(v, "cpu") == 0 || strcmp(v, "steal") == 0;
        none += v[0] == '\0';
    }
    no = rows->n - yes - cpu - none;
    fputs("<h2>Model check</h2>\n", out);
    if (none == rows->n) {
        fputs("<p>No row has been checked against the model (run <code>netrig model</code> "
              "on this folder).</p>\n",
              out);
        return;
    }
    fprintf(out,
            "<p>%zu rows within tolerance, %zu outside, %zu limited by the CPU or host steal "
            "(not a miss), "
            "%zu not checked.</p>\n",
            yes, no, cpu, none);
    if (no == 0)
        return;
    fputs("<p>Outside tolerance:</p>\n<ul>\n", out);
    for (size_t i = 0; i < rows->n; i++) {
        const struct test_result *r = &rows->r[i];
        if (!r->model_ok[0] || strcmp(r->model_ok, "yes") == 0 || strcmp(r->model_ok, "cpu") == 0 ||
            strcmp(r->model_ok, "steal") == 0)
            continue;
        fputs("<li>", out);
        report_html_escape(out, r->step);
        fprintf(out, " (repeat %u): %+.2f %%</li>\n", r->repeat, r->model_err_pct);
    }
    fputs("</ul>\n", out);
}

int report_html_write(const char *dir, const struct plot_rows *rows, const struct plot_ctx *c,
                      int images, char *err, size_t errlen)
{
    char path[PATH_MAX + 16], tmp[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/index.html", dir);
    snprintf(tmp, sizeof(tmp), "%s/.index.html.tmp", dir);
    FILE *out = fileio_open_write(tmp);
    if (!out) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        return -1;
    }
    const char *scen = rows->n && rows->r[0].scenario[0] ? rows->r[0].scenario : "run";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>netrig: ",
          out);
    report_html_escape(out, scen);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>netrig results: ", style);
    report_html_escape(out, scen);
    fputs("</h1>\n", out);
    put_verdicts(out, rows);
    put_table(out, rows);
    put_figures(out, c, images);
    put_file(out, dir, "model.txt", "Model fit (model.txt)");
    put_file(out, dir, "meta.json", "Run (meta.json)");
    fprintf(out, "<p><small>Made by netrig %s.</small></p>\n</body>\n</html>\n", NETRIG_VERSION);
    int bad = ferror(out);
    if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: write failed", path);
        unlink(tmp);
        return -1;
    }
    return 0;
}
