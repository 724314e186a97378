#ifndef NETRIG_HLOG_H
#define NETRIG_HLOG_H
/* The HdrHistogram interval log (.hlog, spec section 5): the writer emits
 * what the Java writer emits (format 1.3); the reader is lenient as the
 * Java reader is. */
#include <stdio.h>

#include "hist.h"

struct hlog_writer {
    FILE *out;
    double base_time_s;    /* start times are written relative to this */
    double max_unit_ratio; /* interval max column divisor, default 1e6 */
    int64_t base_ms;       /* base_time_s in epoch milliseconds */
};

/* Writes the header: optional comment, version, StartTime, BaseTime and
 * legend. start_time_s is seconds since the epoch; it also becomes the
 * base time. Returns 0 or -1 (write error). */
int hlog_writer_init(struct hlog_writer *w, FILE *out, double start_time_s, const char *comment);
/* One interval line; uses h->start_ms/end_ms (absolute epoch ms) and
 * h->tag. Returns 0, or -1 for a tag holding ',', space, CR or LF, or on a
 * write or encoding error. */
int hlog_write_interval(struct hlog_writer *w, const struct hist *h);

struct hlog_reader {
    FILE *in;
    const char *name;    /* file name for messages, "-" when not set */
    long line;           /* line number of the last line read, for errors */
    double start_time_s; /* from #[StartTime or the first interval */
    double base_time_s;
    int have_start, have_base;
    char *buf; /* line buffer, owned */
    size_t cap;
};

void hlog_reader_init(struct hlog_reader *r, FILE *in);
/* Frees the line buffer (not the FILE). Accepts NULL. */
void hlog_reader_close(struct hlog_reader *r);
/* Reads the next interval into h (initialised by the call; the caller
 * closes it). Returns 1 for an interval, 0 at end of file, -1 on a
 * malformed line with a message "NAME:LINE: what" in err. h->tag is set,
 * h->start_ms / end_ms are absolute epoch milliseconds. */
int hlog_read_interval(struct hlog_reader *r, struct hist *h, char *err, size_t errlen);

#endif
