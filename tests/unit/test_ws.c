/* WebSocket framing and handshake tests: RFC 6455's own examples, every
 * length form and its boundaries, each rule the parser enforces, masking
 * against a byte-at-a-time reference, UTF-8 edge cases, and the handshake
 * through the HTTP parser. Frame headers are parsed from the end of a page
 * that a PROT_NONE page follows, so any over-read crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_parse.h"
#include "ws_frame.h"
#include "guard_page.h"
#include "ws_handshake.h"

static int parse(const uint8_t *s, size_t n, enum ws_role role, uint64_t max, struct ws_frame *f)
{
    return ws_parse_header(guard_copy(s, n), n, role, max, f);
}

/* Every proper prefix of a complete header is incomplete. */
static void check_prefixes(const uint8_t *s, int hl, enum ws_role role)
{
    struct ws_frame f;
    for (int i = 0; i < hl; i++)
        assert_int_equal(parse(s, (size_t)i, role, 0, &f), WS_PARSE_INCOMPLETE);
}

static void test_rfc_examples(void **state)
{
    (void)state;
    struct ws_frame f;
    const uint8_t hello[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    assert_int_equal(parse(hello, sizeof(hello), WS_CLIENT, 0, &f), 2);
    assert_true(f.fin && f.opcode == WS_OP_TEXT && !f.masked && f.payload_len == 5);
    assert_int_equal(parse(hello, sizeof(hello), WS_SERVER, 0, &f), WS_PARSE_ERROR);
    assert_int_equal(f.close_code, 1002);

    uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    assert_int_equal(parse(masked, sizeof(masked), WS_SERVER, 0, &f), 6);
    assert_true(f.masked && f.payload_len == 5);
    ws_mask(masked + 6, 5, f.mask, 0);
    assert_memory_equal(masked + 6, "Hello", 5);
    assert_int_equal(parse(masked, sizeof(masked), WS_CLIENT, 0, &f), WS_PARSE_ERROR);
    check_prefixes(masked, 6, WS_SERVER);

    const uint8_t b256[] = {0x82, 0x7E, 0x01, 0x00};
    assert_int_equal(parse(b256, 4, WS_CLIENT, 0, &f), 4);
    assert_true(f.opcode == WS_OP_BINARY && f.payload_len == 256);
    const uint8_t b64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0};
    assert_int_equal(parse(b64k, 10, WS_CLIENT, 0, &f), 10);
    assert_true(f.payload_len == 65536);
    check_prefixes(b64k, 10, WS_CLIENT);
}

static void test_lengths_roundtrip(void **state)
{
    (void)state;
    const uint64_t lens[] = {0, 1, 125, 126, 127, 65535, 65536, 1u << 20, (1ull << 63) - 1};
    const uint8_t key[4] = {1, 2, 3, 4};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (int m = 0; m < 2; m++) {
            uint8_t h[WS_MAX_HEADER];
            unsigned n = ws_write_header(h, true, WS_OP_BINARY, lens[i], m ? key : NULL);
            assert_int_equal(n, ws_header_len(lens[i], m));
            struct ws_frame f;
            assert_int_equal(parse(h, n, m ? WS_SERVER : WS_CLIENT, 0, &f), (int)n);
            assert_true(f.payload_len == lens[i] && f.masked == (m != 0));
            if (m)
                assert_memory_equal(f.mask, key, 4);
            check_prefixes(h, (int)n, m ? WS_SERVER : WS_CLIENT);
        }
    }
    assert_int_equal(ws_header_len(125, false), 2);
    assert_int_equal(ws_header_len(126, false), 4);
    assert_int_equal(ws_header_len(65535, true), 8);
    assert_int_equal(ws_header_len(65536, true), 14);
}

static void expect_error(const uint8_t *s, size_t n, enum ws_role role, uint64_t max, unsigned code)
{
    struct ws_frame f;
    assert_int_equal(parse(s, n, role, max, &f), WS_PARSE_ERROR);
    assert_int_equal(f.close_code, code);
    assert_non_null(f.err);
}

