/* libFuzzer target for the host's file capture source (the y4m header and frame parser,
 * raw BGRA): arbitrary file contents must open or fail cleanly, and grabbing frames from
 * whatever opened must stay in bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sasae/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char src[64], err[256];
    snprintf(src, sizeof src, "file:/proc/self/fd/%d", fd);
    /* raw sources need a size: use a small one derived from the input */
    int w = size ? 1 + data[0] % 64 : 1, h = size > 1 ? 1 + data[1] % 64 : 1;
    struct sasae_cap_opts o = {.source = src, .width = w, .height = h};
    struct sasae_cap *c = sasae_cap_open(&o, err, sizeof err);
    if (c) {
        struct sasae_dirty d = {0};
        struct sasae_frame f;
        for (int i = 0; i < 3; i++)
            if (sasae_cap_grab(c, &d, &f) < 0)
                break;
        sasae_cap_free(c);
    }
    close(fd);
    return 0;
}
