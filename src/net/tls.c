/* TLS contexts and the nonblocking per-connection calls. */
#include "tls.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "tls_cert.h"

void tls_error(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    if (e != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        snprintf(err, errlen, "%s: %s", what, buf);
    } else {
        snprintf(err, errlen, "%s", what);
    }
    ERR_clear_error();
}

static int set_version(SSL_CTX *ctx, const char *v, char *err, size_t errlen)
{
    int ver;
    if (v == NULL || v[0] == '\0')
        return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ? 0 : -1;
    if (strcmp(v, "1.2") == 0)
        ver = TLS1_2_VERSION;
    else if (strcmp(v, "1.3") == 0)
        ver = TLS1_3_VERSION;
    else {
        snprintf(err, errlen, "bad tls-version '%s': expected 1.2 or 1.3", v);
        return -1;
    }
    if (!SSL_CTX_set_min_proto_version(ctx, ver) || !SSL_CTX_set_max_proto_version(ctx, ver)) {
        tls_error(err, errlen, "cannot pin the TLS version");
        return -1;
    }
    return 0;
}

/* Splits "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256" into the
 * TLS 1.3 suites and the TLS 1.2 cipher list, which OpenSSL sets apart. */
static int set_ciphers(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
    char v13[512] = "", v12[512] = "", tmp[512];
    if (list == NULL || list[0] == '\0')
        return 0;
    if (strlen(list) >= sizeof(tmp)) {
        snprintf(err, errlen, "ciphers list too long");
        return -1;
    }
    memcpy(tmp, list, strlen(list) + 1);
    char *save = NULL;
    for (char *t = strtok_r(tmp, ":,", &save); t != NULL; t = strtok_r(NULL, ":,", &save)) {
        char *dst = strncmp(t, "TLS_", 4) == 0 ? v13 : v12;
        size_t used = strlen(dst);
        snprintf(dst + used, sizeof(v13) - used, "%s%s", used ? ":" : "", t);
    }
    if (v13[0] != '\0' && !SSL_CTX_set_ciphersuites(ctx, v13)) {
        tls_error(err, errlen, "bad TLS 1.3 ciphers in --ciphers");
        return -1;
    }
    if (v12[0] != '\0' && !SSL_CTX_set_cipher_list(ctx, v12)) {
        tls_error(err, errlen, "bad TLS 1.2 ciphers in --ciphers");
        return -1;
    }
    return 0;
}

/* Shared settings of both sides. */
static int configure(struct tls_ctx *t, const struct tls_opts *o, char *err, size_t errlen)
{
    /* Many HTTP servers close without close_notify; that is an end of
     * stream here, not an error. */
    SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (set_version(t->ctx, o->version, err, errlen) != 0 ||
        set_ciphers(t->ctx, o->ciphers, err, errlen) != 0)
        return -1;
    if (o->groups != NULL && o->groups[0] != '\0' && !SSL_CTX_set1_groups_list(t->ctx, o->groups)) {
        tls_error(err, errlen, "bad --groups");
        return -1;
    }
    return 0;
}

/* "h2,http/1.1" to ALPN wire format; returns its length or -1. */
static int alpn_wire(const char *list, unsigned char *out, size_t cap)
{
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t l = strcspn(p, ",");
        if (l == 0 || l > 255 || n + 1 + l > cap)
            return -1;
        out[n++] = (unsigned char)l;
        memcpy(out + n, p, l);
        n += l;
        p += l + (p[l] == ',');
    }
    return (int)n;
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    const unsigned char *ours = arg;
    unsigned char *sel;
    if (SSL_select_next_proto(&sel, outlen, ours + 1, ours[0], in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

static int server_cert(SSL_CTX *ctx, const struct tls_opts *o, char *err, size_t errlen)
{
    if (o->cert != NULL && o->cert[0] != '\0') {
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
            tls_error(err, errlen, o->cert);
            return -1;
        }
        const char *key = o->key != NULL && o->key[0] != '\0' ? o->key : o->cert;
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            tls_error(err, errlen, key);
            return -1;
        }
        return 0;
    }
    EVP_PKEY *k = NULL;
    X509 *c = NULL;
    if (tls_cert_ephemeral(&k, &c, err, errlen) != 0)
        return -1;
    int ok = SSL_CTX_use_certificate(ctx, c) == 1 && SSL_CTX_use_PrivateKey(ctx, k) == 1;
    EVP_PKEY_free(k);
    X509_free(c);
    if (!ok)
        tls_error(err, errlen, "cannot use the ephemeral certificate");
    return ok ? 0 : -1;
}

int tls_server_init(struct tls_ctx *t, const struct tls_opts *o, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->server = true;
    t->ctx = SSL_CTX_new(TLS_server_method());
    if (t->ctx == NULL) {
        tls_error(err, errlen, "cannot create the TLS server context");
        return -1;
    }
    if (configure(t, o, err, errlen) != 0 || server_cert(t->ctx, o, err, errlen) != 0)
        goto fail;
    if (o->alpn != NULL && o->alpn[0] != '\0') {
        /* Byte 0 holds the wire length, the list follows. */
        int n = alpn_wire(o->alpn, t->alpn + 1, sizeof(t->alpn) - 1);
        if (n <= 0) {
            snprintf(err, errlen, "bad --alpn '%s'", o->alpn);
            goto fail;
        }
        t->alpn[0] = (unsigned char)n;
        SSL_CTX_set_alpn_select_cb(t->ctx, alpn_select, t->alpn);
    }
    return 0;
fail:
    tls_close(t);
    return -1;
}

