#ifndef NETRIG_MODEL_WIRE_H
#define NETRIG_MODEL_WIRE_H
/* Bytes on the wire: how many bytes a payload of B bytes occupies on the
 * bottleneck once every header is added. The numbers follow what a Linux
 * qdisc (tbf on a veth, for instance) counts per packet: the skb length,
 * which holds the 14-byte Ethernet header but neither the FCS nor the
 * preamble and inter-frame gap. A physical link counts those too: set
 * link_hdr to 38 (14 + 4 + 8 + 12) for a real Ethernet wire. */
#include <stdbool.h>
#include <stddef.h>

#define MODEL_WIRE_ETH 14.0     /* Ethernet header as a qdisc counts it */
#define MODEL_WIRE_ETH_PHY 38.0 /* + FCS 4, preamble 8, inter-frame gap 12 */
#define MODEL_WIRE_IPV4 20.0
#define MODEL_WIRE_IPV6 40.0
#define MODEL_WIRE_UDP 8.0
#define MODEL_WIRE_TCP 20.0
#define MODEL_WIRE_TCP_TS 12.0      /* timestamp option, padded */
#define MODEL_WIRE_TCP_OPT_MAX 40.0 /* the most option bytes a TCP header holds */
#define MODEL_WIRE_TLS13 22.0       /* 5 header + 16 AEAD tag + 1 content type */
#define MODEL_WIRE_TLS12 29.0       /* 5 header + 8 explicit nonce + 16 tag */
#define MODEL_WIRE_TLS_RECORD 16384.0
#define MODEL_WIRE_H2_FRAME 9.0        /* HTTP/2 frame header (RFC 9113 4.1) */
#define MODEL_WIRE_H2_MAX_DATA 16384.0 /* SETTINGS_MAX_FRAME_SIZE's default */

/* The framing of one path. */
struct model_wire {
    double mtu;         /* IP MTU, bytes */
    double mss;         /* TCP payload per full segment, bytes */
    double link_hdr;    /* link-layer bytes counted per packet */
    double ip_hdr;      /* 20 (IPv4) or 40 (IPv6) */
    double tcp_hdr;     /* 20 + options */
    double tls_ovh;     /* bytes added per TLS record */
    double tls_rec_max; /* payload bytes in a full TLS record */
};

/* Ethernet (14) over IPv4, MTU 1500, TCP with timestamps (MSS 1448),
 * TLS 1.3 AES-GCM records. */
void model_wire_defaults(struct model_wire *w);

/* Adjusts w for IPv6 (header 40) keeping the MTU; the MSS shrinks by 20. */
void model_wire_set_ipv6(struct model_wire *w);

/* IPv6 (v6) or IPv4 headers, keeping the MTU: the MSS follows. */
void model_wire_set_ip(struct model_wire *w, bool v6);

/* Takes the MSS a socket reported (payload per full segment): the TCP
 * option bytes follow as mtu - ip - 20 - mss. When the MSS cannot fit the
 * MTU (loopback, or an unknown MTU) the MTU is raised to mss + headers with
 * timestamps; when it leaves more room than options can take (a clamped
 * MSS: --mss) the segments are smaller than the MTU, with timestamps.
 * mss <= 0 or NaN leaves w unchanged. */
void model_wire_set_mss(struct model_wire *w, double mss);

/* Reads the framing from a connected socket: family (IPv4/IPv6), MTU
 * (IP_MTU / IPV6_MTU), MSS (TCP_MAXSEG) and the timestamp option
 * (TCP_INFO) for TCP sockets. Returns 0 or -1 with a message. */
int model_wire_from_socket(struct model_wire *w, int fd, char *err, size_t errlen);

/* Wire bytes of one UDP datagram with `payload` bytes, with IP
 * fragmentation: every fragment repeats the IP and link headers, and every
 * fragment but the last carries a multiple of 8 bytes. */
double model_wire_udp(const struct model_wire *w, double payload);

/* Wire bytes to carry `payload` bytes over TCP. packed: the bytes are part
 * of a saturated stream cut into full MSS segments whatever the write size
 * (a fractional number of segments per message); otherwise the message is
 * sent on its own and takes ceil(payload / mss) segments. */
double model_wire_tcp(const struct model_wire *w, double payload, bool packed);

/* Bytes of TLS records carrying `payload` plaintext bytes: each record
 * holds up to tls_rec_max bytes and adds tls_ovh. packed: the bytes are
 * part of a stream the sender seals in full records whatever the message
 * size (a fractional number of records per message); otherwise they are
 * written on their own, ceil(payload / tls_rec_max) records. */
double model_wire_tls_records(const struct model_wire *w, double payload, bool packed);

/* Bytes of WebSocket frames (RFC 6455 5.2) carrying a message of
 * `payload` bytes split into frames of `frame` bytes (0: one frame): each
 * frame adds 2, 4 or 10 header bytes by its length, and 4 more when
 * masked (client to server). */
double model_wire_ws(double payload, double frame, bool masked);

/* Bytes of HTTP/2 DATA frames carrying a body of `body` bytes: a 9-byte
 * frame header per frame of at most max_frame bytes (0: 16 KiB). An empty
 * body takes no DATA frame (END_STREAM rides on HEADERS). */
double model_wire_h2_data(double body, double max_frame);

#endif
