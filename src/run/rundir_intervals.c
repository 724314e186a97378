#include "rundir.h"

#include <math.h>
#include <stdlib.h>

#include "fileio.h"
#include "result.h"
#include "rundir_int.h"

static void put_us(FILE *f, const struct hist *h, double p)
{
    if (h->total_count > 0)
        fprintf(f, ",%.3f", (double)hist_value_at_percentile(h, p) / 1000);
    else
        fputc(',', f);
}

static void put_dbl(FILE *f, double v)
{
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, "%.10g", v);
}

/* intervals.csv: the time series of goodput and latency that the plots
 * draw, one block of rows per repetition, appended in one write. */
int rundir_intervals_add(struct results *r, uint32_t repeat, const struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    char *buf = NULL, path[4096];
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    if (!r->intervals_header)
        fputs("step,repeat,t_start_s,t_s,goodput_bps,msgs_per_s,p50_us,p99_us,probe_p50_us,"
              "probe_p99_us,messages\r\n",
              m);
    double base = out->start_wall_s - r->run_start_s;
    size_t n = out->nintervals ? out->nintervals : 1;
    for (size_t i = 0; i < n; i++) {
        const struct client_interval *iv = out->nintervals ? &out->intervals[i] : NULL;
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        result_csv_str(m, st->name);
        fprintf(m, ",%u,%.3f,%.3f", repeat, base + (iv ? iv->t_start_s : 0),
                base + (iv ? iv->t_end_s : d));
        put_dbl(m, iv ? iv->goodput_bps : out->result.goodput_bps);
        put_dbl(m, iv ? iv->msgs_per_s : out->result.msgs_per_s);
        put_us(m, iv ? &iv->lat : &out->lat, 50);
        put_us(m, iv ? &iv->lat : &out->lat, 99);
        put_dbl(m, iv ? iv->probe_p50_us : out->result.probe_p50_us);
        put_dbl(m, iv ? iv->probe_p99_us : out->result.probe_p99_us);
        put_dbl(m, iv ? iv->messages : out->result.messages); /* exact: rates are rounded */
        fputs("\r\n", m);
    }
    int rc = fclose(m) == 0 && rundir_path_in(r, "intervals", ".csv", path, sizeof(path)) == 0
                 ? fileio_append(path, buf, len)
                 : -1;
    free(buf);
    if (rc == 0)
        r->intervals_header = true;
    return rc;
}
