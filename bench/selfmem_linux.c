/* selfmem_linux.c: selfmem.h from /proc/self/status. */
#include "selfmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long bench_self_rss_kb(int peak)
{
    const char *field = peak ? "VmHWM:" : "VmRSS:";
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, strlen(field)))
            v = atol(line + strlen(field));
    if (f)
        fclose(f);
    return v;
}
