#ifndef NETRIG_HIST_H
#define NETRIG_HIST_H
/* HDR histogram with 64-bit counts, to docs/hdr-histogram-spec.md
 * (sections 1-3; the Java library's semantics). Values are non-negative
 * integers; netrig records nanoseconds. init/close pairs; close accepts
 * NULL. Recording never allocates and never locks: one histogram per
 * thread, merged after the join. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct hist {
    int64_t lowest;  /* lowest discernible value, >= 1 */
    int64_t highest; /* highest trackable value, >= 2 * lowest */
    int32_t digits;  /* significant value digits, 0..5 (0 only from Java data) */
    int32_t unit_magnitude;
    int32_t sub_bucket_count_magnitude;
    int32_t sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count;
    int32_t sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int32_t leading_zero_count_base;
    int32_t bucket_count;
    int32_t counts_len;
    int64_t total_count;
    int64_t max_value;    /* raw, see spec 2.1 */
    int64_t min_non_zero; /* raw, INT64_MAX when none */
    int64_t start_ms;     /* interval start, epoch ms (0 = unknown) */
    int64_t end_ms;       /* interval end, epoch ms */
    char tag[64];         /* "" = untagged */
    int64_t *counts;
};

/* Allocates counts. Returns 0, or -1 for invalid parameters (spec 1.1) or
 * no memory. */
int hist_init(struct hist *h, int64_t lowest, int64_t highest, int digits);
/* Frees the counts; accepts NULL and a closed histogram. */
void hist_close(struct hist *h);

/* The histogram netrig uses for latencies: 1 ns .. 1 hour, 3 digits. */
int hist_init_default(struct hist *h);

/* Upper bound on counts_len for any valid layout (digits 5, 1..INT64_MAX
 * needs 6160384); decoders reject headers asking for more. */
#define HIST_MAX_COUNTS_LEN (1 << 23)

/* Slot index of v >= 0 (spec 1.3); may be >= counts_len when v is out of
 * range. Inline because every recorded message goes through it. */
static inline int64_t hist_index_of(const struct hist *h, int64_t v)
{
    int bucket = h->leading_zero_count_base - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
    int64_t sub = v >> (bucket + h->unit_magnitude);
    return ((int64_t)bucket << h->sub_bucket_half_count_magnitude) + sub;
}

/* Records v with count c. Returns false and changes nothing if v < 0 or
 * v's slot does not exist (spec 2.2). No allocation, no locks. */
static inline bool hist_record_n(struct hist *h, int64_t v, int64_t c)
{
    if (v < 0)
        return false;
    int64_t i = hist_index_of(h, v);
    if (i >= h->counts_len)
        return false;
    h->counts[i] += c;
    h->total_count += c;
    if (v > h->max_value)
        h->max_value = v;
    if (v != 0 && v < h->min_non_zero)
        h->min_non_zero = v;
    return true;
}

/* Records v once (see hist_record_n). */
static inline bool hist_record(struct hist *h, int64_t v)
{
    return hist_record_n(h, v, 1);
}

/* Coordinated-omission correction at record time (spec 2.3). */
bool hist_record_corrected(struct hist *h, int64_t v, int64_t expected_interval);
/* Post-hoc correction into an empty histogram `dst` of the same layout
 * (spec 2.4). Returns 0 or -1. */
int hist_add_corrected(struct hist *dst, const struct hist *src, int64_t expected_interval);

/* Zeroes every count, min, max, timestamps and tag (spec 2.5). */
void hist_reset(struct hist *h);
/* Adds src into dst, any ranges (spec 3.6). Returns 0, or -1 when dst
 * cannot hold src's max (nothing added). Timestamps widen to cover both. */
int hist_add(struct hist *dst, const struct hist *src);
/* Grows h so that `highest` becomes recordable (Java auto-resize); the
 * layout of existing slots does not change. Returns 0 or -1 (no memory,
 * or highest too large). */
int hist_resize(struct hist *h, int64_t highest);
/* hist_add that first grows dst when src's max does not fit, as Java's
 * auto-resizing histograms do (log processing). Returns 0 or -1. */
int hist_add_grow(struct hist *dst, const struct hist *src);
/* Number of slots that hold a value up to `highest` (spec 1.2), or -1 when
 * the parameters are invalid. Allocates nothing; decoders use it to bound
 * allocations before trusting a header. */
int64_t hist_counts_len_for(int64_t lowest, int64_t highest, int digits);

