/* libFuzzer target: the configuration syntax (sasae_conf_parse) on arbitrary bytes. Every
 * value handed to the callback must be a NUL-terminated string without control characters
 * other than tab, and a name of [a-z0-9-]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasae/conf.h"

static int check(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    if (!*name)
        abort();
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            abort();
    if (value) {
        size_t n = strlen(value);
        if (n > 4096)
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)value[i] < 0x20 && value[i] != '\t')
                abort();
    }
    /* refuse one name, to reach the error path */
    return strcmp(name, "no") == 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    sasae_conf_parse((const char *)data, size, check, NULL, err, sizeof err);
    return 0;
}
