#ifndef NETRIG_TLS_CERT_H
#define NETRIG_TLS_CERT_H
/* An ephemeral self-signed certificate, so that a netrig server speaks TLS
 * with no files to manage. */
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Makes a new EC P-256 key and a self-signed X.509 v3 certificate for it:
 * CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid from an hour
 * ago for a day. The caller frees both. Returns 0 or -1 with a message. */
int tls_cert_ephemeral(EVP_PKEY **key, X509 **cert, char *err, size_t errlen);

#endif
