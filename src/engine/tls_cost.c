/* Record overhead by version and cipher, and a short EVP calibration of the
 * cipher's bulk speed. */
#include "tls_cost.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "clock.h"
#include "result.h"

#define HEADER 5 /* type, version, length */

static bool is_chacha(const SSL_CIPHER *c)
{
    return SSL_CIPHER_get_cipher_nid(c) == NID_chacha20_poly1305;
}

static int tag_len(const SSL_CIPHER *c)
{
    const char *n = SSL_CIPHER_get_name(c);
    return strstr(n, "CCM8") != NULL || strstr(n, "CCM_8") != NULL ? 8 : 16;
}

int tls_record_overhead(int version, const SSL_CIPHER *c)
{
    if (c == NULL)
        return -1;
    if (version == TLS1_3_VERSION)
        return HEADER + tag_len(c) + 1; /* the inner content type byte */
    if (version != TLS1_2_VERSION)
        return -1;
    if (SSL_CIPHER_is_aead(c))
        return HEADER + (is_chacha(c) ? 0 : 8) + tag_len(c); /* explicit nonce */
    const EVP_CIPHER *ciph = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(c));
    const EVP_MD *md = EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(c));
    if (ciph == NULL || md == NULL)
        return -1;
    int block = EVP_CIPHER_get_block_size(ciph);
    /* explicit IV + MAC + padding that may fill a whole block */
    return HEADER + EVP_CIPHER_get_iv_length(ciph) + EVP_MD_get_size(md) + block;
}

int tls_conn_overhead(const SSL *ssl)
{
    return tls_record_overhead(SSL_version(ssl), SSL_get_current_cipher(ssl));
}

uint64_t tls_wire_bytes(uint64_t n, int overhead)
{
    uint64_t records = (n + TLS_MAX_RECORD - 1) / TLS_MAX_RECORD;
    return n + records * (uint64_t)(overhead > 0 ? overhead : 0);
}

/* Seals one record in place; returns 0 or -1. */
static int seal(EVP_CIPHER_CTX *x, bool aead, unsigned char *iv, unsigned char *buf, size_t len,
                unsigned char *tag)
{
    int out = 0, fin = 0;
    iv[0]++; /* a fresh nonce per record, as TLS does */
    if (EVP_EncryptInit_ex2(x, NULL, NULL, iv, NULL) != 1 ||
        EVP_EncryptUpdate(x, buf, &out, buf, (int)len) != 1 ||
        EVP_EncryptFinal_ex(x, buf + out, &fin) != 1)
        return -1;
    if (aead && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
        return -1;
    return 0;
}

double tls_cipher_rate(const SSL_CIPHER *c, size_t record, double seconds)
{
    unsigned char buf[TLS_MAX_RECORD + 64];
    unsigned char key[64] = {1}, iv[16] = {2}, tag[16];
    if (c == NULL || record == 0 || record > TLS_MAX_RECORD ||
        strstr(SSL_CIPHER_get_name(c), "CCM") != NULL)
        return -1;
    const EVP_CIPHER *ciph = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(c));
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    double rate = -1;
    if (ciph == NULL || x == NULL || EVP_EncryptInit_ex2(x, ciph, key, iv, NULL) != 1)
        goto out;
    bool aead = SSL_CIPHER_is_aead(c);
    if (!aead)
        EVP_CIPHER_CTX_set_padding(x, 0);
    size_t len = aead ? record : record / 16 * 16;
    uint64_t start = clock_now_ns(), now = start, budget = (uint64_t)(seconds * 1e9), bytes = 0;
    while (now - start < budget) {
        for (int i = 0; i < 16; i++) {
            if (seal(x, aead, iv, buf, len, tag) != 0)
                goto out;
            bytes += len;
        }
        now = clock_now_ns();
    }
    rate = (double)bytes / ((double)(now - start) / 1e9);
out:
    EVP_CIPHER_CTX_free(x);
    return rate;
}

const SSL_CIPHER *tls_cipher_find(const char *name)
{
    /* SSL_CIPHER entries live in libssl's static tables, so they outlive
     * the context used to list them. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    const SSL_CIPHER *found = NULL;
    if (ctx == NULL || SSL_CTX_set_cipher_list(ctx, "ALL") != 1) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    STACK_OF(SSL_CIPHER) *all = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(all) && found == NULL; i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
        if (strcmp(SSL_CIPHER_get_name(c), name) == 0 ||
            strcmp(SSL_CIPHER_standard_name(c), name) == 0)
            found = c;
    }
    SSL_CTX_free(ctx);
    return found;
}

void tls_cost_note(const SSL *ssl, const void **cipher, int *version)
{
    if (*cipher != NULL)
        return;
    *cipher = SSL_get_current_cipher(ssl);
    *version = SSL_version(ssl);
}

void tls_cost_fill(struct test_result *r, const void *cipher, int version)
{
    const SSL_CIPHER *c = cipher;
    if (c == NULL)
        return;
    int o = tls_record_overhead(version, c);
    if (o > 0)
        r->tls_record_overhead = o;
    snprintf(r->tls_cipher, sizeof(r->tls_cipher), "%s %s",
             version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2", SSL_CIPHER_get_name(c));
    double rate = tls_cipher_rate(c, TLS_MAX_RECORD, 0.1);
    if (rate > 0)
        r->tls_crypto_Bps = rate;
}
