/* The server's side of the PSK exchange fed with arbitrary bytes: the
 * first AUTH_MSG_LEN bytes as the HELLO, the rest as the PROOF (whole or
 * cut short). Nothing may crash or read past the input, and a proof that
 * was not made with the key must never be accepted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char k[] = "fuzzing-key-0123456789";
    struct auth_key key;
    struct auth_server s = {0};
    struct auth_msg m;
    uint8_t out[AUTH_MSG_LEN];
    char err[256];
    if (auth_key_set(&key, k, sizeof(k) - 1, err, sizeof(err)) != 0)
        abort();
    (void)auth_decode(data, size, &m, err, sizeof(err));
    size_t first = size < AUTH_MSG_LEN ? size : AUTH_MSG_LEN;
    if (auth_server_hello(&s, data, first, out, err, sizeof(err)) != 0)
        return 0;
    /* The challenge is random, so no input can know the right proof. */
    if (auth_server_proof(&s, &key, data + first, size - first, out, err, sizeof(err)) == 0)
        abort();
    return 0;
}
