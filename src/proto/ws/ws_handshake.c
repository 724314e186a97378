#include "ws_handshake.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int ws_key_new(char key[WS_KEY_LEN + 1])
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
    return 0;
}

void ws_accept_for(const char *key, size_t key_len, char out[WS_ACCEPT_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE], in[64 + sizeof(ws_guid)];
    unsigned mdlen = 0;
    if (key_len > 64)
        key_len = 64; /* keys are 24 bytes; a longer one cannot match anyway */
    memcpy(in, key, key_len);
    memcpy(in + key_len, ws_guid, sizeof(ws_guid) - 1);
    EVP_Digest(in, key_len + sizeof(ws_guid) - 1, md, &mdlen, EVP_sha1(), NULL);
    EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

int ws_request_write(char *buf, size_t cap, const char *host, const char *path,
                     const char key[WS_KEY_LEN + 1], const char *ext)
{
    int n = snprintf(buf, cap,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
                     path, host, key, ext ? "Sec-WebSocket-Extensions: " : "", ext ? ext : "",
                     ext ? "\r\n" : "");
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

int ws_response_write(char *buf, size_t cap, const char *key, size_t key_len, const char *ext)
{
    char acc[WS_ACCEPT_LEN + 1];
    ws_accept_for(key, key_len, acc);
    int n =
        snprintf(buf, cap,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s%s%s\r\n",
                 acc, ext ? "Sec-WebSocket-Extensions: " : "", ext ? ext : "", ext ? "\r\n" : "");
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Does a comma-separated header value hold token (case-insensitive)? */
static int has_token(const char *v, size_t n, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
            return 1;
    }
    return 0;
}

/* Any header line called name whose value lists token. */
static int any_has_token(const struct http_header *h, size_t n, const char *name, const char *token)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (h[i].name_len == nl && strncasecmp(h[i].name, name, nl) == 0 &&
            has_token(h[i].value, h[i].value_len, token))
            return 1;
    return 0;
}

static int value_is(const struct http_header *h, const char *s)
{
    return h && h->value_len == strlen(s) && memcmp(h->value, s, h->value_len) == 0;
}

/* 16 bytes in base64: 22 characters of the alphabet, the last with its low
 * four bits zero, and "==". */
static int key_ok(const char *k, size_t n)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n != WS_KEY_LEN || k[22] != '=' || k[23] != '=')
        return 0;
    for (size_t i = 0; i < 22; i++) {
        const char *p = k[i] ? strchr(alpha, k[i]) : NULL;
        if (!p)
            return 0;
        if (i == 21 && ((p - alpha) & 0xF) != 0)
            return 0;
    }
    return 1;
}

static size_t nstored(size_t nheaders, size_t max)
{
    return nheaders < max ? nheaders : max;
}

int ws_request_is_upgrade(const struct http_request *r)
{
    return r->headers &&
           any_has_token(r->headers, nstored(r->nheaders, r->max_headers), "upgrade", "websocket");
}

int ws_request_check(const struct http_request *r, const char **key, size_t *key_len,
                     const char **why)
{
    size_t nh = nstored(r->nheaders, r->max_headers);
    const struct http_header *h = r->headers;
    if (r->method_len != 3 || memcmp(r->method, "GET", 3) != 0)
        return *why = "upgrade request is not GET", 400;
    if (r->minor_version != 1)
        return *why = "upgrade needs HTTP/1.1", 400;
    if (r->body != HTTP_BODY_NONE)
        return *why = "upgrade request with a body", 400;
    if (!h || !any_has_token(h, nh, "upgrade", "websocket"))
        return *why = "no Upgrade: websocket", 400;
    if (!any_has_token(h, nh, "connection", "upgrade"))
        return *why = "Connection does not name upgrade", 400;
    if (!value_is(http_header_find(h, nh, "sec-websocket-version"), "13"))
        return *why = "Sec-WebSocket-Version is not 13", 426;
    const struct http_header *k = http_header_find(h, nh, "sec-websocket-key");
    if (!k || !key_ok(k->value, k->value_len))
        return *why = "missing or malformed Sec-WebSocket-Key", 400;
    *key = k->value;
    *key_len = k->value_len;
    *why = NULL;
    return 0;
}

int ws_request_deflate(const struct http_request *r, struct ws_ext *e)
{
    size_t nh = nstored(r->nheaders, r->max_headers);
    for (size_t i = 0; r->headers && i < nh; i++) {
        const struct http_header *h = &r->headers[i];
        if (h->name_len == 24 && strncasecmp(h->name, "sec-websocket-extensions", 24) == 0 &&
            ws_ext_choose(h->value, h->value_len, e))
            return 1;
    }
    return 0;
}

int ws_response_check(const struct http_response *r, const char key[WS_KEY_LEN + 1], bool offered,
                      const struct http_header **ext, const char **why)
{
    size_t nh = nstored(r->nheaders, r->max_headers);
    const struct http_header *h = r->headers;
    char acc[WS_ACCEPT_LEN + 1];
    if (r->status != 101)
        return *why = "server did not switch protocols (status not 101)", -1;
    if (!h || !any_has_token(h, nh, "upgrade", "websocket"))
        return *why = "101 without Upgrade: websocket", -1;
    if (!any_has_token(h, nh, "connection", "upgrade"))
        return *why = "101 without Connection: upgrade", -1;
    ws_accept_for(key, WS_KEY_LEN, acc);
    if (!value_is(http_header_find(h, nh, "sec-websocket-accept"), acc))
        return *why = "wrong Sec-WebSocket-Accept", -1;
    const struct http_header *x = NULL;
    for (size_t i = 0; i < nh; i++) {
        if (h[i].name_len != 24 || strncasecmp(h[i].name, "sec-websocket-extensions", 24) != 0)
            continue;
        if (!offered)
            return *why = "server chose an extension that was not offered", -1;
        if (x)
            return *why = "more than one Sec-WebSocket-Extensions line", -1;
        x = &h[i];
    }
    *ext = x;
    *why = NULL;
    return 0;
}
