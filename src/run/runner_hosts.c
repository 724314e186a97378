#include "runner_hosts.h"

#include <string.h>

#include "merge.h"
#include "remote_step.h"

const char *runner_hosts_list(const struct scenario *sc, const char *cli)
{
    if (cli && cli[0])
        return cli;
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].cfg.client_hosts[0])
            return sc->steps[i].cfg.client_hosts;
    return NULL;
}

const char *runner_hosts_server_host(const struct scenario *sc, const char *cli)
{
    if (cli && cli[0])
        return cli;
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].cfg.server_host[0])
            return sc->steps[i].cfg.server_host;
    return NULL;
}

const char *runner_hosts_server_addr(const struct scenario *sc, const char *cli)
{
    if (cli && cli[0])
        return cli;
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].cfg.server[0])
            return sc->steps[i].cfg.server;
    return NULL;
}

int runner_hosts_server_start(struct remote_server *rs, const struct scenario *sc, const char *host,
                              const char *addr, const char *netrig_path, const char *ssh_config,
                              volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    const struct netrig_config *c = &sc->steps[0].cfg;
    return remote_server_start(rs, host, addr, netrig_path ? netrig_path : c->netrig_path,
                               ssh_config ? ssh_config : c->ssh_config, stop, err, errlen);
}

int runner_hosts_begin(struct remote_set *hs, const struct scenario *sc, const char *list,
                       const char *netrig_path, const char *ssh_config, char *err, size_t errlen)
{
    if (!list || remote_parse_hosts(hs, list, err, errlen) != 0)
        return -1;
    const struct netrig_config *c = &sc->steps[0].cfg;
    const char *path = netrig_path ? netrig_path : c->netrig_path;
    const char *conf = ssh_config ? ssh_config : c->ssh_config;
    snprintf(hs->netrig_path, sizeof(hs->netrig_path), "%s", path[0] ? path : "netrig");
    snprintf(hs->ssh_config, sizeof(hs->ssh_config), "%s", conf);
    return 0;
}

/* "h2: ssh ended mid-step (...); h3: ..." for the hosts that failed. */
static void failed_hosts(const struct remote_set *hs, char *err, size_t errlen)
{
    size_t n = 0;
    err[0] = '\0';
    for (size_t i = 0; i < hs->n && n < errlen; i++) {
        const struct remote_host *h = &hs->h[i];
        if (h->ok)
            continue;
        int w = snprintf(err + n, errlen - n, "%shost %s (%s): %s", n ? "; " : "", h->name, h->spec,
                         h->why);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

int runner_hosts_step(struct remote_set *hs, struct results *res, uint32_t repeat,
                      const struct netrig_config *cfg, volatile sig_atomic_t *stop,
                      struct client_output *all, char *err, size_t errlen)
{
    memset(all, 0, sizeof(*all));
    result_init(&all->result);
    size_t ok = remote_step(hs, cfg, stop, err, errlen);
    struct merge_host mh[64];
    size_t n = hs->n < 64 ? hs->n : 64;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct remote_host *h = &hs->h[i];
        mh[i] = (struct merge_host){h->name, &h->out, h->offset_s, h->ok};
        if (!h->ok)
            continue;
        snprintf(h->out.result.host, sizeof(h->out.result.host), "%s", h->name);
        if (rc == 0 && rundir_add_host(res, repeat, &h->out, err, errlen) != 0)
            rc = -1;
    }
    if (rc == 0 && ok > 0 && merge_outputs(mh, n, all, err, errlen) != 0)
        rc = -1;
    remote_step_clear(hs);
    if (rc != 0)
        return -1;
    if (ok == 0 || ok < n) {
        char why[2048];
        failed_hosts(hs, why, sizeof(why));
        snprintf(err, errlen, "%s", why);
        return ok == 0 ? -1 : 1;
    }
    return 0;
}
