/* test_video_mem.c: the encoder's replacement for libvpx's allocator (codec/video/vpxmem.h):
 * libvpx really uses it, zero pages are given back and read as zero, written pages are kept,
 * other threads' blocks are left alone, alignment. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sasae/video.h"
#include "vpxmem.h"

/* Resident pages among [p, p + len) (p page-aligned). */
static size_t resident_pages(void *p, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page, r = 0;
    unsigned char *v = malloc(n);
    cr_assert(v);
    cr_assert_eq(mincore(p, len, v), 0);
    for (size_t i = 0; i < n; i++)
        r += v[i] & 1;
    free(v);
    return r;
}

static void *page_of(void *x)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (void *)((uintptr_t)x / page * page);
}

Test(video_mem, libvpx_uses_it)
{
    struct sv_mem_stats before, during;
    sv_mem_stats(&before);
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 1920, 1080);
    sasae_venc *e = NULL;
    cr_assert_eq(sasae_venc_new(&cfg, &e), SASAE_VIDEO_OK);
    sv_mem_stats(&during);
    sasae_venc_free(e);
#ifdef SASAE_VPX_STATIC_LINKED
    /* five strip encoders, each with its token buffer, frame buffers and maps */
    cr_expect_gt(during.big_blocks, before.big_blocks + 5 * 4, "libvpx did not allocate here");
    cr_expect_gt(during.reclaimed, before.reclaimed, "nothing given back after init");
#else
    cr_expect_eq(during.big_blocks, before.big_blocks, "a shared libvpx has its own allocator");
#endif
}

Test(video_mem, calloc_is_zero_and_not_resident)
{
    size_t n = 64 * SV_MEM_BIG;
    uint8_t *p = vpx_calloc(1, n);
    cr_assert(p);
    cr_expect_eq(resident_pages(page_of(p + 4096), n - 4096), 0);
    for (size_t i = 0; i < n; i += 997)
        cr_assert_eq(p[i], 0);
    p[n - 1] = 7;
    cr_expect_eq(p[n - 1], 7);
    vpx_free(p);
}

Test(video_mem, reclaim_gives_back_zero_pages_only)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 256 * page;
    uint8_t *p = vpx_memalign(32, n);
    cr_assert(p);
    cr_assert_eq((uintptr_t)p % 32, 0);
    memset(p, 0, n);                /* what libvpx does with a frame buffer */
    memset(p + 10 * page, 0x5a, 3); /* one written page */
    p[200 * page + page - 1] = 1;   /* and one written at its end */
    cr_assert_eq(resident_pages(p, n), 256);
    struct sv_mem_stats a, b;
    sv_mem_stats(&a);
    sv_mem_reclaim();
    sv_mem_stats(&b);
    cr_expect_eq(b.reclaimed - a.reclaimed, 254 * page);
    cr_expect_eq(resident_pages(p, n), 2);
    cr_expect_eq(p[10 * page], 0x5a);
    cr_expect_eq(p[10 * page + 2], 0x5a);
    cr_expect_eq(p[200 * page + page - 1], 1);
    for (size_t i = 0; i < n; i += 61)
        if (i < 10 * page || i >= 11 * page)
            cr_assert_eq(p[i], i == 200 * page + page - 1 ? 1 : 0, "byte %zu", i);
    /* a block is looked at once: written later, it is never released */
    memset(p + 20 * page, 0, page);
    sv_mem_stats(&a);
    sv_mem_reclaim();
    sv_mem_stats(&b);
    cr_expect_eq(b.reclaimed, a.reclaimed);
    vpx_free(p);
}

