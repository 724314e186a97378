#include "ws_frame.h"

#include <string.h>

static int fail(struct ws_frame *f, unsigned code, const char *why)
{
    f->close_code = code;
    f->err = why;
    return WS_PARSE_ERROR;
}

static bool is_control(uint8_t op)
{
    return (op & 0x8) != 0;
}

static bool known_opcode(uint8_t op)
{
    return op == WS_OP_CONT || op == WS_OP_TEXT || op == WS_OP_BINARY || op == WS_OP_CLOSE ||
           op == WS_OP_PING || op == WS_OP_PONG;
}

/* Reads the extended length; checks that the shortest form was used
 * (RFC 6455 5.2: "the minimal number of bytes MUST be used"). */
static int read_length(const uint8_t *buf, uint8_t len7, uint64_t *out, unsigned *pos,
                       struct ws_frame *f)
{
    if (len7 < 126) {
        *out = len7;
        return 0;
    }
    unsigned n = len7 == 126 ? 2 : 8;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | buf[*pos + i];
    *pos += n;
    if (n == 8 && (v >> 63) != 0)
        return fail(f, WS_CLOSE_PROTOCOL, "64-bit length with the top bit set");
    if ((n == 2 && v < 126) || (n == 8 && v <= 0xFFFF))
        return fail(f, WS_CLOSE_PROTOCOL, "length not in its shortest form");
    *out = v;
    return 0;
}

int ws_parse_header(const uint8_t *buf, size_t len, enum ws_role role, uint64_t max_payload,
                    struct ws_frame *f)
{
    return ws_parse_header_ext(buf, len, role, max_payload, false, f);
}

int ws_parse_header_ext(const uint8_t *buf, size_t len, enum ws_role role, uint64_t max_payload,
                        bool deflate, struct ws_frame *f)
{
    f->close_code = 0;
    f->err = NULL;
    if (len < 2)
        return WS_PARSE_INCOMPLETE;
    uint8_t b0 = buf[0], b1 = buf[1];
    f->fin = (b0 & 0x80) != 0;
    f->opcode = b0 & 0x0F;
    f->masked = (b1 & 0x80) != 0;
    f->rsv1 = (b0 & 0x40) != 0;
    if (b0 & (deflate ? 0x30 : 0x70))
        return fail(f, WS_CLOSE_PROTOCOL, "reserved bits set");
    if (f->rsv1 && (f->opcode == WS_OP_CONT || is_control(f->opcode)))
        return fail(f, WS_CLOSE_PROTOCOL, "RSV1 on a continuation or control frame");
    if (!known_opcode(f->opcode))
        return fail(f, WS_CLOSE_PROTOCOL, "reserved opcode");
    if (role == WS_SERVER && !f->masked)
        return fail(f, WS_CLOSE_PROTOCOL, "unmasked frame from a client");
    if (role == WS_CLIENT && f->masked)
        return fail(f, WS_CLOSE_PROTOCOL, "masked frame from a server");
    uint8_t len7 = b1 & 0x7F;
    if (is_control(f->opcode) && (len7 > WS_MAX_CONTROL || !f->fin))
        return fail(f, WS_CLOSE_PROTOCOL, "control frame fragmented or over 125 bytes");
    unsigned need = 2 + (len7 == 126 ? 2u : len7 == 127 ? 8u : 0u) + (f->masked ? 4u : 0u);
    if (len < need)
        return WS_PARSE_INCOMPLETE;
    unsigned pos = 2;
    if (read_length(buf, len7, &f->payload_len, &pos, f) != 0)
        return WS_PARSE_ERROR;
    if (f->masked) {
        memcpy(f->mask, buf + pos, 4);
        pos += 4;
    } else {
        memset(f->mask, 0, 4);
    }
    if (max_payload && f->payload_len > max_payload)
        return fail(f, WS_CLOSE_TOO_BIG, "frame over the message size limit");
    f->header_len = pos;
    return (int)pos;
}

unsigned ws_header_len(uint64_t payload_len, bool masked)
{
    unsigned n = payload_len < 126 ? 2u : payload_len <= 0xFFFF ? 4u : 10u;
    return n + (masked ? 4u : 0u);
}

