/* permessage-deflate tests: the negotiation (offers the server takes or
 * passes over, answers the client accepts or refuses, values parsed from
 * the end of a page that a PROT_NONE page follows, so an over-read
 * crashes), and messages compressed and inflated back, with and without
 * context takeover, RFC 7692's own example, and a compression bomb stopped
 * at the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_page.h"
#include "ws_deflate.h"
#include "ws_ext.h"

static const char *at_end(const char *s)
{
    size_t n = strlen(s);
    return guard_copy(s, n);
}

static int choose(const char *s, struct ws_ext *e)
{
    return ws_ext_choose(at_end(s), strlen(s), e);
}

static int check(const char *s, struct ws_ext *e, const char **why)
{
    return ws_ext_answer_check(at_end(s), strlen(s), e, why);
}

static void test_choose(void **state)
{
    (void)state;
    struct ws_ext e;
    assert_int_equal(choose(WS_EXT_OFFER, &e), 1);
    assert_true(e.on && !e.server_nct && !e.client_nct);
    assert_int_equal(e.server_bits, 15);
    /* python3-websockets' default offer */
    assert_int_equal(choose("permessage-deflate; client_max_window_bits=12; "
                            "server_max_window_bits=12",
                            &e),
                     1);
    assert_int_equal(e.server_bits, 12);
    assert_int_equal(e.client_bits, 15);
    assert_int_equal(choose("PerMessage-Deflate;server_no_context_takeover;"
                            "client_no_context_takeover;server_max_window_bits=\"10\"",
                            &e),
                     1);
    assert_true(e.server_nct && e.client_nct);
    assert_int_equal(e.server_bits, 10);
    /* The first offer it can honour: an unknown parameter, a repeated one,
     * a bad value or a window zlib cannot use pass an offer over. */
    assert_int_equal(choose("x-webkit-deflate-frame, permessage-deflate; foo, "
                            "permessage-deflate; server_max_window_bits=8, "
                            "permessage-deflate; server_max_window_bits=16, "
                            "permessage-deflate; server_no_context_takeover; "
                            "server_no_context_takeover, "
                            "permessage-deflate; server_no_context_takeover=1, "
                            "permessage-deflate; server_max_window_bits=09, "
                            "permessage-deflate; server_max_window_bits, "
                            "permessage-deflate; server_max_window_bits=11",
                            &e),
                     1);
    assert_int_equal(e.server_bits, 11);
    assert_false(e.server_nct);
    assert_int_equal(choose("x-other", &e), 0);
    assert_int_equal(choose("", &e), 0);
    assert_int_equal(choose("permessage-deflate; server_max_window_bits=\"10", &e), 0);
    assert_int_equal(choose("permessage-deflate;", &e), 0);
    assert_int_equal(choose("permessage-deflate x", &e), 0);
    assert_int_equal(choose("permessage-deflate; a; b; c; d; e; f; g; h; i", &e), 0);
}

