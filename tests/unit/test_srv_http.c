/* How the server's shared port tells a connection's first bytes apart:
 * netrig control frames and hellos, TLS, HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "srv_http.h"

static enum srv_first classify(const char *s)
{
    return srv_http_classify((const unsigned char *)s, strlen(s));
}

static void test_kinds(void **state)
{
    (void)state;
    assert_int_equal(classify(""), SRV_FIRST_WAIT);
    assert_int_equal(classify("NRGC"), SRV_FIRST_NETRIG);
    assert_int_equal(classify("NRGD"), SRV_FIRST_NETRIG);
    assert_int_equal(classify("NR"), SRV_FIRST_WAIT);
    assert_int_equal(classify("GET "), SRV_FIRST_HTTP);
    assert_int_equal(classify("NOTI"), SRV_FIRST_HTTP);
    assert_int_equal(classify("\x16\x03\x01"), SRV_FIRST_TLS);
    assert_int_equal(classify("\x01\x02"), SRV_FIRST_NETRIG);
}

/* RFC 9112 2.2: a server ignores at least one empty line before the
 * request line; such a request is HTTP, not a broken control frame. */
static void test_leading_crlf(void **state)
{
    (void)state;
    assert_int_equal(classify("\r\nGE"), SRV_FIRST_HTTP);
    assert_int_equal(classify("\r\n\r\n"), SRV_FIRST_HTTP);
    assert_int_equal(classify("\r"), SRV_FIRST_WAIT);
    assert_int_equal(classify("\r\n"), SRV_FIRST_HTTP);
    assert_int_equal(classify("\r\nNRG"), SRV_FIRST_HTTP);
    assert_int_equal(classify("\rX"), SRV_FIRST_NETRIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_leading_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
