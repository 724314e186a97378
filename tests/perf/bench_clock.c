/* What netrig's per-message timing costs on this machine: the clock read
 * (CLOCK_MONOTONIC through the vDSO, no system call), the histogram
 * record, and the two together as a share of a message's own time. A
 * request/response transaction on loopback takes some 10 us and reads
 * the clock once for timing; a received UDP datagram batch reads it once
 * per batch. Prints figures; never part of the test suite.
 * Usage: bench_clock [N] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "hist.h"

static double per_call_ns(clockid_t id, size_t n, uint64_t *sink)
{
    struct timespec ts;
    uint64_t t0 = clock_now_ns();
    for (size_t i = 0; i < n; i++) {
        clock_gettime(id, &ts);
        *sink += (uint64_t)ts.tv_nsec;
    }
    return (double)(clock_now_ns() - t0) / (double)n;
}

/* The median of five runs: a shared machine interrupts some of them. */
static double median5(clockid_t id, size_t n, uint64_t *sink)
{
    double v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = per_call_ns(id, n, sink);
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[2];
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    uint64_t sink = 0;
    struct hist h;
    if (n == 0 || hist_init_default(&h) != 0)
        return 1;
    double mono = median5(CLOCK_MONOTONIC, n, &sink);
    double coarse = median5(CLOCK_MONOTONIC_COARSE, n, &sink);

    /* One timed message: read the clock, record the difference from a
     * start time read earlier. */
    uint64_t t0 = clock_now_ns(), start = t0;
    for (size_t i = 0; i < n; i++) {
        uint64_t now = clock_now_ns();
        hist_record(&h, (int64_t)(now - start) & 0xfffff);
        start = now;
    }
    double msg = (double)(clock_now_ns() - t0) / (double)n;
    uint64_t x = 12345;
    t0 = clock_now_ns();
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        hist_record(&h, (int64_t)(x >> 44)); /* up to ~1 ms */
    }
    double rec = (double)(clock_now_ns() - t0) / (double)n;

    printf("clock_gettime(CLOCK_MONOTONIC):        %6.1f ns per read\n", mono);
    printf("clock_gettime(CLOCK_MONOTONIC_COARSE): %6.1f ns per read (too coarse to time by)\n",
           coarse);
    printf("hist_record:                           %6.1f ns per value\n", rec);
    printf("one timed message (read + record):     %6.1f ns\n", msg);
    printf("  share of a 10 us round trip:         %6.2f %%\n", 100.0 * msg / 10000.0);
    /* UDP: one record per datagram, one read per batch of up to 32. */
    double dgram = rec + mono / 32.0;
    printf("  per UDP datagram (batched reads):    %6.1f ns = %.2f %% of 1 us\n", dgram,
           100.0 * dgram / 1000.0);
    printf("(checksum %llu)\n", (unsigned long long)(sink & 1));
    hist_close(&h);
    return 0;
}