static void test_answer_write(void **state)
{
    (void)state;
    char buf[128];
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    assert_int_equal(ws_ext_answer_write(&e, buf, sizeof(buf)), 18);
    assert_string_equal(buf, "permessage-deflate");
    e = (struct ws_ext){true, true, true, 12, 15};
    assert_true(ws_ext_answer_write(&e, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "permessage-deflate; server_no_context_takeover; "
                             "client_no_context_takeover; server_max_window_bits=12");
    assert_int_equal(ws_ext_answer_write(&e, buf, 20), -1);
    /* What the server writes, the client accepts as written. */
    struct ws_ext back;
    const char *why;
    assert_int_equal(ws_ext_answer_write(&e, buf, sizeof(buf)) > 0, 1);
    assert_int_equal(check(buf, &back, &why), 0);
    assert_true(back.server_nct && back.client_nct);
    assert_int_equal(back.server_bits, 12);
}

static void test_answer_check(void **state)
{
    (void)state;
    struct ws_ext e;
    const char *why;
    assert_int_equal(check("permessage-deflate", &e, &why), 0);
    assert_int_equal(e.client_bits, 15);
    assert_int_equal(check("permessage-deflate; client_max_window_bits=9; "
                           "server_max_window_bits=12; client_no_context_takeover",
                           &e, &why),
                     0);
    assert_int_equal(e.client_bits, 9);
    assert_int_equal(e.server_bits, 12);
    assert_true(e.client_nct && !e.server_nct);
    static const char *const bad[] = {
        "permessage-deflate, permessage-deflate",
        "x-webkit-deflate-frame",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=1x",
        "permessage-deflate; server_no_context_takeover=yes",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; mystery",
        "permessage-deflate;;",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(check(bad[i], &e, &why), -1);
        assert_non_null(why);
    }
}

/* --- the data path ------------------------------------------------------ */

struct sink {
    uint8_t *buf;
    size_t len, cap;
};

static unsigned collect(void *arg, const uint8_t *p, size_t n)
{
    struct sink *s = arg;
    assert_true(s->len + n <= s->cap);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

static size_t squeeze(struct ws_deflate *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t len = 0, used = 0;
    /* in two pieces, as a sender feeding its payload in parts */
    assert_int_equal(ws_deflate_put(z, in, n / 2, false, out, cap, &len, &used), 0);
    assert_int_equal(used, n / 2);
    assert_int_equal(ws_deflate_put(z, in + n / 2, n - n / 2, true, out, cap, &len, &used), 0);
    return len;
}

/* Inflated back in pieces of 7 bytes (frames split anywhere). */
static void expand(struct ws_deflate *z, const uint8_t *in, size_t n, struct sink *s)
{
    s->len = 0;
    for (size_t off = 0; off < n; off += 7) {
        size_t k = n - off < 7 ? n - off : 7;
        assert_int_equal(ws_deflate_take(z, in + off, k, off + k == n, 1 << 20, collect, s), 0);
    }
}

static void pair(struct ws_deflate *c, struct ws_deflate *s, const struct ws_ext *e)
{
    char err[128];
    assert_int_equal(ws_deflate_init(c, e, WS_CLIENT, err, sizeof(err)), 0);
    assert_int_equal(ws_deflate_init(s, e, WS_SERVER, err, sizeof(err)), 0);
}

/* The same message three times: with context takeover (takeover 1) the
 * second goes as a back-reference and is smaller; without (0), every one
 * is the same size; -1: a window smaller than the message, no check. */
static void round_trips(const struct ws_ext *e, int takeover)
{
    struct ws_deflate c, s;
    pair(&c, &s, e);
    uint8_t msg[3000], out[4096], back[4096];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)((i * 7919u) % 251u ^ (i / 300u));
    struct sink k = {back, 0, sizeof(back)};
    size_t first = 0;
    for (int r = 0; r < 3; r++) {
        size_t n = squeeze(&c, msg, sizeof(msg), out, sizeof(out));
        expand(&s, out, n, &k);
        assert_int_equal(k.len, sizeof(msg));
        assert_memory_equal(back, msg, sizeof(msg));
        if (r == 0)
            first = n;
        else if (takeover > 0)
            assert_true(n < first / 4);
        else if (takeover == 0)
            assert_int_equal(n, first);
        /* and the server's way back */
        n = squeeze(&s, msg, sizeof(msg), out, sizeof(out));
        expand(&c, out, n, &k);
        assert_memory_equal(back, msg, sizeof(msg));
    }
    /* A message that did not fit is dropped; the next one reads well
     * after the context the peer kept. */
    size_t len = 0, used = 0;
    assert_int_equal(ws_deflate_put(&c, msg, sizeof(msg), true, out, 8, &len, &used), -1);
    ws_deflate_drop(&c);
    size_t n = squeeze(&c, msg, 100, out, sizeof(out));
    expand(&s, out, n, &k);
    assert_int_equal(k.len, 100);
    assert_memory_equal(back, msg, 100);
    ws_deflate_free(&c);
    ws_deflate_free(&s);
    ws_deflate_free(&s); /* twice is harmless */
}

static void test_takeover(void **state)
{
    (void)state;
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    round_trips(&e, 1);
    e.client_bits = 9;
    e.server_bits = 10;
    round_trips(&e, -1);
}

static void test_no_takeover(void **state)
{
    (void)state;
    struct ws_ext e = {true, true, true, 15, 15};
    round_trips(&e, 0);
}

/* RFC 7692 7.2.3.1: "Hello" as one message, and an empty message. */
static void test_rfc_example(void **state)
{
    (void)state;
    static const uint8_t hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    struct ws_deflate c, s;
    pair(&c, &s, &e);
    uint8_t out[64], back[64];
    size_t n = squeeze(&c, (const uint8_t *)"Hello", 5, out, sizeof(out));
    assert_int_equal(n, sizeof(hello));
    assert_memory_equal(out, hello, sizeof(hello));
    struct sink k = {back, 0, sizeof(back)};
    expand(&s, hello, sizeof(hello), &k);
    assert_int_equal(k.len, 5);
    assert_memory_equal(back, "Hello", 5);
    /* the same in two frames (7.2.3.2's split) */
    k.len = 0;
    assert_int_equal(ws_deflate_take(&s, hello, 3, false, 0, collect, &k), 0);
    assert_int_equal(ws_deflate_take(&s, hello + 3, 4, true, 0, collect, &k), 0);
    assert_int_equal(k.len, 5);
    /* an empty message is one byte, 00; again right after one (when zlib
     * has nothing to flush) */
    for (int i = 0; i < 2; i++) {
        size_t used = 0;
        n = 0; /* the flush alone, as a sender with nothing to add does */
        assert_int_equal(ws_deflate_put(&c, out, 0, true, out, sizeof(out), &n, &used), 0);
        assert_int_equal(n, 1);
        assert_int_equal(out[0], 0);
        expand(&s, out, 1, &k);
        assert_int_equal(k.len, 0);
    }
    n = squeeze(&c, (const uint8_t *)"Hello", 5, out, sizeof(out));
    expand(&s, out, n, &k);
    assert_int_equal(k.len, 5);
    assert_memory_equal(back, "Hello", 5);
    /* garbage is refused with 1007 */
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ws_deflate_take(&s, junk, 4, true, 0, collect, &k), 1007);
    ws_deflate_free(&c);
    ws_deflate_free(&s);
}

