#ifndef NETRIG_WS_FRAME_H
#define NETRIG_WS_FRAME_H
/* WebSocket framing (RFC 6455 section 5): a strict, allocation-free frame
 * header parser, a header writer, masking a word at a time, an incremental
 * UTF-8 validator for text messages, and the message-level rules
 * (fragmentation order, control frames, size limits) as caller-owned state.
 *
 * The parser follows the HTTP parser's contract: it reads buf[0..len) and
 * never past it, and returns the header's length (2 to 14 bytes),
 * WS_PARSE_ERROR (-1, with the close code that the peer is owed in
 * ->close_code) or WS_PARSE_INCOMPLETE (-2: call again with more bytes). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_PARSE_ERROR (-1)
#define WS_PARSE_INCOMPLETE (-2)
#define WS_MAX_HEADER 14   /* 2 + 8 (64-bit length) + 4 (mask key) */
#define WS_MAX_CONTROL 125 /* payload limit of ping, pong and close */

enum ws_opcode {
    WS_OP_CONT = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA
};

/* Close status codes (RFC 6455 7.4.1) that netrig sends. */
enum ws_close {
    WS_CLOSE_NORMAL = 1000,
    WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL = 1002,
    WS_CLOSE_UNSUPPORTED = 1003,
    WS_CLOSE_NO_STATUS = 1005, /* never on the wire: a close frame without a code */
    WS_CLOSE_BAD_DATA = 1007,  /* text that is not UTF-8 */
    WS_CLOSE_POLICY = 1008,
    WS_CLOSE_TOO_BIG = 1009,
    WS_CLOSE_INTERNAL = 1011
};

/* Which end parses: a server requires masked frames, a client refuses
 * them (RFC 6455 5.1). */
enum ws_role { WS_SERVER, WS_CLIENT };

/* One frame header as parsed. */
struct ws_frame {
    bool fin;
    uint8_t opcode;
    bool masked;
    bool rsv1; /* permessage-deflate: the message is compressed (first frame only) */
    uint8_t mask[4];
    uint64_t payload_len;
    unsigned header_len;
    unsigned close_code; /* on WS_PARSE_ERROR: the code to close with */
    const char *err;     /* on WS_PARSE_ERROR: a short reason */
};

/* Parses the frame header at buf[0..len) for an endpoint of the given
 * role. Rejects reserved bits (no extension is negotiated), reserved
 * opcodes, control frames that are fragmented or over 125 bytes, lengths
 * not in their shortest form, 64-bit lengths with the top bit set, and the
 * wrong masking for the role. max_payload (0: no limit) bounds one frame:
 * over it the code is 1009. */
int ws_parse_header(const uint8_t *buf, size_t len, enum ws_role role, uint64_t max_payload,
                    struct ws_frame *f);

/* ws_parse_header for a connection that negotiated permessage-deflate
 * (deflate true): RSV1 is then allowed on the first frame of a data
 * message (sets ->rsv1), and still refused on a continuation or a control
 * frame (RFC 7692 6.1). RSV2 and RSV3 are always refused. */
int ws_parse_header_ext(const uint8_t *buf, size_t len, enum ws_role role, uint64_t max_payload,
                        bool deflate, struct ws_frame *f);

/* Writes a frame header into out (at least WS_MAX_HEADER bytes): the
 * length in its shortest form, and the mask key when mask is not NULL.
 * Returns the header's length. */
unsigned ws_write_header(uint8_t *out, bool fin, uint8_t opcode, uint64_t payload_len,
                         const uint8_t *mask);

/* Header bytes of a frame of payload_len bytes: 2, 4 or 10, plus 4 when
 * masked. What the model counts per frame. */
unsigned ws_header_len(uint64_t payload_len, bool masked);

/* XORs p[0..n) with the mask key, the key's phase given by offset (the
 * number of payload bytes of this frame before p), so a payload may be
 * unmasked in as many pieces as it arrives in. Works eight bytes at a
 * time; p need not be aligned. */
void ws_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset);

/* ws_mask from src into dst (n bytes, not overlapping): what a client
 * sends, masked on the way into its send buffer in one pass. */
void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4],
                  uint64_t offset);

/* Incremental UTF-8 validation (RFC 3629: no overlong forms, no
 * surrogates, nothing over U+10FFFF). state starts at 0; feed pieces in
 * order. Returns false at the first invalid byte. */
bool ws_utf8_feed(uint32_t *state, const uint8_t *p, size_t n);

/* The message is complete and valid only if the state is back at 0. */
static inline bool ws_utf8_done(uint32_t state)
{
    return state == 0;
}

/* Message-level state of one direction of a connection: the rules that
 * span frames. Zero it to start. */
struct ws_reader {
    bool in_message;    /* a fragmented data message is open */
    uint8_t msg_opcode; /* TEXT or BINARY of the open message */
    uint64_t msg_len;   /* payload bytes of the open message so far */
    uint32_t utf8;      /* validator state of the open text message */
    bool msg_deflated;  /* the open message came with RSV1 (permessage-deflate) */
};

/* Admits a parsed frame into the message sequence: a continuation needs an
 * open message, a new data frame needs none, and the message's total
 * (max_message, 0: no limit) is bounded across its fragments. Control
 * frames may come between fragments. Returns 0, or the close code owed. */
unsigned ws_reader_frame(struct ws_reader *r, const struct ws_frame *f, uint64_t max_message);

/* Validates the payload of a close frame: empty, or a two-byte code that may
 * be sent (1000-1003, 1007-1011, 3000-4999) and a UTF-8 reason. Sets *code
 * (1005 when empty). Returns 0, or the close code owed (1002 or 1007). */
unsigned ws_close_parse(const uint8_t *p, size_t n, unsigned *code);

#endif
