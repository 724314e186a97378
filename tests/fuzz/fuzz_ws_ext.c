/* Fuzzes the permessage-deflate negotiation (ws_ext): the input is a
 * Sec-WebSocket-Extensions value, read by the server as a client's offers
 * and by the client as a server's answer. Checks no over-read (ASan; the
 * value is copied to a buffer of its own size), window bits always in
 * 8..15, and that whatever offer the server chooses, its answer is one the
 * client accepts with the same parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static bool bits_ok(unsigned b)
{
    return b >= 8 && b <= 15;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size ? size : 1);
    if (v == NULL)
        return 0;
    memcpy(v, data, size);
    struct ws_ext e, back;
    const char *why = NULL;
    if (ws_ext_answer_check(v, size, &e, &why) == 0)
        check(e.on && bits_ok(e.server_bits) && e.client_bits >= 9 && e.client_bits <= 15);
    else
        check(why != NULL);
    if (ws_ext_choose(v, size, &e)) {
        char ans[128];
        check(e.on && e.server_bits >= 9 && e.server_bits <= 15);
        int n = ws_ext_answer_write(&e, ans, sizeof(ans));
        check(n > 0);
        check(ws_ext_answer_check(ans, (size_t)n, &back, &why) == 0);
        check(back.server_nct == e.server_nct && back.client_nct == e.client_nct &&
              back.server_bits == e.server_bits);
    }
    free(v);
    return 0;
}
