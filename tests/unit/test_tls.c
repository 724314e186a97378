/* TLS contexts and connections, driven over a nonblocking socketpair in
 * one thread: the two ends take turns until both are done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "tls.h"
#include "tls_cost.h"

struct pair {
    int fd[2];
    SSL *cli, *srv;
};

static int open_pair(struct pair *p, const struct tls_ctx *c, const struct tls_ctx *s,
                     const char *host, SSL_SESSION *resume)
{
    char err[256];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd) != 0)
        return -1;
    p->cli = tls_conn_new(c, p->fd[0], host, resume, err, sizeof(err));
    p->srv = tls_conn_new(s, p->fd[1], NULL, NULL, err, sizeof(err));
    return p->cli && p->srv ? 0 : -1;
}

static void close_pair(struct pair *p)
{
    tls_conn_free(p->cli);
    tls_conn_free(p->srv);
    close(p->fd[0]);
    close(p->fd[1]);
}

/* Runs both handshakes to the end; returns the client's last result. */
static enum tls_result handshake(struct pair *p)
{
    enum tls_result c = TLS_WANT_READ, s = TLS_WANT_READ;
    for (int i = 0; i < 100 && (c != TLS_OK || s != TLS_OK); i++) {
        if (c != TLS_OK)
            c = tls_handshake(p->cli);
        if (s != TLS_OK)
            s = tls_handshake(p->srv);
        if (c == TLS_ERR || s == TLS_ERR)
            return TLS_ERR;
    }
    return c == TLS_OK && s == TLS_OK ? TLS_OK : TLS_ERR;
}

/* Sends msg one way and reads it back on the other side. */
static void exchange(SSL *from, SSL *to, const char *msg)
{
    size_t put = 0, got = 0;
    char buf[256];
    assert_int_equal(tls_write(from, msg, strlen(msg), &put), TLS_OK);
    assert_int_equal(put, strlen(msg));
    assert_int_equal(tls_read(to, buf, sizeof(buf), &got), TLS_OK);
    assert_int_equal(got, strlen(msg));
    assert_memory_equal(buf, msg, got);
    /* Nothing more is pending on the reading side. */
    assert_int_equal(tls_read(to, buf, sizeof(buf), &got), TLS_WANT_READ);
}

static void contexts(struct tls_ctx *c, struct tls_ctx *s, const char *version)
{
    char err[256];
    struct tls_opts o = {.version = version};
    assert_int_equal(tls_server_init(s, &o, err, sizeof(err)), 0);
    assert_int_equal(tls_client_init(c, &o, err, sizeof(err)), 0);
}

