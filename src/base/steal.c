#include "steal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int64_t steal_parse(const char *text, long hz)
{
    /* cpu  user nice system idle iowait irq softirq steal ... */
    unsigned long long v[8];
    if (hz <= 0 || strncmp(text, "cpu ", 4) != 0 ||
        sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) != 8)
        return -1;
    return (int64_t)(v[7] * (1000000000ull / (unsigned long long)hz));
}

int64_t steal_now_ns(void)
{
    char buf[256];
    int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *nl = strchr(buf, '\n');
    if (!nl)
        return -1;
    *nl = '\0';
    return steal_parse(buf, sysconf(_SC_CLK_TCK));
}
