/* The client's side of the PSK exchange (see auth.h), run on the fresh
 * control connection before the test request. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "client_int.h"

static int recv_failed(const char *peer, char *err, size_t errlen)
{
    if (errno == EPIPE)
        snprintf(err, errlen, "server %s closed the connection during authentication", peer);
    else if (errno == ETIMEDOUT)
        snprintf(err, errlen, "server %s did not answer the authentication in time", peer);
    else
        snprintf(err, errlen, "server %s: authentication: %s", peer, strerror(errno));
    return -1;
}

/* Reads one whole message. A server that answers with a control ERROR
 * instead (busy, or refusing) has its message shown. */
static int recv_msg(int fd, uint8_t buf[AUTH_MSG_LEN], uint64_t deadline_ns, const char *peer,
                    char *err, size_t errlen)
{
    uint8_t frame[512];
    struct ctrl_msg m;
    size_t need = 0;
    char e[256];
    if (net_recv_full(fd, buf, CTRL_HDR_LEN, deadline_ns) != 0)
        return recv_failed(peer, err, errlen);
    if (auth_is_auth(buf, CTRL_HDR_LEN)) {
        if (net_recv_full(fd, buf + CTRL_HDR_LEN, AUTH_MSG_LEN - CTRL_HDR_LEN, deadline_ns) != 0)
            return recv_failed(peer, err, errlen);
        return 0;
    }
    memcpy(frame, buf, CTRL_HDR_LEN);
    if (ctrl_decode(frame, CTRL_HDR_LEN, &m, &need, e, sizeof(e)) == 0 && need <= sizeof(frame) &&
        net_recv_full(fd, frame + CTRL_HDR_LEN, need - CTRL_HDR_LEN, deadline_ns) == 0 &&
        ctrl_decode(frame, need, &m, &need, e, sizeof(e)) > 0 && m.type == CTRL_ERROR) {
        snprintf(err, errlen, "server %s: %s", peer, m.u.error);
        return -1;
    }
    snprintf(err, errlen, "server %s answered the authentication with something else", peer);
    return -1;
}

int client_auth(const struct client *cl, int fd, uint64_t deadline_ns, char *err, size_t errlen)
{
    struct auth_key key;
    struct auth_client a = {0};
    uint8_t out[AUTH_MSG_LEN], in[AUTH_MSG_LEN];
    char peer[96], e[256];
    int rc = -1;
    net_format_addr(&cl->addr, peer, sizeof(peer));
    if (auth_key_load(cl->cfg->psk, &key, err, errlen) != 0)
        return -1;
    if (auth_client_hello(&a, out, err, errlen) != 0)
        goto out;
    if (net_send_all(fd, out, sizeof(out), deadline_ns) != 0) {
        snprintf(err, errlen, "server %s: authentication: %s", peer, strerror(errno));
        goto out;
    }
    if (recv_msg(fd, in, deadline_ns, peer, err, errlen) != 0)
        goto out;
    if (auth_client_challenge(&a, &key, in, sizeof(in), out, e, sizeof(e)) != 0) {
        snprintf(err, errlen, "server %s: %s", peer, e);
        goto out;
    }
    if (net_send_all(fd, out, sizeof(out), deadline_ns) != 0) {
        snprintf(err, errlen, "server %s: authentication: %s", peer, strerror(errno));
        goto out;
    }
    if (recv_msg(fd, in, deadline_ns, peer, err, errlen) != 0)
        goto out;
    if (auth_client_finish(&a, &key, in, sizeof(in), e, sizeof(e)) != 0) {
        snprintf(err, errlen, "server %s: %s", peer, e);
        goto out;
    }
    rc = 0;
out:
    auth_key_wipe(&key);
    return rc;
}
