#ifndef NETRIG_AUTH_H
#define NETRIG_AUTH_H
/* Pre-shared key authentication of control connections: an HMAC-SHA256
 * challenge-response in which the key never crosses the wire.
 *
 * Every message is AUTH_MSG_LEN bytes:
 *   magic "NRGA" (4) | version (1) | type (1) | reason (1) | 0 (1) | body (32)
 *
 *   client -> HELLO     body = client nonce Nc (random)
 *   server -> CHALLENGE body = server nonce Ns (random, fresh per connection)
 *   client -> PROOF     body = HMAC(K, "netrig-auth client" | Ns | Nc)
 *   server -> OK        body = HMAC(K, "netrig-auth server" | Ns | Nc)
 *       or -> FAIL      reason = enum auth_reason, body zero
 *
 * The server's fresh nonce makes a recorded PROOF useless on a later
 * connection; the client's nonce does the same for a recorded OK, so the
 * client also knows it talks to a holder of the key. The two labels keep a
 * proof from being reflected as an OK. MACs are compared in constant time.
 * After OK the connection carries ordinary control frames.
 *
 * The functions work on buffers only, so the socket code stays a thin
 * loop and the exchange can be tested without a network. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_MAGIC 0x4e524741u /* "NRGA" */
#define AUTH_VERSION 1
#define AUTH_MSG_LEN 40
#define AUTH_NONCE_LEN 32
#define AUTH_MAC_LEN 32
#define AUTH_KEY_MIN 16   /* bytes: shorter keys are too easy to guess */
#define AUTH_KEY_MAX 1024 /* bytes */

enum auth_type { AUTH_HELLO = 1, AUTH_CHALLENGE, AUTH_PROOF, AUTH_OK, AUTH_FAIL };

enum auth_reason {
    AUTH_REASON_NONE = 0,
    AUTH_REASON_KEY,    /* the proof did not match: wrong key */
    AUTH_REASON_NO_PSK, /* the server has no key configured */
    AUTH_REASON_PROTO,  /* malformed or out-of-order message */
};

struct auth_key {
    uint8_t k[AUTH_KEY_MAX];
    size_t len;
};

/* Loads a key from path: its bytes, less one trailing newline ("\n" or
 * "\r\n"). Refuses a file that group or others may read or write (the key
 * would not be secret), one shorter than AUTH_KEY_MIN or longer than
 * AUTH_KEY_MAX. Returns 0, or -1 with a message naming the file in err. */
int auth_key_load(const char *path, struct auth_key *key, char *err, size_t errlen);

/* Sets a key from memory (tests, embedded use). Returns 0 or -1 if len is
 * out of range. */
int auth_key_set(struct auth_key *key, const void *data, size_t len, char *err, size_t errlen);

/* Overwrites the key so it does not linger in memory. NULL ok. */
void auth_key_wipe(struct auth_key *key);

/* One decoded message. */
struct auth_msg {
    uint8_t type;   /* enum auth_type */
    uint8_t reason; /* enum auth_reason, FAIL only */
    uint8_t body[32];
};

void auth_encode(const struct auth_msg *m, uint8_t out[AUTH_MSG_LEN]);

/* Decodes the message at the start of buf. Returns AUTH_MSG_LEN, 0 if
 * fewer bytes have arrived (a prefix that could still become a message),
 * or -1 with a message in err for bad magic, version or type. */
int auth_decode(const uint8_t *buf, size_t len, struct auth_msg *m, char *err, size_t errlen);

/* True if buf (len >= 4) starts with the auth magic: how a server tells an
 * authenticating client from a control frame or a data hello. */
bool auth_is_auth(const uint8_t *buf, size_t len);

/* Text for a FAIL reason, as the client shows it. */
const char *auth_reason_text(enum auth_reason r);

/* The server's half of one exchange. */
struct auth_server {
    uint8_t nc[AUTH_NONCE_LEN], ns[AUTH_NONCE_LEN];
    int state; /* 0 = wants HELLO, 1 = wants PROOF, 2 = done, -1 = failed */
};

/* Takes the client's HELLO from buf and writes the CHALLENGE (a fresh
 * random nonce) to out. Returns 0, or -1 with a message; then out holds a
 * FAIL to send before closing. */
int auth_server_hello(struct auth_server *a, const uint8_t *buf, size_t len,
                      uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen);

/* Checks the client's PROOF from buf and writes OK (0) or FAIL (-1, with
 * a message in err) to out. */
int auth_server_proof(struct auth_server *a, const struct auth_key *key, const uint8_t *buf,
                      size_t len, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen);

/* A FAIL for a client that sent a HELLO to a server without a key. */
void auth_server_refuse(enum auth_reason r, uint8_t out[AUTH_MSG_LEN]);

/* The client's half of one exchange. */
struct auth_client {
    uint8_t nc[AUTH_NONCE_LEN], ns[AUTH_NONCE_LEN];
    int state; /* 0 = HELLO sent, 1 = PROOF sent, 2 = done, -1 = failed */
};

/* Starts an exchange: writes the HELLO with a fresh nonce. Returns 0 or -1
 * if no random bytes could be had. */
int auth_client_hello(struct auth_client *a, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen);

/* Takes the server's CHALLENGE and writes the PROOF. Returns 0, or -1 with
 * a message (a FAIL from the server is reported with its reason). */
int auth_client_challenge(struct auth_client *a, const struct auth_key *key, const uint8_t *buf,
                          size_t len, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen);

/* Takes the server's answer to the PROOF. Returns 0 once the server has
 * proven it holds the key too, or -1 with a message. */
int auth_client_finish(struct auth_client *a, const struct auth_key *key, const uint8_t *buf,
                       size_t len, char *err, size_t errlen);

#endif
