#ifndef NETRIG_STEAL_H
#define NETRIG_STEAL_H
/* Steal time: how long the hypervisor ran something else while this
 * machine's CPUs had work ("steal" in /proc/stat, summed over CPUs). On a
 * virtual machine it is the one cost no process here can see in its own
 * CPU time: a stolen CPU delays timers, the qdisc that shapes an emulated
 * link and the wake-ups of sender and receiver alike. A test reads it at
 * the start and end of its window (twice per test, never per message). */
#include <stdint.h>

/* The steal time of the "cpu " line of a /proc/stat text, in
 * nanoseconds, with clock ticks of hz per second; -1 when the line or the
 * field is missing (kernels before 2.6.11) or malformed. */
int64_t steal_parse(const char *text, long hz);

/* The machine's steal time now, in nanoseconds; -1 when not reported. */
int64_t steal_now_ns(void);

#endif
