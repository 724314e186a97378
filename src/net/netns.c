#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "units.h"

extern char **environ;

#define NETNS_DIR "/run/netns"

int netns_link_parse(const char *spec, double *rate_bps, char *err, size_t errlen)
{
    double per_s = 0;
    if (strncmp(spec, "tbf:", 4) != 0 || units_parse_rate(spec + 4, rate_bps, &per_s) < 0 ||
        per_s > 0 || !(*rate_bps >= 8000)) {
        snprintf(err, errlen, "bad link '%s': expected tbf:RATE, such as tbf:100mbit", spec);
        return -1;
    }
    return 0;
}

/* Runs argv (ip or tc, found on PATH), stdout to /dev/null, stderr kept for
 * the message. Returns 0 when it exits with status 0. */
static int run(char *const argv[], char *err, size_t errlen)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    char out[512];
    size_t len = 0;
    ssize_t got;
    while (rc == 0 && (got = read(pfd[0], out + len, sizeof(out) - 1 - len)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        len += (size_t)got;
        if (len == sizeof(out) - 1)
            len = 0; /* keep the tail: the last complaint is the useful one */
    }
    close(pfd[0]);
    out[len] = '\0';
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
    if (rc != 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    size_t n = (size_t)snprintf(err, errlen, "'%s", argv[0]);
    for (int i = 1; argv[i] && n < errlen; i++)
        n += (size_t)snprintf(err + n, errlen - n, " %s", argv[i]);
    if (n < errlen)
        snprintf(err + n, errlen - n, "' failed (%s %d)%s%s", WIFEXITED(st) ? "exit" : "signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), len ? ": " : "", out);
    return -1;
}

static void del_ns(const char *name)
{
    char e[64];
    char *argv[] = {"ip", "netns", "del", (char *)name, NULL};
    (void)run(argv, e, sizeof(e));
}

/* A netrig that was killed (SIGKILL, a crash) cannot clean up; the next one
 * removes what it left, and only when its process is gone. */
static void sweep_stale(void)
{
    DIR *d = opendir(NETNS_DIR);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char side;
        int pid, used = 0;
        if (sscanf(e->d_name, "netrig-%c-%d%n", &side, &pid, &used) != 2 ||
            e->d_name[used] != '\0' || (side != 's' && side != 'c') || pid <= 0)
            continue;
        if (kill(pid, 0) < 0 && errno == ESRCH)
            del_ns(e->d_name);
    }
    closedir(d);
}

static int create(struct netns_link *l, char *err, size_t errlen)
{
    static const char *const addr[2] = {NETNS_SERVER_ADDR "/24", NETNS_CLIENT_ADDR "/24"};
    static const char *const addr6[2] = {NETNS_SERVER_ADDR6 "/64", NETNS_CLIENT_ADDR6 "/64"};
    char rate[32], burst[32];
    snprintf(rate, sizeof(rate), "%.0fbit", l->rate_bps);
    /* The bucket must hold a full GSO burst at high rates and a few
     * packets at low ones; 2 ms of traffic, at least 32 KiB. */
    double b = l->rate_bps / 8 * 0.002;
    snprintf(burst, sizeof(burst), "%.0f", b > 32768 ? b : 32768);
    /* tc sets tbf's limit from latency: rate x 20 ms + burst bytes. */
    l->queue_bytes = l->rate_bps / 8 * 0.020 + (b > 32768 ? b : 32768);
    char *s = l->ns[0], *c = l->ns[1], *vs = l->veth[0], *vc = l->veth[1];
    char *add_s[] = {"ip", "netns", "add", s, NULL};
    char *add_c[] = {"ip", "netns", "add", c, NULL};
    l->created = true; /* from here on, teardown deletes whatever exists */
    if (run(add_s, err, errlen) < 0 || run(add_c, err, errlen) < 0)
        return -1;
    char *veth[] = {"ip",   "link", "add",  vs, "netns", s, "type",
                    "veth", "peer", "name", vc, "netns", c, NULL};
    if (run(veth, err, errlen) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        char *ns = l->ns[i], *dev = l->veth[i];
        char *a[] = {"ip", "-n", ns, "addr", "add", (char *)addr[i], "dev", dev, NULL};
        /* nodad: usable at once, not after duplicate address detection. */
        char *a6[] = {"ip",  "-n", ns,      "-6", "addr", "add", (char *)addr6[i],
                      "dev", dev,  "nodad", NULL};
        char *up[] = {"ip", "-n", ns, "link", "set", dev, "up", NULL};
        char *lo[] = {"ip", "-n", ns, "link", "set", "lo", "up", NULL};
        char *tbf[] = {"tc",  "-n",   ns,   "qdisc", "add", "dev",     dev,    "root",
                       "tbf", "rate", rate, "burst", burst, "latency", "20ms", NULL};
        if (run(a, err, errlen) < 0 || run(a6, err, errlen) < 0 || run(up, err, errlen) < 0 ||
            run(lo, err, errlen) < 0 || run(tbf, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int netns_link_setup(const char *spec, struct netns_link *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof(*l));
    l->home_fd = -1;
    if (netns_link_parse(spec, &l->rate_bps, err, errlen) < 0)
        return -1;
    if (geteuid() != 0) {
        snprintf(err, errlen,
                 "link = %s needs root: it creates network namespaces and a shaped veth pair "
                 "(run as root, or drop the link option)",
                 spec);
        return -1;
    }
    int pid = (int)getpid();
    snprintf(l->ns[0], sizeof(l->ns[0]), "netrig-s-%d", pid);
    snprintf(l->ns[1], sizeof(l->ns[1]), "netrig-c-%d", pid);
    snprintf(l->veth[0], sizeof(l->veth[0]), "nrs%d", pid);
    snprintf(l->veth[1], sizeof(l->veth[1]), "nrc%d", pid);
    l->home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (l->home_fd < 0) {
        snprintf(err, errlen, "/proc/thread-self/ns/net: %s", strerror(errno));
        return -1;
    }
    sweep_stale();
    if (create(l, err, errlen) < 0) {
        netns_link_teardown(l);
        return -1;
    }
    return 0;
}

int netns_link_enter(const struct netns_link *l, enum netns_side side, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof(path), NETNS_DIR "/%s", l->ns[side]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        snprintf(err, errlen, "entering namespace %s: %s", l->ns[side], strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int netns_link_leave(const struct netns_link *l, char *err, size_t errlen)
{
    if (setns(l->home_fd, CLONE_NEWNET) < 0) {
        snprintf(err, errlen, "leaving the link namespaces: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void netns_link_teardown(struct netns_link *l)
{
    if (l->created) {
        for (int i = 0; i < 2; i++)
            del_ns(l->ns[i]);
        l->created = false;
    }
    if (l->home_fd > 0)
        close(l->home_fd);
    l->home_fd = -1;
}

const char *netns_link_addr(enum netns_side side)
{
    return side == NETNS_SERVER ? NETNS_SERVER_ADDR : NETNS_CLIENT_ADDR;
}
