/* Fuzzes the WebSocket frame reader as a server and as a client would run
 * it over a byte stream: header parse, message rules, unmasking, UTF-8 of
 * text and close reasons. Checks no over-read (ASan), that every accepted
 * header is exactly what the writer makes of its fields (so only canonical
 * headers pass), that prefixes of a header are incomplete, and that control
 * frames and messages stay within their limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MESSAGE 4096

static void check(int ok)
{
    if (!ok)
        abort();
}

static void run(const uint8_t *data, size_t size, enum ws_role role)
{
    struct ws_reader rd;
    memset(&rd, 0, sizeof(rd));
    uint8_t payload[MAX_MESSAGE];
    size_t pos = 0;
    while (pos < size) {
        struct ws_frame f;
        int n = ws_parse_header(data + pos, size - pos, role, MAX_MESSAGE, &f);
        if (n == WS_PARSE_INCOMPLETE)
            return;
        if (n == WS_PARSE_ERROR) {
            check(f.close_code == 1002 || f.close_code == 1009);
            check(f.err != NULL);
            return;
        }
        check(n >= 2 && n <= WS_MAX_HEADER && (size_t)n <= size - pos);
        check((unsigned)n == ws_header_len(f.payload_len, f.masked));
        check(f.masked == (role == WS_SERVER));
        check(f.payload_len <= MAX_MESSAGE);
        check(!(f.opcode & 8) || (f.fin && f.payload_len <= WS_MAX_CONTROL));
        uint8_t again[WS_MAX_HEADER];
        check(ws_write_header(again, f.fin, f.opcode, f.payload_len, f.masked ? f.mask : NULL) ==
              (unsigned)n);
        check(memcmp(again, data + pos, (size_t)n) == 0);
        for (int i = 0; i < n; i++) {
            struct ws_frame g;
            check(ws_parse_header(data + pos, (size_t)i, role, MAX_MESSAGE, &g) ==
                  WS_PARSE_INCOMPLETE);
        }
        unsigned code = ws_reader_frame(&rd, &f, MAX_MESSAGE);
        if (code) {
            check(code == 1002 || code == 1009);
            return;
        }
        check(rd.msg_len <= MAX_MESSAGE);
        pos += (size_t)n;
        size_t have = size - pos < f.payload_len ? size - pos : (size_t)f.payload_len;
        memcpy(payload, data + pos, have);
        /* Unmask in two pieces, as a payload split across reads is. */
        size_t half = have / 2;
        ws_mask(payload, half, f.mask, 0);
        ws_mask(payload + half, have - half, f.mask, half);
        if (f.opcode == WS_OP_CLOSE && have == f.payload_len) {
            unsigned c;
            unsigned bad = ws_close_parse(payload, have, &c);
            check(bad == 0 || bad == 1002 || bad == 1007);
            check(bad != 0 || c == 1005 || (c >= 1000 && c <= 4999));
        }
        if (f.opcode == WS_OP_TEXT || (f.opcode == WS_OP_CONT && rd.msg_opcode == WS_OP_TEXT))
            (void)ws_utf8_feed(&rd.utf8, payload, have);
        pos += have;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, WS_SERVER);
    run(data, size, WS_CLIENT);
    return 0;
}
