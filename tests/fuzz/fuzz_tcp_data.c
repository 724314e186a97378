/* libFuzzer harness for the TCP data path: stream bytes from a peer, fed
 * through a socket pair into the real read and write code (the driver's
 * on_io: tcp_io_read, tcp_io_write) of an endpoint set up as the server
 * (after the hello) or the client sets it up, in every mode and
 * direction. A byte that is never consumed would loop: the test's
 * timeout catches it.
 *
 * Input: 5 bytes that choose the test, then chunks of bytes.
 *   0: bit 0 server side; bits 1-2 mode (stream, rr, rate, crr: the
 *      client's crr connects by itself, so it plays rr there); bit 3
 *      reverse; bit 4 bidir; bit 5 no timing; bit 6 measuring
 *   1-2: size, 3-4: resp_size (big-endian; the server's checks decide)
 *   chunk: flags (1), length (2), bytes. Flags: bit 0 the peer shuts its
 *   sending side after the chunk; bit 1 the endpoint starts draining. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_data.h"
#include "tcp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHUNKS 64
#define RXCAP (64u * 1024u)

static struct loop *the_loop(void)
{
    static struct loop *l;
    char err[160];
    if (!l && !(l = loop_new(err, sizeof(err))))
        abort();
    return l;
}

/* Reads and drops what the endpoint wrote. */
static void drain(int fd)
{
    static uint8_t buf[RXCAP];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rxbuf[RXCAP];
    /* The client's crr connects by itself: it plays rr there. */
    static const uint8_t modes[2][4] = {{MODE_STREAM, MODE_RR, MODE_RATE, MODE_RR},
                                        {MODE_STREAM, MODE_RR, MODE_RATE, MODE_CRR}};
    struct fuzz_data f;
    if (size < 5 ||
        !fuzz_data_open(&f, PROTO_TCP, modes[data[0] & 1], data[0], 1, 2,
                        (uint64_t)data[1] << 8 | data[2], (uint64_t)data[3] << 8 | data[4]))
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    struct wctx w = fuzz_data_wctx(&f, the_loop());
    w.rxbuf = rxbuf;
    w.rxcap = RXCAP;
    w.eps = 2;
    struct ep ep;
    ep_setup(&ep, &w, &drv_tcp, sv[0], 0, f.role);
    if (ep.drv->init(&ep) != 0 || ep.drv->start(&ep) != 0)
        abort();
    data += 5;
    size -= 5;
    uint8_t fl;
    const uint8_t *p;
    size_t len;
    for (int c = 0; c < MAX_CHUNKS && !fuzz_data_closed &&
                    fuzz_data_record(&data, &size, SIZE_MAX, &fl, &p, &len);
         c++) {
        ssize_t n = len ? send(sv[1], p, len, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
        (void)n; /* a full pair drops the rest of the chunk: the peer is lossy */
        if (fl & 1)
            shutdown(sv[1], SHUT_WR);
        if (fl & 2)
            ep.drv->drain(&ep);
        if (!fuzz_data_closed)
            ep.drv->on_io(&ep, EPOLLIN | EPOLLOUT);
        drain(sv[1]);
    }
    if (!fuzz_data_closed)
        ep.drv->finish(&ep);
    close(sv[1]);
    fuzz_data_close(&f);
    return 0;
}