static void *alloc_zeroed(void *arg)
{
    size_t n = *(size_t *)arg;
    uint8_t *p = vpx_malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

Test(video_mem, other_threads_blocks_are_left_alone)
{
    size_t n = 64 * (size_t)sysconf(_SC_PAGESIZE);
    pthread_t t;
    void *p = NULL;
    cr_assert_eq(pthread_create(&t, NULL, alloc_zeroed, &n), 0);
    cr_assert_eq(pthread_join(t, &p), 0);
    cr_assert(p);
    sv_mem_reclaim();
    cr_expect_eq(resident_pages(p, n), 64, "another thread's block was released");
    vpx_free(p);
}

Test(video_mem, small_blocks_and_alignment)
{
    for (size_t align = 1; align <= 4096; align *= 2) {
        uint8_t *s = vpx_memalign(align, 100), *b = vpx_memalign(align, 2 * SV_MEM_BIG);
        cr_assert(s && b);
        cr_expect_eq((uintptr_t)s % align, 0);
        cr_expect_eq((uintptr_t)b % align, 0);
        memset(s, 1, 100);
        memset(b, 1, 2 * SV_MEM_BIG);
        vpx_free(s);
        vpx_free(b);
    }
    uint8_t *z = vpx_calloc(10, 10);
    cr_assert(z);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(z[i], 0);
    vpx_free(z);
    vpx_free(NULL);
    cr_expect_null(vpx_calloc(SIZE_MAX / 2, 4));
    cr_expect_null(vpx_malloc(SIZE_MAX - 16));
}

/* Mid-size blocks: zero, aligned, adjacent blocks share pages that stay out of RAM until
 * written, calloc needs no memset, and a chunk goes back to the OS once all its blocks are
 * freed (its pages read as zero when it is carved again). */
Test(video_mem, mid_blocks_stay_out_of_ram_until_written)
{
    enum { N = 2000 };
    static uint8_t *b[N];
    struct sv_mem_stats a, m, z;
    sv_mem_stats(&a);
    for (int i = 0; i < N; i++) {
        size_t n = SV_MEM_MID + (size_t)(i % 7) * 300;
        b[i] = i % 3 ? vpx_memalign((size_t)16 << (i % 3), n) : vpx_calloc(1, n);
        cr_assert(b[i]);
        cr_assert_eq((uintptr_t)b[i] % ((size_t)16 << (i % 3)), 0);
    }
    sv_mem_stats(&m);
    cr_expect_geq(m.mid_chunks, a.mid_chunks + 1);
    /* about 2 MB of blocks never touched: nothing resident (reading maps the zero page,
     * which mincore counts, so the contents are checked after) */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t res = 0;
    for (int i = 0; i < N; i += 50)
        res += resident_pages(page_of(b[i]), page);
    cr_expect_eq(res, 0, "%zu of %d sampled pages resident", res, N / 50);
    memset(b[10], 0x77, SV_MEM_MID);
    cr_expect_eq(resident_pages(page_of(b[10]), 1), 1);
    cr_expect_eq(b[11][0], 0, "the next block is untouched");
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < SV_MEM_MID + (size_t)(i % 7) * 300; k += 97)
            cr_assert_eq(b[i][k], i == 10 && k < SV_MEM_MID ? 0x77 : 0, "block %d byte %zu", i, k);
    for (int i = 0; i < N; i++)
        vpx_free(b[i]);
    sv_mem_stats(&z);
    cr_expect_leq(z.mid_chunks, a.mid_chunks + 1, "chunks kept after all their blocks were freed");
    uint8_t *again = vpx_calloc(1, 4000);
    cr_assert(again);
    for (int k = 0; k < 4000; k++)
        cr_assert_eq(again[k], 0);
    vpx_free(again);
}

/* Scratch: only the expected calloc is caught, once; release gives its pages back beyond
 * keep (they read as zero), keeps the first ones, and counts. */
Test(video_mem, scratch_block_pages_go_back)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 64 * page;
    sv_mem_scratch_expect(n);
    uint8_t *other = vpx_calloc(1, n + page), *p = vpx_calloc(1, n), *q = vpx_calloc(1, n);
    cr_assert(other && p && q);
    cr_expect_eq(sv_mem_scratch_take(), p, "the first block of the expected size");
    cr_expect_null(sv_mem_scratch_take(), "taken once");
    memset(p, 0x55, n);
    struct sv_mem_stats a, b;
    sv_mem_stats(&a);
    cr_expect_eq(sv_mem_scratch_release(p, 3 * page - 1), n - 3 * page, "keep rounds up to pages");
    sv_mem_stats(&b);
    cr_expect_eq(b.scratch, a.scratch + n - 3 * page);
    cr_expect_eq(resident_pages(p, 3 * page), 3);
    cr_expect_eq(resident_pages(p + 3 * page, n - 3 * page), 0);
    cr_expect_eq(p[3 * page - 1], 0x55);
    for (size_t i = 3 * page; i < n; i += 512)
        cr_assert_eq(p[i], 0, "byte %zu", i);
    cr_expect_eq(sv_mem_scratch_release(p, n), 0);
    cr_expect_eq(sv_mem_scratch_release(NULL, 0), 0);
    vpx_free(other);
    vpx_free(p);
    vpx_free(q);
}

/* The encoder finds each VP9 strip's token buffer (libvpx's own layout: a change there would
 * silently keep the pages of every lossless frame resident) and gives it back after a big
 * frame. That the codec still decodes exactly after such frames: test_video's
 * topoff_runs_in_small_bands_down_to_lossless. */
Test(video_mem, token_buffer_goes_back_after_a_big_frame)
{
    sasae_video_config cfg;
    sasae_video_config_default(&cfg, 384, 256);
    sasae_venc *e = NULL;
    cr_assert_eq(sasae_venc_new(&cfg, &e), SASAE_VIDEO_OK);
    uint8_t *bgra = malloc(384 * 256 * 4);
    cr_assert(bgra);
    uint32_t x = 12345;
    for (size_t i = 0; i < 384 * 256 * 4; i++) { /* noise: a keyframe of ~50 KB */
        x = x * 1103515245u + 12345u;
        bgra[i] = (uint8_t)(x >> 24);
    }
    size_t cap = sasae_venc_max_payload(e), len = 0;
    uint8_t *out = malloc(cap);
    cr_assert(out);
    struct sv_mem_stats a, b;
    sv_mem_stats(&a);
    sasae_video_frame f = {bgra, 384 * 4, NULL, 0, 0};
    cr_assert_eq(sasae_venc_encode(e, &f, 0, out, cap, &len), SASAE_VIDEO_OK);
    sv_mem_stats(&b);
    cr_assert_gt(len, 4096);
#ifdef SASAE_VPX_STATIC_LINKED
    cr_expect_geq(b.scratch, a.scratch + (size_t)24 * 16 * 772 * 16 - 4096,
                  "the strip's token buffer (%zu bytes released)", b.scratch - a.scratch);
#else
    cr_expect_eq(b.scratch, a.scratch, "a shared libvpx has its own allocator");
#endif
    free(out);
    free(bgra);
    sasae_venc_free(e);
}
