/* Names of the protocols and modes, as users type them and rows print them. */
#include "config.h"

#include <string.h>

static const char *const proto_names[PROTO_COUNT] = {"tcp",   "udp", "http", "tls",
                                                     "https", "ws",  "wss"};
static const char *const mode_names[MODE_COUNT] = {"stream", "rr", "crr", "rate"};

const char *proto_name(enum proto p)
{
    return (unsigned)p < PROTO_COUNT ? proto_names[p] : "?";
}

const char *mode_name(enum mode m)
{
    return (unsigned)m < MODE_COUNT ? mode_names[m] : "?";
}

int proto_from_name(const char *s)
{
    for (int i = 0; i < PROTO_COUNT; i++)
        if (strcmp(s, proto_names[i]) == 0)
            return i;
    return -1;
}

int mode_from_name(const char *s)
{
    for (int i = 0; i < MODE_COUNT; i++)
        if (strcmp(s, mode_names[i]) == 0)
            return i;
    return -1;
}
