/* Ephemeral self-signed certificate generation (OpenSSL 3 API). */
#include "tls_cert.h"

#include <stdio.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* Random positive 64-bit serial, as RFC 5280 asks for unpredictable ones. */
static int set_serial(X509 *cert)
{
    unsigned char r[8];
    if (RAND_bytes(r, sizeof(r)) != 1)
        return -1;
    r[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(r, sizeof(r), NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

int tls_cert_ephemeral(EVP_PKEY **key, X509 **cert, char *err, size_t errlen)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *c = X509_new();
    X509_NAME *name = c ? X509_get_subject_name(c) : NULL;
    if (k == NULL || c == NULL || name == NULL)
        goto fail;
    if (!X509_set_version(c, 2) || set_serial(c) != 0 ||
        !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(c), 86400) || !X509_set_pubkey(c, k))
        goto fail;
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"netrig", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                    -1, -1, 0) ||
        !X509_set_issuer_name(c, name))
        goto fail;
    if (add_ext(c, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") != 0 ||
        add_ext(c, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
        add_ext(c, NID_key_usage, "critical,digitalSignature,keyCertSign") != 0 ||
        add_ext(c, NID_ext_key_usage, "serverAuth") != 0)
        goto fail;
    if (!X509_sign(c, k, EVP_sha256()))
        goto fail;
    *key = k;
    *cert = c;
    return 0;
fail:
    snprintf(err, errlen, "cannot make the ephemeral certificate: %s",
             ERR_reason_error_string(ERR_peek_last_error())
                 ? ERR_reason_error_string(ERR_peek_last_error())
                 : "OpenSSL error");
    ERR_clear_error();
    EVP_PKEY_free(k);
    X509_free(c);
    return -1;
}
