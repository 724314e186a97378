/* HDR histogram: layout, recording, merging and queries. The semantics
 * follow the Java HdrHistogram library so that logs and reports agree with
 * the tools users already have. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_MAX_SAFE ((int64_t)(((uint64_t)1 << 62) - 1))

struct layout {
    int32_t unit_magnitude;
    int32_t sbc_magnitude;
    int32_t bucket_count;
    int64_t counts_len;
};

static int bits_needed(uint64_t x)
{
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
}

/* Derives the layout of spec 1.2; -1 when the parameters are invalid. */
static int layout_compute(int64_t lowest, int64_t highest, int digits, struct layout *l)
{
    if (lowest < 1 || lowest > HIST_MAX_SAFE || digits < 0 || digits > 5)
        return -1;
    if (highest / 2 < lowest)
        return -1;
    int64_t largest_single = 2;
    for (int d = 0; d < digits; d++)
        largest_single *= 10;
    int sbc_mag = bits_needed((uint64_t)largest_single - 1);
    if (sbc_mag < 1)
        sbc_mag = 1;
    int unit = 63 - __builtin_clzll((uint64_t)lowest);
    if (unit + sbc_mag > 62)
        return -1;
    int64_t s = (int64_t)1 << (sbc_mag + unit);
    int32_t n = 1;
    while (s <= highest) {
        if (s > HIST_MAX_SAFE) {
            n++;
            break;
        }
        s <<= 1;
        n++;
    }
    l->unit_magnitude = unit;
    l->sbc_magnitude = sbc_mag;
    l->bucket_count = n;
    l->counts_len = (int64_t)(n + 1) << (sbc_mag - 1);
    return 0;
}

int64_t hist_counts_len_for(int64_t lowest, int64_t highest, int digits)
{
    struct layout l;
    if (layout_compute(lowest, highest, digits, &l) != 0)
        return -1;
    return l.counts_len;
}

int hist_init(struct hist *h, int64_t lowest, int64_t highest, int digits)
{
    memset(h, 0, sizeof(*h));
    struct layout l;
    if (layout_compute(lowest, highest, digits, &l) != 0 || l.counts_len > HIST_MAX_COUNTS_LEN)
        return -1;
    h->counts = calloc((size_t)l.counts_len, sizeof(int64_t));
    if (!h->counts)
        return -1;
    h->lowest = lowest;
    h->highest = highest;
    h->digits = digits;
    h->unit_magnitude = l.unit_magnitude;
    h->sub_bucket_count_magnitude = l.sbc_magnitude;
    h->sub_bucket_half_count_magnitude = l.sbc_magnitude - 1;
    h->sub_bucket_count = (int32_t)1 << l.sbc_magnitude;
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << l.unit_magnitude;
    h->leading_zero_count_base = 64 - l.unit_magnitude - l.sbc_magnitude;
    h->bucket_count = l.bucket_count;
    h->counts_len = (int32_t)l.counts_len;
    h->min_non_zero = INT64_MAX;
    return 0;
}

int hist_init_default(struct hist *h)
{
    return hist_init(h, 1, 3600LL * 1000 * 1000 * 1000, 3);
}

void hist_close(struct hist *h)
{
    if (!h)
        return;
    free(h->counts);
    h->counts = NULL;
    h->counts_len = 0;
}

int hist_resize(struct hist *h, int64_t highest)
{
    if (highest <= h->highest)
        return 0; /* never shrink: the header must cover every slot */
    struct layout l;
    if (layout_compute(h->lowest, highest, h->digits, &l) != 0 ||
        l.counts_len > HIST_MAX_COUNTS_LEN)
        return -1;
    if (l.counts_len > h->counts_len) {
        int64_t *c = realloc(h->counts, (size_t)l.counts_len * sizeof(int64_t));
        if (!c)
            return -1;
        memset(c + h->counts_len, 0, (size_t)(l.counts_len - h->counts_len) * sizeof(int64_t));
        h->counts = c;
        h->counts_len = (int32_t)l.counts_len;
        h->bucket_count = l.bucket_count;
    }
    h->highest = highest;
    return 0;
}

