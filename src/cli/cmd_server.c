/* netrig server: answers tests from netrig clients until SIGINT or
 * SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cpulist.h"
#include "net.h"
#include "server.h"

void cmd_server_help(FILE *out)
{
    fprintf(out,
            "usage: netrig server [--listen ADDR:PORT] [--threads N] [--model epoll|threads]\n\n"
            "Answers tests from netrig clients; several clients may test at once.\n\n"
            "  --listen ADDR:PORT  where to listen (default 127.0.0.1:7878; [::1]:7878 for\n"
            "                      IPv6; 0.0.0.0:7878 for every interface, only if asked)\n"
            "  --threads N         worker threads, each with its own epoll loop (default 1)\n"
            "  --cpu LIST          pin thread i to the i-th CPU of LIST (0,1 or 0-3)\n"
            "  --busy-poll USEC    spin up to USEC for data before sleeping (latency; burns CPU)\n"
            "  --model epoll       N threads multiplexing every connection (default)\n"
            "  --model threads     one thread per connection, each waiting on its own socket\n"
            "  --tls               also accept TLS: HTTPS and TLS data connections; with a\n"
            "                      fresh self-signed EC P-256 certificate unless --cert\n"
            "  --cert FILE         PEM certificate (chain) for --tls\n"
            "  --key FILE          PEM private key for --cert (default: in the --cert file)\n"
            "  --psk FILE          control connections must prove this pre-shared key\n"
            "                      (a private file; clients give the same --psk FILE)\n"
            "  --open-http         with --psk: serve HTTP and HTTPS (/bytes/N ...) to anyone\n"
            "                      all the same (HTTP cannot prove the key; default: 403)\n"
            "  --quiet             print nothing but errors\n\n");
    server_limits_print_help(out);
}

static int parse_args(int argc, char **argv, struct server_config *c)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL, lerr[160];
        int lim;
        if (strcmp(a, "--open-http") == 0) { /* a flag: bool open_http in server_config */
            c->open_http = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "--tls") == 0) {
            *(a[2] == 'q' ? &c->quiet : &c->tls) = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "netrig server: %s needs a value\n", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--listen") == 0 && strlen(v) < sizeof(c->listen)) {
            snprintf(c->listen, sizeof(c->listen), "%s", v);
        } else if (strcmp(a, "--cpu") == 0) {
            struct cpulist l;
            char e[200] = "the list is too long";
            if (strlen(v) >= sizeof(c->cpu) || cpulist_parse(v, &l, e, sizeof(e)) != 0)
                return fprintf(stderr, "netrig server: --cpu: %s\n", e), -1;
            snprintf(c->cpu, sizeof(c->cpu), "%s", v);
        } else if (strcmp(a, "--busy-poll") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end || *v < '0' || *v > '9' || n > 100000)
                return fprintf(stderr, "netrig server: --busy-poll from 0 to 100000 (us)\n"), -1;
            c->busy_poll_us = (uint32_t)n;
        } else if ((strcmp(a, "--cert") == 0 && strlen(v) < sizeof(c->cert)) ||
                   (strcmp(a, "--key") == 0 && strlen(v) < sizeof(c->key))) {
            snprintf(a[2] == 'c' ? c->cert : c->key, sizeof(c->cert), "%s", v);
            c->tls = true;
        } else if (strcmp(a, "--threads") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end || n < 1 || n > 256)
                return fprintf(stderr, "netrig server: --threads from 1 to 256\n"), -1;
            c->threads = (uint32_t)n;
        } else if (strcmp(a, "--psk") == 0 && strlen(v) < sizeof(c->psk_file)) {
            snprintf(c->psk_file, sizeof(c->psk_file), "%s", v);
        } else if ((lim = server_limits_set(&c->lim, a, v, lerr, sizeof(lerr))) != 0) {
            if (lim < 0)
                return fprintf(stderr, "netrig server: %s\n", lerr), -1;
        } else if (strcmp(a, "--model") == 0 &&
                   (strcmp(v, "epoll") == 0 || strcmp(v, "threads") == 0)) {
            c->model_threads = strcmp(v, "threads") == 0;
        } else {
            fprintf(stderr, "netrig server: unknown option or value: %s %s\n", a, v);
            return -1;
        }
    }
    return 0;
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

int cmd_server(int argc, char **argv)
{
    struct server_config c;
    char bound[128], err[256];
    if (cmd_wants_help(argc, argv)) {
        cmd_server_help(stdout);
        return 0;
    }
    server_config_defaults(&c);
    if (parse_args(argc, argv, &c) != 0)
        return 2;
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
    int sig = 0;
    sigwait(&set, &sig);
    server_stop(s);
    return 0;
}
