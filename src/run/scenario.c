#include "scenario.h"

#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "opts.h"

/* One `key = value` line, its value split into the sweep's values. */
struct entry {
    const struct opt_def *def;
    char *text; /* owned copy of the value, split in place at the commas */
    char *vals[SCENARIO_MAX_VALUES];
    size_t nvals;
    int line;
};

struct group {
    char name[64];
    int line;
    struct entry *e;
    size_t n, cap;
};

struct ctx {
    const char *file;
    const char *pos; /* reader position in the text */
    int lineno;      /* line the reader handed to inih last */
    struct group *g; /* g[0] is [global] */
    size_t ng, cap;
    size_t cur;
    int err_line; /* line of the first error, -1 = none, 0 = the whole file */
    char err[512];
};

/* Keys whose values are lists themselves: never split into a sweep. */
static const char *const unsplit_keys[] = {"cpu",    "ciphers",      "groups",
                                           "header", "client_hosts", NULL};
/* Keys that would fight the results folder the runner writes. */
static const char *const runner_keys[] = {"csv", "hlog", "json", NULL};

static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
fail(struct ctx *c, int line, const char *fmt, ...)
{
    /* inih keeps reading after an error: report the earliest line. */
    if (c->err_line >= 0 && c->err_line <= line)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->err_line = line;
    if (line > 0)
        snprintf(c->err, sizeof(c->err), "%s:%d: %s", c->file, line, msg);
    else
        snprintf(c->err, sizeof(c->err), "%s: %s", c->file, msg);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static void new_group(struct ctx *c, const char *raw, size_t len)
{
    char name[256];
    if (len >= sizeof(name))
        len = sizeof(name) - 1;
    memcpy(name, raw, len);
    name[len] = '\0';
    char *n = trim(name);
    if (*n == '\0') {
        fail(c, c->lineno, "empty section name");
        return;
    }
    if (strlen(n) >= sizeof(c->g[0].name)) {
        fail(c, c->lineno, "section name '%.20s...' is longer than %zu characters", n,
             sizeof(c->g[0].name) - 1);
        return;
    }
    for (size_t i = 0; i < c->ng; i++) {
        if (strcmp(c->g[i].name, n) == 0) {
            if (i == 0 && c->g[0].line == 0) { /* the implicit [global] */
                c->g[0].line = c->lineno;
                c->cur = 0;
                return;
            }
            fail(c, c->lineno, "section [%s] appears twice (first at line %d)", n, c->g[i].line);
            return;
        }
    }
    if (c->ng == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct group *g = realloc(c->g, cap * sizeof(*g));
        if (!g) {
            fail(c, c->lineno, "out of memory");
            return;
        }
        c->g = g;
        c->cap = cap;
    }
    struct group *g = &c->g[c->ng];
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", n);
    g->line = c->lineno;
    c->cur = c->ng++;
}

/* inih's line source: one call per line, so our count matches its own.
 * Leading blanks are dropped so that an indented line is an ordinary key,
 * never inih's continuation of the previous value. Section headers are
 * noted here because inih only calls the handler for keys. */
static char *reader(char *str, int num, void *stream)
{
    struct ctx *c = stream;
    if (*c->pos == '\0')
        return NULL;
    c->lineno++;
    const char *p = c->pos;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, "\n");
    c->pos = p + len + (p[len] == '\n');
    if (len + 3 > (size_t)num) {
        fail(c, c->lineno, "line is longer than %d characters", num - 3);
        len = 0;
    }
    memcpy(str, p, len);
    str[len] = '\0';
    if (str[0] == '[') {
        const char *close = strchr(str, ']');
        if (close)
            new_group(c, str + 1, (size_t)(close - str - 1));
    }
    return str;
}

static bool list_has(const struct entry *e, const char *v)
{
    for (size_t i = 0; i < e->nvals; i++)
        if (strcmp(e->vals[i], v) == 0)
            return true;
    return false;
}

