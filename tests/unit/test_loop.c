#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"

struct order {
    int seen[64];
    int n;
    uint64_t fired_at[64];
};

static struct order ord;

static void note(struct loop *l, struct loop_timer *t)
{
    (void)l;
    int id = (int)(intptr_t)t->arg;
    ord.fired_at[ord.n] = clock_now_ns();
    ord.seen[ord.n++] = id;
}

static void stopper(struct loop *l, struct loop_timer *t)
{
    (void)t;
    loop_stop(l);
}

/* Timers fire in time order, whatever the order they were armed in, and
 * never early; cancelled and re-armed ones behave. */
static void test_timer_order(void **state)
{
    (void)state;
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    assert_non_null(l);
    ord.n = 0;
    struct loop_timer t[40] = {0}, stop = {.fn = stopper};
    uint64_t now = clock_now_ns();
    for (int i = 0; i < 40; i++) {
        int id = (i * 17) % 40; /* a scrambled order */
        t[id].fn = note;
        t[id].arg = (void *)(intptr_t)id;
        assert_int_equal(loop_timer_set(l, &t[id], now + 1000000u + (uint64_t)id * 100000u), 0);
    }
    loop_timer_cancel(l, &t[5]);
    assert_false(loop_timer_armed(&t[5]));
    loop_timer_set(l, &t[39], now + 500000u); /* moved earlier: first */
    loop_timer_set(l, &t[0], now + 5500000u); /* moved later: last */
    loop_timer_set(l, &stop, now + 7000000u);
    assert_int_equal(loop_run(l), 0);
    assert_int_equal(ord.n, 39);
    assert_int_equal(ord.seen[0], 39);
    assert_int_equal(ord.seen[38], 0);
    for (int i = 1; i < ord.n; i++)
        assert_true(ord.fired_at[i] >= ord.fired_at[i - 1]);
    for (int i = 1; i < 37; i++) {
        if (ord.seen[i] >= ord.seen[i + 1])
            print_error("order: at %d: %d then %d\n", i, ord.seen[i], ord.seen[i + 1]);
        assert_true(ord.seen[i] < ord.seen[i + 1]);
    }
    assert_true(ord.fired_at[0] >= now + 500000u);
    loop_free(l);
}

struct io_state {
    int fds[2];
    int reads;
    struct loop_io io;
};

static void on_read(struct loop *l, struct loop_io *io, uint32_t ev)
{
    struct io_state *s = io->arg;
    char c;
    assert_true(ev & EPOLLIN);
    assert_int_equal(read(io->fd, &c, 1), 1);
    if (++s->reads == 3)
        loop_stop(l);
}

static void writer(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct io_state *s = t->arg;
    assert_int_equal(write(s->fds[1], "x", 1), 1);
}

static void test_io(void **state)
{
    (void)state;
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    struct io_state s = {0};
    assert_int_equal(pipe(s.fds), 0);
    s.io = (struct loop_io){.fd = s.fds[0], .fn = on_read, .arg = &s};
    assert_int_equal(loop_add(l, &s.io, EPOLLIN), 0);
    struct loop_timer w[3] = {0};
    uint64_t now = clock_now_ns();
    for (int i = 0; i < 3; i++) {
        w[i] = (struct loop_timer){.fn = writer, .arg = &s};
        loop_timer_set(l, &w[i], now + (uint64_t)(i + 1) * 1000000u);
    }
    assert_int_equal(loop_run(l), 0);
    assert_int_equal(s.reads, 3);
    assert_int_equal(loop_mod(l, &s.io, 0), 0);
    loop_del(l, &s.io);
    close(s.fds[0]);
    close(s.fds[1]);
    loop_free(l);
}

/* Busy polling handles events as they come and never spins past a
 * timer: a 100 ms spin still fires 1 ms timers in time. */
static void test_busy_poll(void **state)
{
    (void)state;
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    loop_set_busy_poll(l, 100000000u);
    assert_int_equal(loop_busy_poll(l), 100000000u);
    struct io_state s = {0};
    assert_int_equal(pipe(s.fds), 0);
    s.io = (struct loop_io){.fd = s.fds[0], .fn = on_read, .arg = &s};
    assert_int_equal(loop_add(l, &s.io, EPOLLIN), 0);
    struct loop_timer w[3] = {0};
    uint64_t now = clock_now_ns();
    for (int i = 0; i < 3; i++) {
        w[i] = (struct loop_timer){.fn = writer, .arg = &s};
        loop_timer_set(l, &w[i], now + (uint64_t)(i + 1) * 1000000u);
    }
    assert_int_equal(loop_run(l), 0);
    uint64_t took = clock_now_ns() - now;
    assert_int_equal(s.reads, 3);
    assert_true(took >= 3000000u);
    assert_true(took < 80000000u); /* far below one 100 ms spin */
    loop_del(l, &s.io);
    close(s.fds[0]);
    close(s.fds[1]);
    loop_free(l);
}

