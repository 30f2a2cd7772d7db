/* The system information text's lines (see sysinfo_text.h). */
#include "sysinfo_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sysinfo_line(struct sysinfo_out *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t l = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    if (o->len + l + 2 > o->cap)
        return;
    memcpy(o->buf + o->len, tmp, l);
    o->len += l;
    o->buf[o->len++] = '\n';
    o->buf[o->len] = 0;
}
