/* The server's side of the PSK exchange on a new connection (see auth.h):
 * HELLO in, CHALLENGE out, PROOF in, OK or FAIL out; after OK the same
 * connection carries control frames. Reads never go past the message
 * being waited for, so the first control frame stays in the socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "server_int.h"

#define AUTH_SEND_TIMEOUT_NS (1000000000ull)

int srv_auth_setup(struct srv *s, char *err, size_t errlen)
{
    if (!s->cfg.psk_file[0])
        return 0;
    s->psk = calloc(1, sizeof(*s->psk));
    if (!s->psk) {
        snprintf(err, errlen, "server: out of memory");
        return -1;
    }
    if (auth_key_load(s->cfg.psk_file, s->psk, err, errlen) != 0) {
        free(s->psk);
        s->psk = NULL;
        return -1;
    }
    return 0;
}

/* Sends a whole message; the socket's buffer is empty at this point of
 * the exchange, so this does not wait in practice. */
static int send_msg(struct srv_conn *c, const uint8_t out[AUTH_MSG_LEN])
{
    return net_send_all(c->io.fd, out, AUTH_MSG_LEN, clock_now_ns() + AUTH_SEND_TIMEOUT_NS);
}

/* Acts on one whole message in c->in. Returns 0 to go on, -1 to close. */
static int on_message(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    uint8_t out[AUTH_MSG_LEN];
    char err[200];
    c->inlen = 0;
    if (!s->psk) {
        auth_server_refuse(AUTH_REASON_NO_PSK, out);
        send_msg(c, out);
        return -1;
    }
    if (c->auth.state == 0) {
        int rc = auth_server_hello(&c->auth, c->in, AUTH_MSG_LEN, out, err, sizeof(err));
        return send_msg(c, out) == 0 && rc == 0 ? 0 : -1;
    }
    int rc = auth_server_proof(&c->auth, s->psk, c->in, AUTH_MSG_LEN, out, err, sizeof(err));
    if (send_msg(c, out) != 0 || rc != 0)
        return -1;
    c->authed = true;
    c->ctrl = true; /* from here on: control frames */
    srv_guard_authed(c);
    return 0;
}

enum srv_verdict srv_auth_input(struct srv_conn *c)
{
    c->auth_started = true;
    /* Bounded rounds: a peer that keeps sending cannot hold the thread. */
    for (int round = 0; round < 4 && !c->ctrl; round++) {
        if (c->inlen < AUTH_MSG_LEN) {
            ssize_t n = recv(c->io.fd, c->in + c->inlen, AUTH_MSG_LEN - c->inlen, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return SRV_KEEP;
            if (n <= 0)
                return SRV_CLOSE;
            c->inlen += (size_t)n;
        }
        struct auth_msg m;
        char err[128];
        int r = auth_decode(c->in, c->inlen, &m, err, sizeof(err));
        if (r < 0) {
            uint8_t out[AUTH_MSG_LEN];
            auth_server_refuse(AUTH_REASON_PROTO, out);
            send_msg(c, out);
            return SRV_CLOSE;
        }
        if (r == 0)
            continue;
        if (on_message(c) != 0)
            return SRV_CLOSE;
    }
    return SRV_KEEP;
}
