#include "remote_ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int remote_ssh_args(const struct remote_set *s, const struct remote_host *h, const char *cmd,
                    const char **args)
{
    int n = 0;
    args[n++] = "ssh";
    if (s->ssh_config[0]) {
        args[n++] = "-F";
        args[n++] = s->ssh_config;
    }
    args[n++] = "-o";
    args[n++] = "BatchMode=yes";
    args[n++] = "-o";
    args[n++] = "ConnectTimeout=5";
    if (h->port[0]) {
        args[n++] = "-p";
        args[n++] = h->port;
    }
    args[n++] = "--";
    args[n++] = h->dest;
    args[n++] = cmd;
    args[n] = NULL;
    return n;
}

int remote_ssh_spawn(const struct remote_set *s, struct remote_host *h, const char *cmd)
{
    int in[2], out[2], er[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(er, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    const char *args[20];
    remote_ssh_args(s, h, cmd, args);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* Ctrl-C is the controller's: it stops the hosts itself */
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(er[1], 2);
        execvp("ssh", (char *const *)(void *)args);
        dprintf(2, "cannot run ssh: %s\n", strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        close(er[0]);
        return -1;
    }
    setpgid(pid, pid);
    h->pid = pid;
    h->in_fd = in[1];
    h->out_fd = out[0];
    h->err_fd = er[0];
    fcntl(h->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(h->err_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

const char *remote_ssh_last_line(const struct remote_host *h, char *buf, size_t len)
{
    size_t e = h->errlen;
    while (e && (h->errtxt[e - 1] == '\n' || h->errtxt[e - 1] == '\r'))
        e--;
    size_t b = e;
    while (b && h->errtxt[b - 1] != '\n')
        b--;
    snprintf(buf, len, "%.*s", (int)(e - b), h->errtxt + b);
    return buf;
}

void remote_ssh_fail(struct remote_host *h, const char *what)
{
    if (h->why[0] || h->ok)
        return;
    /* ssh's last line says why (host unreachable, login refused...). */
    char last[512];
    remote_ssh_last_line(h, last, sizeof(last));
    snprintf(h->why, sizeof(h->why), "%s", what);
    if (last[0]) {
        size_t l = strlen(h->why);
        snprintf(h->why + l, sizeof(h->why) - l, " (%s)", last);
    }
    h->done = true;
}

/* Reads what the hosts wrote, waiting up to ms. */
void remote_ssh_pump(struct remote_set *s, int ms)
{
    struct pollfd p[2 * 64];
    size_t who[2 * 64], np = 0;
    for (size_t i = 0; i < s->n && np + 2 <= 128; i++) {
        struct remote_host *h = &s->h[i];
        if (h->out_fd >= 0 && !h->eof)
            who[np] = i, p[np++] = (struct pollfd){h->out_fd, POLLIN, 0};
        if (h->err_fd >= 0)
            who[np] = i, p[np++] = (struct pollfd){h->err_fd, POLLIN, 0};
    }
    if (np == 0 || poll(p, np, ms) <= 0) {
        if (np == 0 && ms > 0)
            nanosleep(&(struct timespec){0, (long)ms * 1000000L}, NULL);
        return;
    }
    for (size_t k = 0; k < np; k++) {
        if (!p[k].revents)
            continue;
        struct remote_host *h = &s->h[who[k]];
        char tmp[16384];
        ssize_t r = read(p[k].fd, tmp, sizeof(tmp));
        if (p[k].fd == h->err_fd) {
            if (r <= 0) {
                close(h->err_fd);
                h->err_fd = -1;
                continue;
            }
            size_t keep = sizeof(h->errtxt) - 1;
            size_t take = (size_t)r > keep ? keep : (size_t)r;
            if (h->errlen + take > keep) {
                size_t drop = h->errlen + take - keep;
                memmove(h->errtxt, h->errtxt + drop, h->errlen - drop);
                h->errlen -= drop;
            }
            memcpy(h->errtxt + h->errlen, tmp + (size_t)r - take, take);
            h->errlen += take;
            h->errtxt[h->errlen] = '\0';
            continue;
        }
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN)
                continue;
            h->eof = true;
            continue;
        }
        if (h->len + (size_t)r + 1 > h->cap) {
            size_t cap = (h->len + (size_t)r + 1) * 2;
            char *b = realloc(h->buf, cap);
            if (!b) {
                remote_ssh_fail(h, "out of memory");
                continue;
            }
            h->buf = b;
            h->cap = cap;
        }
        memcpy(h->buf + h->len, tmp, (size_t)r);
        h->len += (size_t)r;
    }
}

/* The next whole line of h (NUL-terminated in line, which the caller
 * frees), or NULL. */
char *remote_ssh_take_line(struct remote_host *h)
{
    char *nl = h->len ? memchr(h->buf, '\n', h->len) : NULL;
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - h->buf);
    char *line = malloc(n + 1);
    if (!line)
        return NULL;
    memcpy(line, h->buf, n);
    line[n] = '\0';
    memmove(h->buf, nl + 1, h->len - n - 1);
    h->len -= n + 1;
    return line;
}

void remote_ssh_send(struct remote_host *h, const char *line)
{
    if (h->in_fd < 0)
        return;
    size_t n = strlen(line);
    if (write(h->in_fd, line, n) != (ssize_t)n) {
        close(h->in_fd);
        h->in_fd = -1;
    }
}

/* Closes the channel (the remote stops on EOF), then waits for ssh, and
 * ends it if it lingers. */
void remote_ssh_reap(struct remote_host *h)
{
    if (h->in_fd >= 0)
        close(h->in_fd);
    h->in_fd = -1;
    if (h->pid > 0) {
        int st = 0;
        pid_t r = 0;
        for (int k = 0; k < 50 && (r = waitpid(h->pid, &st, WNOHANG)) == 0; k++)
            nanosleep(&(struct timespec){0, 40000000L}, NULL);
        if (r == 0) {
            kill(-h->pid, SIGTERM);
            for (int k = 0; k < 25 && (r = waitpid(h->pid, &st, WNOHANG)) == 0; k++)
                nanosleep(&(struct timespec){0, 40000000L}, NULL);
        }
        if (r == 0) {
            kill(-h->pid, SIGKILL);
            waitpid(h->pid, &st, 0);
        }
        size_t l = strlen(h->why);
        if (!h->ok && WIFEXITED(st) && l + 40 < sizeof(h->why))
            snprintf(h->why + l, sizeof(h->why) - l, "%sssh exit status %d", l ? ", " : "",
                     WEXITSTATUS(st));
    }
    h->pid = -1;
    if (h->out_fd >= 0)
        close(h->out_fd);
    if (h->err_fd >= 0)
        close(h->err_fd);
    h->out_fd = h->err_fd = -1;
}
