#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

static const char label_client[] = "netrig-auth client";
static const char label_server[] = "netrig-auth server";

int auth_key_set(struct auth_key *key, const void *data, size_t len, char *err, size_t errlen)
{
    if (len < AUTH_KEY_MIN || len > AUTH_KEY_MAX) {
        snprintf(err, errlen, "key is %zu bytes: it must be %d to %d bytes", len, AUTH_KEY_MIN,
                 AUTH_KEY_MAX);
        return -1;
    }
    memcpy(key->k, data, len);
    key->len = len;
    return 0;
}

void auth_key_wipe(struct auth_key *key)
{
    if (key)
        OPENSSL_cleanse(key, sizeof(*key));
}

/* Reads at most cap bytes; a file longer than that is reported by the
 * caller from the size fstat gave. */
static long read_all(int fd, uint8_t *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long)got;
}

int auth_key_load(const char *path, struct auth_key *key, char *err, size_t errlen)
{
    uint8_t buf[AUTH_KEY_MAX + 2];
    struct stat st;
    int rc = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--psk %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "--psk %s: not a regular file", path);
        goto out;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "--psk %s: group or others may access the key file (mode %03o); "
                 "make it private with: chmod 600 %s",
                 path, (unsigned)(st.st_mode & 0777), path);
        goto out;
    }
    long n = read_all(fd, buf, sizeof(buf));
    if (n < 0) {
        snprintf(err, errlen, "--psk %s: %s", path, strerror(errno));
        goto out;
    }
    size_t len = (size_t)n;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    if (len < AUTH_KEY_MIN || len > AUTH_KEY_MAX || (off_t)n != st.st_size) {
        snprintf(err, errlen,
                 "--psk %s: the key must be %d to %d bytes (this one is %lld); "
                 "make one with: head -c 32 /dev/urandom | base64 > %s",
                 path, AUTH_KEY_MIN, AUTH_KEY_MAX,
                 (off_t)n != st.st_size ? (long long)st.st_size : (long long)len, path);
        goto out;
    }
    memcpy(key->k, buf, len);
    key->len = len;
    rc = 0;
out:
    OPENSSL_cleanse(buf, sizeof(buf));
    close(fd);
    return rc;
}

void auth_encode(const struct auth_msg *m, uint8_t out[AUTH_MSG_LEN])
{
    out[0] = 'N';
    out[1] = 'R';
    out[2] = 'G';
    out[3] = 'A';
    out[4] = AUTH_VERSION;
    out[5] = m->type;
    out[6] = m->reason;
    out[7] = 0;
    memcpy(out + 8, m->body, sizeof(m->body));
}

bool auth_is_auth(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "NRGA", 4) == 0;
}

int auth_decode(const uint8_t *buf, size_t len, struct auth_msg *m, char *err, size_t errlen)
{
    static const uint8_t magic[4] = {'N', 'R', 'G', 'A'};
    size_t cmp = len < 4 ? len : 4;
    if (memcmp(buf, magic, cmp) != 0) {
        snprintf(err, errlen, "not an authentication message");
        return -1;
    }
    if (len >= 5 && buf[4] != AUTH_VERSION) {
        snprintf(err, errlen, "authentication version %u, expected %d", buf[4], AUTH_VERSION);
        return -1;
    }
    if (len >= 6 && (buf[5] < AUTH_HELLO || buf[5] > AUTH_FAIL)) {
        snprintf(err, errlen, "unknown authentication message type %u", buf[5]);
        return -1;
    }
    if (len < AUTH_MSG_LEN)
        return 0;
    m->type = buf[5];
    m->reason = buf[6];
    memcpy(m->body, buf + 8, sizeof(m->body));
    return AUTH_MSG_LEN;
}

const char *auth_reason_text(enum auth_reason r)
{
    switch (r) {
    case AUTH_REASON_KEY: return "wrong key (check --psk on both ends)";
    case AUTH_REASON_NO_PSK: return "the server does not use --psk";
    case AUTH_REASON_PROTO: return "malformed or out-of-order authentication message";
    case AUTH_REASON_NONE: break;
    }
    return "refused";
}

/* HMAC(K, label | Ns | Nc) into mac. */
static int auth_mac(const struct auth_key *key, const char *label, const uint8_t *ns,
                    const uint8_t *nc, uint8_t mac[AUTH_MAC_LEN])
{
    uint8_t in[32 + 2 * AUTH_NONCE_LEN];
    size_t ll = strlen(label);
    memcpy(in, label, ll);
    memcpy(in + ll, ns, AUTH_NONCE_LEN);
    memcpy(in + ll + AUTH_NONCE_LEN, nc, AUTH_NONCE_LEN);
    unsigned int maclen = 0;
    if (!HMAC(EVP_sha256(), key->k, (int)key->len, in, ll + 2 * AUTH_NONCE_LEN, mac, &maclen) ||
        maclen != AUTH_MAC_LEN)
        return -1;
    return 0;
}

