/* Helpers shared by the relay load generators (procstat.h). */
#include "procstat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void bench_proc_stats(int pid, double *cpu_s, long *rss_kb)
{
    *cpu_s = 0;
    *rss_kb = 0;
    if (!pid)
        return;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(buf, sizeof(buf), f)) {
            char *p = strrchr(buf, ')');
            unsigned long ut = 0, st = 0;
            if (p &&
                sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
                *cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
        }
        fclose(f);
    }
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    f = fopen(path, "r");
    if (f) {
        while (fgets(buf, sizeof(buf), f))
            if (sscanf(buf, "VmRSS: %ld", rss_kb) == 1)
                break;
        fclose(f);
    }
}

int bench_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}
