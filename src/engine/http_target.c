/* What an HTTP test requests, prepared once from the options. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http_target.h"
#include "http_client.h"
#include "net.h"

bool http_target_wanted(const struct netrig_config *cfg)
{
    return cfg->url[0] != '\0' || cfg->proto == PROTO_HTTP || cfg->proto == PROTO_HTTPS;
}

static int tls_setup(struct http_target *t, const struct netrig_config *cfg, char *err,
                     size_t errlen)
{
    struct tls_opts o;
    tls_client_opts(&o, cfg, cfg->http2 ? "h2" : "http/1.1");
    t->resume = cfg->resume;
    return tls_client_init(&t->tls_ctx, &o, err, errlen);
}

int http_target_init(struct http_target *t, const struct netrig_config *cfg, char *err,
                     size_t errlen)
{
    char path[1100], authority[300];
    memset(t, 0, sizeof(*t));
    bool post = strcmp(cfg->method, "POST") == 0;
    t->head_method = strcmp(cfg->method, "HEAD") == 0;
    if (!post && !t->head_method && strcmp(cfg->method, "GET") != 0) {
        snprintf(err, errlen, "--method %s: expected GET, HEAD or POST", cfg->method);
        return -1;
    }
    if (cfg->url[0] != '\0') {
        struct http_url u;
        if (http_url_parse(cfg->url, &u, err, errlen) != 0)
            return -1;
        t->tls = u.tls || cfg->proto == PROTO_HTTPS;
        snprintf(t->host, sizeof(t->host), "%s", u.host);
        snprintf(path, sizeof(path), "%s", u.path);
        snprintf(authority, sizeof(authority), "%s", u.authority);
        snprintf(t->addr, sizeof(t->addr), strchr(u.host, ':') ? "[%s]:%u" : "%s:%u", u.host,
                 u.port);
    } else {
        uint64_t resp = cfg->resp_size ? cfg->resp_size : cfg->size;
        t->tls = cfg->proto == PROTO_HTTPS;
        uint16_t port;
        if (net_split_hostport(cfg->server, 7878, t->host, sizeof(t->host), &port) != 0) {
            snprintf(err, errlen, "bad --server '%s': expected HOST:PORT", cfg->server);
            return -1;
        }
        if (post)
            snprintf(path, sizeof(path), "/sink");
        else
            snprintf(path, sizeof(path), "/bytes/%" PRIu64, resp);
        snprintf(authority, sizeof(authority), "%s", cfg->server);
        snprintf(t->addr, sizeof(t->addr), "%s", cfg->server);
    }
    t->body_len = post ? cfg->size : 0;
    struct http_client_req q = {.method = cfg->method,
                                .path = path,
                                .authority = authority,
                                .body_len = t->body_len,
                                .headers = (const char(*)[256])cfg->headers,
                                .nheaders = cfg->nheaders};
    long n = http_client_format(&q, t->head, sizeof(t->head), err, errlen);
    if (n < 0)
        return -1;
    t->head_len = (size_t)n;
    if (cfg->http2 && h2_target_init(&t->h2, cfg, path, authority, t->tls, t->body_len, err,
                                     errlen) != 0)
        return -1;
    if (t->tls && tls_setup(t, cfg, err, errlen) != 0)
        return -1;
    return 0;
}

void http_target_close(struct http_target *t)
{
    if (t->tls)
        tls_close(&t->tls_ctx);
}