static void test_rejects(void **state)
{
    (void)state;
    const uint8_t rsv[] = {0xC2, 0x00};
    expect_error(rsv, 2, WS_CLIENT, 0, 1002);
    const uint8_t op3[] = {0x83, 0x00}, opb[] = {0x8B, 0x00};
    expect_error(op3, 2, WS_CLIENT, 0, 1002);
    expect_error(opb, 2, WS_CLIENT, 0, 1002);
    const uint8_t bigping[] = {0x89, 0x7E, 0x00, 0x80};
    expect_error(bigping, 4, WS_CLIENT, 0, 1002);
    const uint8_t fragping[] = {0x09, 0x00};
    expect_error(fragping, 2, WS_CLIENT, 0, 1002);
    const uint8_t short16[] = {0x82, 0x7E, 0x00, 0x7D};
    expect_error(short16, 4, WS_CLIENT, 0, 1002);
    const uint8_t short64[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    expect_error(short64, 10, WS_CLIENT, 0, 1002);
    const uint8_t top[] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    expect_error(top, 14, WS_SERVER, 0, 1002);
    const uint8_t big[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 0x10, 0, 0};
    expect_error(big, 10, WS_CLIENT, (1 << 20) - 1, 1009); /* a 1 MiB frame */
    struct ws_frame f;
    assert_int_equal(parse(big, 10, WS_CLIENT, 1 << 20, &f), 10);
}

static void test_mask(void **state)
{
    (void)state;
    uint8_t a[300], b[300];
    const uint8_t key[4] = {0xde, 0xad, 0xbe, 0xef};
    srand(7);
    for (size_t n = 0; n < 40; n++) {
        for (uint64_t off = 0; off < 5; off++) {
            for (size_t i = 0; i < sizeof(a); i++)
                a[i] = b[i] = (uint8_t)rand();
            ws_mask(a + 1, n * 7, key, off); /* unaligned on purpose */
            for (size_t i = 0; i < n * 7; i++)
                b[1 + i] ^= key[(off + i) & 3];
            assert_memory_equal(a, b, sizeof(a));
        }
    }
    /* In pieces as a payload arrives: the same as in one go. */
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (uint8_t)i;
    ws_mask(a, sizeof(a), key, 0);
    ws_mask(b, 13, key, 0);
    ws_mask(b + 13, 100, key, 13);
    ws_mask(b + 113, sizeof(b) - 113, key, 113);
    assert_memory_equal(a, b, sizeof(a));
    /* Copying while masking gives what masking in place gives. */
    uint8_t c[300];
    for (size_t n = 0; n < 40; n++) {
        for (uint64_t off = 0; off < 5; off++) {
            for (size_t i = 0; i < sizeof(a); i++)
                a[i] = b[i] = c[i] = (uint8_t)rand();
            ws_mask(a + 3, n * 7, key, off);
            ws_mask_copy(c + 3, b + 3, n * 7, key, off);
            assert_memory_equal(a + 3, c + 3, n * 7);
            assert_memory_equal(c + 3 + n * 7, b + 3 + n * 7, sizeof(c) - 3 - n * 7);
        }
    }
}

static int utf8_ok(const char *s, size_t n)
{
    uint32_t st = 0;
    return ws_utf8_feed(&st, (const uint8_t *)s, n) && ws_utf8_done(st);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(utf8_ok("", 0));
    assert_true(utf8_ok("plain ascii text, longer than eight", 35));
    assert_true(utf8_ok("\xc2\x80\xdf\xbf", 4));
    assert_true(utf8_ok("\xe0\xa0\x80\xed\x9f\xbf\xef\xbf\xbf", 9));
    assert_true(utf8_ok("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8));
    assert_true(
        utf8_ok("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!", 26));
    const char *bad[] = {
        "\x80",         "\xc0\x80",         "\xc1\xbf",         "\xe0\x80\x80",     "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
        "abcdefgh\xfe"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(utf8_ok(bad[i], strlen(bad[i])));
    assert_false(utf8_ok("\xe2\x82", 2)); /* truncated: not done */
    uint32_t st = 0;
    assert_true(ws_utf8_feed(&st, (const uint8_t *)"\xf0\x9f", 2));
    assert_false(ws_utf8_done(st));
    assert_true(ws_utf8_feed(&st, (const uint8_t *)"\x98\x80", 2));
    assert_true(ws_utf8_done(st));
}

static struct ws_frame frame(bool fin, uint8_t op, uint64_t len)
{
    struct ws_frame f;
    memset(&f, 0, sizeof(f));
    f.fin = fin;
    f.opcode = op;
    f.payload_len = len;
    return f;
}

static void test_reader(void **state)
{
    (void)state;
    struct ws_reader r;
    memset(&r, 0, sizeof(r));
    struct ws_frame f = frame(true, WS_OP_CONT, 1);
    assert_int_equal(ws_reader_frame(&r, &f, 0), 1002);
    f = frame(false, WS_OP_TEXT, 3);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 0);
    f = frame(true, WS_OP_PING, 0);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 0);
    f = frame(false, WS_OP_BINARY, 1);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 1002);
    memset(&r, 0, sizeof(r));
    f = frame(false, WS_OP_TEXT, 3);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 0);
    f = frame(false, WS_OP_CONT, 7);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 0);
    f = frame(true, WS_OP_CONT, 1);
    assert_int_equal(ws_reader_frame(&r, &f, 10), 1009);
    memset(&r, 0, sizeof(r));
    f = frame(false, WS_OP_BINARY, 5);
    assert_int_equal(ws_reader_frame(&r, &f, 0), 0);
    f = frame(true, WS_OP_CONT, 5);
    assert_int_equal(ws_reader_frame(&r, &f, 0), 0);
    assert_false(r.in_message);
    assert_true(r.msg_len == 10 && r.msg_opcode == WS_OP_BINARY);
}

