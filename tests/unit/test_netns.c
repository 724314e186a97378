#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"

static void test_parse(void **state)
{
    (void)state;
    double r = 0;
    char err[128];
    assert_int_equal(netns_link_parse("tbf:100mbit", &r, err, sizeof(err)), 0);
    assert_true(r == 100e6);
    assert_int_equal(netns_link_parse("tbf:1.5gbit", &r, err, sizeof(err)), 0);
    assert_true(r == 1.5e9);
    assert_int_equal(netns_link_parse("netem:100mbit", &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "tbf:RATE"));
    assert_int_equal(netns_link_parse("tbf:100/s", &r, err, sizeof(err)), -1);
    assert_int_equal(netns_link_parse("tbf:", &r, err, sizeof(err)), -1);
    assert_int_equal(netns_link_parse("tbf:1bit", &r, err, sizeof(err)), -1);
}

static int ns_exists(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/run/netns/%s", name);
    return access(path, F_OK) == 0;
}

/* As root: both sides exist, each sees its own end of the veth pair with
 * its address, a UDP datagram crosses, and teardown leaves nothing. */
static void test_setup_teardown(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        struct netns_link l;
        char err[256];
        assert_int_equal(netns_link_setup("tbf:10mbit", &l, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "needs root"));
        skip();
    }
    struct netns_link l;
    char err[512];
    assert_int_equal(netns_link_setup("tbf:10mbit", &l, err, sizeof(err)), 0);
    assert_true(ns_exists(l.ns[0]) && ns_exists(l.ns[1]));
    assert_int_equal(if_nametoindex(l.veth[0]), 0); /* not in our namespace */

    assert_int_equal(netns_link_enter(&l, NETNS_SERVER, err, sizeof(err)), 0);
    assert_int_not_equal(if_nametoindex(l.veth[0]), 0);
    int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(0)};
    inet_pton(AF_INET, netns_link_addr(NETNS_SERVER), &a.sin_addr);
    assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&a, &al), 0);

    assert_int_equal(netns_link_enter(&l, NETNS_CLIENT, err, sizeof(err)), 0);
    assert_int_not_equal(if_nametoindex(l.veth[1]), 0);
    assert_int_equal(if_nametoindex(l.veth[0]), 0);
    int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_int_equal(sendto(tx, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)), 4);
    char buf[8];
    struct timeval tv = {.tv_sec = 2};
    setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(recv(rx, buf, sizeof(buf), 0), 4);
    assert_memory_equal(buf, "ping", 4);
    close(tx);
    close(rx);

    assert_int_equal(netns_link_leave(&l, err, sizeof(err)), 0);
    assert_int_equal(if_nametoindex(l.veth[1]), 0);
    char names[2][32];
    memcpy(names, l.ns, sizeof(names));
    netns_link_teardown(&l);
    netns_link_teardown(&l); /* twice is harmless */
    assert_false(ns_exists(names[0]) || ns_exists(names[1]));
}

/* A netrig killed outright leaves its namespaces; the next setup removes
 * them once their process is gone, and leaves a live one's alone. */
static void test_sweep_stale(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    assert_true(dead > 0);
    waitpid(dead, NULL, 0);
    char stale[32], live[32], cmd[128];
    snprintf(stale, sizeof(stale), "netrig-c-%d", (int)dead);
    snprintf(live, sizeof(live), "netrig-c-%d", (int)getppid());
    snprintf(cmd, sizeof(cmd), "ip netns add %s && ip netns add %s", stale, live);
    assert_int_equal(system(cmd), 0);
    struct netns_link l;
    char err[512];
    assert_int_equal(netns_link_setup("tbf:10mbit", &l, err, sizeof(err)), 0);
    int stale_left = ns_exists(stale), live_left = ns_exists(live);
    netns_link_teardown(&l);
    snprintf(cmd, sizeof(cmd), "ip netns del %s", live);
    assert_int_equal(system(cmd), 0);
    if (stale_left) {
        snprintf(cmd, sizeof(cmd), "ip netns del %s", stale);
        assert_int_equal(system(cmd), 0);
    }
    assert_false(stale_left);
    assert_true(live_left);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_setup_teardown),
        cmocka_unit_test(test_sweep_stale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
