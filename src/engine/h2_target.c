/* The header list of an HTTP/2 test's requests, built once. */
#include "h2_target.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void nv_add(struct h2_target *t, const char *name, const char *value)
{
    t->nv[t->nnv++] =
        (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name),
                     strlen(value), NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}

/* RFC 9113 8.2.2: these belong to HTTP/1.1's connection, not to a stream. */
static bool connection_specific(const char *name)
{
    static const char *const bad[] = {"connection",        "keep-alive", "proxy-connection",
                                      "transfer-encoding", "upgrade",    "content-length"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strcmp(name, bad[i]) == 0)
            return true;
    return false;
}

/* Splits one --header "Name: value" into the slot's lowered name and its
 * value. Returns 0, 1 for a Host header (its value is the authority), or
 * -1 with a message. */
static int split_header(struct h2_target *t, uint32_t i, const char *line, char *err, size_t errlen)
{
    const char *colon = strchr(line, ':');
    size_t n = colon ? (size_t)(colon - line) : 0;
    if (n == 0 || n >= sizeof(t->names[i])) {
        snprintf(err, errlen, "--header '%s': expected 'Name: value'", line);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        t->names[i][k] = (char)tolower((unsigned char)line[k]);
    t->names[i][n] = '\0';
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    snprintf(t->values[i], sizeof(t->values[i]), "%s", v);
    if (connection_specific(t->names[i])) {
        snprintf(err, errlen, "--header '%s': HTTP/2 forbids connection-specific headers", line);
        return -1;
    }
    return strcmp(t->names[i], "host") == 0;
}

int h2_target_init(struct h2_target *t, const struct netrig_config *cfg, const char *path,
                   const char *authority, bool tls, uint64_t body_len, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->on = true;
    t->streams = cfg->streams ? cfg->streams : 1;
    snprintf(t->method, sizeof(t->method), "%s", cfg->method);
    snprintf(t->scheme, sizeof(t->scheme), "%s", tls ? "https" : "http");
    snprintf(t->path, sizeof(t->path), "%s", path);
    snprintf(t->authority, sizeof(t->authority), "%s", authority);
    uint32_t nh = cfg->nheaders < CONFIG_MAX_HEADERS ? cfg->nheaders : CONFIG_MAX_HEADERS;
    bool host[CONFIG_MAX_HEADERS] = {false};
    for (uint32_t i = 0; i < nh; i++) {
        int rc = split_header(t, i, cfg->headers[i], err, errlen);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            snprintf(t->authority, sizeof(t->authority), "%s", t->values[i]);
            host[i] = true;
        }
    }
    nv_add(t, ":method", t->method);
    nv_add(t, ":scheme", t->scheme);
    nv_add(t, ":path", t->path);
    nv_add(t, ":authority", t->authority);
    if (body_len > 0) {
        snprintf(t->clen, sizeof(t->clen), "%" PRIu64, body_len);
        nv_add(t, "content-length", t->clen);
    }
    for (uint32_t i = 0; i < nh; i++)
        if (!host[i])
            nv_add(t, t->names[i], t->values[i]);
    return 0;
}
