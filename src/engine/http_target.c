/* What an HTTP test requests, prepared once from the options. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http_target.h"
#include "http_client.h"
#include "net.h"

bool http_target_wanted(const struct netrig_config *cfg)
{
    return cfg->url[0] != '\0' || cfg->proto == PROTO_HTTP || cfg->proto == PROTO_HTTPS ||
           cfg->proto == PROTO_WS || cfg->proto == PROTO_WSS;
}

bool http_url_is_ws(const char *url)
{
    return strncmp(url, "ws://", 5) == 0 || strncmp(url, "wss://", 6) == 0;
}

#define COALESCE_MIN_INFLIGHT 8

uint64_t http_coalesce_ns(const struct netrig_config *cfg, uint32_t conns)
{
    bool ws = cfg->proto == PROTO_WS || cfg->proto == PROTO_WSS || http_url_is_ws(cfg->url);
    if (!http_target_wanted(cfg) || ws || cfg->mode != MODE_STREAM)
        return 0;
    uint32_t per_conn = cfg->http2 ? cfg->streams : cfg->pipeline;
    if ((uint64_t)conns * (per_conn ? per_conn : 1) < COALESCE_MIN_INFLIGHT)
        return 0;
    return (uint64_t)cfg->coalesce_us * 1000u;
}

/* ws:// and wss:// URLs are http:// and https:// ones for the parser. */
static const char *ws_scheme(const char *url, char *buf, size_t cap, bool *ws)
{
    *ws = http_url_is_ws(url);
    if (!*ws)
        return url;
    snprintf(buf, cap, "http%s", url + 2);
    return buf;
}

/* A WebSocket target: the path to upgrade on, what to send. */
static int ws_setup(struct http_target *t, const struct netrig_config *cfg, const char *path,
                    const char *authority, char *err, size_t errlen)
{
    uint64_t resp = cfg->resp_size ? cfg->resp_size : cfg->size;
    if (resp != cfg->size)
        return snprintf(err, errlen,
                        "--resp-size: a WebSocket echo answers with the message it got "
                        "(--size)"),
               -1;
    if (cfg->bidir || cfg->reverse)
        return snprintf(err, errlen, "ws: --reverse and --bidir are not available"), -1;
    t->ws = true;
    t->ws_text = cfg->ws_text;
    t->ws_deflate = cfg->ws_deflate;
    t->ws_frame = cfg->ws_frame;
    t->ws_size = cfg->size;
    snprintf(t->path, sizeof(t->path), "%s", path);
    snprintf(t->authority, sizeof(t->authority), "%s", authority);
    if (t->tls) {
        struct tls_opts o;
        tls_client_opts(&o, cfg, "http/1.1");
        t->resume = cfg->resume;
        return tls_client_init(&t->tls_ctx, &o, err, errlen);
    }
    return 0;
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
    bool ws = cfg->proto == PROTO_WS || cfg->proto == PROTO_WSS;
    if (cfg->url[0] != '\0') {
        struct http_url u;
        char wsurl[sizeof(cfg->url) + 2];
        bool ws_url;
        if (http_url_parse(ws_scheme(cfg->url, wsurl, sizeof(wsurl), &ws_url), &u, err, errlen) !=
            0)
            return -1;
        ws = ws || ws_url;
        t->tls = u.tls || cfg->proto == PROTO_HTTPS || cfg->proto == PROTO_WSS;
        snprintf(t->host, sizeof(t->host), "%s", u.host);
        snprintf(path, sizeof(path), "%s", u.path);
        snprintf(authority, sizeof(authority), "%s", u.authority);
        snprintf(t->addr, sizeof(t->addr), strchr(u.host, ':') ? "[%s]:%u" : "%s:%u", u.host,
                 u.port);
    } else {
        uint64_t resp = cfg->resp_size ? cfg->resp_size : cfg->size;
        t->tls = cfg->proto == PROTO_HTTPS || cfg->proto == PROTO_WSS;
        uint16_t port;
        if (net_split_hostport(cfg->server, 7878, t->host, sizeof(t->host), &port) != 0) {
            snprintf(err, errlen, "bad --server '%s': expected HOST:PORT", cfg->server);
            return -1;
        }
        if (ws)
            snprintf(path, sizeof(path), cfg->mode == MODE_STREAM ? "/ws/sink" : "/ws/echo");
        else if (post)
            snprintf(path, sizeof(path), "/sink");
        else
            snprintf(path, sizeof(path), "/bytes/%" PRIu64, resp);
        snprintf(authority, sizeof(authority), "%s", cfg->server);
        snprintf(t->addr, sizeof(t->addr), "%s", cfg->server);
    }
    if (ws)
        return ws_setup(t, cfg, path, authority, err, errlen);
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
    if (cfg->http2 &&
        h2_target_init(&t->h2, cfg, path, authority, t->tls, t->body_len, err, errlen) != 0)
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
