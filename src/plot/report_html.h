#ifndef NETRIG_REPORT_HTML_H
#define NETRIG_REPORT_HTML_H
/* RUN_DIR/index.html: one static page (no scripts, no outside styles)
 * with every figure, the summary table, the model verdicts and model.txt,
 * so a results folder can be opened in a browser or shared as it is. */
#include <stddef.h>
#include <stdio.h>

#include "plot_ctx.h"
#include "plot_rows.h"

/* Writes dir/index.html. figs lists the figures of c; images says whether
 * they were drawn (if not, the page says how to get them). Returns 0 or
 * -1 with a message in err. */
int report_html_write(const char *dir, const struct plot_rows *rows, const struct plot_ctx *c,
                      int images, char *err, size_t errlen);

/* Writes s with &, <, >, " and ' escaped. */
void report_html_escape(FILE *out, const char *s);

#endif