static int woken;

static void on_wake(struct loop *l, void *arg)
{
    (void)arg;
    woken++;
    loop_stop(l);
}

static void *waker(void *arg)
{
    usleep(20000);
    loop_wake(arg);
    return NULL;
}

/* Another thread can wake a loop that has nothing else to do. */
static void test_wake(void **state)
{
    (void)state;
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    loop_on_wake(l, on_wake, NULL);
    pthread_t th;
    pthread_create(&th, NULL, waker, l);
    uint64_t t0 = clock_now_ns();
    assert_int_equal(loop_run(l), 0);
    pthread_join(th, NULL);
    assert_int_equal(woken, 1);
    assert_true(clock_now_ns() - t0 >= 15000000u);
    loop_wake(NULL);
    loop_free(l);
    loop_free(NULL);
}

/* The waiter: kept out of epoll and called every round to do its own
 * (here: bounded) sleeping, while other descriptors and timers are still
 * served; loop_end_wait and loop_mod for output put it back under epoll. */
struct waitstate {
    int calls, other, epoll_calls;
    int fd;
};
static struct waitstate ws;

static void waiter_fn(struct loop *l, struct loop_io *io, uint32_t ev)
{
    (void)ev;
    if (loop_is_waiter(l, io))
        ws.calls++;
    else
        ws.epoll_calls++; /* delivered by epoll: it is readable */
    char c;
    if (read(io->fd, &c, 1) == 1 && c == 'q')
        loop_stop(l);
}

static void other_fn(struct loop *l, struct loop_io *io, uint32_t ev)
{
    (void)l;
    (void)ev;
    char c;
    if (read(io->fd, &c, 1) == 1)
        ws.other++;
}

static void test_waiter(void **state)
{
    (void)state;
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    assert_non_null(l);
    int a[2], b[2];
    assert_int_equal(pipe2(a, O_NONBLOCK), 0);
    assert_int_equal(pipe2(b, O_NONBLOCK), 0);
    memset(&ws, 0, sizeof(ws));
    struct loop_io w = {.fd = a[0], .fn = waiter_fn}, o = {.fd = b[0], .fn = other_fn};
    assert_int_equal(loop_add_waiter(l, &w, EPOLLIN), 0);
    assert_true(loop_is_waiter(l, &w));
    assert_int_equal(loop_add(l, &o, EPOLLIN), 0);
    /* Only one waiter per loop: a second is an ordinary registration. */
    struct loop_io o2 = {.fd = b[0], .fn = other_fn};
    int dup = fcntl(b[0], F_DUPFD_CLOEXEC, 3);
    o2.fd = dup;
    assert_int_equal(loop_add_waiter(l, &o2, EPOLLIN), 0);
    assert_false(loop_is_waiter(l, &o2));
    loop_del(l, &o2);
    close(dup);
    /* Rounds call the waiter; the other descriptor is still served. */
    assert_int_equal(write(b[1], "x", 1), 1);
    assert_int_equal(write(a[1], "q", 1), 1);
    assert_int_equal(loop_run(l), 0);
    assert_int_equal(ws.other, 1);
    assert_true(ws.calls >= 1);
    assert_int_equal(ws.epoll_calls, 0);
    /* Back under epoll: called only when readable, not every round. */
    assert_int_equal(loop_end_wait(l), 0);
    assert_false(loop_is_waiter(l, &w));
    int calls = ws.calls;
    assert_int_equal(write(a[1], "q", 1), 1);
    assert_int_equal(loop_run(l), 0);
    assert_int_equal(ws.calls, calls);
    assert_int_equal(ws.epoll_calls, 1);
    /* loop_mod asking for output ends a wait; loop_del forgets one. */
    loop_del(l, &w);
    assert_int_equal(loop_add_waiter(l, &w, EPOLLIN), 0);
    assert_int_equal(loop_mod(l, &w, EPOLLIN | EPOLLOUT), 0);
    assert_false(loop_is_waiter(l, &w));
    loop_del(l, &w);
    assert_int_equal(loop_add_waiter(l, &w, EPOLLIN), 0);
    loop_del(l, &w);
    assert_false(loop_is_waiter(l, &w));
    assert_int_equal(loop_end_wait(l), 0); /* nothing to end */
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
    loop_del(l, &o);
    loop_free(l);
}