/* Decodes a whole message of the expected type; anything else fails. */
static int expect(const uint8_t *buf, size_t len, enum auth_type type, struct auth_msg *m,
                  char *err, size_t errlen)
{
    if (len != AUTH_MSG_LEN) {
        snprintf(err, errlen, "authentication message of %zu bytes, expected %d", len,
                 AUTH_MSG_LEN);
        return -1;
    }
    if (auth_decode(buf, len, m, err, errlen) != AUTH_MSG_LEN)
        return -1;
    if (m->type == AUTH_FAIL && type != AUTH_FAIL) {
        snprintf(err, errlen, "authentication failed: %s",
                 auth_reason_text((enum auth_reason)m->reason));
        return -1;
    }
    if (m->type != type) {
        snprintf(err, errlen, "authentication message type %u out of order (expected %d)", m->type,
                 (int)type);
        return -1;
    }
    return 0;
}

void auth_server_refuse(enum auth_reason r, uint8_t out[AUTH_MSG_LEN])
{
    struct auth_msg m = {.type = AUTH_FAIL, .reason = (uint8_t)r};
    auth_encode(&m, out);
}

int auth_server_hello(struct auth_server *a, const uint8_t *buf, size_t len,
                      uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen)
{
    struct auth_msg m;
    if (a->state != 0 || expect(buf, len, AUTH_HELLO, &m, err, errlen) != 0) {
        if (a->state != 0)
            snprintf(err, errlen, "authentication hello out of order");
        a->state = -1;
        auth_server_refuse(AUTH_REASON_PROTO, out);
        return -1;
    }
    memcpy(a->nc, m.body, AUTH_NONCE_LEN);
    if (RAND_bytes(a->ns, AUTH_NONCE_LEN) != 1) {
        snprintf(err, errlen, "no random bytes for the challenge");
        a->state = -1;
        auth_server_refuse(AUTH_REASON_PROTO, out);
        return -1;
    }
    struct auth_msg c = {.type = AUTH_CHALLENGE};
    memcpy(c.body, a->ns, AUTH_NONCE_LEN);
    auth_encode(&c, out);
    a->state = 1;
    return 0;
}

int auth_server_proof(struct auth_server *a, const struct auth_key *key, const uint8_t *buf,
                      size_t len, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen)
{
    struct auth_msg m;
    uint8_t want[AUTH_MAC_LEN];
    if (a->state != 1 || expect(buf, len, AUTH_PROOF, &m, err, errlen) != 0) {
        if (a->state != 1)
            snprintf(err, errlen, "authentication proof out of order");
        a->state = -1;
        auth_server_refuse(AUTH_REASON_PROTO, out);
        return -1;
    }
    if (auth_mac(key, label_client, a->ns, a->nc, want) != 0 ||
        CRYPTO_memcmp(want, m.body, AUTH_MAC_LEN) != 0) {
        snprintf(err, errlen, "authentication failed: wrong key");
        a->state = -1;
        auth_server_refuse(AUTH_REASON_KEY, out);
        return -1;
    }
    struct auth_msg ok = {.type = AUTH_OK};
    if (auth_mac(key, label_server, a->ns, a->nc, ok.body) != 0) {
        snprintf(err, errlen, "HMAC failed");
        a->state = -1;
        auth_server_refuse(AUTH_REASON_PROTO, out);
        return -1;
    }
    auth_encode(&ok, out);
    a->state = 2;
    return 0;
}

int auth_client_hello(struct auth_client *a, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen)
{
    if (RAND_bytes(a->nc, AUTH_NONCE_LEN) != 1) {
        snprintf(err, errlen, "no random bytes for the authentication nonce");
        a->state = -1;
        return -1;
    }
    struct auth_msg m = {.type = AUTH_HELLO};
    memcpy(m.body, a->nc, AUTH_NONCE_LEN);
    auth_encode(&m, out);
    a->state = 0;
    return 0;
}

int auth_client_challenge(struct auth_client *a, const struct auth_key *key, const uint8_t *buf,
                          size_t len, uint8_t out[AUTH_MSG_LEN], char *err, size_t errlen)
{
    struct auth_msg m;
    if (a->state != 0) {
        snprintf(err, errlen, "authentication challenge out of order");
        a->state = -1;
        return -1;
    }
    if (expect(buf, len, AUTH_CHALLENGE, &m, err, errlen) != 0) {
        a->state = -1;
        return -1;
    }
    memcpy(a->ns, m.body, AUTH_NONCE_LEN);
    struct auth_msg p = {.type = AUTH_PROOF};
    if (auth_mac(key, label_client, a->ns, a->nc, p.body) != 0) {
        snprintf(err, errlen, "HMAC failed");
        a->state = -1;
        return -1;
    }
    auth_encode(&p, out);
    a->state = 1;
    return 0;
}

int auth_client_finish(struct auth_client *a, const struct auth_key *key, const uint8_t *buf,
                       size_t len, char *err, size_t errlen)
{
    struct auth_msg m;
    uint8_t want[AUTH_MAC_LEN];
    if (a->state != 1) {
        snprintf(err, errlen, "authentication answer out of order");
        a->state = -1;
        return -1;
    }
    if (expect(buf, len, AUTH_OK, &m, err, errlen) != 0) {
        a->state = -1;
        return -1;
    }
    if (auth_mac(key, label_server, a->ns, a->nc, want) != 0 ||
        CRYPTO_memcmp(want, m.body, AUTH_MAC_LEN) != 0) {
        snprintf(err, errlen, "authentication failed: the server does not hold the same key");
        a->state = -1;
        return -1;
    }
    a->state = 2;
    return 0;
}
