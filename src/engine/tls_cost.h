#ifndef NETRIG_TLS_COST_H
#define NETRIG_TLS_COST_H
/* What TLS costs beyond the payload, for the goodput model: the bytes each
 * record adds on the wire (the O term) and the cipher's speed on this CPU
 * (the E term: E(B) = B / rate). */
#include <stdint.h>

#include <openssl/ssl.h>

#define TLS_MAX_RECORD 16384 /* plaintext bytes per record */

/* Bytes a record adds for protocol version `version` (TLS1_2_VERSION or
 * TLS1_3_VERSION) and cipher c: TLS 1.3 AEAD 5 + 16 + 1 = 22, TLS 1.2 GCM
 * and CCM 5 + 8 + 16 = 29, TLS 1.2 ChaCha20-Poly1305 5 + 16 = 21, CBC the
 * worst case 5 + IV + MAC + a full padding block. -1 if unknown. */
int tls_record_overhead(int version, const SSL_CIPHER *c);

/* The same for an established connection. */
int tls_conn_overhead(const SSL *ssl);

/* Wire bytes for a payload of n bytes sent in full records of
 * TLS_MAX_RECORD with the given per-record overhead. */
uint64_t tls_wire_bytes(uint64_t n, int overhead);

/* Encrypts records of `record` bytes with cipher c's bulk algorithm (the
 * AEAD's seal with its tag, or the CBC cipher alone) for about `seconds`
 * and returns the rate in payload bytes per second, or -1 if the cipher
 * cannot be fetched or is a CCM one (not calibrated). */
double tls_cipher_rate(const SSL_CIPHER *c, size_t record, double seconds);

/* The cipher named by its OpenSSL or IANA name ("TLS_AES_128_GCM_SHA256",
 * "ECDHE-RSA-AES128-GCM-SHA256") among those a default context offers, or
 * NULL. */
const SSL_CIPHER *tls_cipher_find(const char *name);

/* Notes what a completed handshake negotiated in *cipher and *version
 * (once; later calls keep the first). */
void tls_cost_note(const SSL *ssl, const void **cipher, int *version);

/* Fills the TLS columns of a result from a noted cipher: record overhead,
 * "TLSv1.3 NAME", and a 0.1 s calibration of the cipher's speed. */
struct test_result;
void tls_cost_fill(struct test_result *r, const void *cipher, int version);

#endif
