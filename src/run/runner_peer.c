#include "runner_int.h"

#include <string.h>
#include <unistd.h>

#include "runner_hosts.h"

/* The link step st runs through: --link, else its link option, else
 * NULL (loopback or its own peer). */
const char *runner_peer_step_link(const struct scenario_step *st, const struct runner_opts *o)
{
    if (o->link && o->link[0])
        return o->link;
    return st->cfg.link[0] ? st->cfg.link : NULL;
}

/* The first link of the run, for --dry-run and the plan. */
const char *runner_peer_link_spec(const struct scenario *sc, const struct runner_opts *o)
{
    for (size_t i = 0; i < sc->nsteps; i++)
        if (runner_peer_step_link(&sc->steps[i], o))
            return runner_peer_step_link(&sc->steps[i], o);
    return NULL;
}

/* A step netrig leaves out here: optional, and its link needs root. */
bool runner_peer_skipped(const struct scenario_step *st, const struct runner_opts *o)
{
    return st->cfg.optional && !(o->link && o->link[0]) && runner_peer_step_link(st, o) &&
           geteuid() != 0;
}

/* Steps that need a link cannot run without root: said before a results
 * folder is made. Returns 0, or -1 with a message. */
int runner_peer_check_root(const struct scenario *sc, const struct runner_opts *o, char *err,
                           size_t errlen)
{
    for (size_t i = 0; i < sc->nsteps && geteuid() != 0; i++) {
        const char *spec = runner_peer_step_link(&sc->steps[i], o);
        if (spec && !runner_peer_skipped(&sc->steps[i], o)) {
            snprintf(err, errlen,
                     "%s: step '%s' runs through link = %s, which needs root (network "
                     "namespaces and tc): run it with sudo, or without the link",
                     o->link && o->link[0] ? "--link" : sc->file, sc->steps[i].name, spec);
            return -1;
        }
    }
    return 0;
}

bool runner_peer_needs_server(const struct scenario *sc, const struct runner_opts *o)
{
    if (runner_hosts_server_host(sc, o->server_host))
        return false;
    if (runner_hosts_list(sc, o->client_hosts)) /* far hosts cannot reach a loopback server */
        return false;
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        if (!scenario_step_has_peer(st) && !o->server)
            return true;
    }
    return false;
}

/* One embedded server listening on addr (port 0: the kernel's pick). */
static struct server *start_one(struct run *R, const char *addr, char *bound, size_t boundlen)
{
    struct server_config sc;
    char err[512];
    server_config_defaults(&sc);
    snprintf(sc.listen, sizeof(sc.listen), "%s:0", addr);
    sc.quiet = true;
    struct server *srv = NULL;
    /* Through an emulated link the server's sockets and threads live in
     * one namespace, the client's (made later on this thread) in the other. */
    if (!R->linked || netns_link_enter(&R->link, NETNS_SERVER, err, sizeof(err)) == 0)
        srv = server_start(&sc, bound, boundlen, err, sizeof(err));
    if (srv && R->linked && netns_link_enter(&R->link, NETNS_CLIENT, err, sizeof(err)) != 0) {
        server_stop(srv);
        srv = NULL;
    }
    if (!srv) {
        snprintf(R->msg, sizeof(R->msg), "cannot start the embedded server on %s: %s", sc.listen,
                 err);
        return NULL;
    }
    progress_line(&R->con, "embedded server on %s", bound);
    return srv;
}

static bool wants_ipv6(const struct scenario *sc)
{
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].cfg.ipv6 && !scenario_step_has_peer(&sc->steps[i]))
            return true;
    return false;
}

/* The embedded server, and a second one on IPv6 (::1, or the link's
 * 2001:2::1) when a step without a peer of its own asks for IPv6. */
static int start_server(struct run *R)
{
    R->srv =
        start_one(R, R->linked ? NETNS_SERVER_ADDR : "127.0.0.1", R->srv_addr, sizeof(R->srv_addr));
    if (!R->srv)
        return -1;
    if (wants_ipv6(R->sc) && !R->o->server) {
        R->srv6 = start_one(R, R->linked ? "[" NETNS_SERVER_ADDR6 "]" : "[::1]", R->srv6_addr,
                            sizeof(R->srv6_addr));
        if (!R->srv6)
            return -1;
    }
    return 0;
}

/* The emulated link spec: steps that share it in a row share one link.
 * Returns 0 or -1 (R->msg). */
static int link_begin(struct run *R, const char *spec)
{
    char err[512];
    if (R->o->server) {
        snprintf(R->msg, sizeof(R->msg), "link = %s runs its own server: drop --server", spec);
        return -1;
    }
    if (netns_link_setup(spec, &R->link, err, sizeof(err)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "%s", err);
        return -1;
    }
    R->linked = true;
    R->link_now = spec;
    if (!(R->res.meta.link_rate_bps > 0))
        R->res.meta.link_rate_bps = R->link.rate_bps; /* the rows carry their own C */
    progress_line(&R->con, "emulated link %s: namespaces %s and %s", spec, R->link.ns[0],
                  R->link.ns[1]);
    return 0;
}

static void link_end(struct run *R)
{
    char err[256];
    if (R->linked && netns_link_leave(&R->link, err, sizeof(err)) != 0)
        progress_line(&R->con, "%s", err);
    netns_link_teardown(&R->link);
    R->linked = false;
    R->link_now = NULL;
}

static void stop_servers(struct run *R)
{
    if (R->srv6)
        server_stop(R->srv6);
    if (R->srv)
        server_stop(R->srv);
    R->srv = R->srv6 = NULL;
}

void runner_peer_end(struct run *R)
{
    stop_servers(R);
    link_end(R);
}

/* The peer step st needs: the embedded server on loopback, or across the
 * step's link (made when the link changes, its server with it). */
int runner_peer_ensure(struct run *R, const struct scenario_step *st)
{
    const char *want = runner_peer_step_link(st, R->o);
    bool need_srv = want || (!scenario_step_has_peer(st) && !R->o->server);
    bool same_link = want ? R->linked && strcmp(want, R->link_now) == 0 : !R->linked;
    if (same_link && (R->srv || !need_srv))
        return 0;
    if (!same_link) {
        stop_servers(R);
        link_end(R);
        if (want && link_begin(R, want) != 0)
            return -1;
    }
    if (need_srv && !R->srv && start_server(R) != 0)
        return -1;
    if (R->srv && !R->res.meta.embedded) {
        snprintf(R->srv_meta, sizeof(R->srv_meta), "%s", R->srv_addr);
        R->res.meta.server = R->srv_meta;
        R->res.meta.embedded = true;
    }
    return 0;
}

/* server_host: the run's server on its host over ssh, before the first
 * step. Returns 0, 1 interrupted, or -1 (R->msg). */
int runner_peer_remote_start(struct run *R)
{
    const char *host = runner_hosts_server_host(R->sc, R->o->server_host);
    const char *addr = runner_hosts_server_addr(R->sc, R->o->server);
    char err[900];
    progress_line(&R->con, "starting the server on %s (listen %s) over ssh", host, addr);
    if (runner_hosts_server_start(&R->rsrv, R->sc, host, addr, R->o->netrig_path, R->o->ssh_config,
                                  R->stop, err, sizeof(err)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "%s", err);
        events_error(&R->ev, "run", R->msg);
        return *R->stop ? 1 : -1;
    }
    snprintf(R->srv_meta, sizeof(R->srv_meta), "%s", addr); /* outlives R->rsrv */
    R->res.meta.server = R->srv_meta;
    progress_line(&R->con, "server on %s listening on %s", host, addr);
    return 0;
}
