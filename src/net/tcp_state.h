#ifndef NETRIG_TCP_STATE_H
#define NETRIG_TCP_STATE_H
/* Where a TCP connection stands, read from TCP_INFO and the socket's
 * memory: has the sender left its start-up (slow start and the loss
 * recovery that ends it), and does the receiver hold data behind a hole?
 * The adaptive warm-up waits on both, so that the measuring window never
 * opens while bytes that crossed the path before it still wait behind a
 * hole to be read inside it (docs/drivers.md, Warm-up). */
#include <stdbool.h>
#include <stdint.h>

struct tcp_state {
    uint8_t ca_state;      /* TCP_CA_Open (0), Disorder, CWR, Recovery, Loss */
    bool ssthresh_set;     /* the slow-start threshold left its "infinite" start */
    uint64_t cwnd_busy_us; /* time spent sending and limited by neither the
                            * receiver's window nor the send buffer */
    uint32_t rmem;         /* receive memory charged: in-order and out-of-order data */
    uint32_t inq;          /* payload bytes readable in order */
};

/* Reads fd's state. Returns 0, or -1 (not a TCP socket, closed). */
int tcp_state_read(int fd, struct tcp_state *s);

/* The sending side has left its start-up: no loss recovery runs (state
 * Open) and either start-up ended (the threshold was set by a loss or an
 * ECN mark) or, between the look prev (NULL: none) and now, dt_us
 * apart, the congestion window limited the sender less than half the
 * time (the receiver, the buffer or the application held it back, so it
 * cannot overshoot the path). */
bool tcp_state_sender_settled(const struct tcp_state *prev, const struct tcp_state *now,
                              uint64_t dt_us);

/* The receiving side holds no data behind a hole: the memory charged is
 * what the readable bytes explain (with their buffer overhead). */
bool tcp_state_receiver_settled(const struct tcp_state *now);

#endif
