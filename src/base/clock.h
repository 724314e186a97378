#ifndef NETRIG_CLOCK_H
#define NETRIG_CLOCK_H
/* The one clock of the instrument: CLOCK_MONOTONIC in nanoseconds. On
 * Linux this is served by the vDSO, so reading it makes no system call;
 * tests/perf/bench_clock measures what it costs here. */
#include <stdint.h>
#include <time.h>

static inline uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock time in nanoseconds since the epoch, for file headers only. */
static inline uint64_t clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
