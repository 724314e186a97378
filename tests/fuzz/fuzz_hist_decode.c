/* Fuzz harness: the binary histogram decoder (V0/V1/V2, plain or zlib)
 * must reject any hostile input with an error, never crash or allocate
 * without bound; what it accepts must re-encode and decode to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hist h, back;
    char err[256];
    if (hist_decode(&h, data, size, err, sizeof(err)) != 0)
        return 0;
    /* Queries walk every slot; they must stay in bounds. */
    (void)hist_value_at_percentile(&h, 99.9);
    (void)hist_mean(&h);
    uint8_t *z;
    size_t zlen;
    if (hist_encode_compressed(&h, &z, &zlen) == 0) {
        if (hist_decode(&back, z, zlen, err, sizeof(err)) != 0 ||
            back.total_count != h.total_count ||
            memcmp(back.counts, h.counts, (size_t)h.counts_len * sizeof(int64_t)) != 0)
            abort();
        hist_close(&back);
        free(z);
    }
    hist_close(&h);
    return 0;
}