unsigned ws_write_header(uint8_t *out, bool fin, uint8_t opcode, uint64_t payload_len,
                         const uint8_t *mask)
{
    unsigned pos = 2;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
    uint8_t m = mask ? 0x80 : 0;
    if (payload_len < 126) {
        out[1] = (uint8_t)(m | payload_len);
    } else if (payload_len <= 0xFFFF) {
        out[1] = (uint8_t)(m | 126);
        out[2] = (uint8_t)(payload_len >> 8);
        out[3] = (uint8_t)payload_len;
        pos = 4;
    } else {
        out[1] = (uint8_t)(m | 127);
        for (unsigned i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
        pos = 10;
    }
    if (mask) {
        memcpy(out + pos, mask, 4);
        pos += 4;
    }
    return pos;
}

void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset)
{
    /* Eight key bytes in the phase of p[0]; every 8-byte step keeps the
     * phase because 8 is a multiple of 4. */
    uint8_t k[8];
    for (unsigned j = 0; j < 8; j++)
        k[j] = key[(offset + j) & 3];
    uint64_t kw;
    memcpy(&kw, k, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        w ^= kw;
        memcpy(p + i, &w, 8);
    }
    for (; i < n; i++)
        p[i] ^= k[i & 7];
}

void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4], uint64_t offset)
{
    uint8_t k[8];
    for (unsigned j = 0; j < 8; j++)
        k[j] = key[(offset + j) & 3];
    uint64_t kw;
    memcpy(&kw, k, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        w ^= kw;
        memcpy(dst + i, &w, 8);
    }
    for (; i < n; i++)
        dst[i] = src[i] ^ k[i & 7];
}

/* Validator state: the low byte counts continuation bytes still owed, the
 * next two bytes hold the range the next one must fall in (narrower than
 * 80..BF right after E0, ED, F0 and F4: no overlong forms, no surrogates,
 * nothing over U+10FFFF). */
static uint32_t want(unsigned n, unsigned lo, unsigned hi)
{
    return (uint32_t)(n | lo << 8 | hi << 16);
}

static bool lead(uint8_t c, uint32_t *st)
{
    if (c >= 0xC2 && c <= 0xDF)
        *st = want(1, 0x80, 0xBF);
    else if (c == 0xE0)
        *st = want(2, 0xA0, 0xBF);
    else if (c == 0xED)
        *st = want(2, 0x80, 0x9F);
    else if (c >= 0xE1 && c <= 0xEF)
        *st = want(2, 0x80, 0xBF);
    else if (c == 0xF0)
        *st = want(3, 0x90, 0xBF);
    else if (c >= 0xF1 && c <= 0xF3)
        *st = want(3, 0x80, 0xBF);
    else if (c == 0xF4)
        *st = want(3, 0x80, 0x8F);
    else
        return false;
    return true;
}

bool ws_utf8_feed(uint32_t *state, const uint8_t *p, size_t n)
{
    uint32_t st = *state;
    size_t i = 0;
    while (i < n) {
        if (st == 0) {
            /* ASCII runs, the common case, eight bytes at a time. */
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull)
                    break;
                i += 8;
            }
            if (i == n)
                break;
            uint8_t c = p[i++];
            if (c >= 0x80 && !lead(c, &st))
                return false;
            continue;
        }
        uint8_t c = p[i++];
        if (c < ((st >> 8) & 0xFF) || c > ((st >> 16) & 0xFF))
            return false;
        unsigned left = (st & 0xFF) - 1;
        st = left ? want(left, 0x80, 0xBF) : 0;
    }
    *state = st;
    return true;
}

static unsigned data_frame(struct ws_reader *r, const struct ws_frame *f, uint64_t max_message)
{
    if (f->opcode == WS_OP_CONT) {
        if (!r->in_message)
            return WS_CLOSE_PROTOCOL;
    } else {
        if (r->in_message)
            return WS_CLOSE_PROTOCOL;
        r->in_message = true;
        r->msg_opcode = f->opcode;
        r->msg_deflated = f->rsv1;
        r->msg_len = 0;
        r->utf8 = 0;
    }
    if (max_message && f->payload_len > max_message - r->msg_len)
        return WS_CLOSE_TOO_BIG;
    r->msg_len += f->payload_len;
    return 0;
}

unsigned ws_reader_frame(struct ws_reader *r, const struct ws_frame *f, uint64_t max_message)
{
    if (is_control(f->opcode))
        return 0; /* may interleave with fragments; size checked by the parser */
    unsigned code = data_frame(r, f, max_message);
    if (code == 0 && f->fin)
        r->in_message = false; /* the caller checks ws_utf8_done for text */
    return code;
}

static bool sendable_code(unsigned c)
{
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011) || (c >= 3000 && c <= 4999);
}

unsigned ws_close_parse(const uint8_t *p, size_t n, unsigned *code)
{
    *code = WS_CLOSE_NO_STATUS;
    if (n == 0)
        return 0;
    if (n == 1)
        return WS_CLOSE_PROTOCOL;
    unsigned c = (unsigned)p[0] << 8 | p[1];
    if (!sendable_code(c))
        return WS_CLOSE_PROTOCOL;
    uint32_t st = 0;
    if (!ws_utf8_feed(&st, p + 2, n - 2) || !ws_utf8_done(st))
        return WS_CLOSE_BAD_DATA;
    *code = c;
    return 0;
}