static void handshake_and_resume(const char *version, int want_version)
{
    struct tls_ctx c, s;
    struct pair p;
    contexts(&c, &s, version);
    assert_int_equal(open_pair(&p, &c, &s, "localhost", NULL), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    assert_int_equal(SSL_version(p.cli), want_version);
    assert_false(tls_conn_resumed(p.cli));
    exchange(p.cli, p.srv, "GET /bytes/4 HTTP/1.1\r\n\r\n");
    exchange(p.srv, p.cli, "HTTP/1.1 200 OK\r\n\r\nabcd");
    SSL_SESSION *sess = tls_conn_session(p.cli);
    assert_non_null(sess);
    close_pair(&p);

    assert_int_equal(open_pair(&p, &c, &s, "localhost", sess), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    assert_true(tls_conn_resumed(p.cli));
    assert_true(tls_conn_resumed(p.srv));
    exchange(p.cli, p.srv, "again");
    /* The peer's close_notify reads as EOF. */
    assert_int_equal(tls_shutdown(p.srv), TLS_OK);
    char buf[16];
    size_t got;
    assert_int_equal(tls_read(p.cli, buf, sizeof(buf), &got), TLS_EOF);
    SSL_SESSION_free(sess);
    close_pair(&p);
    tls_close(&c);
    tls_close(&s);
}

static void test_tls13(void **state)
{
    (void)state;
    handshake_and_resume("1.3", TLS1_3_VERSION);
}

static void test_tls12(void **state)
{
    (void)state;
    handshake_and_resume("1.2", TLS1_2_VERSION);
}

static void test_bare_close_is_eof(void **state)
{
    (void)state;
    struct tls_ctx c, s;
    struct pair p;
    contexts(&c, &s, NULL);
    assert_int_equal(open_pair(&p, &c, &s, NULL, NULL), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    assert_int_equal(SSL_version(p.cli), TLS1_3_VERSION);
    shutdown(p.fd[1], SHUT_RDWR);
    char buf[16];
    size_t got;
    enum tls_result r = TLS_WANT_READ;
    for (int i = 0; i < 10 && r == TLS_WANT_READ; i++)
        r = tls_read(p.cli, buf, sizeof(buf), &got);
    assert_int_equal(r, TLS_EOF);
    close_pair(&p);
    tls_close(&c);
    tls_close(&s);
}

static void test_alpn_ciphers_groups(void **state)
{
    (void)state;
    char err[256];
    struct tls_ctx c, s;
    struct tls_opts so = {.alpn = "http/1.1,netrig", .groups = "P-256"};
    struct tls_opts co = {.version = "1.2",
                          .alpn = "h2,http/1.1",
                          .ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305",
                          .groups = "P-256"};
    assert_int_equal(tls_server_init(&s, &so, err, sizeof(err)), 0);
    assert_int_equal(tls_client_init(&c, &co, err, sizeof(err)), 0);
    struct pair p;
    assert_int_equal(open_pair(&p, &c, &s, NULL, NULL), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    const unsigned char *proto;
    unsigned int len;
    SSL_get0_alpn_selected(p.cli, &proto, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(proto, "http/1.1", 8);
    assert_string_equal(SSL_CIPHER_get_name(SSL_get_current_cipher(p.cli)),
                        "ECDHE-ECDSA-CHACHA20-POLY1305");
    assert_int_equal(tls_conn_overhead(p.cli), 21);
    close_pair(&p);
    tls_close(&c);
    tls_close(&s);
}

static void test_bad_options(void **state)
{
    (void)state;
    char err[256] = "";
    struct tls_ctx t;
    struct tls_opts o = {.version = "1.4"};
    assert_int_equal(tls_client_init(&t, &o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "1.4"));
    struct tls_opts o2 = {.ciphers = "NO-SUCH-CIPHER"};
    assert_int_equal(tls_server_init(&t, &o2, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ciphers"));
    struct tls_opts o3 = {.cert = "/nonexistent/cert.pem"};
    assert_int_equal(tls_server_init(&t, &o3, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/cert.pem"));
    struct tls_opts o4 = {.verify = true};
    assert_int_equal(tls_client_init(&t, &o4, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cafile"));
}

/* Verification against the server's own (ephemeral) certificate written
 * out as the CA file: the right name passes, a wrong one fails. */
static void test_verify(void **state)
{
    (void)state;
    char err[256], path[] = "/tmp/netrig-test-ca-XXXXXX";
    struct tls_ctx c, s;
    struct tls_opts so = {0};
    assert_int_equal(tls_server_init(&s, &so, err, sizeof(err)), 0);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_int_equal(PEM_write_X509(f, SSL_CTX_get0_certificate(s.ctx)), 1);
    fclose(f);
    struct tls_opts co = {.verify = true, .cafile = path};
    assert_int_equal(tls_client_init(&c, &co, err, sizeof(err)), 0);
    struct pair p;
    assert_int_equal(open_pair(&p, &c, &s, "localhost", NULL), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    close_pair(&p);
    assert_int_equal(open_pair(&p, &c, &s, "127.0.0.1", NULL), 0);
    assert_int_equal(handshake(&p), TLS_OK);
    close_pair(&p);
    assert_int_equal(open_pair(&p, &c, &s, "example.com", NULL), 0);
    assert_int_equal(handshake(&p), TLS_ERR);
    assert_int_equal(SSL_get_verify_result(p.cli), X509_V_ERR_HOSTNAME_MISMATCH);
    close_pair(&p);
    unlink(path);
    tls_close(&c);
    tls_close(&s);
}

static void test_overhead(void **state)
{
    (void)state;
    const SSL_CIPHER *gcm13 = tls_cipher_find("TLS_AES_128_GCM_SHA256");
    const SSL_CIPHER *gcm12 = tls_cipher_find("ECDHE-ECDSA-AES256-GCM-SHA384");
    const SSL_CIPHER *cha12 = tls_cipher_find("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    const SSL_CIPHER *cbc12 = tls_cipher_find("ECDHE-RSA-AES128-SHA");
    assert_non_null(gcm13);
    assert_non_null(gcm12);
    assert_non_null(cha12);
    assert_non_null(cbc12);
    assert_null(tls_cipher_find("NO-SUCH"));
    assert_int_equal(tls_record_overhead(TLS1_3_VERSION, gcm13), 22);
    assert_int_equal(tls_record_overhead(TLS1_2_VERSION, gcm12), 29);
    assert_int_equal(tls_record_overhead(TLS1_2_VERSION, cha12), 21);
    assert_int_equal(tls_record_overhead(TLS1_2_VERSION, cbc12), 5 + 16 + 20 + 16);
    assert_int_equal(tls_record_overhead(TLS1_1_VERSION, gcm12), -1);
    assert_int_equal(tls_wire_bytes(0, 22), 0);
    assert_int_equal(tls_wire_bytes(1, 22), 23);
    assert_int_equal(tls_wire_bytes(TLS_MAX_RECORD, 22), TLS_MAX_RECORD + 22);
    assert_int_equal(tls_wire_bytes(2 * TLS_MAX_RECORD + 1, 22), 2 * TLS_MAX_RECORD + 1 + 66);
}

static void test_calibration(void **state)
{
    (void)state;
    static const char *const names[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                        "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-AES128-SHA"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        double r = tls_cipher_rate(tls_cipher_find(names[i]), TLS_MAX_RECORD, 0.02);
        if (!(r > 1e6))
            fail_msg("%s: rate %g bytes/s", names[i], r);
    }
    assert_true(tls_cipher_rate(NULL, 100, 0.01) < 0);
    assert_true(tls_cipher_rate(tls_cipher_find("TLS_AES_128_CCM_SHA256"), 100, 0.01) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13),
        cmocka_unit_test(test_tls12),
        cmocka_unit_test(test_bare_close_is_eof),
        cmocka_unit_test(test_alpn_ciphers_groups),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_overhead),
        cmocka_unit_test(test_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
