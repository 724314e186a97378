#include "meta.h"

#include <openssl/crypto.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "summary.h"
#include "version.h"

void meta_cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        /* x86: "model name"; some ARM kernels only give "Hardware". */
        if (strncmp(line, "model name", 10) != 0 && strncmp(line, "Hardware", 8) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, len, "%s", colon);
        break;
    }
    fclose(f);
}

void meta_iso_time(double epoch_s, char *buf, size_t len)
{
    time_t t = (time_t)epoch_s;
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
        snprintf(buf, len, "unknown");
}

static void key_str(FILE *out, const char *key, const char *v)
{
    fprintf(out, ",\n  \"%s\": ", key);
    summary_json_str(out, v ? v : "");
}

static void times(FILE *out, const char *key, double t)
{
    char iso[64];
    fprintf(out, ",\n  \"%s\": ", key);
    if (t < 0) {
        fputs("null", out);
    } else {
        meta_iso_time(t, iso, sizeof(iso));
        summary_json_str(out, iso);
    }
    fprintf(out, ",\n  \"%s_epoch\": ", key);
    if (t < 0)
        fputs("null", out);
    else
        fprintf(out, "%.3f", t); /* %g would round away the seconds */
}

void meta_json(FILE *out, const struct meta_run *m)
{
    char host[256] = "unknown", cpu[256];
    struct utsname u;
    memset(&u, 0, sizeof(u));
    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "unknown");
    host[sizeof(host) - 1] = '\0';
    uname(&u);
    meta_cpu_model(cpu, sizeof(cpu));
    char kernel[3 * 65 + 8];
    snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.version);
    fputs("{\n  \"schema\": 1", out);
    key_str(out, "host", host);
    key_str(out, "kernel", kernel);
    key_str(out, "machine", u.machine);
    key_str(out, "cpu_model", cpu);
    fprintf(out, ",\n  \"cpu_count\": %ld", sysconf(_SC_NPROCESSORS_ONLN));
    key_str(out, "netrig_version", NETRIG_VERSION);
    key_str(out, "git_commit", NETRIG_GIT_COMMIT);
    key_str(out, "openssl_version", OpenSSL_version(OPENSSL_VERSION));
    fputs(",\n  \"command_line\": [", out);
    for (int i = 0; i < m->argc; i++) {
        if (i)
            fputs(", ", out);
        summary_json_str(out, m->argv[i]);
    }
    fputc(']', out);
    times(out, "start_time", m->start_s);
    times(out, "end_time", m->end_s);
    key_str(out, "status", m->status);
    key_str(out, "message", m->message);
    key_str(out, "server", m->server);
    fprintf(out, ",\n  \"embedded_server\": %s", m->embedded ? "true" : "false");
    /* The plots draw this line on the throughput figure. */
    fputs(",\n  \"link_rate_bps\": ", out);
    if (m->link_rate_bps > 0)
        fprintf(out, "%.0f", m->link_rate_bps);
    else
        fputs("null", out);
    if (m->hosts_json)
        fprintf(out, ",\n  \"hosts\": %s", m->hosts_json);
    key_str(out, "scenario_file", m->scenario_file);
    key_str(out, "scenario_name", m->scenario_name);
    key_str(out, "scenario_text", m->scenario_text);
    fputs("\n}\n", out);
}