void hist_reset(struct hist *h)
{
    memset(h->counts, 0, (size_t)h->counts_len * sizeof(int64_t));
    h->total_count = 0;
    h->max_value = 0;
    h->min_non_zero = INT64_MAX;
    h->start_ms = 0;
    h->end_ms = 0;
    h->tag[0] = '\0';
}

/* --- equivalent values ----------------------------------------------- */

static int bucket_of(const struct hist *h, int64_t v)
{
    return h->leading_zero_count_base - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
}

int32_t hist_counts_index(const struct hist *h, int64_t v)
{
    if (v < 0)
        return 0;
    int64_t i = hist_index_of(h, v);
    return (int32_t)(i >= h->counts_len ? h->counts_len - 1 : i);
}

int64_t hist_value_from_index(const struct hist *h, int32_t i)
{
    int32_t b = (i >> h->sub_bucket_half_count_magnitude) - 1;
    int64_t s = (i & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (b < 0) {
        s -= h->sub_bucket_half_count;
        b = 0;
    }
    return s << (b + h->unit_magnitude);
}

int64_t hist_lowest_equivalent(const struct hist *h, int64_t v)
{
    int b = bucket_of(h, v);
    int64_t sub = v >> (b + h->unit_magnitude);
    return sub << (b + h->unit_magnitude);
}

static uint64_t range_size(const struct hist *h, int64_t v)
{
    return (uint64_t)1 << (h->unit_magnitude + bucket_of(h, v));
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t v)
{
    /* Unsigned: the top slot of a 1..INT64_MAX histogram ends at 2^63 - 1. */
    return (int64_t)((uint64_t)hist_lowest_equivalent(h, v) + range_size(h, v) - 1);
}

int64_t hist_median_equivalent(const struct hist *h, int64_t v)
{
    return (int64_t)((uint64_t)hist_lowest_equivalent(h, v) + (range_size(h, v) >> 1));
}

/* --- recording ------------------------------------------------------- */

static bool record_backfilled(struct hist *h, int64_t v, int64_t c, int64_t interval)
{
    if (!hist_record_n(h, v, c))
        return false;
    if (interval <= 0)
        return true;
    /* The missing values v - k*interval (k >= 1) down to interval, a
     * bucket at a time: each bucket takes all of its members in one
     * record, at its lowest member (which keeps min exact), so the work
     * is bounded by the buckets, not by v / interval. */
    for (int64_t m = v - interval; m >= interval;) {
        int64_t lo = hist_lowest_equivalent(h, m);
        if (lo < interval)
            lo = interval;
        int64_t n = (m - lo) / interval + 1, low = m - (n - 1) * interval;
        if (c > INT64_MAX / n || !hist_record_n(h, low, n * c))
            return false;
        m = low - interval;
    }
    return true;
}

bool hist_record_corrected(struct hist *h, int64_t v, int64_t expected_interval)
{
    return record_backfilled(h, v, 1, expected_interval);
}

int hist_add_corrected(struct hist *dst, const struct hist *src, int64_t expected_interval)
{
    int rc = 0;
    for (int32_t i = 0; i < src->counts_len; i++) {
        if (src->counts[i] == 0)
            continue;
        int64_t v = hist_highest_equivalent(src, hist_value_from_index(src, i));
        if (!record_backfilled(dst, v, src->counts[i], expected_interval))
            rc = -1;
    }
    return rc;
}

static void widen_times(struct hist *dst, const struct hist *src)
{
    if (src->start_ms != 0 && (dst->start_ms == 0 || src->start_ms < dst->start_ms))
        dst->start_ms = src->start_ms;
    if (src->end_ms > dst->end_ms)
        dst->end_ms = src->end_ms;
}

int hist_add(struct hist *dst, const struct hist *src)
{
    int64_t top = hist_highest_equivalent(dst, hist_value_from_index(dst, dst->counts_len - 1));
    if (top < hist_max(src))
        return -1;
    if (dst->unit_magnitude == src->unit_magnitude &&
        dst->sub_bucket_count == src->sub_bucket_count) {
        /* Same slot meaning: every populated src slot exists in dst. No
         * slot above max's is populated: a sparse, wide histogram costs
         * its values, not its layout. */
        int32_t end = src->total_count ? hist_counts_index(src, src->max_value) + 1 : 0;
        int64_t added = 0;
        for (int32_t i = 0; i < end && i < dst->counts_len; i++) {
            dst->counts[i] += src->counts[i];
            added += src->counts[i];
        }
        dst->total_count += added;
        if (src->max_value > dst->max_value)
            dst->max_value = src->max_value;
        if (src->min_non_zero < dst->min_non_zero)
            dst->min_non_zero = src->min_non_zero;
    } else {
        /* Re-record each source slot's lowest value: the precision of the
         * coarser of the two, as Java does. */
        for (int32_t i = 0; i < src->counts_len; i++)
            if (src->counts[i] != 0)
                hist_record_n(dst, hist_value_from_index(src, i), src->counts[i]);
    }
    widen_times(dst, src);
    return 0;
}

int hist_add_grow(struct hist *dst, const struct hist *src)
{
    if (hist_add(dst, src) == 0)
        return 0;
    if (hist_resize(dst, hist_max(src)) != 0)
        return -1;
    return hist_add(dst, src);
}

/* --- queries --------------------------------------------------------- */

int64_t hist_max(const struct hist *h)
{
    return h->max_value == 0 ? 0 : hist_highest_equivalent(h, h->max_value);
}

int64_t hist_min(const struct hist *h)
{
    if (h->total_count == 0 || h->counts[0] > 0 || h->min_non_zero == INT64_MAX)
        return 0;
    return hist_lowest_equivalent(h, h->min_non_zero);
}

int64_t hist_min_non_zero(const struct hist *h)
{
    return h->min_non_zero == INT64_MAX ? INT64_MAX : hist_lowest_equivalent(h, h->min_non_zero);
}

double hist_mean(const struct hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double total = 0;
    for (int32_t i = 0; i < h->counts_len; i++)
        if (h->counts[i] != 0)
            total += (double)hist_median_equivalent(h, hist_value_from_index(h, i)) *
                     (double)h->counts[i];
    return total / (double)h->total_count;
}

double hist_stddev(const struct hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double mean = hist_mean(h);
    double sum = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] == 0)
            continue;
        double dev = (double)hist_median_equivalent(h, hist_value_from_index(h, i)) - mean;
        sum += (dev * dev) * (double)h->counts[i];
    }
    return sqrt(sum / (double)h->total_count);
}

