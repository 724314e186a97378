#include "cpulist.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(struct cpulist *l, unsigned long c)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->cpu[i] == c)
            return 0;
    if (l->n == CPULIST_MAX)
        return -1;
    l->cpu[l->n++] = (uint16_t)c;
    return 0;
}

/* One "N" or "A-B" item of [p, end). */
static int item(struct cpulist *l, const char *p, const char *end)
{
    char *e = NULL;
    if (p == end || *p < '0' || *p > '9')
        return -1;
    unsigned long a = strtoul(p, &e, 10), b = a;
    if (e < end && *e == '-') {
        const char *q = e + 1;
        if (q == end || *q < '0' || *q > '9')
            return -1;
        b = strtoul(q, &e, 10);
    }
    if (e != end || a > b || b >= CPU_SETSIZE)
        return -1;
    for (unsigned long c = a; c <= b; c++)
        if (add(l, c) != 0)
            return -1;
    return 0;
}

int cpulist_parse(const char *s, struct cpulist *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof(*l));
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (item(l, p, end) != 0) {
            snprintf(err, errlen,
                     "bad CPU list '%s' at '%.*s': expected numbers and ranges such as 0,2-3 "
                     "(below %d)",
                     s, (int)(end - p), p, CPU_SETSIZE);
            l->n = 0;
            return -1;
        }
        p = *end ? end + 1 : end;
        if (*end && !*p) {
            snprintf(err, errlen, "bad CPU list '%s': ends with a comma", s);
            l->n = 0;
            return -1;
        }
    }
    return 0;
}

int cpulist_check(const struct cpulist *l, char *err, size_t errlen)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (l->n > 0 && sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
        snprintf(err, errlen, "--cpu: cannot read the allowed CPUs: %s", strerror(errno));
        return -1;
    }
    for (uint32_t i = 0; i < l->n; i++) {
        if (!CPU_ISSET(l->cpu[i], &allowed)) {
            snprintf(err, errlen, "--cpu: CPU %u is not available here (%d CPUs allowed)",
                     l->cpu[i], CPU_COUNT(&allowed));
            return -1;
        }
    }
    return 0;
}

int cpulist_pin_self(const struct cpulist *l, uint32_t i, bool all, char *err, size_t errlen)
{
    if (l->n == 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (all) {
        for (uint32_t k = 0; k < l->n; k++)
            CPU_SET(l->cpu[k], &set);
    } else {
        CPU_SET(l->cpu[i % l->n], &set);
    }
    int e = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    if (e != 0) {
        if (all)
            snprintf(err, errlen, "--cpu: cannot run on those CPUs: %s", strerror(e));
        else
            snprintf(err, errlen, "--cpu: cannot run on CPU %u: %s", l->cpu[i % l->n], strerror(e));
        return -1;
    }
    return 0;
}
