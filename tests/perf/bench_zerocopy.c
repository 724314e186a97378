/* Whether MSG_ZEROCOPY would pay for netrig's TCP streams: one loopback
 * connection, 128 KiB sends for two seconds, plain and with SO_ZEROCOPY /
 * MSG_ZEROCOPY (completions read from the error queue as they come), in
 * alternating pairs. On loopback the kernel copies the pages anyway when
 * it delivers them locally, so zero-copy only adds page pinning and the
 * completions; it pays only on a real network card. Prints figures; never
 * part of the test suite.
 * Usage: bench_zerocopy [PAIRS] */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

#define CHUNK (128u * 1024u)
#define RUN_NS 2000000000u

/* A receiver that reads until the sender closes. Returns its pid. */
static pid_t start_sink(int lfd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    static char buf[1u << 20];
    int c = accept(lfd, NULL, NULL);
    while (c >= 0 && recv(c, buf, sizeof(buf), 0) > 0)
        ;
    _exit(0);
}

/* Drains zero-copy completions; returns how many notices it read. */
static long drain_errqueue(int fd)
{
    long n = 0;
    char ctl[256];
    for (;;) {
        struct msghdr m = {.msg_control = ctl, .msg_controllen = sizeof(ctl)};
        if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            return n;
        n++;
    }
}

/* One run; returns Gbit/s sent, or -1. */
static double run(bool zerocopy, const char *buf)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    pid_t sink = start_sink(lfd);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    double gbps = -1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        goto out;
    if (zerocopy && setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) != 0) {
        perror("SO_ZEROCOPY");
        goto out;
    }
    uint64_t sent = 0, t0 = clock_now_ns(), t = t0;
    for (uint64_t k = 0; t - t0 < RUN_NS; k++, t = clock_now_ns()) {
        /* Four buffers in turn: a zero-copy send must not see its pages
         * rewritten before the completion (here they never are). */
        ssize_t n = send(fd, buf + (k % 4) * CHUNK, CHUNK, zerocopy ? MSG_ZEROCOPY : 0);
        if (n > 0)
            sent += (uint64_t)n;
        else if (errno != ENOBUFS)
            break;
        if (zerocopy)
            drain_errqueue(fd);
    }
    gbps = (double)sent * 8.0 / (double)(t - t0);
out:
    if (fd >= 0)
        close(fd);
    close(lfd);
    kill(sink, SIGTERM);
    waitpid(sink, NULL, 0);
    return gbps;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    int pairs = argc > 1 ? atoi(argv[1]) : 3;
    if (pairs < 1 || pairs > 50)
        pairs = 3;
    char *buf = aligned_alloc(4096, 4 * CHUNK);
    if (!buf)
        return 1;
    memset(buf, 'n', 4 * CHUNK);
    double plain[50], zc[50], ratio[50];
    for (int i = 0; i < pairs; i++) {
        plain[i] = run(false, buf);
        zc[i] = run(true, buf);
        ratio[i] = plain[i] > 0 ? zc[i] / plain[i] : 0;
        printf("pair %d: plain %.2f Gbit/s, MSG_ZEROCOPY %.2f Gbit/s\n", i + 1, plain[i], zc[i]);
    }
    qsort(ratio, (size_t)pairs, sizeof(double), cmp);
    printf("MSG_ZEROCOPY / plain on loopback, median of %d pairs: %.3f\n", pairs, ratio[pairs / 2]);
    free(buf);
    return 0;
}
