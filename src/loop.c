#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define LOOP_BATCH 256

struct loop {
    int epfd;
    int wakefd;
    bool stop;
    uint64_t rounds;
    struct loop_timer **heap; /* heap[0] is the earliest */
    size_t nheap, capheap;
    struct loop_io wake_io;
    void (*wake_fn)(struct loop *l, void *arg);
    void *wake_arg;
};

struct loop *loop_new(char *err, size_t errlen)
{
    struct loop *l = calloc(1, sizeof(*l));
    if (!l) {
        snprintf(err, errlen, "loop: out of memory");
        return NULL;
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->epfd < 0 || l->wakefd < 0) {
        snprintf(err, errlen, "loop: epoll/eventfd: %s", strerror(errno));
        goto fail;
    }
    l->wake_io.fd = l->wakefd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->wake_io};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) != 0) {
        snprintf(err, errlen, "loop: epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    return l;
fail:
    loop_free(l);
    return NULL;
}

void loop_free(struct loop *l)
{
    if (!l)
        return;
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->wakefd >= 0)
        close(l->wakefd);
    free(l->heap);
    free(l);
}

int loop_add(struct loop *l, struct loop_io *io, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) != 0)
        return -1;
    io->events = events;
    return 0;
}

int loop_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
    if (io->events == events)
        return 0;
    struct epoll_event ev = {.events = events, .data.ptr = io};
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) != 0)
        return -1;
    io->events = events;
    return 0;
}

void loop_del(struct loop *l, struct loop_io *io)
{
    if (io->fd >= 0)
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->events = 0;
}

/* --- timer heap ------------------------------------------------------- */

static void heap_place(struct loop *l, size_t i, struct loop_timer *t)
{
    l->heap[i] = t;
    t->heap_idx = i + 1;
}

static void heap_up(struct loop *l, size_t i)
{
    struct loop_timer *t = l->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (l->heap[p]->when_ns <= t->when_ns)
            break;
        heap_place(l, i, l->heap[p]);
        i = p;
    }
    heap_place(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
    struct loop_timer *t = l->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && l->heap[c + 1]->when_ns < l->heap[c]->when_ns)
            c++;
        if (t->when_ns <= l->heap[c]->when_ns)
            break;
        heap_place(l, i, l->heap[c]);
        i = c;
    }
    heap_place(l, i, t);
}

int loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when_ns)
{
    if (t->heap_idx) {
        uint64_t old = t->when_ns;
        t->when_ns = when_ns;
        if (when_ns < old)
            heap_up(l, t->heap_idx - 1);
        else
            heap_down(l, t->heap_idx - 1);
        return 0;
    }
    if (l->nheap == l->capheap) {
        size_t cap = l->capheap ? 2 * l->capheap : 16;
        struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));
        if (!h)
            return -1;
        l->heap = h;
        l->capheap = cap;
    }
    t->when_ns = when_ns;
    heap_place(l, l->nheap++, t);
    heap_up(l, l->nheap - 1);
    return 0;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
    if (!t->heap_idx)
        return;
    size_t i = t->heap_idx - 1;
    t->heap_idx = 0;
    struct loop_timer *last = l->heap[--l->nheap];
    if (i == l->nheap)
        return;
    heap_place(l, i, last);
    heap_up(l, i);
    heap_down(l, last->heap_idx - 1);
}

static void run_timers(struct loop *l)
{
    uint64_t now = clock_now_ns();
    while (l->nheap > 0 && l->heap[0]->when_ns <= now && !l->stop) {
        struct loop_timer *t = l->heap[0];
        loop_timer_cancel(l, t);
        t->fn(l, t);
    }
}

/* --- running ---------------------------------------------------------- */

void loop_on_wake(struct loop *l, void (*fn)(struct loop *l, void *arg), void *arg)
{
    l->wake_fn = fn;
    l->wake_arg = arg;
}

void loop_wake(struct loop *l)
{
    uint64_t one = 1;
    if (!l)
        return;
    ssize_t r = write(l->wakefd, &one, sizeof(one));
    (void)r; /* a full counter already means "woken" */
}

void loop_stop(struct loop *l)
{
    l->stop = true;
}

uint64_t loop_rounds(const struct loop *l)
{
    return l->rounds;
}

int loop_run(struct loop *l)
{
    struct epoll_event ev[LOOP_BATCH];
    l->stop = false;
    while (!l->stop) {
        struct timespec ts, *tp = NULL;
        if (l->nheap > 0) {
            uint64_t now = clock_now_ns(), when = l->heap[0]->when_ns;
            uint64_t d = when > now ? when - now : 0;
            ts.tv_sec = (time_t)(d / 1000000000u);
            ts.tv_nsec = (long)(d % 1000000000u);
            tp = &ts;
        }
        int n = epoll_pwait2(l->epfd, ev, LOOP_BATCH, tp, NULL);
        if (n < 0 && errno != EINTR)
            return -1;
        l->rounds++;
        bool woken = false;
        for (int i = 0; i < n; i++) {
            struct loop_io *io = ev[i].data.ptr;
            if (io == &l->wake_io) {
                woken = true;
                continue;
            }
            io->fn(l, io, ev[i].events);
        }
        /* Wake-ups may close other registrations, so they run after the
         * batch, never between two events that might refer to them. */
        if (woken) {
            uint64_t v;
            ssize_t r = read(l->wakefd, &v, sizeof(v));
            (void)r;
            if (l->wake_fn)
                l->wake_fn(l, l->wake_arg);
        }
        run_timers(l);
    }
    return 0;
}
