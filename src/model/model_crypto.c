/* Calibration of the TLS crypto time E(B) = B / rate: seal full TLS
 * records with AES-256-GCM (the first TLS 1.3 suite OpenSSL offers) and
 * time it. */
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "model.h"

double model_crypto_calibrate(double seconds)
{
    static unsigned char in[16384], out[16384 + 32];
    unsigned char key[32], iv[12], tag[16];
    memset(key, 0x5a, sizeof(key));
    memset(iv, 0, sizeof(iv));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return 0;
    double rate = 0;
    uint64_t bytes = 0, t0 = clock_now_ns(), limit = (uint64_t)(seconds * 1e9);
    uint64_t now = t0;
    do {
        int len = 0, fin = 0;
        iv[11]++; /* a fresh nonce per record, as TLS does */
        if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
            EVP_EncryptUpdate(ctx, out, &len, in, (int)sizeof(in)) != 1 ||
            EVP_EncryptFinal_ex(ctx, out + len, &fin) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int)sizeof(tag), tag) != 1)
            goto out;
        bytes += sizeof(in);
        now = clock_now_ns();
    } while (now - t0 < limit);
    rate = (double)bytes * 8 / ((double)(now - t0) / 1e9);
out:
    EVP_CIPHER_CTX_free(ctx);
    return rate;
}
