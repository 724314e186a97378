/* Cost of the per-message instrument: one hist_record and one clock read.
 * Prints figures; never part of the test suite. Usage: bench_hist [N]. */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "hist.h"

/* Latency-like values from ~100 ns to ~10 ms, precomputed so the loop
 * measures recording, not the generator. */
static int64_t *make_values(size_t n)
{
    int64_t *v = malloc(n * sizeof(*v));
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; v && i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int shift = (int)(x % 17); /* 2^0 .. 2^16 spread: a log-like tail */
        v[i] = 100 + (int64_t)((x >> 20) % 150) * ((int64_t)1 << shift);
    }
    return v;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000;
    const size_t nv = 1 << 20;
    int64_t *vals = make_values(nv);
    struct hist h;
    if (!vals || n == 0 || hist_init_default(&h) != 0)
        return 1;
    for (size_t i = 0; i < nv; i++) /* warm the counts array */
        hist_record(&h, vals[i]);
    hist_reset(&h);

    uint64_t t0 = clock_now_ns();
    for (size_t i = 0; i < n; i++)
        hist_record(&h, vals[i & (nv - 1)]);
    uint64_t t1 = clock_now_ns();
    double rec_ns = (double)(t1 - t0) / (double)n;

    size_t nc = n / 5;
    uint64_t sink = 0;
    t0 = clock_now_ns();
    for (size_t i = 0; i < nc; i++)
        sink += clock_now_ns();
    t1 = clock_now_ns();
    double clk_ns = (double)(t1 - t0) / (double)nc;

    printf(
        "hist_record:    %.2f ns per value (%zu values, p50 %lld ns, p99 %lld ns, max %lld ns)\n",
        rec_ns, n, (long long)hist_value_at_percentile(&h, 50),
        (long long)hist_value_at_percentile(&h, 99), (long long)hist_max(&h));
    printf("clock_now_ns(): %.2f ns per read (%zu reads, checksum %llu)\n", clk_ns, nc,
           (unsigned long long)(sink & 1));
    if ((int64_t)h.total_count != (int64_t)n)
        return 1;
    hist_close(&h);
    free(vals);
    return 0;
}