/* Coalescing: answers that arrive while the loop sleeps on its own timer
 * are taken in one round; the sleep never outlasts a timer; a sleep that
 * found nothing makes the next rounds block at once, so that sparse events
 * are not each delayed by it. */
struct coal {
    int fds[4][2];
    struct loop_io io[4];
    int reads;
    uint64_t round[4], read_at[4], written_at[4];
    int want;
    uint64_t gap_ns, start_delay_ns;
};
static struct coal co;

static void coal_read(struct loop *l, struct loop_io *io, uint32_t ev)
{
    (void)ev;
    char c;
    assert_int_equal(read(io->fd, &c, 1), 1);
    co.round[co.reads] = loop_rounds(l);
    co.read_at[co.reads] = clock_now_ns();
    if (++co.reads == co.want)
        loop_stop(l);
}

static void *coal_writer(void *arg)
{
    (void)arg;
    struct timespec d = {0, (long)co.start_delay_ns};
    nanosleep(&d, NULL);
    for (int i = 0; i < co.want; i++) {
        if (i > 0) {
            struct timespec g = {0, (long)co.gap_ns};
            nanosleep(&g, NULL);
        }
        co.written_at[i] = clock_now_ns();
        assert_int_equal(write(co.fds[i][1], "x", 1), 1);
    }
    return NULL;
}

static struct loop *coal_setup(uint64_t coalesce_ns, int want, uint64_t delay, uint64_t gap)
{
    char err[128];
    struct loop *l = loop_new(err, sizeof(err));
    assert_non_null(l);
    memset(&co, 0, sizeof(co));
    co.want = want;
    co.start_delay_ns = delay;
    co.gap_ns = gap;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pipe(co.fds[i]), 0);
        co.io[i] = (struct loop_io){.fd = co.fds[i][0], .fn = coal_read};
        assert_int_equal(loop_add(l, &co.io[i], EPOLLIN), 0);
    }
    loop_set_coalesce(l, coalesce_ns);
    return l;
}

static void coal_free(struct loop *l)
{
    for (int i = 0; i < 4; i++) {
        loop_del(l, &co.io[i]);
        close(co.fds[i][0]);
        close(co.fds[i][1]);
    }
    loop_free(l);
}

static void test_coalesce(void **state)
{
    (void)state;
    /* Four writes 10 ms apart, 100 ms after the start, inside one 400 ms
     * sleep: one round. Should the loop reach its first look only after
     * the first write (a descheduled thread), the other three still come
     * in one round. */
    struct loop *l = coal_setup(400000000u, 4, 100000000u, 10000000u);
    pthread_t th;
    pthread_create(&th, NULL, coal_writer, NULL);
    assert_int_equal(loop_run(l), 0);
    pthread_join(th, NULL);
    assert_int_equal(co.reads, 4);
    for (int i = 2; i < 4; i++)
        assert_int_equal(co.round[i], co.round[1]);
    coal_free(l);

    /* A 500 ms sleep still lets a 20 ms timer fire in time. */
    l = coal_setup(500000000u, 4, 0, 0);
    struct loop_timer stop = {.fn = stopper};
    uint64_t t0 = clock_now_ns();
    loop_timer_set(l, &stop, t0 + 20000000u);
    assert_int_equal(loop_run(l), 0);
    uint64_t took = clock_now_ns() - t0;
    assert_true(took >= 20000000u);
    assert_true(took < 300000000u);
    coal_free(l);

    /* Nothing for 300 ms: the first 200 ms sleep finds nothing, so the
     * loop blocks and the two writes 30 ms apart are each read at once,
     * not after another 200 ms sleep. */
    l = coal_setup(200000000u, 2, 300000000u, 30000000u);
    pthread_create(&th, NULL, coal_writer, NULL);
    assert_int_equal(loop_run(l), 0);
    pthread_join(th, NULL);
    assert_int_equal(co.reads, 2);
    assert_true(co.read_at[1] - co.written_at[1] < 150000000u);
    assert_true(loop_rounds(l) < 10); /* it slept, it did not spin */
    coal_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order), cmocka_unit_test(test_io),
        cmocka_unit_test(test_busy_poll),   cmocka_unit_test(test_wake),
        cmocka_unit_test(test_waiter),      cmocka_unit_test(test_coalesce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
