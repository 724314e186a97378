#include "remote.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int remote_parse_one(const char *spec, char *dest, size_t destlen, char *port, size_t portlen,
                     char *err, size_t errlen)
{
    port[0] = '\0';
    const char *s = spec;
    if (strncmp(s, "ssh://", 6) != 0) {
        snprintf(dest, destlen, "%s", s); /* a destination of ~/.ssh/config */
        return s[0] && !strpbrk(s, " \t'\"")
                   ? 0
                   : (snprintf(err, errlen, "'%s': not an ssh destination", spec), -1);
    }
    s += 6;
    const char *colon = strrchr(s, ':');
    const char *at = strchr(s, '@');
    size_t hl = colon && (!at || colon > at) ? (size_t)(colon - s) : strlen(s);
    if (colon && (!at || colon > at)) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return snprintf(err, errlen, "'%s': bad port", spec), -1;
        snprintf(port, portlen, "%ld", p);
    }
    if (hl == 0 || hl >= destlen || memchr(s, '/', hl) || memchr(s, ' ', hl))
        return snprintf(err, errlen, "'%s': expected ssh://[user@]host[:port]", spec), -1;
    memcpy(dest, s, hl);
    dest[hl] = '\0';
    return 0;
}

/* The host column: the host part, with the port when two share a host. */
static void host_name(struct remote_set *s, size_t i)
{
    struct remote_host *h = &s->h[i];
    const char *at = strchr(h->dest, '@');
    snprintf(h->name, sizeof(h->name), "%.40s", at ? at + 1 : h->dest);
    for (size_t j = 0; j < i; j++)
        if (strcmp(s->h[j].name, h->name) == 0) {
            size_t l = strlen(h->name);
            snprintf(h->name + l, sizeof(h->name) - l, "-%s", h->port[0] ? h->port : "2");
        }
}

int remote_parse_hosts(struct remote_set *s, const char *list, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->netrig_path, sizeof(s->netrig_path), "netrig");
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        struct remote_host *v = realloc(s->h, (s->n + 1) * sizeof(*v));
        if (!v)
            return snprintf(err, errlen, "out of memory"), -1;
        s->h = v;
        struct remote_host *h = &v[s->n];
        memset(h, 0, sizeof(*h));
        h->pid = -1;
        h->in_fd = h->out_fd = h->err_fd = -1;
        snprintf(h->spec, sizeof(h->spec), "%s", t);
        s->n++;
        if (remote_parse_one(t, h->dest, sizeof(h->dest), h->port, sizeof(h->port), err, errlen) !=
            0)
            return -1;
        host_name(s, s->n - 1);
    }
    if (s->n == 0)
        return snprintf(err, errlen, "client_hosts: no host given"), -1;
    return 0;
}

/* Appends word to the remote shell command, single-quoted. */
void remote_put_word(char *cmd, size_t len, const char *w)
{
    size_t n = strlen(cmd);
    if (n && n + 1 < len)
        cmd[n++] = ' ', cmd[n] = '\0';
    if (n + 1 < len)
        cmd[n++] = '\'', cmd[n] = '\0';
    for (; *w && n + 5 < len; w++) {
        if (*w == '\'') {
            memcpy(cmd + n, "'\\''", 4);
            n += 4;
        } else {
            cmd[n++] = *w;
        }
    }
    if (n + 1 < len)
        cmd[n++] = '\'';
    cmd[n] = '\0';
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else
        fprintf(f, "%.6g", v);
}

char *remote_hosts_json(const struct remote_set *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("{\"max_start_skew_ms\": ", f);
    json_num(f, s->max_skew_s * 1e3);
    fputs(", \"clients\": [", f);
    for (size_t i = 0; i < s->n; i++) {
        const struct remote_host *h = &s->h[i];
        fputs(i ? ", {\"host\": " : "{\"host\": ", f);
        json_str(f, h->name);
        fputs(", \"ssh\": ", f);
        json_str(f, h->spec);
        fputs(", \"clock_offset_ms\": ", f);
        json_num(f, h->offset_s * 1e3);
        fputs(", \"rtt_ms\": ", f);
        json_num(f, h->rtt_s * 1e3);
        fputs(", \"status\": ", f);
        json_str(f, h->dead ? h->why : "ok");
        fputc('}', f);
    }
    fputs("]}", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void remote_close(struct remote_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        remote_ssh_reap(&s->h[i]);
        client_output_close(&s->h[i].out);
        free(s->h[i].buf);
        free(s->h[i].head);
    }
    free(s->h);
    memset(s, 0, sizeof(*s));
}
