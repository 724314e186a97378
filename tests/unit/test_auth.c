#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

static const char key_a[] = "0123456789abcdef-right-key";
static const char key_b[] = "0123456789abcdef-wrong-key";

static void set_key(struct auth_key *k, const char *s)
{
    char err[128];
    assert_int_equal(auth_key_set(k, s, strlen(s), err, sizeof(err)), 0);
}

/* Runs one exchange between a client holding ck and a server holding sk.
 * Returns the server's verdict; *client_ok gets the client's. */
static int exchange(const struct auth_key *ck, const struct auth_key *sk, int *client_ok)
{
    struct auth_client c = {0};
    struct auth_server s = {0};
    uint8_t m1[AUTH_MSG_LEN], m2[AUTH_MSG_LEN], m3[AUTH_MSG_LEN], m4[AUTH_MSG_LEN];
    char err[256];
    assert_int_equal(auth_client_hello(&c, m1, err, sizeof(err)), 0);
    assert_int_equal(auth_server_hello(&s, m1, sizeof(m1), m2, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c, ck, m2, sizeof(m2), m3, err, sizeof(err)), 0);
    int srv = auth_server_proof(&s, sk, m3, sizeof(m3), m4, err, sizeof(err));
    *client_ok = auth_client_finish(&c, ck, m4, sizeof(m4), err, sizeof(err));
    return srv;
}

static void test_right_key_accepted(void **state)
{
    (void)state;
    struct auth_key k;
    set_key(&k, key_a);
    int cok = -1;
    assert_int_equal(exchange(&k, &k, &cok), 0);
    assert_int_equal(cok, 0);
}

static void test_wrong_key_refused(void **state)
{
    (void)state;
    struct auth_key ka, kb;
    set_key(&ka, key_a);
    set_key(&kb, key_b);
    int cok = 0;
    assert_int_equal(exchange(&kb, &ka, &cok), -1);
    assert_int_equal(cok, -1);
    /* A key that is a prefix of the right one is a different key too. */
    struct auth_key kp;
    char err[128];
    assert_int_equal(auth_key_set(&kp, key_a, strlen(key_a) - 1, err, sizeof(err)), 0);
    assert_int_equal(exchange(&kp, &ka, &cok), -1);
}

