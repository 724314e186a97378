#include "client_out.h"

#include <errno.h>
#include <string.h>

#include "clock.h"
#include "rundir.h"

int client_out_write(const char *dir, const struct netrig_config *cfg, struct client_output *o,
                     int argc, char **argv, char *err, size_t errlen)
{
    /* A one-step scenario, so the folder is a results folder like any
     * other: netrig model, plot and merge read it as they read a run's. */
    struct scenario_step st;
    memset(&st, 0, sizeof(st));
    snprintf(st.name, sizeof(st.name), CLIENT_OUT_STEP);
    snprintf(st.file, sizeof(st.file), CLIENT_OUT_STEP);
    snprintf(st.group, sizeof(st.group), CLIENT_OUT_STEP);
    st.repeat = 1;
    st.cfg = *cfg;
    struct scenario sc;
    memset(&sc, 0, sizeof(sc));
    snprintf(sc.file, sizeof(sc.file), "(netrig client)");
    snprintf(sc.name, sizeof(sc.name), CLIENT_OUT_STEP);
    sc.text = "";
    sc.steps = &st;
    sc.nsteps = 1;
    struct results r;
    if (rundir_open(&r, &sc, dir, err, errlen) != 0) {
        rundir_close(&r);
        return -1;
    }
    r.run_start_s = o->start_wall_s;
    struct meta_run *m = &r.meta;
    m->scenario_file = sc.file;
    m->scenario_name = sc.name;
    m->scenario_text = "";
    m->argc = argc;
    m->argv = argv;
    m->start_s = o->start_wall_s;
    m->end_s = (double)clock_wall_ns() / 1e9;
    m->status = "complete";
    m->message = "";
    m->server = cfg->server;
    int rc = rundir_step_begin(&r, 0);
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    if (rc == 0)
        rc = rundir_add(&r, 1, o, err, errlen);
    rundir_step_end(&r);
    rundir_release_reserve(&r);
    if (rc == 0 &&
        (rundir_write_summaries(&r, "complete", "") != 0 || rundir_write_meta(&r) != 0)) {
        snprintf(err, errlen, "%s/summary.json or meta.json: %s", dir, strerror(errno));
        rc = -1;
    }
    rundir_close(&r);
    return rc;
}
