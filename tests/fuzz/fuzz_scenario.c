/* Fuzz harness for the scenario parser: any bytes in, never a crash, a
 * leak or a read past the input; on success every step is well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct scenario sc;
    char err[512];
    if (scenario_parse(&sc, "fuzz.ini", text, err, sizeof(err)) == 0) {
        if (sc.nsteps == 0 || sc.nsteps > SCENARIO_MAX_STEPS)
            abort();
        for (size_t i = 0; i < sc.nsteps; i++) {
            const struct scenario_step *st = &sc.steps[i];
            if (st->name[0] == '\0' || st->repeat == 0 || strchr(st->file, '/'))
                abort();
            char d[2048];
            scenario_step_describe(st, d, sizeof(d));
        }
        scenario_close(&sc);
    } else if (strncmp(err, "fuzz.ini", 8) != 0) {
        abort(); /* every message names the file */
    }
    free(text);
    return 0;
}
