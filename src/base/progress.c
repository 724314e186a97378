#include "progress.h"

#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

void progress_fmt_time(double s, char *buf, size_t len)
{
    if (s < 0 || s != s)
        s = 0;
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

static double since_s(uint64_t t0)
{
    return (double)(clock_now_ns() - t0) / 1e9;
}

/* The left estimate: planned time still to go, scaled by how much longer
 * than planned the finished tests really took (set-up, teardown). */
static double left_s(const struct progress *p)
{
    double ratio = 1.0;
    double done_real = (double)(p->item_start_ns - p->run_start_ns) / 1e9;
    if (p->planned_done_s > 0 && done_real > 0)
        ratio = done_real / p->planned_done_s;
    double left = p->planned_left_s * ratio - since_s(p->item_start_ns);
    return left > 0 ? left : 0;
}

/* Called with the lock held. */
static void draw(struct progress *p)
{
    char el[32], lf[32], line[512];
    progress_fmt_time(since_s(p->run_start_ns), el, sizeof(el));
    progress_fmt_time(left_s(p), lf, sizeof(lf));
    int n = snprintf(line, sizeof(line), "%s  elapsed %s  left ~%s", p->what, el, lf);
    struct winsize ws;
    size_t width = 80;
    if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        width = ws.ws_col;
    /* Never wrap: a wrapped line cannot be redrawn with \r. */
    if (n > 0 && (size_t)n >= width)
        line[width - 1] = '\0';
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->shown = true;
}

static void clear(struct progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", p->out);
        p->shown = false;
    }
}

static void *tick(void *arg)
{
    struct progress *p = arg;
    struct timespec ts = {0, 250 * 1000 * 1000};
    for (;;) {
        pthread_mutex_lock(&p->mu);
        bool stop = p->stop;
        if (!stop && p->what[0])
            draw(p);
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        nanosleep(&ts, NULL);
    }
}

int progress_init(struct progress *p, FILE *out, bool tty)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->tty = tty;
    p->run_start_ns = p->item_start_ns = clock_now_ns();
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return -1;
    if (tty) {
        if (pthread_create(&p->thread, NULL, tick, p) != 0)
            p->tty = false; /* plain lines still work */
        else
            p->thread_on = true;
    }
    return 0;
}

int progress_open_log(struct progress *p, const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -1;
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&p->mu);
    p->log = f;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void progress_line(struct progress *p, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&p->mu);
    clear(p);
    fprintf(p->out, "%s\n", line);
    fflush(p->out);
    if (p->log)
        fprintf(p->log, "%s\n", line);
    pthread_mutex_unlock(&p->mu);
}

void progress_log(struct progress *p, const char *text)
{
    pthread_mutex_lock(&p->mu);
    if (p->log)
        fprintf(p->log, "%s\n", text);
    pthread_mutex_unlock(&p->mu);
}

void progress_begin(struct progress *p, const char *what, double planned_item_s,
                    double planned_left_s)
{
    (void)planned_item_s;
    pthread_mutex_lock(&p->mu);
    snprintf(p->what, sizeof(p->what), "%s", what);
    p->item_start_ns = clock_now_ns();
    p->planned_left_s = planned_left_s;
    char el[32], lf[32];
    progress_fmt_time(since_s(p->run_start_ns), el, sizeof(el));
    progress_fmt_time(left_s(p), lf, sizeof(lf));
    if (p->tty) {
        draw(p);
    } else {
        fprintf(p->out, "%s  (elapsed %s, left ~%s)\n", what, el, lf);
        fflush(p->out);
    }
    if (p->log)
        fprintf(p->log, "%s  (elapsed %s, left ~%s)\n", what, el, lf);
    pthread_mutex_unlock(&p->mu);
}

void progress_end(struct progress *p, double planned_item_s)
{
    pthread_mutex_lock(&p->mu);
    p->planned_done_s += planned_item_s;
    p->what[0] = '\0';
    clear(p);
    pthread_mutex_unlock(&p->mu);
}

void progress_close(struct progress *p)
{
    if (p->thread_on) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        p->thread_on = false;
    }
    clear(p);
    fflush(p->out);
    if (p->log)
        fclose(p->log);
    p->log = NULL;
    pthread_mutex_destroy(&p->mu);
}