static void test_close_payload(void **state)
{
    (void)state;
    unsigned code;
    assert_int_equal(ws_close_parse(NULL, 0, &code), 0);
    assert_int_equal(code, 1005);
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03", 1, &code), 1002);
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03\xe8", 2, &code), 0);
    assert_int_equal(code, 1000);
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03\xe8"
                                                     "bye",
                                    5, &code),
                     0);
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03\xed", 2, &code), 1002); /* 1005 */
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03\xe7", 2, &code), 1002); /* 999 */
    assert_int_equal(ws_close_parse((const uint8_t *)"\x0b\xb8", 2, &code), 0);    /* 3000 */
    assert_int_equal(ws_close_parse((const uint8_t *)"\x13\x88", 2, &code), 1002); /* 5000 */
    assert_int_equal(ws_close_parse((const uint8_t *)"\x03\xe8\xff", 3, &code), 1007);
}

static long parse_req(const char *s, struct http_request *r, struct http_header *h)
{
    memset(r, 0, sizeof(*r));
    r->headers = h;
    r->max_headers = 16;
    return http_parse_request(s, strlen(s), NULL, r);
}

static void test_accept(void **state)
{
    (void)state;
    char acc[WS_ACCEPT_LEN + 1];
    ws_accept_for("dGhlIHNhbXBsZSBub25jZQ==", 24, acc);
    assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    char k1[WS_KEY_LEN + 1], k2[WS_KEY_LEN + 1];
    assert_int_equal(ws_key_new(k1), 0);
    assert_int_equal(ws_key_new(k2), 0);
    assert_int_equal(strlen(k1), 24);
    assert_string_not_equal(k1, k2);
}

/* permessage-deflate through the handshake: the client's offer, the
 * server's choice over several header lines, its answer in the 101, and
 * the client's check (an extension not offered is refused). */
