/* Choosing the proxy for wss:// from a platform's proxy list (see proxycfg.h). */
#include "proxycfg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes "http://host:port" for an entry "[http://]host[:port]" of len bytes. */
static int format_entry(const char *e, size_t len, char *out, size_t cap)
{
    if (len > 7 && strncmp(e, "http://", 7) == 0) {
        e += 7;
        len -= 7;
    }
    while (len && e[len - 1] == '/')
        len--;
    if (!len || len > 255)
        return -1;
    char hp[256];
    memcpy(hp, e, len);
    hp[len] = 0;
    const char *colon = strrchr(hp, ':');
    long port = 80;
    size_t hl = len;
    if (colon && !strchr(colon, ']')) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || port < 1 || port > 65535)
            return -1;
        hl = (size_t)(colon - hp);
    }
    if (!hl)
        return -1;
    for (size_t i = 0; i < hl; i++)
        if (!isalnum((unsigned char)hp[i]) && !strchr(".-[]:_", hp[i]))
            return -1;
    int n = snprintf(out, cap, "http://%.*s:%ld", (int)hl, hp, port);
    return n > 0 && (size_t)n < cap ? 1 : -1;
}

int host_proxycfg_pick(const char *list, char *out, size_t cap)
{
    const char *plain = NULL, *https = NULL;
    size_t plain_len = 0, https_len = 0;
    for (const char *p = list; p && *p;) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "; \t");
        if (!n)
            break;
        const char *eq = memchr(p, '=', n);
        if (!eq) {
            if (!plain) {
                plain = p;
                plain_len = n;
            }
        } else if ((size_t)(eq - p) == 5 && strncmp(p, "https", 5) == 0 && !https) {
            https = eq + 1;
            https_len = n - 6;
        }
        p += n;
    }
    if (https)
        return format_entry(https, https_len, out, cap);
    if (plain)
        return format_entry(plain, plain_len, out, cap);
    return 0;
}
