#ifndef NETRIG_HTTP_TARGET_H
#define NETRIG_HTTP_TARGET_H
/* What an HTTP test requests (http_target.c): prepared once per test from
 * the options into a read-only target that every worker's HTTP driver
 * (drv_http.c) and data path (http_io.c) share. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "h2_target.h"
#include "tls.h"

struct http_target {
    char head[4096]; /* the request head, the same for every request */
    size_t head_len;
    uint64_t body_len; /* request body bytes (POST) */
    bool head_method;  /* HEAD: responses carry no body */
    bool tls;
    struct tls_ctx tls_ctx;
    char host[256]; /* SNI and certificate name */
    bool resume;    /* crr: offer the last session again */
    char addr[300]; /* HOST:PORT to connect to */
    /* WebSocket (ws, wss; drv_ws.c): each connection writes its own
     * upgrade request (a fresh key) for path on authority; head is empty */
    bool ws;
    bool ws_text;
    bool ws_deflate;   /* offer permessage-deflate */
    uint64_t ws_frame; /* payload bytes per frame, 0 = a message is one frame */
    uint64_t ws_size;  /* message payload bytes */
    char path[1100];
    char authority[300];
    struct h2_target h2; /* --http2: the request as HTTP/2 headers (h2.on) */
};

/* Builds the target from the config: --url, or --server with --proto
 * http|https (GET /bytes/RESP, or POST /sink with a --size body). Returns 0
 * or -1 with a message naming the option at fault. */
int http_target_init(struct http_target *t, const struct netrig_config *cfg, char *err,
                     size_t errlen);

/* Frees the TLS context (safe on a failed init). */
void http_target_close(struct http_target *t);

/* True when cfg asks for HTTP, HTTPS, ws or wss (by --proto or by --url):
 * a test without netrig's control connection. */
bool http_target_wanted(const struct netrig_config *cfg);

/* True for a ws:// or wss:// URL. */
bool http_url_is_ws(const char *url);

/* How long a client thread with conns connections gathers answers before
 * sleeping (--coalesce, in ns), or 0: only HTTP/1.1 and HTTP/2 in stream
 * mode (a closed loop) with at least 8 requests in flight on the thread,
 * so that the server has work queued while the client sleeps. */
uint64_t http_coalesce_ns(const struct netrig_config *cfg, uint32_t conns);

#endif
