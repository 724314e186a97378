#ifndef NETRIG_LOOP_H
#define NETRIG_LOOP_H
/* A thin event loop per thread: epoll for file descriptors, a binary
 * min-heap of nanosecond timers (CLOCK_MONOTONIC), and an eventfd so other
 * threads can wake it. Nothing here locks; only loop_wake may be called
 * from another thread. Registration structs are owned by the caller, so
 * arming a timer or changing interest never allocates (the heap grows only
 * when more timers are armed at once than ever before). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* Interest in one file descriptor; fn gets EPOLLIN/EPOLLOUT/EPOLLERR/... */
struct loop_io {
    int fd;
    uint32_t events; /* what is registered now */
    void (*fn)(struct loop *l, struct loop_io *io, uint32_t events);
    void *arg;
};

struct loop_timer {
    uint64_t when_ns;
    void (*fn)(struct loop *l, struct loop_timer *t);
    void *arg;
    size_t heap_idx; /* 0 = not armed; position + 1 otherwise */
};

/* Creates a loop. Returns NULL with a message on failure. */
struct loop *loop_new(char *err, size_t errlen);
/* Frees the loop (not the caller's registrations). NULL ok. */
void loop_free(struct loop *l);

/* Registers io->fd for events (EPOLLIN | EPOLLOUT ...). Returns 0 or -1. */
int loop_add(struct loop *l, struct loop_io *io, uint32_t events);
/* Changes the interest; no system call when it does not change. */
int loop_mod(struct loop *l, struct loop_io *io, uint32_t events);
/* Unregisters io (before the caller closes the fd). */
void loop_del(struct loop *l, struct loop_io *io);

/* A waiter sleeps in its own blocking receive instead of in epoll: one
 * system call per message instead of two, and no epoll wake-up work in
 * the kernel for each packet the socket gets or frees. Registers io for
 * EPOLLIN like loop_add but, when the loop has no waiter yet, keeps its fd
 * out of epoll: each round then checks the other registrations without
 * sleeping, runs due timers and calls io->fn(EPOLLIN), which must sleep
 * in a receive bounded by a timeout (timers and the others wait for it).
 * Returns 0 or -1. */
int loop_add_waiter(struct loop *l, struct loop_io *io, uint32_t events);
/* Puts the waiter (if any) back under epoll with its interest, as when
 * it must share the thread. loop_mod asking for more than EPOLLIN does
 * this too; loop_del of the waiter forgets it. Returns 0 or -1. */
int loop_end_wait(struct loop *l);
bool loop_is_waiter(const struct loop *l, const struct loop_io *io);

/* Arms (or re-arms) t to fire at absolute time when_ns. */
int loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when_ns);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline bool loop_timer_armed(const struct loop_timer *t)
{
    return t->heap_idx != 0;
}

/* Called in the loop's thread after loop_wake from any thread. */
void loop_on_wake(struct loop *l, void (*fn)(struct loop *l, void *arg), void *arg);
/* Wakes the loop; safe from any thread and from signal handlers. NULL ok. */
void loop_wake(struct loop *l);

/* Busy polling: before sleeping in epoll, the loop checks for events
 * without sleeping for up to spin_ns (0 = never spin), so that an answer
 * arriving within that time is handled without the sleep and wake-up. On
 * a network device the kernel busy-polls its queue as well (epoll busy
 * poll, Linux 6.9 and later; ignored elsewhere). Costs a CPU while it
 * spins. */
void loop_set_busy_poll(struct loop *l, uint64_t spin_ns);
uint64_t loop_busy_poll(const struct loop *l);

/* Coalescing: when nothing is ready, the loop sleeps up to coalesce_ns on
 * its own timer (never past its earliest timer) and then takes what has
 * arrived in one round, instead of sleeping in epoll, where each answer's
 * sender would pay for waking it (an inter-processor interrupt, costly in
 * a virtual machine). A sleep that finds nothing makes the next rounds
 * block at once. Adds up to coalesce_ns to when an answer is read: for
 * closed loops with many answers in flight, not for latency. 0 = off;
 * busy polling wins. */
void loop_set_coalesce(struct loop *l, uint64_t ns);

/* Runs until loop_stop; returns 0, or -1 if epoll fails. */
int loop_run(struct loop *l);
/* Makes loop_run return after the current round (from the loop's thread). */
void loop_stop(struct loop *l);
/* Number of rounds (epoll waits) so far: the loop's own cost indicator. */
uint64_t loop_rounds(const struct loop *l);

#endif
