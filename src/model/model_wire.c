#include "model_wire.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void model_wire_defaults(struct model_wire *w)
{
    w->mtu = 1500;
    w->link_hdr = MODEL_WIRE_ETH;
    w->ip_hdr = MODEL_WIRE_IPV4;
    w->tcp_hdr = MODEL_WIRE_TCP + MODEL_WIRE_TCP_TS;
    w->mss = w->mtu - w->ip_hdr - w->tcp_hdr;
    w->tls_ovh = MODEL_WIRE_TLS13;
    w->tls_rec_max = MODEL_WIRE_TLS_RECORD;
}

void model_wire_set_ipv6(struct model_wire *w)
{
    model_wire_set_ip(w, true);
}

void model_wire_set_ip(struct model_wire *w, bool v6)
{
    w->ip_hdr = v6 ? MODEL_WIRE_IPV6 : MODEL_WIRE_IPV4;
    w->mss = w->mtu - w->ip_hdr - w->tcp_hdr;
}

void model_wire_set_mss(struct model_wire *w, double mss)
{
    if (!(mss > 0))
        return;
    w->mss = mss;
    double opts = w->mtu - w->ip_hdr - MODEL_WIRE_TCP - mss;
    if (opts < 0) {
        /* The segment does not fit the MTU we assumed: the path has a
         * larger one (loopback's is 64 KiB). Assume timestamps. */
        w->tcp_hdr = MODEL_WIRE_TCP + MODEL_WIRE_TCP_TS;
        w->mtu = mss + w->ip_hdr + w->tcp_hdr;
    } else if (opts > MODEL_WIRE_TCP_OPT_MAX) {
        /* More than TCP options can be: the MSS was clamped (--mss,
         * TCP_MAXSEG), and segments are smaller than the MTU. Assume
         * timestamps. */
        w->tcp_hdr = MODEL_WIRE_TCP + MODEL_WIRE_TCP_TS;
    } else {
        w->tcp_hdr = MODEL_WIRE_TCP + opts;
    }
}

int model_wire_from_socket(struct model_wire *w, int fd, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        return -1;
    }
    bool v6 = ss.ss_family == AF_INET6;
    int mtu = 0, type = 0;
    socklen_t il = sizeof(mtu);
    int rc = v6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &il)
                : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &il);
    if (rc < 0 || mtu <= 0) {
        snprintf(err, errlen, "reading the path MTU: %s", strerror(errno));
        return -1;
    }
    w->mtu = mtu;
    w->ip_hdr = v6 ? MODEL_WIRE_IPV6 : MODEL_WIRE_IPV4;
    il = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) < 0 || type != SOCK_STREAM)
        return 0;
    struct tcp_info ti;
    socklen_t tl = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0) {
        snprintf(err, errlen, "TCP_INFO: %s", strerror(errno));
        return -1;
    }
    /* snd_mss already has the option bytes taken off; what is left of the
     * MTU is the TCP header with its options. */
    w->tcp_hdr = MODEL_WIRE_TCP + ((ti.tcpi_options & TCPI_OPT_TIMESTAMPS) ? MODEL_WIRE_TCP_TS : 0);
    w->mss = ti.tcpi_snd_mss > 0 ? ti.tcpi_snd_mss : w->mtu - w->ip_hdr - w->tcp_hdr;
    return 0;
}

double model_wire_udp(const struct model_wire *w, double payload)
{
    double ip_payload = payload + MODEL_WIRE_UDP;
    if (ip_payload <= w->mtu - w->ip_hdr)
        return ip_payload + w->ip_hdr + w->link_hdr;
    /* Every fragment repeats the IP header (IPv6 adds an 8-byte fragment
     * header) and the link header; all but the last carry a multiple of 8
     * bytes. */
    double hdr = w->ip_hdr + (w->ip_hdr >= MODEL_WIRE_IPV6 ? 8 : 0);
    double per_frag = floor((w->mtu - hdr) / 8) * 8;
    double frags = ceil(ip_payload / per_frag);
    return ip_payload + frags * (hdr + w->link_hdr);
}

double model_wire_tcp(const struct model_wire *w, double payload, bool packed)
{
    double segs = payload / w->mss;
    if (!packed)
        segs = payload > 0 ? ceil(segs) : 1;
    return payload + segs * (w->tcp_hdr + w->ip_hdr + w->link_hdr);
}

static double ws_header(double len, bool masked)
{
    return (len < 126 ? 2 : len <= 65535 ? 4 : 10) + (masked ? 4 : 0);
}

double model_wire_ws(double payload, double frame, bool masked)
{
    if (!(frame > 0) || frame >= payload)
        return payload + ws_header(payload, masked);
    double full = floor(payload / frame), rest = payload - full * frame;
    return payload + full * ws_header(frame, masked) + (rest > 0 ? ws_header(rest, masked) : 0);
}

double model_wire_tls_records(const struct model_wire *w, double payload, bool packed)
{
    double recs = payload / w->tls_rec_max;
    if (!packed)
        recs = payload > 0 ? ceil(recs) : 1;
    return payload + recs * w->tls_ovh;
}

double model_wire_h2_data(double body, double max_frame)
{
    if (!(body > 0))
        return 0;
    if (!(max_frame > 0))
        max_frame = MODEL_WIRE_H2_MAX_DATA;
    return body + MODEL_WIRE_H2_FRAME * ceil(body / max_frame);
}