/* Splits e->text at commas (for sweepable keys) and checks every value
 * with the option table. Returns 0 or -1 after fail(). */
static int split_values(struct ctx *c, struct entry *e)
{
    const char *name = e->def->name;
    bool split = !in_list(unsplit_keys, name) && strchr(e->text, ',') != NULL;
    char *p = e->text;
    for (;;) {
        char *comma = split ? strchr(p, ',') : NULL;
        if (comma)
            *comma = '\0';
        char *v = trim(p);
        if (split && *v == '\0') {
            fail(c, e->line, "empty value in the list for %s", name);
            return -1;
        }
        if (e->nvals == SCENARIO_MAX_VALUES) {
            fail(c, e->line, "more than %d values in the list for %s", SCENARIO_MAX_VALUES, name);
            return -1;
        }
        if (list_has(e, v)) {
            fail(c, e->line, "value '%s' appears twice in the list for %s", v, name);
            return -1;
        }
        e->vals[e->nvals++] = v;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (e->nvals > 1 && strcmp(name, "repeat") == 0) {
        fail(c, e->line, "repeat takes one number, not a list");
        return -1;
    }
    struct netrig_config tmp;
    char msg[300];
    for (size_t i = 0; i < e->nvals; i++) {
        opts_defaults(&tmp);
        if (opts_set(&tmp, name, e->vals[i], msg, sizeof(msg)) != 0) {
            fail(c, e->line, "%s", msg);
            return -1;
        }
    }
    return 0;
}

static void add_entry(struct ctx *c, const char *key, const char *value)
{
    const struct opt_def *d = opts_find(key);
    if (!d) {
        const char *s = opts_suggest(key);
        if (s)
            fail(c, c->lineno, "unknown key '%s' (did you mean '%s'?)", key, s);
        else
            fail(c, c->lineno, "unknown key '%s'", key);
        return;
    }
    if (in_list(runner_keys, d->name)) {
        fail(c, c->lineno, "key '%s' is not for scenario files: netrig run writes the results",
             d->name);
        return;
    }
    struct group *g = &c->g[c->cur];
    for (size_t i = 0; i < g->n; i++) {
        if (g->e[i].def == d && d->type != OPT_HEADER) {
            fail(c, c->lineno, "key '%s' given twice in [%s] (first at line %d)", d->name, g->name,
                 g->e[i].line);
            return;
        }
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        struct entry *e = realloc(g->e, cap * sizeof(*e));
        if (!e) {
            fail(c, c->lineno, "out of memory");
            return;
        }
        g->e = e;
        g->cap = cap;
    }
    struct entry *e = &g->e[g->n];
    memset(e, 0, sizeof(*e));
    e->def = d;
    e->line = c->lineno;
    e->text = strdup(value);
    if (!e->text) {
        fail(c, c->lineno, "out of memory");
        return;
    }
    g->n++;
    split_values(c, e);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    (void)section; /* the reader tracks sections, with their lines */
    add_entry(user, name, value);
    return 1;
}

static void ctx_free(struct ctx *c)
{
    for (size_t i = 0; i < c->ng; i++) {
        for (size_t j = 0; j < c->g[i].n; j++)
            free(c->g[i].e[j].text);
        free(c->g[i].e);
    }
    free(c->g);
}

/* ---- expansion: groups x sweeps -> steps ---- */

/* The entries a group sees: [global]'s, with the group's own keys
 * replacing those of the same name (headers add up instead). */
static size_t effective(const struct ctx *c, const struct group *g, const struct entry **out)
{
    size_t n = 0;
    const struct group *gl = &c->g[0];
    for (size_t i = 0; i < gl->n; i++)
        out[n++] = &gl->e[i];
    for (size_t i = 0; i < g->n; i++) {
        size_t j = 0;
        while (j < n && (out[j]->def != g->e[i].def || g->e[i].def->type == OPT_HEADER))
            j++;
        out[j] = &g->e[i];
        if (j == n)
            n++;
    }
    return n;
}

static int entry_line(const struct entry **eff, size_t n, const char *key, int def_line)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(eff[i]->def->name, key) == 0)
            return eff[i]->line;
    return def_line;
}

