/* The client's side of the control connection: the request, the
 * server's answer, the marks and the result at the end. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "client_int.h"

#define CTRL_TIMEOUT_NS (5ull * 1000000000ull)

int client_ctrl_send(int fd, const struct ctrl_msg *m)
{
    uint8_t buf[512];
    size_t n = ctrl_encode(m, buf, sizeof(buf));
    return n ? net_send_all(fd, buf, n, clock_now_ns() + CTRL_TIMEOUT_NS) : -1;
}

/* Reads one frame; *frame is malloc'd and m may point into it. */
int client_ctrl_recv(int fd, struct ctrl_msg *m, uint8_t **frame, char *err, size_t errlen)
{
    uint8_t hdr[CTRL_HDR_LEN];
    size_t need;
    uint64_t deadline = clock_now_ns() + CTRL_TIMEOUT_NS;
    *frame = NULL;
    if (net_recv_full(fd, hdr, sizeof(hdr), deadline) != 0) {
        snprintf(err, errlen, "%s",
                 /* a reset is how a killed server's kernel says it */
                 errno == EPIPE || errno == ECONNRESET
                     ? "closed the control connection (stopped or crashed?)"
                 : errno == ETIMEDOUT ? "no answer on the control connection in time"
                                      : strerror(errno));
        return -1;
    }
    /* --server pointed at a web server: it answers the request in HTTP. */
    if (memcmp(hdr, "HTTP/1.", 7) == 0) {
        snprintf(err, errlen,
                 "it answered in HTTP ('%.*s ...'), not as a netrig server: to test an HTTP "
                 "server give --url http://HOST:PORT/PATH instead of --server",
                 (int)sizeof(hdr), (const char *)hdr);
        return -1;
    }
    if (ctrl_decode(hdr, sizeof(hdr), m, &need, err, errlen) < 0)
        return -1;
    *frame = malloc(need);
    if (!*frame)
        return snprintf(err, errlen, "control: out of memory"), -1;
    memcpy(*frame, hdr, sizeof(hdr));
    if (net_recv_full(fd, *frame + sizeof(hdr), need - sizeof(hdr), deadline) != 0) {
        snprintf(err, errlen, "control: %s",
                 errno == EPIPE ? "connection closed in the middle of a frame" : strerror(errno));
        return -1;
    }
    return ctrl_decode(*frame, need, m, &need, err, errlen) > 0 ? 0 : -1;
}

void client_ctrl_request(const struct netrig_config *cfg, struct ctrl_request *q)
{
    memset(q, 0, sizeof(*q));
    q->proto = (uint8_t)cfg->proto;
    q->mode = (uint8_t)cfg->mode;
    q->flags = (uint8_t)((cfg->reverse ? CTRL_F_REVERSE : 0) | (cfg->bidir ? CTRL_F_BIDIR : 0) |
                         (cfg->no_timing ? CTRL_F_NO_TIMING : 0));
    q->conns = cfg->conns ? cfg->conns : 1;
    q->threads = cfg->threads ? cfg->threads : 1;
    q->pipeline = cfg->pipeline ? cfg->pipeline : 1;
    q->size = cfg->size;
    q->resp_size = cfg->echo ? 0 : cfg->resp_size;
    q->rate_bps = cfg->rate_bps;
    q->rate_per_s = cfg->rate_per_s;
    q->duration_ns = cfg->duration_ns;
    q->warmup_ns = config_warmup_ns(cfg);
    q->timeout_ns = cfg->timeout_ns ? cfg->timeout_ns : 1000000000ull;
    q->count = cfg->count;
    q->stall_ns = cfg->stall_ns;
    snprintf(q->cc, sizeof(q->cc), "%s", cfg->cc);
}

/* Puts "server ADDR: " before the message in err. */
static void name_peer(const struct client *cl, char *err, size_t errlen)
{
    char as[96], e[512];
    snprintf(e, sizeof(e), "%s", err[0] ? err : strerror(errno));
    snprintf(err, errlen, "server %s: %s", net_format_addr(&cl->addr, as, sizeof(as)), e);
}

/* Opens the control connection (proving the key with --psk) and has the
 * server accept the test. */
int client_ctrl_open(struct client *cl, char *err, size_t errlen)
{
    char as[96];
    int fd = net_connect_wait(&cl->addr, SOCK_STREAM, NULL, CTRL_TIMEOUT_NS, err, errlen);
    if (fd < 0) {
        char e[512];
        snprintf(e, sizeof(e), "%s", err);
        snprintf(err, errlen, "cannot reach the server: %s", e);
        return -1;
    }
    struct ctrl_msg m = {.type = CTRL_REQUEST}, r;
    m.u.req = cl->req;
    uint8_t *frame = NULL;
    if (cl->cfg->psk[0] && client_auth(cl, fd, clock_now_ns() + CTRL_TIMEOUT_NS, err, errlen) != 0)
        goto fail;
    if (client_ctrl_send(fd, &m) != 0 || client_ctrl_recv(fd, &r, &frame, err, errlen) != 0) {
        name_peer(cl, err, errlen);
        goto fail;
    }
    if (r.type == CTRL_ERROR) {
        snprintf(err, errlen, "server %s: %s", net_format_addr(&cl->addr, as, sizeof(as)),
                 r.u.error);
        goto fail;
    }
    if (r.type != CTRL_ACCEPT || (cl->req.proto == PROTO_UDP && r.u.acc.nports == 0)) {
        snprintf(err, errlen, "server %s: unexpected answer to the request",
                 net_format_addr(&cl->addr, as, sizeof(as)));
        goto fail;
    }
    cl->test_id = r.u.acc.test_id;
    cl->nports = r.u.acc.nports;
    memcpy(cl->ports, r.u.acc.ports, sizeof(cl->ports));
    free(frame);
    return fd;
fail:
    free(frame);
    close(fd);
    return -1;
}

