/* TCP_INFO and SO_MEMINFO, as the adaptive warm-up reads them. The
 * kernel's headers, not glibc's: tcpi_busy_time and its kin are newer
 * than glibc's struct tcp_info. */
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tcp_state.h"

#define SSTHRESH_INFINITE 0x7fffffffu /* the kernel's TCP_INFINITE_SSTHRESH */
/* A readable byte is charged at most about twice (the buffer's truesize
 * is 1.1 to 1.6 times the payload it holds); one more buffer's worth of
 * slack covers a segment being queued as we look. */
#define RMEM_PER_BYTE 2u
#define RMEM_SLACK 4096u

int tcp_state_read(int fd, struct tcp_state *s)
{
    struct tcp_info t;
    socklen_t l = sizeof(t);
    memset(&t, 0, sizeof(t));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &l) != 0)
        return -1;
    s->ca_state = t.tcpi_ca_state;
    s->ssthresh_set = t.tcpi_snd_ssthresh < SSTHRESH_INFINITE;
    uint64_t held = (uint64_t)t.tcpi_rwnd_limited + t.tcpi_sndbuf_limited;
    s->cwnd_busy_us = t.tcpi_busy_time > held ? t.tcpi_busy_time - held : 0;
    uint32_t mi[SK_MEMINFO_VARS];
    socklen_t ml = sizeof(mi);
    int inq = 0;
    memset(mi, 0, sizeof(mi));
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &ml) != 0 || ioctl(fd, SIOCINQ, &inq) != 0)
        return -1;
    s->rmem = mi[SK_MEMINFO_RMEM_ALLOC];
    s->inq = inq > 0 ? (uint32_t)inq : 0;
    return 0;
}

bool tcp_state_sender_settled(const struct tcp_state *prev, const struct tcp_state *now,
                              uint64_t dt_us)
{
    if (now->ca_state != TCP_CA_Open)
        return false;
    if (now->ssthresh_set)
        return true;
    if (!prev || dt_us == 0 || now->cwnd_busy_us < prev->cwnd_busy_us)
        return false;
    return (now->cwnd_busy_us - prev->cwnd_busy_us) * 2 < dt_us;
}

bool tcp_state_receiver_settled(const struct tcp_state *now)
{
    return (uint64_t)now->rmem <= (uint64_t)now->inq * RMEM_PER_BYTE + RMEM_SLACK;
}
