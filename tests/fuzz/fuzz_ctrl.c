/* libFuzzer harness for the control protocol decoder: any bytes a peer
 * may send. Decodes every frame in the input; what decodes must encode
 * back to the same bytes, and a request that decodes must be one the data
 * path can serve (the server checks every bound the client checks). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctrl.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    uint64_t id;
    uint32_t idx;
    (void)ctrl_hello_decode(data, size, &id, &idx);
    while (size > 0) {
        struct ctrl_msg m;
        size_t need;
        long n = ctrl_decode(data, size, &m, &need, err, sizeof(err));
        if (n <= 0)
            break;
        const struct ctrl_request *q = &m.u.req;
        if (m.type == CTRL_REQUEST && q->proto == PROTO_UDP &&
            (q->size < WIRE_HDR_LEN || q->size > WIRE_UDP_MAX || q->resp_size > WIRE_UDP_MAX ||
             (q->mode != MODE_STREAM && q->resp_size && q->resp_size < WIRE_HDR_LEN)))
            abort(); /* an answer would not hold its header */
        uint8_t *again = malloc((size_t)n);
        if (!again)
            abort();
        size_t k = ctrl_encode(&m, again, (size_t)n);
        /* An error text is cleaned on the way in, so it may differ. */
        if (m.type != CTRL_ERROR && (k != (size_t)n || memcmp(again, data, k) != 0))
            abort();
        free(again);
        data += n;
        size -= (size_t)n;
    }
    return 0;
}
