#ifndef NETRIG_MODEL_H
#define NETRIG_MODEL_H
/* The goodput model: every message costs a fixed time t0 plus the time its
 * bytes on the wire (payload B + overhead O) occupy the bottleneck of rate
 * C, T(B) = t0 + (B + O(B)) / C, goodput G = B / T.
 *
 * serial form (rr, crr and rate at one outstanding transaction): the
 *   transactions follow each other; t0 holds the round trip and system call
 *   costs and is fitted.
 * pipelined form (stream, or several transactions in flight): the link and
 *   the CPU work in parallel and the slower wins,
 *   G = min(C B / (B + O), B / t_cpu), t_cpu the measured CPU time per
 *   message of the busier end.
 *
 * With C known (a shaped link) every row is predicted; otherwise C and t0
 * come from a least-squares fit over the sizes of a sweep. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model_fit.h"
#include "model_wire.h"
#include "result.h"

enum model_form { MODEL_SERIAL, MODEL_PIPELINED };

/* What one message (stream) or transaction (rr, crr, rate) costs. */
struct model_msg {
    enum model_form form;
    double payload;  /* bytes counted in goodput_bps */
    double wire_fwd; /* bytes on the wire, client to server direction */
    double wire_rev; /* bytes on the wire, the other direction */
    double crypto;   /* plaintext bytes encrypted once (TLS), for E */
};

/* The model's settings. */
struct model_opts {
    double link_rate_bps;   /* known bottleneck rate; 0 = fit it */
    double tolerance_pct;   /* |model_err_pct| allowed for "yes" */
    double crypto_bps;      /* AEAD rate from the calibration, bit/s; 0 = ignore E */
    struct model_wire wire; /* framing; a row's mss column refines it */
};

/* Ethernet/IPv4 framing, link rate and tolerance from the rows. */
void model_opts_defaults(struct model_opts *o);

/* The form and wire bytes of row r (proto, mode, sizes, conns, pipeline,
 * mss, header_bytes, tls_record_overhead). Returns 0, or -1 when the row
 * lacks what the model needs (no proto, no size). */
int model_msg_of(const struct model_opts *o, const struct test_result *r, struct model_msg *m);

/* Bytes that occupy the bottleneck per message: both directions in turn
 * for the serial form, the busier direction for the pipelined form. */
double model_msg_wire(const struct model_msg *m);

const char *model_form_name(enum model_form f);

/* The tolerance and known link rate (0: none) that apply to row r. */
double model_row_tolerance(const struct model_opts *o, const struct test_result *r);
double model_row_link(const struct model_opts *o, const struct test_result *r);

/* Rows sharing proto, mode, concurrency and pacing: one sweep, one fit. */
struct model_group {
    char scenario[128];
    char proto[8], mode[8];
    double conns, threads, pipeline, rate_target;
    double link_bps; /* known C of the rows, 0 = none */
    enum model_form form;
    size_t nrows;
    bool fitted;          /* fit holds a line over >= 2 sizes */
    bool fit_skips_busy;  /* the fit left the CPU-saturated rows out */
    struct model_fit fit; /* y = T seconds per message, x = wire bits */
    bool c_known;         /* C from link_rate, not from the fit */
    double c_bps;         /* C used for the predictions (NaN: none) */
    double t0_s, t0_ci_s; /* t0 used and its 95 % half width */
    /* Why the rows were not checked (c_bps NaN), or NULL: a fit with as
     * many points as parameters passes every row by construction, one
     * size gives no line, a line that falls with size no C. `why` says
     * the same in a few words for the row table and the console. */
    const char *unchecked;
    const char *why;
};

/* The outcome of model_apply. */
struct model_run {
    struct model_group *groups;
    size_t ngroups;
    size_t *row_group; /* group index of each row, SIZE_MAX if unchecked */
    double *payload;   /* per row: payload bytes per message (goodput's B) */
    double *wire;      /* per row: bytes occupying the bottleneck per message */
    /* per row with a fitted C: the half width, percent of the predicted
     * goodput on the side the row lies, of the 95 % prediction interval
     * the sweep's other rows give it; NaN: none (known C, or too few
     * rows), and the tolerance alone decides. */
    double *pi_pct;
    size_t nrows;
    size_t nyes, nno, ncpu, nsteal, nskip;
    size_t nnoise; /* of nyes: beyond the tolerance, inside the prediction interval */
};

/* Fits and checks rows[0..n): fills overhead_bytes (header bytes per
 * message, both directions), model_c_bps,
 * model_t0_us, model_goodput_bps, model_err_pct and model_ok ("yes", "no",
 * "cpu" or "" when the row cannot be checked) of every row. With a fitted
 * C a row is "no" only when its error is beyond both the tolerance and
 * the 95 % prediction interval of the other rows (run->pi_pct). Returns 0 or -1
 * (out of memory) with a message; run is released with model_run_close. */
int model_apply(struct test_result *rows, size_t n, const struct model_opts *o,
                struct model_run *run, char *err, size_t errlen);
void model_run_close(struct model_run *run);

/* Writes model.txt: settings, the fit of every group (C and t0 with their
 * 95 % intervals, R^2, form), each row's verdict, and the protocol
 * overhead table (efficiency B / (B + O) predicted beside measured). */
void model_report(FILE *out, const struct test_result *rows, size_t n, const struct model_opts *o,
                  const struct model_run *run);

/* Times AES-256-GCM sealing of 16 KiB records with OpenSSL for about
 * `seconds`; returns the plaintext rate in bit/s, or 0 on failure. */
double model_crypto_calibrate(double seconds);

#endif
