#ifndef NETRIG_RESULT_H
#define NETRIG_RESULT_H
/* The result of one test (one step and repetition): plain numbers filled by
 * the drivers and the model, formatted only by the report files. A double
 * that is NaN means "not measured" and is written as an empty CSV field. */
#include <stdint.h>
#include <stdio.h>

#define RESULT_SCHEMA_VERSION 1

struct test_result {
    /* identity */
    char scenario[128];
    char step[128];
    uint32_t repeat;
    char proto[8];
    char mode[8];
    double size_bytes;
    double resp_bytes;
    double conns;
    double threads;
    double pipeline;
    double rate_target; /* bits/s for paced streams, per second for rate mode */
    /* measured */
    double duration_s;
    double messages;
    double errors;
    double goodput_bps;
    double msgs_per_s;
    double lat_min_us, lat_mean_us, lat_stddev_us;
    double lat_p50_us, lat_p90_us, lat_p99_us, lat_p999_us, lat_p9999_us, lat_max_us;
    double loss_pct, reorder, dup, jitter_us;
    double retrans, rtt_us;
    double cpu_client_pct, cpu_server_pct;
    /* model */
    double overhead_bytes;
    double model_c_bps, model_t0_us, model_goodput_bps, model_err_pct;
    char model_ok[16]; /* "yes", "no", "cpu" (CPU-bound), "steal", "" (not checked) */
    /* beyond schema version 1's required columns */
    double connect_p50_us, connect_p99_us; /* crr: connect (+handshake) time */
    double header_bytes;                   /* HTTP: response header bytes per message */
    double tls_record_overhead;            /* TLS: bytes added per record */
    double cwnd, mss;
    char errors_by_class[160]; /* "connect=0 read=1 ..." */
    /* payload bytes over the whole test, warm-up included, both ends:
     * what the senders wrote and what the receivers read (conservation) */
    double tx_bytes, rx_bytes;
    double link_rate_bps; /* known bottleneck (emulated link, link_rate), 0 = unknown */
    double tolerance_pct; /* the model tolerance the step asked for */
    /* TLS: what was negotiated, and the cipher's bulk speed on this CPU
     * (a short OpenSSL EVP calibration after the test) for the E term */
    char tls_cipher[64]; /* "TLSv1.3 TLS_AES_256_GCM_SHA384" */
    double tls_crypto_Bps;
    /* host steal time in the client's window, percent of one core (summed
     * over CPUs): CPU time the hypervisor gave to others */
    double steal_pct;
    double ip_version; /* 4 or 6: the family of the path measured */
    char tcp_cc[16];   /* TCP: congestion control of the client's connections */
    /* latency under load (probe = udp|tcp): round trips of the probe flow
     * before the load (idle) and in the measured window (loaded), us */
    double probe_idle_p50_us;
    double probe_p50_us, probe_p90_us, probe_p99_us, probe_max_us;
    double probe_loss_pct;
    double probe_model_us;                 /* a full link queue's delay: queue bytes / C */
    char probe_model_ok[8];                /* "yes": the loaded p50 lands on it; "no"; "" */
    double upgrade_p50_us, upgrade_p99_us; /* WebSocket: upgrade request to 101 */
    double ws_frame;                       /* WebSocket: payload bytes per frame (0: one) */
    /* WebSocket --ws-deflate: "on" (the server took permessage-deflate),
     * "declined", "mixed" (some connections each); "" when not asked. And
     * the messages' bytes on the wire per payload byte, both ways */
    char ws_deflate[12];
    double ws_wire_ratio;
    /* several client hosts: the host of the row ("all": their merge, "": one host) and how
     * many of the run's hosts the row holds ("2/3" on an "all" row, "1/1" on a lone
     * client's; empty on one host's part of a merged step) */
    char host[64];
    char hosts[16];
    /* HTTP/2: streams per connection asked for, frames per request (both
     * ways), request HEADERS bytes per request as sent (HPACK, framed) */
    double streams, h2_frames, req_header_bytes;
    /* the warm-up the window waited for (an adaptive one runs until every
     * connection has left its start-up), and 1 when its bound ended it */
    double warmup_used_s, warmup_capped;
    /* TLS over one connection slot (https, h2, wss): handshakes in the
     * window that resumed a session (crr --resume) */
    double tls_resumed;
    /* why the test failed (nothing succeeded, errors beyond --max-errors),
     * with the first error's cause; "" when it passed */
    char failed[512];
};

/* True for one host's part of a merged step (host set, hosts empty): the
 * summaries, the model and the plots read the step's "all" row instead. */
int result_is_host_row(const struct test_result *r);

enum col_kind { COL_STR, COL_U32, COL_DBL };

struct result_column {
    const char *name;
    enum col_kind kind;
    size_t offset;
    size_t size;           /* of the field, bytes */
    const char *unit_help; /* for the README and --help */
};

/* The columns of summary.csv in order, terminated by name NULL. */
extern const struct result_column result_columns[];

/* Sets every double to NaN and every string to "". */
void result_init(struct test_result *r);

/* Column lookup by name, or NULL. */
const struct result_column *result_column_find(const char *name);

/* CSV (RFC 4180, '.' decimal point whatever the locale). */
void result_csv_header(FILE *out);
void result_csv_row(FILE *out, const struct test_result *r);

/* Appends one row to path, writing the header first if the file is new or
 * empty. The row is written with a single write(2) so that a reader never
 * sees half a row. Returns 0 or -1 with errno set. */
int result_csv_append(const char *path, const struct test_result *r);

/* Parses one CSV data row given the header line; fills r. Unknown columns
 * are ignored, missing ones stay NaN. Returns 0 or -1 with a message. */
int result_csv_parse(const char *header, const char *row, struct test_result *r, char *err,
                     size_t errlen);

/* One JSON object with the same names, and a newline. */
void result_json(FILE *out, const struct test_result *r);

/* Writes s as one CSV field (RFC 4180): quoted when it holds a comma, a
 * quote, CR or LF, with quotes doubled. */
void result_csv_str(FILE *out, const char *s);

/* The same object without the newline, to nest in another (events). */
void result_json_object(FILE *out, const struct test_result *r);

/* v as the CSV writes it: whole numbers without a point, others in the
 * shortest form that reads back as the same double. */
void result_fmt_double(double v, char *buf, size_t len);

#endif
