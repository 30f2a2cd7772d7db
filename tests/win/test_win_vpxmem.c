/* The video encoder's replacement for libvpx's allocator on Windows (codec/video/vpxmem.h,
 * vpxmem_win.c), under Wine: libvpx allocates through it, a zeroed block's pages leave the
 * working set after sv_mem_reclaim and read as zero, written pages stay, a calloc'd block is
 * not in the working set until written. One line per check, exit 0 only if all passed. */
#include <windows.h>
#include <psapi.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sasae/video.h"
#include "vpxmem.h"

static int checks, failed;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", ok ? "ok" : "not ok", ++checks);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failed += !ok;
}

/* Pages of [p, p + len) in the working set (p page-aligned); -1 if Windows cannot say. */
static long in_working_set(void *p, size_t len)
{
    size_t page = sv_os_page(), n = len / page;
    PSAPI_WORKING_SET_EX_INFORMATION *wi = calloc(n, sizeof *wi);
    if (!wi)
        return -1;
    for (size_t i = 0; i < n; i++)
        wi[i].VirtualAddress = (char *)p + i * page;
    long r = -1;
    if (QueryWorkingSetEx(GetCurrentProcess(), wi, (DWORD)(n * sizeof *wi))) {
        r = 0;
        for (size_t i = 0; i < n; i++)
            r += wi[i].VirtualAttributes.Valid;
    }
    free(wi);
    return r;
}

int main(void)
{
    size_t page = sv_os_page(), n = 256 * page;
    struct sv_mem_stats a, b;

    uint8_t *p = vpx_memalign(32, n);
    check(p && (uintptr_t)p % page == 0, "a large block has its own pages");
    memset(p, 0, n);
    p[10 * page] = 0x5a;
    p[200 * page + page - 1] = 1;
    long before = in_working_set(p, n);
    sv_mem_stats(&a);
    sv_mem_reclaim();
    sv_mem_stats(&b);
    long after = in_working_set(p, n);
    check(b.reclaimed - a.reclaimed == 254 * page, "254 zero pages given back (%zu bytes)",
          b.reclaimed - a.reclaimed);
    check(before == 256 && after == 2, "working set pages of the block: %ld before, %ld after",
          before, after);
    bool same = p[10 * page] == 0x5a && p[200 * page + page - 1] == 1;
    for (size_t i = 0; same && i < n; i++)
        same = p[i] == (i == 10 * page ? 0x5a : i == 200 * page + page - 1 ? 1 : 0);
    check(same, "the block reads as before (zeros and the two written bytes)");
    p[20 * page] = 3; /* released pages are usable again */
    check(p[20 * page] == 3, "a given-back page can be written again");
    vpx_free(p);

    uint8_t *z = vpx_calloc(64, page);
    check(z && in_working_set(z, 64 * page) == 0, "calloc: not in the working set until written");
    bool zero = z != NULL;
    for (size_t i = 0; z && i < 64 * page; i += 509)
        zero = zero && z[i] == 0;
    check(zero, "calloc: reads as zero");
    vpx_free(z);

    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 1920, 1080);
    sasae_venc *e = NULL;
    sv_mem_stats(&a);
    int rc = sasae_venc_new(&cfg, &e);
    sv_mem_stats(&b);
    check(rc == 0 && b.big_blocks > a.big_blocks + 20, "libvpx allocates here (%zu large blocks)",
          b.big_blocks - a.big_blocks);
    sasae_venc_free(e);
    printf("# %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
