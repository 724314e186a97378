#ifndef NETRIG_REPORT_TEXT_H
#define NETRIG_REPORT_TEXT_H
/* Console text of the client and server: the only place the measuring
 * commands format figures for people. */
#include <stdio.h>

#include "client.h"
#include "config.h"

/* One line saying what is about to be measured. */
void report_text_header(FILE *out, const struct netrig_config *cfg);
/* One line per interval, like iperf3 -i. */
void report_text_interval(FILE *out, const struct client_interval *iv);
/* The end-of-test summary. */
void report_text_result(FILE *out, const struct netrig_config *cfg, const struct client_output *o);

#endif
