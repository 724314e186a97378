/* V2 encoding, compression, base64 and hostile-input decoding against the
 * vectors of the HDR histogram specification, section 7.5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hist.h"

#define HOUR_NS 3600000000LL

static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ' || *s == '|') {
            s++;
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static void small_vector(struct hist *h)
{
    assert_int_equal(hist_init(h, 1, 1000, 2), 0);
    assert_true(hist_record_n(h, 1, 2));
    assert_true(hist_record(h, 5));
    assert_true(hist_record_n(h, 300, 3));
}

static void classic_raw(struct hist *h)
{
    assert_int_equal(hist_init(h, 1, HOUR_NS, 3), 0);
    assert_true(hist_record_n(h, 1000, 10000));
    assert_true(hist_record(h, 100000000));
}

static void assert_same_counts(const struct hist *a, const struct hist *b)
{
    assert_int_equal(a->counts_len, b->counts_len);
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(hist_max(a), hist_max(b));
    assert_int_equal(hist_min(a), hist_min(b));
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof(int64_t));
}

static void check_encoding(const struct hist *h, const char *hex)
{
    uint8_t want[128], buf[4096];
    size_t n = unhex(hex, want);
    size_t got = hist_encode_v2(h, buf, sizeof(buf));
    assert_int_equal(got, n);
    assert_memory_equal(buf, want, n);
    struct hist back;
    char err[200];
    assert_int_equal(hist_decode(&back, buf, got, err, sizeof(err)), 0);
    assert_same_counts(h, &back);
    hist_close(&back);
}

static void test_encode_vectors(void **state)
{
    (void)state;
    struct hist h;
    small_vector(&h);
    check_encoding(&h, "1c849313 00000007 00000000 00000002 0000000000000001 00000000000003e8 "
                       "3ff0000000000000 | 00 04 05 02 9f04 06");
    hist_close(&h);

    assert_int_equal(hist_init(&h, 1, 1000, 3), 0);
    check_encoding(&h, "1c849313 00000001 00000000 00000003 0000000000000001 00000000000003e8 "
                       "3ff0000000000000 | 00");
    hist_close(&h);

    classic_raw(&h);
    check_encoding(&h, "1c849313 00000009 00000000 00000003 0000000000000001 00000000d693a400 "
                       "3ff0000000000000 | cf0f a09c01 978802 02");
    hist_close(&h);

    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_true(hist_record_n(&h, 1, 300));
    assert_true(hist_record_n(&h, 2048, 1));
    assert_true(hist_record_n(&h, 100000000, (int64_t)1 << 40));
    check_encoding(&h, "1c849313 0000000f 00000000 00000003 0000000000000001 00000000d693a400 "
                       "3ff0000000000000 | 00 d804 fb1f 02 e7f701 808080808040");
    hist_close(&h);
}

/* LEB128-64b9B ZigZag items, read back through a one-item payload. */
static void test_leb128_items(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        const char *hex;
    } v[] = {
        {1, "02"},
        {300, "d804"},
        {10000, "a09c01"},
        {(int64_t)1 << 40, "808080808040"},
        {(int64_t)1 << 62, "808080808080808080"},
        {INT64_MAX, "feffffffffffffffff"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct hist h;
        uint8_t buf[4096], want[16];
        size_t n = unhex(v[i].hex, want);
        assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
        assert_true(hist_record_n(&h, 0, v[i].n));
        size_t len = hist_encode_v2(&h, buf, sizeof(buf));
        assert_int_equal(len, 40 + n);
        assert_memory_equal(buf + 40, want, n);
        struct hist back;
        assert_int_equal(hist_decode(&back, buf, len, NULL, 0), 0);
        assert_int_equal(back.counts[0], v[i].n);
        hist_close(&back);
        hist_close(&h);
    }
    /* Negative items are zero runs: -1 is "01", -1000 is "cf0f"; a C-port
     * style run of one ("01") must decode like a lone zero. */
    uint8_t buf[64];
    size_t n = unhex("1c849313 00000004 00000000 00000002 0000000000000001 00000000000003e8 "
                     "3ff0000000000000 | 01 04 cf0f",
                     buf);
    struct hist h;
    assert_int_equal(hist_decode(&h, buf, n, NULL, 0), 0);
    assert_int_equal(h.counts[1], 2);
    assert_int_equal(h.total_count, 2);
    hist_close(&h);
}

