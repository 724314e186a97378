/* Base64 (RFC 4648, standard alphabet, padded) for histogram blobs in
 * interval logs. */
#include "hist.h"

#include <stdlib.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *hist_base64_encode(const uint8_t *buf, size_t len)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t)buf[i] << 16;
        if (i + 1 < len)
            w |= (uint32_t)buf[i + 1] << 8;
        if (i + 2 < len)
            w |= buf[i + 2];
        out[o++] = b64_alphabet[(w >> 18) & 63];
        out[o++] = b64_alphabet[(w >> 12) & 63];
        out[o++] = i + 1 < len ? b64_alphabet[(w >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64_alphabet[w & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int hist_base64_decode(const char *s, size_t slen, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    /* Padding is optional (as in java.util.Base64) but only at the end. */
    size_t data = slen;
    int pad = 0;
    while (data > 0 && s[data - 1] == '=' && pad < 2) {
        data--;
        pad++;
    }
    if (data % 4 == 1 || (pad > 0 && (data + (size_t)pad) % 4 != 0))
        return -1;
    uint8_t *buf = malloc(data / 4 * 3 + 3);
    if (!buf)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b64_value(s[i]);
        if (v < 0) {
            free(buf);
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    *out = buf;
    *len = o;
    return 0;
}
