#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "transport.h"

static int plain_open(void **ctx, int fd, bool server, char *err, size_t errlen)
{
    (void)fd;
    (void)server;
    (void)err;
    (void)errlen;
    *ctx = NULL;
    return 0;
}

static enum tp_status plain_handshake(void *ctx, int fd)
{
    (void)ctx;
    (void)fd;
    return TP_OK;
}

static enum tp_status plain_read(void *ctx, int fd, void *buf, size_t len, size_t *done)
{
    (void)ctx;
    ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
    if (n > 0) {
        *done = (size_t)n;
        return TP_OK;
    }
    *done = 0;
    if (n == 0)
        return TP_EOF;
    return errno == EAGAIN || errno == EINTR ? TP_WANT_READ : TP_ERR;
}

#define PLAIN_GATHER 512

static enum tp_status plain_writev(void *ctx, int fd, const struct iovec *iov, int iovcnt,
                                   size_t *done)
{
    (void)ctx;
    /* A small message (request/response) goes out by send from one
     * buffer: copying a few hundred bytes costs less than the message
     * header and vector sendmsg makes the kernel copy in and walk. */
    uint8_t small[PLAIN_GATHER];
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    ssize_t n;
    if (iovcnt == 1) {
        n = send(fd, iov[0].iov_base, total, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else if (total <= sizeof(small)) {
        for (size_t i = 0, at = 0; i < (size_t)iovcnt; at += iov[i].iov_len, i++)
            memcpy(small + at, iov[i].iov_base, iov[i].iov_len);
        n = send(fd, small, total, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
        struct msghdr mh = {.msg_iov = (struct iovec *)(uintptr_t)iov,
                            .msg_iovlen = (size_t)iovcnt};
        n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    if (n >= 0) {
        *done = (size_t)n;
        return TP_OK;
    }
    *done = 0;
    return errno == EAGAIN || errno == EINTR ? TP_WANT_WRITE : TP_ERR;
}

static void plain_shutdown(void *ctx, int fd)
{
    (void)ctx;
    shutdown(fd, SHUT_WR);
}

static void plain_close(void *ctx)
{
    (void)ctx;
}

const struct transport transport_plain = {
    .name = "plain",
    .open = plain_open,
    .handshake = plain_handshake,
    .read = plain_read,
    .writev = plain_writev,
    .shutdown = plain_shutdown,
    .close = plain_close,
};
