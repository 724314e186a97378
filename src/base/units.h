#ifndef NETRIG_UNITS_H
#define NETRIG_UNITS_H
/* Parsing of the units users type: sizes, rates and durations.
 * Every function returns 0 on success or -1 when the text is not a valid
 * value, leaving *out untouched. Leading and trailing blanks are refused so
 * that the caller (option table, scenario parser) decides about trimming. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1500", "4k", "64K", "1m", "2g": 1024-based multipliers, as fio. */
int units_parse_size(const char *s, uint64_t *out);

/* "50mbit", "1gbit", "800kbit", "100bit", "1.5gbit" (10^3-based, bits/s, like
 * tc and iperf3), or "20000/s", "5k/s" (messages per second). Exactly one of
 * *bps / *per_s is set non-zero; the other is set to 0. */
int units_parse_rate(const char *s, double *bps, double *per_s);

/* "250ms", "10s", "2m", "1h", "500us", "100ns"; a bare number is seconds.
 * Result in nanoseconds. */
int units_parse_duration(const char *s, uint64_t *ns);

/* Plain non-negative decimal number (may have a fraction). */
int units_parse_double(const char *s, double *out);

/* Formats for humans: "1.50 Gbit/s", "64.0 KiB", "12.3 us". Return buf. */
const char *units_fmt_bps(double bps, char *buf, unsigned len);
const char *units_fmt_size(uint64_t bytes, char *buf, unsigned len);
const char *units_fmt_ns(double ns, char *buf, unsigned len);

/* A bit rate as people write it and units_parse_rate reads it back:
 * 110mbit, 1.5gbit, 64kbit. */
void units_fmt_rate_spec(double bps, char *buf, size_t len);

#endif
