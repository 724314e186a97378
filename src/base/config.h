#ifndef NETRIG_CONFIG_H
#define NETRIG_CONFIG_H
/* What a test is asked to do: the client's settings. One struct serves the
 * command line, scenario files and the control request to the server; the
 * option table in opts.c maps names to its fields. */
#include <stdbool.h>
#include <stdint.h>

/* The shortest --interval the client's schedule keeps (0 = off). */
#define CONFIG_INTERVAL_MIN_NS 10000000ull

enum proto {
    PROTO_TCP,
    PROTO_UDP,
    PROTO_HTTP,
    PROTO_TLS,
    PROTO_HTTPS,
    PROTO_WS,
    PROTO_WSS,
    PROTO_COUNT
};
enum mode { MODE_STREAM, MODE_RR, MODE_CRR, MODE_RATE, MODE_COUNT };

#define CONFIG_MAX_HEADERS 16

struct netrig_config {
    /* where */
    char server[256]; /* HOST:PORT of a netrig server (or echo server) */
    char url[1024];   /* http:// or https:// URL of any HTTP server */
    char link[64];    /* "tbf:100mbit": emulate a link in namespaces */
    bool ipv6;        /* the embedded server and the link over IPv6 */
    bool optional;    /* netrig run: skip the step where it cannot run (a link, not root) */
    /* what */
    enum proto proto;
    enum mode mode;
    uint64_t size;      /* request / message payload bytes */
    uint64_t resp_size; /* response payload bytes; 0 = same as size */
    double rate_bps;    /* stream pacing in bits/s (0 = unpaced) */
    double rate_per_s;  /* messages or transactions per second (0 = none) */
    uint32_t conns;
    uint32_t threads;
    uint32_t pipeline;
    bool reverse;
    bool bidir;
    bool echo; /* plain RFC 862 echo peer, no control connection */
    /* how long */
    uint64_t duration_ns;
    uint64_t warmup_ns;
    bool warmup_fixed;    /* TCP streams: no adaptive warm-up (client_settle.c) */
    uint64_t interval_ns; /* 0 = no interval reports */
    uint64_t timeout_ns;  /* UDP rr loss timeout, connect timeout */
    uint64_t count;       /* stop after this many messages (0 = no limit) */
    uint32_t repeat;
    /* model */
    double link_rate_bps; /* known bottleneck rate, 0 = unknown */
    double tolerance_pct;
    /* errors that fail the test: beyond max_errors of them, or beyond
     * max_errors_pct % of the transactions (-1: a count was given);
     * off unless max_errors_on */
    bool max_errors_on;
    double max_errors;
    double max_errors_pct;
    /* HTTP */
    char method[8];
    char headers[CONFIG_MAX_HEADERS][256];
    uint32_t nheaders;
    /* WebSocket */
    uint64_t ws_frame; /* payload bytes per frame; a message is split (0 = one frame) */
    bool ws_text;      /* text messages (UTF-8) instead of binary */
    bool ws_deflate;   /* offer permessage-deflate (RFC 7692) */
    bool http2;        /* HTTP/2: h2 over TLS (ALPN), h2c with prior knowledge */
    uint32_t streams;  /* HTTP/2: concurrent streams per connection */
    /* TLS */
    char tls_version[8];
    char ciphers[256];
    char groups[128];
    char alpn[64];
    bool resume;
    bool verify;
    char cafile[512];
    /* instrument */
    bool no_timing;        /* skip per-message timestamps (instrument cost) */
    char cpu[64];          /* CPU list to pin threads to, "0,1" */
    uint32_t busy_poll_us; /* spin this long for data before sleeping (0 = off) */
    uint32_t coalesce_us;  /* closed loops: gather answers this long before sleeping */
    /* TCP: the client's connections (and the server's, for cc) */
    uint32_t mss;    /* TCP_MAXSEG, 0 = the path's */
    uint64_t window; /* socket buffers, both ways; 0 = the system's autotuning */
    char cc[16];     /* congestion control, "" = the system's default */
    /* output */
    char csv[512];
    char hlog[512];
    char events[512]; /* live event stream (NDJSON), "-" standard output */
    /* latency under load: a probe flow beside the load */
    char probe[8];              /* "udp", "tcp", "none" or "" (none) */
    uint64_t probe_interval_ns; /* one request per this, open loop */
    uint64_t probe_size;        /* request and echo payload, bytes */
    double link_queue_bytes;    /* the emulated link's queue (tbf limit), 0 unknown */
    bool json;
    bool quiet;
    /* testing */
    uint64_t stall_ns; /* the server stalls once this long mid-test */
    char psk[512];     /* file with the server's pre-shared key ("" = none) */
    /* several hosts (docs/scale-out.md) */
    double start_at_s;       /* client: start at this wall-clock time, epoch s (0 = now) */
    char out[512];           /* client: write a results folder here (netrig merge reads it) */
    char host[64];           /* client: this host's name in the host column ("" = hostname) */
    bool stdio_control;      /* client: driven by netrig run over its stdin/stdout (ssh) */
    char server_host[256];   /* run: start the server there over ssh */
    char client_hosts[1024]; /* run: run each step's client on every one of these (ssh) */
    char netrig_path[256];   /* run: the netrig binary on the remote hosts */
    char ssh_config[512];    /* run: ssh -F FILE */
};

const char *proto_name(enum proto p);
const char *mode_name(enum mode m);
/* Returns the enum value or -1. */
int proto_from_name(const char *s);
int mode_from_name(const char *s);

/* The warm-up a test really runs. A stream with a count runs none: the
 * warm-up's messages still in flight when measuring starts would be
 * counted by the receiver (or, racing the marks, the measured ones
 * missed), so the count would not be the N asked for. */
static inline uint64_t config_warmup_ns(const struct netrig_config *cfg)
{
    return cfg->count && cfg->mode == MODE_STREAM ? 0 : cfg->warmup_ns;
}

#endif