/* Smallest recorded value at slot precision; 0 when empty or when 0 was
 * recorded (spec 3.1). */
int64_t hist_min(const struct hist *h);
/* Largest recorded value, as the highest value of its slot; 0 if empty. */
int64_t hist_max(const struct hist *h);
/* Smallest non-zero recorded value (slot's lowest); INT64_MAX if none. */
int64_t hist_min_non_zero(const struct hist *h);
/* Mean and population standard deviation over slot midpoints (spec 3.2);
 * 0.0 for an empty histogram. */
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);
/* Value at percentile p (percent), the Java rule (spec 3.3): p = 0 gives
 * the lowest value of the first slot, p >= 100 the max; 0 if empty. */
int64_t hist_value_at_percentile(const struct hist *h, double p);
/* Percent of values at or below v's slot; 100 when empty. */
double hist_percentile_at_or_below(const struct hist *h, int64_t v);
/* Values recorded in the slots from lo's to hi's, both included. */
int64_t hist_count_between(const struct hist *h, int64_t lo, int64_t hi);
/* Values recorded in v's slot. */
int64_t hist_count_at(const struct hist *h, int64_t v);

/* Equivalent values (spec 1.5): the lowest, highest and middle
 * value of v's slot (values in one slot cannot be told apart), and the
 * lowest value of slot i. */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t v);
int64_t hist_highest_equivalent(const struct hist *h, int64_t v);
int64_t hist_median_equivalent(const struct hist *h, int64_t v);
int64_t hist_value_from_index(const struct hist *h, int32_t i);
/* Slot of v, clamped to 0..counts_len-1 (negative v gives 0). */
int32_t hist_counts_index(const struct hist *h, int64_t v);

/* Percentile iteration (spec 3.5). Usage:
 *   struct hist_pct_iter it; hist_pct_iter_init(&it, h, 5);
 *   while (hist_pct_iter_next(&it)) use it.value, it.percentile, it.cum_count */
struct hist_pct_iter {
    const struct hist *h;
    int32_t ticks_per_half;
    int32_t index; /* current slot */
    int64_t cum;   /* running count including the slot */
    double level;  /* next level to emit, percent */
    bool done;
    /* output of the last step */
    int64_t value;     /* highest equivalent value of the slot */
    double percentile; /* level, percent */
    int64_t cum_count;
};
/* Starts an iteration over h (which must not change meanwhile) with
 * ticks_per_half rows per halving of the distance to 100 %. */
void hist_pct_iter_init(struct hist_pct_iter *it, const struct hist *h, int ticks_per_half);
/* Next row into it->value / percentile / cum_count; false when done. */
bool hist_pct_iter_next(struct hist_pct_iter *it);

/* The .hgrm percentile distribution text (spec 6), values divided by
 * `scale`; ticks per half distance usually 5. csv selects the CSV form. */
void hist_write_hgrm(FILE *out, const struct hist *h, int ticks_per_half, double scale, bool csv);

/* Formats v with `decimals` decimals as Java's %.Nf does (US locale): the
 * shortest decimal that reads back as v, rounded half up. Non-finite
 * values give NaN / Infinity. */
void hist_fmt_java(char *out, size_t cap, double v, int decimals);

/* --- V2 encoding (spec 4) ------------------------------------------- */

/* Size bound of the uncompressed V2 form: 40 + 9 * counts_len. */
size_t hist_encoded_max(const struct hist *h);
/* Writes the uncompressed V2 form into buf. Returns its length, or 0 if
 * the buffer is too small. */
size_t hist_encode_v2(const struct hist *h, uint8_t *buf, size_t cap);
/* The zlib-compressed V2 form (cookie 0x1c849314), malloc'd into *out.
 * Returns 0 or -1. */
int hist_encode_compressed(const struct hist *h, uint8_t **out, size_t *len);
/* Decodes either form (V2 compressed or not; V0/V1 where supported) into a
 * new histogram initialised by this call. Never trusts the input: bounded
 * allocation, every length checked. Returns 0 or -1 with a message. */
int hist_decode(struct hist *h, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* Base64 (RFC 4648, padded, one line). encode returns a malloc'd NUL-ended
 * string or NULL; decode returns 0 or -1. */
char *hist_base64_encode(const uint8_t *buf, size_t len);
int hist_base64_decode(const char *s, size_t slen, uint8_t **out, size_t *len);

#endif