/* The server's 101 for key (with the extension answer ext, or none)
 * written into buf and parsed back into resp, its headers in h (16). */
static void answer(char *buf, size_t cap, const char *key, size_t klen, const char *ext,
                   struct http_header *h, struct http_response *resp)
{
    int n = ws_response_write(buf, cap, key, klen, ext);
    assert_true(n > 0);
    memset(resp, 0, sizeof(*resp));
    resp->headers = h;
    resp->max_headers = 16;
    assert_int_equal(http_parse_response(buf, (size_t)n, false, NULL, resp), n);
}

static void test_handshake_deflate(void **state)
{
    (void)state;
    char key[WS_KEY_LEN + 1], buf[512];
    struct http_header h[16];
    struct http_request r;
    const char *k, *why;
    size_t kl;
    struct ws_ext e;
    assert_int_equal(ws_key_new(key), 0);
    assert_true(ws_request_write(buf, sizeof(buf), "h", "/ws/echo", key, WS_EXT_OFFER) > 0);
    assert_non_null(strstr(buf, "\r\nSec-WebSocket-Extensions: " WS_EXT_OFFER "\r\n"));
    assert_true(parse_req(buf, &r, h) > 0);
    assert_int_equal(ws_request_check(&r, &k, &kl, &why), 0);
    assert_int_equal(ws_request_deflate(&r, &e), 1);
    assert_true(parse_req("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Extensions: x-foo\r\n"
                          "Sec-WebSocket-Extensions: permessage-deflate; "
                          "server_no_context_takeover\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n",
                          &r, h) > 0);
    assert_int_equal(ws_request_deflate(&r, &e), 1);
    assert_true(e.server_nct);
    char ans[128];
    assert_true(ws_ext_answer_write(&e, ans, sizeof(ans)) > 0);
    struct http_response resp;
    answer(buf, sizeof(buf), key, WS_KEY_LEN, ans, h, &resp);
    const struct http_header *x = NULL;
    assert_int_equal(ws_response_check(&resp, key, true, &x, &why), 0);
    assert_non_null(x);
    struct ws_ext back;
    assert_int_equal(ws_ext_answer_check(x->value, x->value_len, &back, &why), 0);
    assert_true(back.server_nct);
    assert_int_equal(ws_response_check(&resp, key, false, &x, &why), -1);
    assert_string_equal(why, "server chose an extension that was not offered");
    /* a second line would be a second extension */
    assert_true(ws_response_write(buf, sizeof(buf), key, WS_KEY_LEN,
                                  "permessage-deflate\r\nSec-WebSocket-Extensions: x-more") > 0);
    memset(&resp, 0, sizeof(resp));
    resp.headers = h;
    resp.max_headers = 16;
    assert_true(http_parse_response(buf, strlen(buf), false, NULL, &resp) > 0);
    assert_int_equal(ws_response_check(&resp, key, true, &x, &why), -1);
    assert_string_equal(why, "more than one Sec-WebSocket-Extensions line");
    /* no offer: nothing chosen */
    assert_true(ws_request_write(buf, sizeof(buf), "h", "/ws/echo", key, NULL) > 0);
    assert_true(parse_req(buf, &r, h) > 0);
    assert_int_equal(ws_request_deflate(&r, &e), 0);
}

/* RSV1 is refused unless permessage-deflate was negotiated, and then
 * still on a continuation or a control frame (RFC 7692 6.1); RSV2 and
 * RSV3 always. */
