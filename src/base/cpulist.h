#ifndef NETRIG_CPULIST_H
#define NETRIG_CPULIST_H
/* CPU lists as users type them ("0", "0,2", "1-3,6") and pinning threads
 * to them (--cpu on the client and the server): worker thread i runs on
 * the i-th CPU of the list, round robin; a control thread may be kept to
 * the whole list. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 256

struct cpulist {
    uint16_t cpu[CPULIST_MAX];
    uint32_t n; /* 0 = no pinning */
};

/* Parses "0,2-3" into l (in the order given, duplicates kept out). An empty
 * string is the empty list. Returns 0, or -1 with a message naming the bad
 * part in err. */
int cpulist_parse(const char *s, struct cpulist *l, char *err, size_t errlen);

/* Checks that every CPU of the list exists and this process may run on
 * it. Returns 0, or -1 with a message naming the first one that may not. */
int cpulist_check(const struct cpulist *l, char *err, size_t errlen);

/* Pins the calling thread to CPU number i % n of the list (all = true:
 * to every CPU of the list). Nothing to do for an empty list. Returns 0,
 * or -1 with a message (a CPU that does not exist or is not allowed). */
int cpulist_pin_self(const struct cpulist *l, uint32_t i, bool all, char *err, size_t errlen);

#endif