/* A bomb: 8 MiB of zeros compress to some 8 KiB; inflating stops with
 * 1009 at a 1 MiB limit having produced no more than the limit, and the
 * next message inflates normally. Output too small for the compressed
 * message asks for more room, and goes on where it stopped. */
static unsigned count(void *arg, const uint8_t *p, size_t n)
{
    (void)p;
    *(uint64_t *)arg += n;
    return 0;
}

static void test_bomb(void **state)
{
    (void)state;
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    struct ws_deflate c, s;
    pair(&c, &s, &e);
    size_t big = 8u << 20, cap = 64 * 1024;
    uint8_t *zeros = calloc(1, big), *out = malloc(cap);
    assert_non_null(zeros);
    assert_non_null(out);
    size_t len = 0, used = 0;
    assert_int_equal(ws_deflate_put(&c, zeros, big, true, out, 1000, &len, &used), -1);
    assert_int_equal(len, 1000);
    assert_int_equal(ws_deflate_put(&c, zeros + used, big - used, true, out, cap, &len, &used), 0);
    assert_true(len < 16 * 1024);
    uint64_t got = 0;
    assert_int_equal(ws_deflate_take(&s, out, len, true, 1u << 20, count, &got), 1009);
    assert_true(got <= 1u << 20);
    got = 0;
    assert_int_equal(ws_deflate_take(&s, out, len, true, 0, count, &got), 0); /* after a reset */
    assert_int_equal(got, big);
    ws_deflate_free(&c);
    ws_deflate_free(&s);
    free(zeros);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose),       cmocka_unit_test(test_answer_write),
        cmocka_unit_test(test_answer_check), cmocka_unit_test(test_takeover),
        cmocka_unit_test(test_no_takeover),  cmocka_unit_test(test_rfc_example),
        cmocka_unit_test(test_bomb),
    };
    return cmocka_run_group_tests(tests, guard_setup, guard_teardown);
}