/* What a step must name besides the defaults. */
static int check_step(struct ctx *c, const struct group *g, const struct entry **eff, size_t n,
                      const struct netrig_config *cfg)
{
    if (cfg->mode == MODE_RATE && cfg->rate_per_s <= 0) {
        fail(c, entry_line(eff, n, "mode", g->line),
             "[%s] mode rate needs key 'rate' in transactions per second (rate = 20000/s)",
             g->name);
        return -1;
    }
    if (cfg->echo && cfg->server[0] == '\0') {
        fail(c, entry_line(eff, n, "echo", g->line),
             "[%s] echo = true needs key 'server' (an echo server is never embedded)", g->name);
        return -1;
    }
    if (cfg->verify && cfg->cafile[0] == '\0') {
        fail(c, entry_line(eff, n, "verify", g->line), "[%s] verify = true needs key 'cafile'",
             g->name);
        return -1;
    }
    /* The remaining cross-field rules are the command line's; a step
     * without a peer gets the embedded server, so lend it one here. */
    struct netrig_config tmp = *cfg;
    if (tmp.server[0] == '\0' && tmp.url[0] == '\0')
        snprintf(tmp.server, sizeof(tmp.server), "%s", tmp.ipv6 ? "[::1]:1" : "127.0.0.1:1");
    char msg[300];
    if (opts_validate(&tmp, msg, sizeof(msg)) != 0) {
        fail(c, g->line, "[%s] %s", g->name, msg);
        return -1;
    }
    return 0;
}

static int build_step(struct ctx *c, const struct group *g, const struct entry **eff, size_t n,
                      const size_t *idx, struct scenario_step *st)
{
    char msg[300];
    memset(st, 0, sizeof(*st));
    opts_defaults(&st->cfg);
    size_t pl = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = eff[i]->vals[idx[i]];
        if (opts_set(&st->cfg, eff[i]->def->name, v, msg, sizeof(msg)) != 0) {
            fail(c, eff[i]->line, "%s", msg);
            return -1;
        }
        if (eff[i]->nvals > 1 && pl < sizeof(st->params)) {
            int w = snprintf(st->params + pl, sizeof(st->params) - pl, "%s%s=%s", pl ? " " : "",
                             eff[i]->def->name, v);
            pl = w < 0 ? sizeof(st->params) : pl + (size_t)w;
        }
    }
    int w = snprintf(st->name, sizeof(st->name), "%s%s%s", g->name, pl ? " " : "", st->params);
    if (pl >= sizeof(st->params) || w < 0 || (size_t)w >= sizeof(st->name)) {
        fail(c, g->line, "[%s] step name '%.40s...' is longer than %d characters", g->name,
             st->name, SCENARIO_NAME_MAX - 1);
        return -1;
    }
    snprintf(st->group, sizeof(st->group), "%s", g->name);
    scenario_file_name(st->name, st->file, sizeof(st->file));
    st->line = g->line;
    st->repeat = st->cfg.repeat;
    return check_step(c, g, eff, n, &st->cfg);
}

static int expand_group(struct ctx *c, struct scenario *sc, const struct group *g)
{
    const struct entry *eff[256];
    size_t idx[256] = {0};
    if (c->g[0].n + g->n > 256) {
        fail(c, g->line, "[%s] has more than 256 keys", g->name);
        return -1;
    }
    size_t n = effective(c, g, eff);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        total *= eff[i]->nvals;
        if (total + sc->nsteps > SCENARIO_MAX_STEPS) {
            fail(c, g->line, "[%s] the lists expand to more than %d steps", g->name,
                 SCENARIO_MAX_STEPS);
            return -1;
        }
    }
    struct scenario_step *steps = realloc(sc->steps, (sc->nsteps + total) * sizeof(*steps));
    if (!steps) {
        fail(c, g->line, "out of memory");
        return -1;
    }
    sc->steps = steps;
    for (size_t k = 0; k < total; k++) {
        if (build_step(c, g, eff, n, idx, &sc->steps[sc->nsteps]) != 0)
            return -1;
        sc->nsteps++;
        /* Odometer: the last key varies fastest, like nested loops. */
        for (size_t i = n; i-- > 0;) {
            if (++idx[i] < eff[i]->nvals)
                break;
            idx[i] = 0;
        }
    }
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    const struct scenario_step *x = *(const struct scenario_step *const *)a;
    const struct scenario_step *y = *(const struct scenario_step *const *)b;
    return strcmp(x->file, y->file);
}

