/* Fuzz harness: the interval log reader over arbitrary text, and the
 * percentile report of whatever it accepts. */
#include <stdint.h>
#include <stdio.h>

#include "hlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)(uintptr_t)data, size, "r");
    FILE *out = fopen("/dev/null", "w");
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return 0;
    }
    struct hlog_reader r;
    hlog_reader_init(&r, in);
    struct hist h;
    char err[512];
    int n = 0;
    while (n++ < 64 && hlog_read_interval(&r, &h, err, sizeof(err)) == 1) {
        hist_write_hgrm(out, &h, 5, 1e6, false);
        hist_close(&h);
    }
    hlog_reader_close(&r);
    fclose(in);
    fclose(out);
    return 0;
}
