/* libFuzzer target: the Windows proxy list parser (host_proxycfg_pick) on arbitrary text.
 * What it writes must be "http://" + a host + ":" + a port of 1..65535, NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxycfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char list[1024], out[300];
    if (size >= sizeof list)
        size = sizeof list - 1;
    memcpy(list, data, size);
    list[size] = 0;
    memset(out, 'x', sizeof out);
    int rc = host_proxycfg_pick(list, out, sizeof out);
    if (rc == 1) {
        if (!memchr(out, 0, sizeof out) || strncmp(out, "http://", 7) != 0)
            abort();
        const char *colon = strrchr(out + 7, ':');
        if (!colon || colon == out + 7)
            abort();
        long port = strtol(colon + 1, NULL, 10);
        if (port < 1 || port > 65535)
            abort();
    } else if (rc != 0 && rc != -1) {
        abort();
    }
    return 0;
}
