#include "plot_gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int plot_gnuplot_find(char *out, size_t len)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return -1;
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        /* an empty entry means the current directory */
        int w = snprintf(out, len, "%.*s/gnuplot", (int)n, n ? p : ".");
        if (w > 0 && (size_t)w < len && access(out, X_OK) == 0) {
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
                return 0;
        }
        if (!end)
            return -1;
        p = end + 1;
    }
}

static int has_style(const char *dir)
{
    char f[PATH_MAX + 16];
    snprintf(f, sizeof(f), "%s/style.gp", dir);
    return access(f, R_OK) == 0;
}

int plot_find_scripts(const char *given, char *out, size_t len, char *err, size_t errlen)
{
    char exe_share[PATH_MAX + 32] = "";
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(exe_share, sizeof(exe_share), "%s/../share/netrig/plots", exe);
        }
    }
    const char *env = getenv("NETRIG_PLOTS");
    /* An installed netrig's own scripts come before the source tree it
     * was built from (which may have changed or gone since). */
    const char *cand[] = {given,
                          given ? NULL : env,
                          given ? NULL : exe_share,
#ifdef NETRIG_SOURCE_DIR
                          given ? NULL : NETRIG_SOURCE_DIR "/plots",
#endif
                          given ? NULL : "/usr/local/share/netrig/plots",
                          given ? NULL : "/usr/share/netrig/plots"};
    size_t o = 0;
    err[0] = '\0';
    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
        if (!cand[i] || !cand[i][0])
            continue;
        if (has_style(cand[i])) {
            char *real = realpath(cand[i], NULL);
            snprintf(out, len, "%s", real ? real : cand[i]);
            free(real);
            return 0;
        }
        if (o < errlen) {
            int w = snprintf(err + o, errlen - o, "%s%s",
                             o ? ", " : "plot scripts (style.gp) not found in ", cand[i]);
            o += w > 0 ? (size_t)w : 0;
        }
    }
    if (o == 0)
        snprintf(err, errlen, "plot scripts not found; give --scripts DIR");
    return -1;
}

/* Waits for pid up to timeout_s; kills it past that. Returns the wait
 * status, or -1 on timeout. */
static int wait_bounded(pid_t pid, int timeout_s)
{
    struct timespec nap = {0, 20 * 1000 * 1000};
    long polls = (long)timeout_s * 50;
    int st;
    for (long i = 0; i <= polls; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r < 0 && errno != EINTR)
            return -1;
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* Copies the first lines of the log into err after prefix. */
static void log_excerpt(const char *log, const char *prefix, char *err, size_t errlen)
{
    char text[600] = "";
    FILE *f = fopen(log, "r");
    if (f) {
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    snprintf(err, errlen, "%s%s%s", prefix, text[0] ? ":\n" : "", text);
}

int plot_gnuplot_run(const char *gnuplot, const char *cwd, const char *driver, const char *log,
                     int timeout_s, char *err, size_t errlen)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", log, strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (chdir(cwd) != 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execl(gnuplot, "gnuplot", driver, (char *)NULL);
        _exit(127);
    }
    close(fd);
    int st = wait_bounded(pid, timeout_s > 0 ? timeout_s : 60);
    char what[PATH_MAX + 64];
    if (st == -1)
        snprintf(what, sizeof(what), "gnuplot %s: no result after %d s", driver, timeout_s);
    else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        snprintf(what, sizeof(what), "gnuplot %s failed (status %d), see %s", driver,
                 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), log);
    else
        return 0;
    log_excerpt(log, what, err, errlen);
    return -1;
}
