#ifndef NETRIG_WS_HANDSHAKE_H
#define NETRIG_WS_HANDSHAKE_H
/* The WebSocket opening handshake (RFC 6455 section 4) over netrig's HTTP/1.1
 * parser: the client's key and the server's accept value (SHA-1 and
 * base64 from OpenSSL), writing the upgrade request and its 101 answer, and
 * checking each side's head strictly. Nothing here allocates. */
#include <stdbool.h>
#include <stddef.h>

#include "http_parse.h"
#include "ws_ext.h"

#define WS_KEY_LEN 24    /* base64 of 16 random bytes */
#define WS_ACCEPT_LEN 28 /* base64 of a SHA-1 digest */

/* A fresh Sec-WebSocket-Key: 16 random bytes in base64, NUL-terminated. */
int ws_key_new(char key[WS_KEY_LEN + 1]);

/* The Sec-WebSocket-Accept answer to key (RFC 6455 4.2.2: base64 of SHA-1
 * of the key and the protocol's GUID), NUL-terminated. */
void ws_accept_for(const char *key, size_t key_len, char out[WS_ACCEPT_LEN + 1]);

/* Writes the client's upgrade request for path on host into buf, offering
 * the extensions ext (a Sec-WebSocket-Extensions value; NULL: none).
 * Returns its length, or -1 if cap is too small. */
int ws_request_write(char *buf, size_t cap, const char *host, const char *path,
                     const char key[WS_KEY_LEN + 1], const char *ext);

/* Checks a parsed request head as an upgrade to WebSocket version 13: GET,
 * HTTP/1.1, Upgrade: websocket, Connection naming upgrade, a well-formed
 * key. Returns 0 and points *key at the key, or the HTTP status to refuse
 * with (400, or 426 when the version is not 13), the reason in *why. */
int ws_request_check(const struct http_request *r, const char **key, size_t *key_len,
                     const char **why);

/* Is this request an attempt to upgrade to WebSocket (an Upgrade header
 * naming websocket)? A server routes on it before the full check. */
int ws_request_is_upgrade(const struct http_request *r);

/* The permessage-deflate the server takes from a checked upgrade request:
 * the first usable offer over all its Sec-WebSocket-Extensions lines
 * (ws_ext_choose). Returns 1 and fills *e, or 0 (none offered or usable). */
int ws_request_deflate(const struct http_request *r, struct ws_ext *e);

/* Writes the server's 101 answer to key into buf, with the extensions
 * chosen in ext (a Sec-WebSocket-Extensions value; NULL: none). Returns
 * its length, or -1 if cap is too small. */
int ws_response_write(char *buf, size_t cap, const char *key, size_t key_len, const char *ext);

/* Checks a parsed response head as the 101 answer to key. An extension in
 * the answer is refused unless offered, and so is more than one
 * Sec-WebSocket-Extensions line; if offered, *ext points at the answer's
 * line (NULL: declined), which the caller checks (ws_ext_answer_check).
 * Returns 0, or -1 with the reason in *why. */
int ws_response_check(const struct http_response *r, const char key[WS_KEY_LEN + 1], bool offered,
                      const struct http_header **ext, const char **why);

#endif