/* Ends the test with the server and decodes its result. */
int client_ctrl_finish(struct client *cl, int fd, struct ctrl_result *res, struct hist *h,
                       bool *have_hist, char *err, size_t errlen)
{
    struct ctrl_msg m = {.type = CTRL_END}, r;
    uint8_t *frame = NULL;
    char as[96];
    int sent = client_ctrl_send(fd, &m);
    if (sent != 0)
        snprintf(err, errlen, "%s",
                 errno == EPIPE || errno == ECONNRESET
                     ? "closed the control connection (stopped or crashed?)"
                     : strerror(errno));
    if (sent != 0 || client_ctrl_recv(fd, &r, &frame, err, errlen) != 0) {
        name_peer(cl, err, errlen);
        snprintf(err + strlen(err), errlen - strlen(err),
                 "; the figures are the client's own, without the server's result");
        goto fail;
    }
    if (r.type != CTRL_RESULT) {
        snprintf(err, errlen, "server %s: %s", net_format_addr(&cl->addr, as, sizeof(as)),
                 r.type == CTRL_ERROR ? r.u.error : "no result");
        goto fail;
    }
    *res = r.u.res;
    res->hist = NULL;
    if (r.u.res.hist_len && hist_decode(h, r.u.res.hist, r.u.res.hist_len, err, errlen) != 0)
        goto fail;
    *have_hist = r.u.res.hist_len > 0;
    free(frame);
    return 0;
fail:
    free(frame);
    return -1;
}

/* One decoded server interval into a client_interval (times from the
 * server's window start, which is the client's within a round trip). */
static int iv_from_ctrl(const struct ctrl_iv *c, double start_wall_s, struct client_interval *iv,
                        char *err, size_t errlen)
{
    memset(iv, 0, sizeof(*iv));
    if (c->hist_len) {
        if (hist_decode(&iv->lat, c->hist, c->hist_len, err, errlen) != 0)
            return -1;
    } else if (hist_init_default(&iv->lat) != 0) {
        return snprintf(err, errlen, "control: out of memory"), -1;
    }
    double secs = (double)(c->t1_ns - c->t0_ns) / 1e9;
    iv->t_start_s = (double)c->t0_ns / 1e9;
    iv->t_end_s = (double)c->t1_ns / 1e9;
    iv->goodput_bps = secs > 0 ? 8.0 * (double)c->rx_bytes / secs : 0;
    iv->msgs_per_s = secs > 0 ? (double)c->rx_msgs / secs : 0;
    iv->messages = (double)c->rx_msgs;
    iv->errors = NAN; /* the server's intervals carry no error counts */
    iv->probe_p50_us = iv->probe_p99_us = NAN;
    iv->source = IV_SERVER;
    iv->lat.tag[0] = '\0';
    /* Rounded up: the first interval starts with the window, never before
     * a log that starts there. */
    iv->lat.start_ms = (int64_t)ceil((start_wall_s + iv->t_start_s) * 1e3);
    iv->lat.end_ms = (int64_t)ceil((start_wall_s + iv->t_end_s) * 1e3);
    return 0;
}

int client_ctrl_intervals(struct client *cl, int fd, double start_wall_s,
                          struct client_interval **out, size_t *nout, char *err, size_t errlen)
{
    *out = NULL;
    *nout = 0;
    for (;;) {
        struct ctrl_msg r;
        uint8_t *frame = NULL;
        if (client_ctrl_recv(fd, &r, &frame, err, errlen) != 0) {
            name_peer(cl, err, errlen);
            return -1;
        }
        int rc = 0;
        if (r.type != CTRL_INTERVALS || r.u.ivs.first != *nout) {
            char as[96];
            snprintf(err, errlen, "server %s: intervals expected after the result",
                     net_format_addr(&cl->addr, as, sizeof(as)));
            rc = -1;
        }
        struct client_interval *grown =
            rc == 0 ? realloc(*out, (*nout + r.u.ivs.n + 1) * sizeof(**out)) : NULL;
        if (rc == 0 && !grown) {
            snprintf(err, errlen, "control: out of memory");
            rc = -1;
        }
        if (grown)
            *out = grown;
        struct ctrl_iv c;
        size_t off = 0;
        for (uint16_t i = 0; rc == 0 && i < r.u.ivs.n; i++) {
            if (ctrl_iv_get(&r.u.ivs, &off, &c) != 0 ||
                iv_from_ctrl(&c, start_wall_s, &(*out)[*nout], err, errlen) != 0)
                rc = -1;
            else
                (*nout)++;
        }
        bool last = r.u.ivs.last;
        free(frame);
        if (rc != 0)
            return -1;
        if (last)
            return 0;
    }
}
