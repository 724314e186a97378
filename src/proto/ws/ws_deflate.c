/* permessage-deflate's compressor and decompressor over zlib. */
#include "ws_deflate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};

int ws_deflate_init(struct ws_deflate *z, const struct ws_ext *e, enum ws_role role, char *err,
                    size_t errlen)
{
    memset(z, 0, sizeof(*z));
    int bits = role == WS_CLIENT ? e->client_bits : e->server_bits;
    z->def_reset = role == WS_CLIENT ? e->client_nct : e->server_nct;
    z->inf_reset = role == WS_CLIENT ? e->server_nct : e->client_nct;
    z->scratch = malloc(WS_DEFLATE_SCRATCH);
    if (z->scratch == NULL) {
        snprintf(err, errlen, "no memory for permessage-deflate");
        return -1;
    }
    /* Negative window bits: raw deflate, no zlib header or checksum. The
     * inflater takes the largest window: it reads any smaller one. */
    int rc = deflateInit2(&z->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY);
    z->def_ok = rc == Z_OK;
    if (rc == Z_OK) {
        rc = inflateInit2(&z->inf, -15);
        z->inf_ok = rc == Z_OK;
    }
    if (rc != Z_OK) {
        snprintf(err, errlen, "zlib: cannot set up permessage-deflate (window bits %d): %d", bits,
                 rc);
        ws_deflate_free(z);
        return -1;
    }
    return 0;
}

void ws_deflate_free(struct ws_deflate *z)
{
    if (z->def_ok)
        deflateEnd(&z->def);
    if (z->inf_ok)
        inflateEnd(&z->inf);
    free(z->scratch);
    z->scratch = NULL;
    z->def_ok = z->inf_ok = false;
}

size_t ws_deflate_bound(size_t n)
{
    /* Stored blocks at worst: 5 bytes per block of at least 16 KiB, plus a
     * block's end and the flush. */
    return n + (n >> 10) + 64;
}

int ws_deflate_put(struct ws_deflate *z, const uint8_t *in, size_t n, bool end, uint8_t *out,
                   size_t cap, size_t *len, size_t *used)
{
    z_stream *s = &z->def;
    size_t start = *len;
    s->next_in = (Bytef *)(uintptr_t)in;
    s->avail_in = (uInt)n;
    s->next_out = out + *len;
    s->avail_out = (uInt)(cap - *len);
    int rc = deflate(s, end ? Z_SYNC_FLUSH : Z_NO_FLUSH);
    *used = n - s->avail_in;
    *len = cap - s->avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR)
        return -1;
    if (end && rc == Z_BUF_ERROR && *len == start && s->avail_in == 0 && *len < cap) {
        /* Nothing since the last message's flush, which zlib will not
         * repeat: an empty message, one 0x00 byte (RFC 7692 7.2.3.6). */
        out[(*len)++] = 0x00;
        if (z->def_reset)
            deflateReset(s);
        return 0;
    }
    /* Out of room: with input left, or a flush that may not be complete. */
    if (s->avail_in > 0 || (end && s->avail_out == 0))
        return -1;
    if (!end)
        return 0;
    if (*len < 4 || memcmp(out + *len - 4, tail, 4) != 0)
        return -1;
    *len -= 4;
    if (z->def_reset)
        deflateReset(s);
    return 0;
}

void ws_deflate_drop(struct ws_deflate *z)
{
    deflateReset(&z->def);
}

/* One inflate call's output, checked against the limit and handed on. */
static unsigned out_piece(struct ws_deflate *z, size_t got, uint64_t limit, ws_deflate_emit emit,
                          void *arg)
{
    if (got == 0)
        return 0;
    if (limit && got > limit - z->in_msg)
        return WS_CLOSE_TOO_BIG;
    z->in_msg += got;
    return emit(arg, z->scratch, got);
}

/* Inflates in[0..n) through the scratch buffer. */
static unsigned run(struct ws_deflate *z, const uint8_t *in, size_t n, uint64_t limit,
                    ws_deflate_emit emit, void *arg)
{
    z_stream *s = &z->inf;
    s->next_in = (Bytef *)(uintptr_t)in;
    s->avail_in = (uInt)n;
    for (;;) {
        /* At most one byte past the limit: enough to know it is passed. */
        uint64_t room = limit ? limit - z->in_msg + 1 : WS_DEFLATE_SCRATCH;
        s->next_out = z->scratch;
        s->avail_out = room < WS_DEFLATE_SCRATCH ? (uInt)room : WS_DEFLATE_SCRATCH;
        uInt want = s->avail_out;
        int rc = inflate(s, Z_SYNC_FLUSH);
        unsigned code = out_piece(z, want - s->avail_out, limit, emit, arg);
        if (code != 0)
            return code;
        if (rc == Z_STREAM_END) {
            /* A final block (BFINAL): the peer ended its stream; what comes
             * next starts a new one. */
            inflateReset(s);
            continue;
        }
        if (rc == Z_BUF_ERROR || (rc == Z_OK && s->avail_in == 0 && s->avail_out > 0))
            return 0; /* all input taken and all output given */
        if (rc != Z_OK)
            return WS_CLOSE_BAD_DATA;
    }
}

unsigned ws_deflate_take(struct ws_deflate *z, const uint8_t *in, size_t n, bool end,
                         uint64_t limit, ws_deflate_emit emit, void *arg)
{
    unsigned code = n > 0 ? run(z, in, n, limit, emit, arg) : 0;
    if (code == 0 && end)
        code = run(z, tail, sizeof(tail), limit, emit, arg);
    if (code != 0 || end) {
        z->in_msg = 0;
        if (code != 0 || z->inf_reset)
            inflateReset(&z->inf);
    }
    return code;
}
