#ifndef NETRIG_WS_EXT_H
#define NETRIG_WS_EXT_H
/* Negotiating permessage-deflate (RFC 7692 section 7.1) in the
 * Sec-WebSocket-Extensions header (RFC 6455 9.1): the client's offer, the
 * server's choice among the offers it got, and the client's check of the
 * server's answer. Values are tokens or quoted strings; nothing here
 * allocates. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the client offers: deflate both ways, and that the server may
 * bound the client's window (client_max_window_bits without a value). */
#define WS_EXT_OFFER "permessage-deflate; client_max_window_bits"

/* The parameters of a negotiated permessage-deflate. Window bits are 8 to
 * 15 (the LZ77 window is 2^bits bytes); 15 when not bounded. */
struct ws_ext {
    bool on;
    bool server_nct; /* server_no_context_takeover: the server resets its compressor per message */
    bool client_nct; /* client_no_context_takeover: the client does */
    uint8_t server_bits; /* server_max_window_bits */
    uint8_t client_bits; /* client_max_window_bits */
};

/* Server: picks the first permessage-deflate offer in the header value
 * v[0..n) (a comma-separated list of offers) that it can honour. An offer
 * with an unknown or repeated parameter, a bad value, or a
 * server_max_window_bits of 8 (zlib's raw deflate cannot use a 256-byte
 * window) is passed over. Returns 1 and fills *e, or 0 (none usable). */
int ws_ext_choose(const char *v, size_t n, struct ws_ext *e);

/* Server: writes the answer for *e (the header's value: the parameters it
 * applies, server_no_context_takeover, client_no_context_takeover and
 * server_max_window_bits as chosen) into buf. Returns its length, or -1
 * when cap is too small. */
int ws_ext_answer_write(const struct ws_ext *e, char *buf, size_t cap);

/* Client: checks the server's answer v[0..n) to WS_EXT_OFFER: exactly one
 * extension, permessage-deflate, with each parameter at most once, the
 * no_context_takeover ones without a value, window bits 8 to 15,
 * server_max_window_bits with a value, and a client_max_window_bits that
 * zlib can honour (9 to 15). Returns 0 and fills *e, or -1 with the reason
 * in *why. */
int ws_ext_answer_check(const char *v, size_t n, struct ws_ext *e, const char **why);

#endif
