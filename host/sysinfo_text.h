/* Building the system information text (key=value lines), shared by the platforms'
 * sysinfo files. Private to sasae_host. */
#ifndef SASAE_HOST_SYSINFO_TEXT_H
#define SASAE_HOST_SYSINFO_TEXT_H

#include <stddef.h>

struct sysinfo_out {
    char *buf;
    size_t cap, len;
};

/* Appends one whole line (printf format, newline added), or nothing if it does not fit:
 * the text is cut only between lines. */
void sysinfo_line(struct sysinfo_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
