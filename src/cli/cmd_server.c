/* netrig server: answers tests from netrig clients until SIGINT or
 * SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "net.h"
#include "server.h"
#include "server_opts.h"

void cmd_server_help(FILE *out)
{
    fprintf(out, "usage: netrig server [--listen ADDR:PORT] [--threads N] [--model epoll|threads]\n"
                 "                     [OPTIONS]\n\n"
                 "Answers tests from netrig clients; several clients may test at once.\n"
                 "It listens on loopback unless --listen says otherwise; beyond loopback,\n"
                 "give it --psk FILE. The limit options bound what clients may ask.\n\n"
                 "options:\n");
    server_opts_print_help(out);
}

/* A server reachable from other hosts runs tests for anyone who finds it
 * unless it asks for a key. */
static void warn_exposed(const struct server_config *c, const char *bound)
{
    struct net_addr a;
    char err[160];
    if (net_parse_addr(bound, 7878, &a, err, sizeof(err)) == 0 && !net_addr_is_loopback(&a) &&
        !c->psk_file[0])
        fprintf(stderr,
                "netrig server: warning: listening on %s beyond loopback without --psk: "
                "anyone who reaches this port can run tests (see --psk FILE)\n",
                bound);
}

/* --stdio-control: the channel of the ssh that started this server is its
 * life line. When it ends (the controller is done, stopped or dead) or says
 * "stop", the main thread's sigwait gets a SIGTERM: the usual stop. */
static void *stdin_watch(void *arg)
{
    (void)arg;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) >= 0)
        if (strncmp(line, "stop", 4) == 0)
            break;
    free(line);
    kill(getpid(), SIGTERM);
    return NULL;
}

int cmd_server(int argc, char **argv)
{
    struct server_config c;
    char bound[128], err[256];
    if (cmd_wants_help(argc, argv)) {
        cmd_server_help(stdout);
        return 0;
    }
    server_config_defaults(&c);
    if (server_opts_parse_argv(&c, argc - 1, argv + 1, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig server: %s\n", err);
        return 2;
    }
    /* Threads inherit the blocked signals; only this thread takes them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    char nofile[200];
    if (server_limits_raise_nofile(&c.lim, nofile, sizeof(nofile)) < c.lim.max_conns)
        fprintf(stderr, "netrig server: warning: %s\n", nofile);
    struct server *s = server_start(&c, bound, sizeof(bound), err, sizeof(err));
    if (!s) {
        fprintf(stderr, "netrig server: %s\n", err);
        return 1;
    }
    warn_exposed(&c, bound);
    if (!c.quiet) {
        printf("netrig server listening on %s%s (%s model, %u thread%s)\n", bound,
               !c.tls      ? ""
               : c.cert[0] ? ", TLS with --cert"
                           : ", TLS with an ephemeral certificate",
               c.model_threads ? "thread-per-connection" : "epoll", c.model_threads ? 1 : c.threads,
               c.model_threads || c.threads == 1 ? "" : "s");
        fflush(stdout);
    }
    pthread_t watch;
    if (c.stdio_control && pthread_create(&watch, NULL, stdin_watch, NULL) == 0)
        pthread_detach(watch); /* blocked in read until stdin ends; exit ends it */
    int sig = 0;
    sigwait(&set, &sig);
    uint64_t unauth = server_unauth_closed(s);
    if (unauth && !c.quiet)
        printf("netrig server: %llu connections closed or refused before they proved the key "
               "(--max-unauth-conns %u)\n",
               (unsigned long long)unauth, c.lim.max_unauth_conns);
    server_stop(s);
    return 0;
}
