#include "report_html.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "units.h"
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
    "table{border-collapse:collapse;font-size:13px}\n"
    "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}\n"
    "th{background:#f0f0f0;position:sticky;top:0}\n"
    "td.s{text-align:left}\n"
    "td.yes{background:#d9f2d9}td.no{background:#f8d0d0}td.cpu{background:#fbeccc}\n"
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

enum cell { C_STR, C_NUM, C_BPS, C_U32 };

static const struct {
    const char *col;
    enum cell kind;
} table_cols[] = {
    {"step", C_STR},           {"repeat", C_U32},
    {"proto", C_STR},          {"mode", C_STR},
    {"size_bytes", C_NUM},     {"resp_bytes", C_NUM},
    {"conns", C_NUM},          {"rate_target", C_NUM},
    {"goodput_bps", C_BPS},    {"msgs_per_s", C_NUM},
    {"lat_p50_us", C_NUM},     {"lat_p99_us", C_NUM},
    {"lat_p999_us", C_NUM},    {"lat_max_us", C_NUM},
    {"loss_pct", C_NUM},       {"errors", C_NUM},
    {"cpu_client_pct", C_NUM}, {"cpu_server_pct", C_NUM},
    {"overhead_bytes", C_NUM}, {"model_goodput_bps", C_BPS},
    {"model_err_pct", C_NUM},  {"model_ok", C_STR},
};

static void put_cell(FILE *out, const struct test_result *r, size_t k)
{
    const struct result_column *col = result_column_find(table_cols[k].col);
    const char *p = (const char *)r + col->offset;
    double v = table_cols[k].kind == C_NUM || table_cols[k].kind == C_BPS
                   ? *(const double *)(const void *)p
                   : NAN;
    char b[64];
    switch (table_cols[k].kind) {
    case C_STR:
        if (strcmp(col->name, "model_ok") == 0 && p[0])
            fprintf(out, "<td class=\"s %s\">",
                    strcmp(p, "yes") == 0                              ? "yes"
                    : strcmp(p, "cpu") == 0 || strcmp(p, "steal") == 0 ? "cpu"
                                                                       : "no");
        else
            fputs("<td class=\"s\">", out);
        report_html_escape(out, p);
        break;
    case C_U32: fprintf(out, "<td>%u", *(const uint32_t *)(const void *)p); break;
    case C_BPS: fprintf(out, "<td>%s", isnan(v) ? "" : units_fmt_bps(v, b, sizeof(b))); break;
    case C_NUM:
        if (isnan(v))
            fputs("<td>", out);
        else
            fprintf(out, "<td>%.6g", v);
        break;
    }
    fputs("</td>", out);
}

static void put_table(FILE *out, const struct plot_rows *rows)
{
    fputs("<h2>Summary</h2>\n<p>One row per step and repetition, from "
          "<a href=\"summary.csv\">summary.csv</a> (latencies in microseconds).</p>\n"
          "<table>\n<tr>",
          out);
    size_t nc = sizeof(table_cols) / sizeof(table_cols[0]);
    for (size_t k = 0; k < nc; k++)
        fprintf(out, "<th>%s</th>", table_cols[k].col);
    fputs("</tr>\n", out);
    for (size_t i = 0; i < rows->n; i++) {
        fputs("<tr>", out);
        for (size_t k = 0; k < nc; k++)
            put_cell(out, &rows->r[i], k);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
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
    put_figures(out, c, images);
    put_file(out, dir, "model.txt", "Model fit (model.txt)");
    put_table(out, rows);
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
