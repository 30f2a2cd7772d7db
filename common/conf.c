/* The one configuration-file syntax of relay, host and viewer (see sasae/conf.h). */
#include "sasae/conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 4096
#define FILE_MAX_BYTES (1u << 20)

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* One line without its line end (a copy the parser may change). */
static int parse_line(char *l, size_t n, sasae_conf_fn fn, void *ctx, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < n && blank(l[i]))
        i++;
    if (i == n || l[i] == '#')
        return 0;
    size_t ns = i;
    while (i < n && name_char(l[i]))
        i++;
    size_t ne = i;
    while (i < n && blank(l[i]))
        i++;
    if (ne == ns || (i < n && l[i] != '=')) {
        snprintf(err, errlen, ne == ns ? "expected a name (a-z, 0-9, -)" : "expected name = value");
        return -1;
    }
    l[ne] = 0;
    if (i == n) /* a switch: the name alone */
        return fn(ctx, l + ns, NULL, err, errlen) == 0 ? 0 : -1;
    i++;
    while (i < n && blank(l[i]))
        i++;
    char *val = l + i;
    if (i < n && l[i] == '"') {
        /* quoted: unescaped in place over the quote; only blanks may follow the closing one */
        size_t w = i;
        for (i++; i < n && l[i] != '"'; i++) {
            if (l[i] == '\\') {
                if (i + 1 == n || (l[i + 1] != '"' && l[i + 1] != '\\')) {
                    snprintf(err, errlen, "in quotes, '\\' only escapes \" and \\");
                    return -1;
                }
                i++;
            }
            l[w++] = l[i];
        }
        if (i == n) {
            snprintf(err, errlen, "missing closing quote");
            return -1;
        }
        for (i++; i < n && blank(l[i]); i++)
            ;
        if (i != n) {
            snprintf(err, errlen, "text after the closing quote");
            return -1;
        }
        l[w] = 0;
    } else {
        size_t e = n;
        while (e > i && blank(l[e - 1]))
            e--;
        l[e] = 0;
    }
    for (const char *p = val; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t') {
            snprintf(err, errlen, "control character in the value");
            return -1;
        }
    return fn(ctx, l + ns, val, err, errlen) == 0 ? 0 : -1;
}

int sasae_conf_parse(const char *text, size_t len, sasae_conf_fn fn, void *ctx, char *err,
                     size_t errlen)
{
    char line[LINE_MAX_BYTES + 1];
    char why[200];
    size_t pos = 0;
    for (int lineno = 1; pos < len; lineno++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
        if (n && text[end - 1] == '\r')
            n--;
        why[0] = 0;
        int rc = 0;
        if (n > LINE_MAX_BYTES) {
            snprintf(why, sizeof why, "line longer than %d bytes", LINE_MAX_BYTES);
            rc = -1;
        } else if (memchr(text + pos, 0, n)) {
            snprintf(why, sizeof why, "NUL byte in the line");
            rc = -1;
        } else {
            memcpy(line, text + pos, n);
            line[n] = 0;
            rc = parse_line(line, n, fn, ctx, why, sizeof why);
        }
        if (rc != 0) {
            snprintf(err, errlen, "line %d: %s", lineno, why[0] ? why : "bad setting");
            return -1;
        }
        pos = nl ? end + 1 : len;
    }
    return 0;
}

int sasae_conf_load(const char *path, sasae_conf_fn fn, void *ctx, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? -ENOENT : -1;
    }
    char *buf = malloc(FILE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, FILE_MAX_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    int rc = -1;
    if (!buf)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (bad)
        snprintf(err, errlen, "%s: read error", path);
    else if (n > FILE_MAX_BYTES)
        snprintf(err, errlen, "%s: larger than 1 MiB", path);
    else {
        char why[256];
        rc = sasae_conf_parse(buf, n, fn, ctx, why, sizeof why);
        if (rc != 0)
            /* "PATH:N: reason" from "line N: reason" */
            snprintf(err, errlen, "%s:%s", path, why + (strncmp(why, "line ", 5) ? 0 : 5));
    }
    free(buf);
    return rc;
}
