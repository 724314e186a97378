#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define LOOP_BATCH 256

struct loop {
    int epfd;
    int wakefd;
    bool stop;
    uint64_t rounds;
    uint64_t spin_ns;
    uint64_t coalesce_ns;     /* loop_set_coalesce: sleep this long before blocking */
    uint32_t coalesce_skip;   /* rounds left that block at once (a sleep found nothing) */
    bool coalesce_slack;      /* the thread's timer slack is set */
    struct loop_timer **heap; /* heap[0] is the earliest */
    size_t nheap, capheap;
    struct loop_io wake_io;
    struct loop_io *waiter; /* sleeps in its own receive, out of epoll */
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

int loop_add_waiter(struct loop *l, struct loop_io *io, uint32_t events)
{
    if (l->waiter || events != EPOLLIN)
        return loop_add(l, io, events);
    l->waiter = io;
    io->events = events;
    return 0;
}

int loop_end_wait(struct loop *l)
{
    struct loop_io *io = l->waiter;
    if (!io)
        return 0;
    l->waiter = NULL;
    return loop_add(l, io, io->events);
}

int loop_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
    if (io->events == events)
        return 0;
    if (io == l->waiter) {
        io->events = events;
        return loop_end_wait(l); /* it needs epoll for more than input */
    }
    struct epoll_event ev = {.events = events, .data.ptr = io};
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) != 0)
        return -1;
    io->events = events;
    return 0;
}

void loop_del(struct loop *l, struct loop_io *io)
{
    if (io == l->waiter)
        l->waiter = NULL;
    else if (io->fd >= 0)
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

/* Fires the timers that are due. Returns the time it read when no timer
 * fired (still the time: the next wait computes its timeout from it and
 * saves a clock read per round), or 0. */
static uint64_t run_timers(struct loop *l)
{
    if (l->nheap == 0)
        return 0;
    uint64_t now = clock_now_ns();
    if (l->heap[0]->when_ns > now)
        return now;
    while (l->nheap > 0 && l->heap[0]->when_ns <= now && !l->stop) {
        struct loop_timer *t = l->heap[0];
        loop_timer_cancel(l, t);
        t->fn(l, t);
    }
    return 0;
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

/* The epoll busy-poll parameters (Linux 6.9); defined here because the
 * C library headers may predate them. */
struct loop_epoll_params {
    uint32_t busy_poll_usecs;
    uint16_t busy_poll_budget;
    uint8_t prefer_busy_poll;
    uint8_t pad;
};
#define LOOP_EPIOCSPARAMS _IOW(0x8A, 0x01, struct loop_epoll_params)

void loop_set_busy_poll(struct loop *l, uint64_t spin_ns)
{
    l->spin_ns = spin_ns;
    if (spin_ns == 0)
        return;
    struct loop_epoll_params p = {.busy_poll_usecs = (uint32_t)(spin_ns / 1000u),
                                  .busy_poll_budget = 8};
    int r = ioctl(l->epfd, LOOP_EPIOCSPARAMS, &p);
    (void)r; /* older kernels: netrig's own spin still works */
}

bool loop_is_waiter(const struct loop *l, const struct loop_io *io)
{
    return l->waiter == io;
}

uint64_t loop_busy_poll(const struct loop *l)
{
    return l->spin_ns;
}

void loop_set_coalesce(struct loop *l, uint64_t ns)
{
    l->coalesce_ns = ns;
    l->coalesce_skip = 0;
}

/* After a coalescing sleep that found nothing, this many rounds block at
 * once: sparse answers are not worth the delay. */
#define COALESCE_BACKOFF 16

/* With nothing ready, sleeps up to coalesce_ns on the thread's own timer
 * (never past the earliest loop timer) and looks again, so that answers
 * arriving meanwhile are taken in one round and their senders never pay
 * for waking this thread. Returns the events found, 0 when the caller
 * should block, or -1 with errno. */
static int coalesce(struct loop *l, struct epoll_event *ev, uint64_t *now)
{
    if (l->coalesce_skip > 0) {
        l->coalesce_skip--;
        return 0;
    }
    int n = epoll_wait(l->epfd, ev, LOOP_BATCH, 0);
    if (n != 0)
        return n;
    if (!l->coalesce_slack) {
        /* The default slack (50 us) would stretch every sleep well past
         * the time asked; the slack is the calling thread's, and this is
         * the loop's thread. */
        (void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
        l->coalesce_slack = true;
    }
    if (*now == 0)
        *now = clock_now_ns();
    uint64_t d = l->coalesce_ns;
    if (l->nheap > 0 && l->heap[0]->when_ns < *now + d)
        d = l->heap[0]->when_ns > *now ? l->heap[0]->when_ns - *now : 0;
    if (d == 0)
        return 0;
    struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
    nanosleep(&ts, NULL);
    *now = 0;
    n = epoll_wait(l->epfd, ev, LOOP_BATCH, 0);
    if (n == 0)
        l->coalesce_skip = COALESCE_BACKOFF;
    return n;
}

/* Waits for events until the earliest timer; with busy polling, first
 * checks without sleeping for up to spin_ns (never past that timer).
 * now is the time if the caller has just read it, else 0. */
static int wait_events(struct loop *l, struct epoll_event *ev, uint64_t now)
{
    if (l->waiter) /* it sleeps instead, after this round */
        return epoll_wait(l->epfd, ev, LOOP_BATCH, 0);
    if (l->coalesce_ns > 0 && l->spin_ns == 0 && !l->stop) {
        int n = coalesce(l, ev, &now);
        if (n != 0)
            return n;
    }
    if (l->nheap == 0 && l->spin_ns == 0)
        return epoll_pwait2(l->epfd, ev, LOOP_BATCH, NULL, NULL);
    if (now == 0)
        now = clock_now_ns();
    uint64_t when = l->nheap > 0 ? l->heap[0]->when_ns : UINT64_MAX;
    if (l->spin_ns > 0 && when > now) {
        uint64_t until = now + l->spin_ns < when ? now + l->spin_ns : when;
        do {
            int n = epoll_wait(l->epfd, ev, LOOP_BATCH, 0);
            if (n != 0)
                return n;
            now = clock_now_ns();
        } while (now < until && !l->stop);
    }
    if (when == UINT64_MAX)
        return epoll_pwait2(l->epfd, ev, LOOP_BATCH, NULL, NULL);
    uint64_t d = when > now ? when - now : 0;
    struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
    return epoll_pwait2(l->epfd, ev, LOOP_BATCH, &ts, NULL);
}

int loop_run(struct loop *l)
{
    struct epoll_event ev[LOOP_BATCH];
    uint64_t now = 0;
    l->stop = false;
    while (!l->stop) {
        int n = wait_events(l, ev, now);
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
        now = run_timers(l);
        if (l->waiter && !l->stop) {
            l->waiter->fn(l, l->waiter, EPOLLIN);
            now = 0;
        }
    }
    return 0;
}