void tls_client_opts(struct tls_opts *o, const struct netrig_config *cfg, const char *alpn_default)
{
    *o = (struct tls_opts){.version = cfg->tls_version,
                           .ciphers = cfg->ciphers,
                           .groups = cfg->groups,
                           .alpn = cfg->alpn[0] ? cfg->alpn : alpn_default,
                           .verify = cfg->verify,
                           .cafile = cfg->cafile};
}

int tls_client_init(struct tls_ctx *t, const struct tls_opts *o, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (t->ctx == NULL) {
        tls_error(err, errlen, "cannot create the TLS client context");
        return -1;
    }
    if (configure(t, o, err, errlen) != 0)
        goto fail;
    /* Sessions are handed back to the caller (tls_conn_session), not kept
     * in an internal cache that threads would contend for. */
    SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
    t->verify = o->verify;
    if (o->verify) {
        if (o->cafile == NULL || o->cafile[0] == '\0' ||
            SSL_CTX_load_verify_locations(t->ctx, o->cafile, NULL) != 1) {
            tls_error(err, errlen, "--verify: cannot load --cafile");
            goto fail;
        }
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    }
    if (o->alpn != NULL && o->alpn[0] != '\0') {
        unsigned char wire[256];
        int n = alpn_wire(o->alpn, wire, sizeof(wire));
        if (n <= 0 || SSL_CTX_set_alpn_protos(t->ctx, wire, (unsigned)n) != 0) {
            snprintf(err, errlen, "bad --alpn '%s'", o->alpn);
            goto fail;
        }
    }
    return 0;
fail:
    tls_close(t);
    return -1;
}

void tls_close(struct tls_ctx *t)
{
    SSL_CTX_free(t->ctx);
    t->ctx = NULL;
}

SSL *tls_conn_new(const struct tls_ctx *t, int fd, const char *host, SSL_SESSION *resume, char *err,
                  size_t errlen)
{
    SSL *ssl = SSL_new(t->ctx);
    if (ssl == NULL || !SSL_set_fd(ssl, fd)) {
        tls_error(err, errlen, "cannot create a TLS connection");
        SSL_free(ssl);
        return NULL;
    }
    if (t->server) {
        SSL_set_accept_state(ssl);
        return ssl;
    }
    SSL_set_connect_state(ssl);
    if (host != NULL && host[0] != '\0') {
        /* SNI is for names only; an IP literal is not sent (RFC 6066 3). */
        bool ip = strspn(host, "0123456789.") == strlen(host) || strchr(host, ':') != NULL;
        if ((!ip && !SSL_set_tlsext_host_name(ssl, host)) ||
            (t->verify && !SSL_set1_host(ssl, host))) {
            tls_error(err, errlen, "cannot set the TLS server name");
            SSL_free(ssl);
            return NULL;
        }
    }
    if (resume != NULL && !SSL_set_session(ssl, resume)) {
        tls_error(err, errlen, "cannot offer the TLS session");
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

/* Maps the outcome of an SSL_* call (ok = it returned success). */
static enum tls_result result_of(SSL *ssl, int ret)
{
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_NONE: return TLS_OK;
    case SSL_ERROR_WANT_READ: return TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return TLS_EOF;
    default:
        /* The queue must be empty before the next call on this thread. */
        ERR_clear_error();
        return TLS_ERR;
    }
}

enum tls_result tls_handshake(SSL *ssl)
{
    int r = SSL_do_handshake(ssl);
    return r == 1 ? TLS_OK : result_of(ssl, r);
}

int tls_verify_note(const SSL *ssl, char *buf, size_t len)
{
    long v = SSL_get_verify_result(ssl);
    if (v == X509_V_OK)
        return 0;
    snprintf(buf, len, "certificate verify failed: %s", X509_verify_cert_error_string(v));
    return 1;
}

enum tls_result tls_read(SSL *ssl, void *buf, size_t len, size_t *got)
{
    int r = SSL_read_ex(ssl, buf, len, got);
    return r == 1 ? TLS_OK : result_of(ssl, r);
}

enum tls_result tls_write(SSL *ssl, const void *buf, size_t len, size_t *put)
{
    int r = SSL_write_ex(ssl, buf, len, put);
    return r == 1 ? TLS_OK : result_of(ssl, r);
}

enum tls_result tls_shutdown(SSL *ssl)
{
    int r = SSL_shutdown(ssl);
    return r >= 0 ? TLS_OK : result_of(ssl, r);
}

void tls_conn_free(SSL *ssl)
{
    /* OpenSSL drops the session of a connection freed without a
     * close_notify; a crr loop that just closes the socket after a good
     * exchange should still be able to resume it. Fatal alerts have already
     * invalidated the session by then. */
    if (ssl != NULL && SSL_is_init_finished(ssl))
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
    SSL_free(ssl);
}

SSL_SESSION *tls_conn_session(SSL *ssl)
{
    SSL_SESSION *s = SSL_get1_session(ssl);
    if (s != NULL && !SSL_SESSION_is_resumable(s)) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

bool tls_conn_resumed(const SSL *ssl)
{
    return SSL_session_reused(ssl) == 1;
}