static void decode_b64(const char *b64, struct hist *h)
{
    uint8_t *bin;
    size_t len;
    char err[200] = "";
    assert_int_equal(hist_base64_decode(b64, strlen(b64), &bin, &len), 0);
    if (hist_decode(h, bin, len, err, sizeof(err)) != 0)
        fail_msg("decode: %s", err);
    free(bin);
}

static void test_base64_blobs(void **state)
{
    (void)state;
    static const char *blobs[] = {
        "HISTFAAAACR42pNpmSzMwMDAzgABTFCaEUIxv7D/ABVhYWWaz8IGAF0+BB8=", /* Java */
        "HISTFAAAACR4nJNpmSzMwMDAzgABTFCaEUIxv7D/ABVgYWWaz8IGAF1FBCA=", /* C port */
    };
    struct hist want;
    small_vector(&want);
    for (int i = 0; i < 2; i++) {
        struct hist h;
        decode_b64(blobs[i], &h);
        assert_int_equal(h.total_count, 6);
        assert_int_equal(hist_max(&h), 301);
        assert_same_counts(&want, &h);
        hist_close(&h);
    }
    /* Our compressed form is Java's, byte for byte (same zlib, level 9). */
    uint8_t *z;
    size_t zlen;
    assert_int_equal(hist_encode_compressed(&want, &z, &zlen), 0);
    char *b64 = hist_base64_encode(z, zlen);
    assert_string_equal(b64, blobs[0]);
    free(b64);
    free(z);
    hist_close(&want);

    struct hist raw;
    classic_raw(&raw);
    assert_int_equal(hist_encode_compressed(&raw, &z, &zlen), 0);
    assert_int_equal(zlen, 49);
    b64 = hist_base64_encode(z, zlen);
    assert_string_equal(b64,
                        "HISTFAAAACl42pNpmSzMwMDAyQABzFCaEURcm7yEwf4DROA8/4I5jNM7mJgAjtkHzg==");
    struct hist back;
    decode_b64(b64, &back);
    assert_same_counts(&raw, &back);
    free(b64);
    free(z);
    hist_close(&back);
    hist_close(&raw);
}