int64_t hist_value_at_percentile(const struct hist *h, double p)
{
    /* One ulp below p keeps exact boundaries (p50 of {1, 2}) on the lower
     * value, as the Java library does. */
    double req = fmin(fmax(nextafter(p, -INFINITY), 0.0), 100.0);
    double target_d = ceil((req * (double)h->total_count) / 100.0);
    int64_t target = target_d < 1.0 ? 1 : (int64_t)target_d;
    int64_t sum = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        sum += h->counts[i];
        if (sum >= target) {
            int64_t v = hist_value_from_index(h, i);
            return p == 0.0 ? hist_lowest_equivalent(h, v) : hist_highest_equivalent(h, v);
        }
    }
    return 0;
}

double hist_percentile_at_or_below(const struct hist *h, int64_t v)
{
    if (h->total_count == 0)
        return 100.0;
    int32_t top = hist_counts_index(h, v);
    int64_t sum = 0;
    for (int32_t i = 0; i <= top; i++)
        sum += h->counts[i];
    return (100.0 * (double)sum) / (double)h->total_count;
}

int64_t hist_count_between(const struct hist *h, int64_t lo, int64_t hi)
{
    int64_t sum = 0;
    for (int32_t i = hist_counts_index(h, lo); i <= hist_counts_index(h, hi); i++)
        sum += h->counts[i];
    return sum;
}

int64_t hist_count_at(const struct hist *h, int64_t v)
{
    return h->counts[hist_counts_index(h, v)];
}
