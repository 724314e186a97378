#ifndef NETRIG_UDP_IO_H
#define NETRIG_UDP_IO_H
/* UDP batches (udp_io.c) as the UDP driver (drv_udp.c) uses them. */
#include "ep.h"

#define UDP_SLOT_FREE UINT64_MAX /* a closed-loop request slot not in use */

/* Prepares datagram i of the thread's batch: the header already in
 * b->hdr[i], then zeros up to len bytes; to = NULL on a connected socket. */
void udp_io_put_dgram(struct udp_batch *b, int i, size_t len, const struct net_addr *to);
/* Sends the n prepared datagrams of len bytes. Returns how many went out
 * (0 when the socket is full); counts bytes and hard errors. */
int udp_io_send_batch(struct ep *ep, int n, size_t len);
/* UDP GSO (UDP_SEGMENT): a batch of equal datagrams goes out as one send
 * that the kernel cuts apart, so the IP path is walked once per batch
 * instead of once per datagram (about twice the datagrams per second on
 * loopback). Only a sender with one destination (a client flow) can. */
#define UDP_GSO_MAX_BYTES 65000u
/* Gives the endpoint its send buffer for datagrams of len bytes (ep->txbuf;
 * none when fewer than two fit). */
void udp_io_gso_setup(struct ep *ep, size_t len);
/* Sends the n datagrams whose headers are in the thread's batch (prepared
 * as for udp_io_send_batch too) as one segmented send. When the kernel
 * refuses, frees the buffer and sends them by udp_io_send_batch, as every
 * later batch then is. Returns how many went out (0 when full). */
int udp_io_send_gso(struct ep *ep, int n, size_t len);
/* Gives a request/response endpoint its whole-datagram send buffer
 * (ep->txbuf), so that single datagrams go out by sendto; without it they
 * go by sendmmsg. */
void udp_io_single_setup(struct ep *ep);
/* Receives and handles what the socket holds (bounded): counts, timing,
 * per-flow sequence tracking; a server answers requests in batches.
 * With wait (an endpoint with wait_answer, see udp_io_wait_setup), the
 * first receive sleeps for an answer. Returns the datagrams received. */
int udp_io_recv(struct ep *ep, bool wait);
/* An endpoint that may wait (ep_may_wait): its socket is made blocking
 * (every call here passes MSG_DONTWAIT but the waiting one) with a short
 * receive timeout, so it can sleep in its receive instead of in epoll.
 * Returns 0 or -1 (the endpoint keeps using epoll). */
int udp_io_wait_setup(struct ep *ep);

#endif
