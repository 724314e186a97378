/* The adaptive warm-up's verdicts (net/tcp_state.c): the pure rules on
 * made-up states, and a read of a real loopback connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcp_state.h"

static void test_sender(void **state)
{
    (void)state;
    struct tcp_state s = {.ca_state = 0, .ssthresh_set = true};
    assert_true(tcp_state_sender_settled(NULL, &s, 0));
    for (uint8_t ca = 1; ca <= 4; ca++) { /* Disorder, CWR, Recovery, Loss */
        s.ca_state = ca;
        assert_false(tcp_state_sender_settled(NULL, &s, 0));
    }
    /* Still in slow start: settled only when something else than its
     * congestion window held it back over the last look. */
    struct tcp_state prev = {.cwnd_busy_us = 1000}, now = {.cwnd_busy_us = 11000};
    assert_false(tcp_state_sender_settled(NULL, &now, 0));
    assert_false(tcp_state_sender_settled(&prev, &now, 10000)); /* busy all along */
    assert_false(tcp_state_sender_settled(&prev, &now, 20000)); /* half of the time */
    assert_true(tcp_state_sender_settled(&prev, &now, 20001));
    now.ca_state = 3;
    assert_false(tcp_state_sender_settled(&prev, &now, 100000)); /* recovering */
    now.ca_state = 0;
    now.cwnd_busy_us = 500; /* not the same connection's counter */
    assert_false(tcp_state_sender_settled(&prev, &now, 100000));
}

static void test_receiver(void **state)
{
    (void)state;
    struct tcp_state s = {0};
    assert_true(tcp_state_receiver_settled(&s)); /* nothing held */
    s.inq = 30408;
    s.rmem = 32072; /* in-order data and its buffers, as measured */
    assert_true(tcp_state_receiver_settled(&s));
    s.inq = 0;
    s.rmem = 64144; /* nothing readable, 64 KB held: behind a hole */
    assert_false(tcp_state_receiver_settled(&s));
    s.inq = 1448;
    s.rmem = 80000;
    assert_false(tcp_state_receiver_settled(&s));
}

/* A connected pair on 127.0.0.1; returns 0 or -1. */
static int pair(int fd[2])
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(a);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, l) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &l) != 0)
        return -1;
    fd[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fd[0] < 0 || connect(fd[0], (struct sockaddr *)&a, l) != 0)
        return -1;
    fd[1] = accept(ls, NULL, NULL);
    close(ls);
    return fd[1] < 0 ? -1 : 0;
}

static void test_read(void **state)
{
    (void)state;
    int fd[2] = {-1, -1};
    assert_int_equal(pair(fd), 0);
    struct tcp_state s;
    memset(&s, 0xff, sizeof(s));
    assert_int_equal(tcp_state_read(fd[0], &s), 0);
    assert_int_equal(s.ca_state, 0);
    assert_false(s.ssthresh_set); /* a new connection starts in slow start */
    assert_true(tcp_state_sender_settled(NULL, &s, 0) == s.ssthresh_set);
    /* Data the application has not read yet is in order: no hole. */
    static char buf[100000];
    assert_true(write(fd[0], buf, sizeof(buf)) > 0);
    struct pollfd p = {.fd = fd[1], .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1);
    usleep(20000);
    assert_int_equal(tcp_state_read(fd[1], &s), 0);
    assert_true(s.inq > 0);
    assert_true(s.rmem > 0);
    assert_true(tcp_state_receiver_settled(&s));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(tcp_state_read(u, &s), -1); /* not TCP */
    close(u);
    close(fd[0]);
    close(fd[1]);
    assert_int_equal(tcp_state_read(fd[0], &s), -1); /* closed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sender),
        cmocka_unit_test(test_receiver),
        cmocka_unit_test(test_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