static void test_fail_reason_reaches_client(void **state)
{
    (void)state;
    struct auth_key ka, kb;
    set_key(&ka, key_a);
    set_key(&kb, key_b);
    struct auth_client c = {0};
    struct auth_server s = {0};
    uint8_t m1[AUTH_MSG_LEN], m2[AUTH_MSG_LEN], m3[AUTH_MSG_LEN], m4[AUTH_MSG_LEN];
    char err[256] = "";
    assert_int_equal(auth_client_hello(&c, m1, err, sizeof(err)), 0);
    assert_int_equal(auth_server_hello(&s, m1, sizeof(m1), m2, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c, &kb, m2, sizeof(m2), m3, err, sizeof(err)), 0);
    assert_int_equal(auth_server_proof(&s, &ka, m3, sizeof(m3), m4, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong key"));
    err[0] = '\0';
    assert_int_equal(auth_client_finish(&c, &kb, m4, sizeof(m4), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong key"));

    /* A server without a key refuses a HELLO with its own reason. */
    struct auth_client c2 = {0};
    assert_int_equal(auth_client_hello(&c2, m1, err, sizeof(err)), 0);
    auth_server_refuse(AUTH_REASON_NO_PSK, m2);
    assert_int_equal(auth_client_challenge(&c2, &kb, m2, sizeof(m2), m3, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "does not use --psk"));
}

/* A proof recorded on one connection is refused on the next, whose
 * challenge is fresh; an OK recorded for one client nonce does not
 * satisfy another client. */
static void test_replay_refused(void **state)
{
    (void)state;
    struct auth_key k;
    set_key(&k, key_a);
    char err[256];
    struct auth_client c1 = {0};
    struct auth_server s1 = {0};
    uint8_t h1[AUTH_MSG_LEN], ch1[AUTH_MSG_LEN], p1[AUTH_MSG_LEN], ok1[AUTH_MSG_LEN];
    assert_int_equal(auth_client_hello(&c1, h1, err, sizeof(err)), 0);
    assert_int_equal(auth_server_hello(&s1, h1, sizeof(h1), ch1, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c1, &k, ch1, sizeof(ch1), p1, err, sizeof(err)), 0);
    assert_int_equal(auth_server_proof(&s1, &k, p1, sizeof(p1), ok1, err, sizeof(err)), 0);

    /* An eavesdropper replays HELLO and PROOF to a new connection. */
    struct auth_server s2 = {0};
    uint8_t ch2[AUTH_MSG_LEN], out[AUTH_MSG_LEN];
    assert_int_equal(auth_server_hello(&s2, h1, sizeof(h1), ch2, err, sizeof(err)), 0);
    assert_memory_not_equal(ch1 + 8, ch2 + 8, AUTH_NONCE_LEN);
    assert_int_equal(auth_server_proof(&s2, &k, p1, sizeof(p1), out, err, sizeof(err)), -1);
    assert_int_equal(out[5], AUTH_FAIL);

    /* A fake server replays the recorded challenge and OK to a client. */
    struct auth_client c2 = {0};
    uint8_t h2[AUTH_MSG_LEN], p2[AUTH_MSG_LEN];
    assert_int_equal(auth_client_hello(&c2, h2, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c2, &k, ch1, sizeof(ch1), p2, err, sizeof(err)), 0);
    assert_int_equal(auth_client_finish(&c2, &k, ok1, sizeof(ok1), err, sizeof(err)), -1);

    /* Reflecting the client's own proof as the OK does not work either. */
    struct auth_client c3 = {0};
    uint8_t h3[AUTH_MSG_LEN], ch3[AUTH_MSG_LEN], p3[AUTH_MSG_LEN];
    struct auth_server s3 = {0};
    assert_int_equal(auth_client_hello(&c3, h3, err, sizeof(err)), 0);
    assert_int_equal(auth_server_hello(&s3, h3, sizeof(h3), ch3, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c3, &k, ch3, sizeof(ch3), p3, err, sizeof(err)), 0);
    p3[5] = AUTH_OK;
    assert_int_equal(auth_client_finish(&c3, &k, p3, sizeof(p3), err, sizeof(err)), -1);
}

static void test_truncated_refused(void **state)
{
    (void)state;
    struct auth_key k;
    set_key(&k, key_a);
    char err[256];
    struct auth_client c = {0};
    struct auth_server s = {0};
    struct auth_msg m;
    uint8_t h[AUTH_MSG_LEN], ch[AUTH_MSG_LEN], p[AUTH_MSG_LEN], out[AUTH_MSG_LEN];
    assert_int_equal(auth_client_hello(&c, h, err, sizeof(err)), 0);
    /* Every prefix is "incomplete", never a message, never an over-read. */
    for (size_t n = 0; n < AUTH_MSG_LEN; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, h, n);
        assert_int_equal(auth_decode(cut, n, &m, err, sizeof(err)), 0);
        free(cut);
    }
    assert_int_equal(auth_decode(h, sizeof(h), &m, err, sizeof(err)), AUTH_MSG_LEN);
    /* The state machine wants whole messages. */
    assert_int_equal(auth_server_hello(&s, h, AUTH_MSG_LEN - 1, ch, err, sizeof(err)), -1);
    assert_int_equal(ch[5], AUTH_FAIL);
    struct auth_server s2 = {0};
    assert_int_equal(auth_server_hello(&s2, h, sizeof(h), ch, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c, &k, ch, AUTH_MSG_LEN - 8, p, err, sizeof(err)), -1);
    struct auth_client c2 = {0};
    assert_int_equal(auth_client_hello(&c2, h, err, sizeof(err)), 0);
    struct auth_server s3 = {0};
    assert_int_equal(auth_server_hello(&s3, h, sizeof(h), ch, err, sizeof(err)), 0);
    assert_int_equal(auth_client_challenge(&c2, &k, ch, sizeof(ch), p, err, sizeof(err)), 0);
    assert_int_equal(auth_server_proof(&s3, &k, p, AUTH_MSG_LEN - 1, out, err, sizeof(err)), -1);
}

static void test_malformed_and_out_of_order(void **state)
{
    (void)state;
    struct auth_key k;
    set_key(&k, key_a);
    char err[256];
    struct auth_msg m;
    uint8_t h[AUTH_MSG_LEN], ch[AUTH_MSG_LEN], out[AUTH_MSG_LEN];
    struct auth_client c = {0};
    assert_int_equal(auth_client_hello(&c, h, err, sizeof(err)), 0);

    uint8_t bad[AUTH_MSG_LEN];
    memcpy(bad, h, sizeof(bad));
    bad[0] = 'X';
    assert_int_equal(auth_decode(bad, 1, &m, err, sizeof(err)), -1);
    memcpy(bad, h, sizeof(bad));
    bad[4] = 9;
    assert_int_equal(auth_decode(bad, 5, &m, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "version"));
    memcpy(bad, h, sizeof(bad));
    bad[5] = 0;
    assert_int_equal(auth_decode(bad, sizeof(bad), &m, err, sizeof(err)), -1);
    bad[5] = AUTH_FAIL + 1;
    assert_int_equal(auth_decode(bad, sizeof(bad), &m, err, sizeof(err)), -1);

    /* A PROOF before the HELLO, or a second HELLO, is refused. */
    struct auth_server s = {0};
    assert_int_equal(auth_server_proof(&s, &k, h, sizeof(h), out, err, sizeof(err)), -1);
    struct auth_server s2 = {0};
    assert_int_equal(auth_server_hello(&s2, h, sizeof(h), ch, err, sizeof(err)), 0);
    assert_int_equal(auth_server_hello(&s2, h, sizeof(h), out, err, sizeof(err)), -1);
    assert_int_equal(out[5], AUTH_FAIL);
    assert_int_equal(out[6], AUTH_REASON_PROTO);
    /* A HELLO where the server wants the PROOF. */
    struct auth_server s3 = {0};
    assert_int_equal(auth_server_hello(&s3, h, sizeof(h), ch, err, sizeof(err)), 0);
    assert_int_equal(auth_server_proof(&s3, &k, h, sizeof(h), out, err, sizeof(err)), -1);
    /* The client's finish before its proof. */
    struct auth_client c2 = {0};
    assert_int_equal(auth_client_hello(&c2, h, err, sizeof(err)), 0);
    assert_int_equal(auth_client_finish(&c2, &k, ch, sizeof(ch), err, sizeof(err)), -1);
    assert_true(auth_is_auth(h, sizeof(h)));
    assert_false(auth_is_auth((const uint8_t *)"NRGC", 4));
    assert_false(auth_is_auth(h, 3));
}

static void write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/netrig-auth-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[512];
    snprintf(path, sizeof(path), "%s/psk", dir);
    struct auth_key k, want;
    set_key(&want, key_a);

    /* A trailing newline (as an editor or echo leaves) is not key. */
    char text[64];
    int n = snprintf(text, sizeof(text), "%s\n", key_a);
    write_file(path, text, (size_t)n, 0600);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), 0);
    assert_int_equal(k.len, want.len);
    assert_memory_equal(k.k, want.k, want.len);
    n = snprintf(text, sizeof(text), "%s\r\n", key_a);
    write_file(path, text, (size_t)n, 0400);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), 0);
    assert_int_equal(k.len, want.len);

    /* Readable by others: refused, with the fix in the message. */
    write_file(path, key_a, strlen(key_a), 0644);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "chmod 600"));
    assert_non_null(strstr(err, path));

    /* Too short, empty, too long. */
    write_file(path, "short\n", 6, 0600);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "is 5"));
    write_file(path, "", 0, 0600);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), -1);
    char *big = malloc(5000);
    memset(big, 'x', 5000);
    write_file(path, big, 5000, 0600);
    free(big);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "5000"));

    unlink(path);
    assert_int_equal(auth_key_load(path, &k, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(auth_key_load(dir, &k, err, sizeof(err)), -1);
    rmdir(dir);
    auth_key_wipe(&k);
    assert_int_equal(k.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_right_key_accepted),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_fail_reason_reaches_client),
        cmocka_unit_test(test_replay_refused),
        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_malformed_and_out_of_order),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