static void test_rsv1(void **state)
{
    (void)state;
    struct ws_frame f;
    static const uint8_t first[] = {0xC2, 0x01, 0x00}; /* FIN RSV1 binary */
    static const uint8_t cont[] = {0xC0, 0x01, 0x00};  /* FIN RSV1 continuation */
    static const uint8_t ping[] = {0xC9, 0x00};        /* RSV1 ping */
    static const uint8_t rsv2[] = {0xA2, 0x01, 0x00};  /* RSV2 binary */
    assert_int_equal(parse(first, 3, WS_CLIENT, 0, &f), WS_PARSE_ERROR);
    assert_int_equal(f.close_code, WS_CLOSE_PROTOCOL);
    uint8_t *p = guard_copy(first, 3);
    assert_int_equal(ws_parse_header_ext(p, 3, WS_CLIENT, 0, true, &f), 2);
    assert_true(f.rsv1);
    struct ws_reader rd = {0};
    assert_int_equal(ws_reader_frame(&rd, &f, 0), 0);
    assert_true(rd.msg_deflated);
    memcpy(p, cont, 3);
    assert_int_equal(ws_parse_header_ext(p, 3, WS_CLIENT, 0, true, &f), WS_PARSE_ERROR);
    assert_int_equal(f.close_code, WS_CLOSE_PROTOCOL);
    memcpy(p, rsv2, 3);
    assert_int_equal(ws_parse_header_ext(p, 3, WS_CLIENT, 0, true, &f), WS_PARSE_ERROR);
    p = guard_copy(ping, 2);
    assert_int_equal(ws_parse_header_ext(p, 2, WS_CLIENT, 0, true, &f), WS_PARSE_ERROR);
    assert_int_equal(f.close_code, WS_CLOSE_PROTOCOL);
}

static void test_handshake(void **state)
{
    (void)state;
    char key[WS_KEY_LEN + 1], buf[512];
    struct http_header h[16];
    struct http_request r;
    const char *k, *why;
    size_t kl;
    assert_int_equal(ws_key_new(key), 0);
    assert_true(ws_request_write(buf, sizeof(buf), "127.0.0.1:7878", "/ws/echo", key, NULL) > 0);
    assert_true(parse_req(buf, &r, h) > 0);
    assert_true(ws_request_is_upgrade(&r));
    assert_int_equal(ws_request_check(&r, &k, &kl, &why), 0);
    assert_int_equal(kl, 24);
    assert_memory_equal(k, key, 24);

    struct http_response resp;
    answer(buf, sizeof(buf), k, kl, NULL, h, &resp);
    const struct http_header *x = NULL;
    assert_int_equal(ws_response_check(&resp, key, false, &x, &why), 0);
    assert_null(x);
    char other[WS_KEY_LEN + 1];
    assert_int_equal(ws_key_new(other), 0);
    assert_int_equal(ws_response_check(&resp, other, false, &x, &why), -1);
    assert_string_equal(why, "wrong Sec-WebSocket-Accept");
    assert_int_equal(ws_request_write(buf, 40, "h", "/p", key, NULL), -1);

    /* Tokens in lists and in any case are accepted. */
    assert_true(parse_req("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n"
                          "Connection: keep-alive, Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n",
                          &r, h) > 0);
    assert_int_equal(ws_request_check(&r, &k, &kl, &why), 0);
}

static void test_handshake_refusals(void **state)
{
    (void)state;
    struct {
        const char *req;
        int status;
    } cases[] = {
        {"POST /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
         426},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: short==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
        {"GET /ws HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         400},
    };
    struct http_header h[16];
    struct http_request r;
    const char *k, *why;
    size_t kl;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(parse_req(cases[i].req, &r, h) > 0);
        assert_int_equal(ws_request_check(&r, &k, &kl, &why), cases[i].status);
        assert_non_null(why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_examples),  cmocka_unit_test(test_lengths_roundtrip),
        cmocka_unit_test(test_rejects),       cmocka_unit_test(test_mask),
        cmocka_unit_test(test_utf8),          cmocka_unit_test(test_reader),
        cmocka_unit_test(test_close_payload), cmocka_unit_test(test_accept),
        cmocka_unit_test(test_handshake),     cmocka_unit_test(test_handshake_deflate),
        cmocka_unit_test(test_rsv1),          cmocka_unit_test(test_handshake_refusals),
    };
    return cmocka_run_group_tests(tests, guard_setup, guard_teardown);
}
