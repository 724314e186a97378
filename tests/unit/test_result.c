#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "result.h"

/* Writes r as header + row and reads it back. */
static void roundtrip(const struct test_result *r, struct test_result *back)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    result_csv_header(m);
    result_csv_row(m, r);
    fclose(m);
    char *nl = strstr(buf, "\r\n");
    assert_non_null(nl);
    *nl = '\0';
    char err[128];
    assert_int_equal(result_csv_parse(buf, nl + 2, back, err, sizeof(err)), 0);
    free(buf);
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct test_result r, b;
    result_init(&r);
    strcpy(r.step, "tcp, \"quoted\" step");
    strcpy(r.proto, "tcp");
    r.repeat = 3;
    r.goodput_bps = 123456789.25;
    r.lat_p99_us = 17;
    strcpy(r.model_ok, "yes");
    roundtrip(&r, &b);
    assert_string_equal(b.step, r.step);
    assert_string_equal(b.proto, "tcp");
    assert_int_equal(b.repeat, 3);
    assert_true(b.goodput_bps == r.goodput_bps);
    assert_true(b.lat_p99_us == 17);
    assert_true(isnan(b.loss_pct));
    assert_string_equal(b.model_ok, "yes");
}

/* A field longer than its column's storage is cut, never overflows. */
static void test_long_fields_are_bounded(void **state)
{
    (void)state;
    struct test_result b;
    char header[] = "proto,tls_cipher,model_ok";
    char row[700];
    memset(row, 'x', sizeof(row));
    row[sizeof(row) - 1] = '\0';
    row[200] = ',';
    row[400] = ',';
    char err[128];
    assert_int_equal(result_csv_parse(header, row, &b, err, sizeof(err)), 0);
    assert_int_equal(strlen(b.proto), sizeof(b.proto) - 1);
    assert_int_equal(strlen(b.tls_cipher), sizeof(b.tls_cipher) - 1);
    assert_int_equal(strlen(b.model_ok), sizeof(b.model_ok) - 1);
}

static void test_bad_rows(void **state)
{
    (void)state;
    struct test_result b;
    char err[128];
    assert_int_equal(result_csv_parse("a,b", "1", &b, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "1 fields"));
    assert_int_equal(result_csv_parse("goodput_bps", "fast", &b, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "goodput_bps"));
    assert_int_equal(result_csv_parse("step", "\"open", &b, err, sizeof(err)), -1);
}

static void test_every_column_has_a_field(void **state)
{
    (void)state;
    for (const struct result_column *c = result_columns; c->name; c++) {
        if (c->offset == (size_t)-1)
            continue;
        assert_true(c->offset + c->size <= sizeof(struct test_result));
        if (c->kind == COL_DBL)
            assert_int_equal(c->size, sizeof(double));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_long_fields_are_bounded),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_every_column_has_a_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