/* Two steps must never write the same .hlog: sort by file name and look
 * at neighbours. */
static int check_files(struct ctx *c, struct scenario *sc)
{
    const struct scenario_step **v = malloc(sc->nsteps * sizeof(*v));
    if (!v) {
        fail(c, 0, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sc->nsteps; i++)
        v[i] = &sc->steps[i];
    qsort(v, sc->nsteps, sizeof(*v), cmp_file);
    int rc = 0;
    for (size_t i = 1; i < sc->nsteps && rc == 0; i++) {
        if (strcmp(v[i - 1]->file, v[i]->file) == 0) {
            fail(c, v[i]->line, "steps '%s' and '%s' would share the file name '%s'",
                 v[i - 1]->name, v[i]->name, v[i]->file);
            rc = -1;
        }
    }
    free(v);
    return rc;
}

static int expand(struct ctx *c, struct scenario *sc)
{
    if (c->ng < 2) {
        fail(c, 0, "no steps: add a section such as [tcp-stream] after [global]");
        return -1;
    }
    for (size_t i = 1; i < c->ng; i++)
        if (expand_group(c, sc, &c->g[i]) != 0)
            return -1;
    return check_files(c, sc);
}

static void set_name(struct scenario *sc, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    snprintf(sc->name, sizeof(sc->name), "%s", base);
    size_t n = strlen(sc->name);
    if (n > 4 && strcmp(sc->name + n - 4, ".ini") == 0)
        sc->name[n - 4] = '\0';
}

int scenario_parse(struct scenario *sc, const char *file, const char *text, char *err,
                   size_t errlen)
{
    memset(sc, 0, sizeof(*sc));
    /* A UTF-8 byte order mark (Windows editors write one) would hide the
     * first section header from the reader, and its keys would land in
     * [global]. */
    const char *body = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
    struct ctx c = {.file = file, .pos = body, .err_line = -1};
    new_group(&c, "global", 6); /* implicit: keys before any section are global */
    c.g[0].line = 0;
    int rc = ini_parse_stream(reader, &c, handler, &c);
    if (rc > 0)
        fail(&c, rc, "syntax error: expected [section] or key = value");
    else if (rc < 0)
        fail(&c, 0, "cannot parse (out of memory)");
    if (c.err_line < 0) {
        snprintf(sc->file, sizeof(sc->file), "%s", file);
        set_name(sc, file);
        sc->text = strdup(text);
        if (!sc->text)
            fail(&c, 0, "out of memory");
    }
    if (c.err_line < 0)
        expand(&c, sc);
    ctx_free(&c);
    if (c.err_line >= 0) {
        snprintf(err, errlen, "%s", c.err);
        scenario_close(sc);
        return -1;
    }
    return 0;
}

int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    memset(sc, 0, sizeof(*sc));
    if (fileio_read_all(path, 1 << 20, &text, &len, err, errlen) != 0)
        return -1;
    if (strlen(text) != len) {
        snprintf(err, errlen, "%s: not a text file (holds a NUL byte)", path);
        free(text);
        return -1;
    }
    int rc = scenario_parse(sc, path, text, err, errlen);
    free(text);
    return rc;
}

void scenario_close(struct scenario *sc)
{
    free(sc->steps);
    free(sc->text);
    memset(sc, 0, sizeof(*sc));
}
