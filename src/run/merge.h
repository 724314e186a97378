#ifndef NETRIG_MERGE_H
#define NETRIG_MERGE_H
/* One step measured by several client hosts at once, made one: the "all"
 * row and its histograms. Counts, bytes and rates are summed, errors
 * summed by class, and latency percentiles come from the exact sum of the
 * hosts' histograms (hist_add), never from averaged percentiles. */
#include <stdbool.h>
#include <stddef.h>

#include "client.h"

/* One host's part of a step. */
struct merge_host {
    const char *name; /* the host column */
    const struct client_output *out;
    double offset_s; /* host clock - reference clock, seconds (0 when unknown) */
    bool ok;         /* measured; a host that failed is counted in hosts only */
};

/* Fills all (initialised by the call; release with client_output_close)
 * from the ok hosts of h[0..n): the row is the first ok host's with every
 * count, byte and rate summed, connections and threads summed, latency
 * from the merged histogram, host "all" and hosts "OK/N". The latency is
 * the sum of the hosts' interval histograms (their .hlog files), or of a
 * host's whole-test histogram when it kept no intervals; intervals of the
 * same index are summed into one, their times on the reference clock.
 * probe = udp|tcp: the hosts' probe intervals are summed by index the
 * same way (all->probe_iv, tagged "probe"), and the probe columns come
 * from the sum of their idle and loaded histograms (NaN when no host
 * probed), never from one host's row. WebSocket's ws_wire_ratio is the
 * hosts' weighed by their payload, ws_deflate "mixed" when they differ.
 * Returns 0, or -1 with a message (no ok host, no memory). */
int merge_outputs(const struct merge_host *h, size_t n, struct client_output *all, char *err,
                  size_t errlen);

/* probe = udp|tcp, read back from a .hlog: fills o->probe_idle and
 * o->probe_load (initialised by the call) from o->probe_iv as the client
 * did (client_probe_between): idle before the load's start less
 * o->result.warmup_used_s, loaded in [o->start_wall_s, + duration_s).
 * The log's times are whole milliseconds, so an interval whose middle
 * lies within one of a window's edge may fall on the other side. Nothing
 * to do without probe intervals. Returns 0 or -1 (no memory). */
int merge_probe_windows(struct client_output *o);

/* Adds the classes of src ("connect=1 read=2") to dst, class by class,
 * keeping dst's order and appending new classes. */
void merge_error_classes(char *dst, size_t dstlen, const char *src);

/* Fills the latency columns of r (min, mean, stddev, percentiles, max, in
 * microseconds) from h (ns); NaN when h is empty. */
void merge_lat_columns(struct test_result *r, const struct hist *h);

#endif