static void test_base64_rules(void **state)
{
    (void)state;
    uint8_t *out;
    size_t len;
    char *s = hist_base64_encode((const uint8_t *)"ab", 2);
    assert_string_equal(s, "YWI=");
    free(s);
    assert_int_equal(hist_base64_decode("YWI=", 4, &out, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(out, "ab", 2);
    free(out);
    assert_int_equal(hist_base64_decode("YWI", 3, &out, &len), 0); /* padding optional */
    assert_int_equal(len, 2);
    free(out);
    assert_int_equal(hist_base64_decode("", 0, &out, &len), 0);
    assert_int_equal(len, 0);
    free(out);
    assert_int_equal(hist_base64_decode("YW!=", 4, &out, &len), -1);
    assert_int_equal(hist_base64_decode("Y", 1, &out, &len), -1);
    assert_int_equal(hist_base64_decode("YW=I", 4, &out, &len), -1);
    assert_int_equal(hist_base64_decode("YWI==", 5, &out, &len), -1);
    assert_null(out);
}

static int decode_err(const uint8_t *buf, size_t len)
{
    struct hist h;
    char err[200] = "";
    int rc = hist_decode(&h, buf, len, err, sizeof(err));
    if (rc == 0)
        hist_close(&h);
    else
        assert_true(err[0] != '\0');
    return rc;
}

static void test_hostile(void **state)
{
    (void)state;
    struct hist h;
    small_vector(&h);
    uint8_t buf[256];
    size_t n = hist_encode_v2(&h, buf, sizeof(buf));
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(decode_err(buf, cut), -1);
    uint8_t *z;
    size_t zlen;
    assert_int_equal(hist_encode_compressed(&h, &z, &zlen), 0);
    for (size_t cut = 0; cut < zlen; cut++)
        assert_int_equal(decode_err(z, cut), -1);
    /* A corrupt zlib stream. */
    uint8_t *bad = malloc(zlen);
    memcpy(bad, z, zlen);
    bad[10] ^= 0xff;
    bad[12] ^= 0x55;
    assert_int_equal(decode_err(bad, zlen), -1);
    free(bad);
    free(z);

    uint8_t evil[sizeof(buf)];
    /* Payload length far beyond the buffer. */
    memcpy(evil, buf, n);
    evil[4] = 0x7f;
    assert_int_equal(decode_err(evil, n), -1);
    /* Negative payload length. */
    evil[4] = 0xff;
    assert_int_equal(decode_err(evil, n), -1);
    /* A header asking for an absurd layout (highest < 2 * lowest, digits 9). */
    memcpy(evil, buf, n);
    evil[15] = 9;
    assert_int_equal(decode_err(evil, n), -1);
    memcpy(evil, buf, n);
    memset(evil + 16, 0x7f, 8);
    assert_int_equal(decode_err(evil, n), -1);
    /* A count written past the last slot: zero run of 511, then a count. */
    uint8_t over[64];
    size_t m = unhex("1c849313 00000003 00000000 00000002 0000000000000001 00000000000003e8 "
                     "3ff0000000000000 | fd07 02",
                     over);
    assert_int_equal(decode_err(over, m), 0);
    over[41] = 0x08; /* a run of 575: the count lands past slot 511 */
    assert_int_equal(decode_err(over, m), -1);
    /* Counts that overflow the total. */
    m = unhex("1c849313 00000012 00000000 00000002 0000000000000001 00000000000003e8 "
              "3ff0000000000000 | feffffffffffffffff feffffffffffffffff",
              over);
    assert_int_equal(decode_err(over, m), -1);
    /* Unknown cookies and the DoubleHistogram cookie. */
    memcpy(evil, buf, n);
    evil[3] = 0x77;
    assert_int_equal(decode_err(evil, n), -1);
    memcpy(evil, "\x0c\x72\x12\x4e", 4);
    assert_int_equal(decode_err(evil, n), -1);
    hist_close(&h);
}

/* A compressed blob whose header claims a huge payload cannot make the
 * decoder allocate for it. */
static void test_compressed_lie(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, INT64_MAX, 5), 0);
    uint8_t raw[64];
    size_t n = hist_encode_v2(&h, raw, sizeof(raw));
    assert_true(n > 0);
    raw[4] = 0x02; /* payload 0x02000001 bytes, within 9 * counts_len */
    hist_close(&h);
    uint8_t *z = malloc(8 + 128);
    uLongf zlen = 128;
    assert_int_equal(compress2(z + 8, &zlen, raw, n, 9), Z_OK);
    memcpy(z, "\x1c\x84\x93\x14", 4);
    z[4] = 0;
    z[5] = 0;
    z[6] = (uint8_t)(zlen >> 8);
    z[7] = (uint8_t)zlen;
    assert_int_equal(decode_err(z, 8 + zlen), -1);
    free(z);
}

/* Legacy V1 (40-byte header, fixed-size BE words) and V0 (32-byte header
 * with a total count, words to the end) forms, word size in cookie bits
 * 4..7. The V1 blob (4-byte words) decodes the same in Java 2.1.11. */
static void test_legacy_forms(void **state)
{
    (void)state;
    struct hist h;
    decode_b64("HISTQgAAACN42pNpmezIwMAgwQABTFCaEUIxv7D/wIAMmBhQASMApBcDrQ==", &h);
    assert_int_equal(h.total_count, 3);
    assert_int_equal(h.counts[1], 2);
    assert_int_equal(h.counts[5], 1);
    assert_int_equal(hist_max(&h), 5);
    assert_int_equal(hist_min(&h), 1);
    hist_close(&h);
    uint8_t buf[128];
    size_t n = unhex("1c849388 00000002 0000000000000001 00000000000003e8 0000000000000003 "
                     "0000000000000000 0000000000000002 0000000000000000 0000000000000007",
                     buf);
    char err[200];
    assert_int_equal(hist_decode(&h, buf, n, err, sizeof(err)), 0);
    assert_int_equal(h.total_count, 9);
    assert_int_equal(h.counts[3], 7);
    hist_close(&h);
    buf[3] = 0x18; /* word size bits 0001: no valid size */
    assert_int_equal(hist_decode(&h, buf, n, err, sizeof(err)), -1);
    buf[3] = 0x88;
    buf[n - 8] = 0x80; /* negative count */
    assert_int_equal(hist_decode(&h, buf, n, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_vectors), cmocka_unit_test(test_leb128_items),
        cmocka_unit_test(test_base64_blobs),   cmocka_unit_test(test_base64_rules),
        cmocka_unit_test(test_hostile),        cmocka_unit_test(test_compressed_lie),
        cmocka_unit_test(test_legacy_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
