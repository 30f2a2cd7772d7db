/* vpxmem.h: libvpx's allocator, replaced (private to codec/video).
 *
 * libvpx routes every allocation through vpx_memalign/vpx_malloc/vpx_calloc/vpx_free
 * (vpx_mem.o). Its vpx_calloc is malloc + memset, and every frame buffer is memset after
 * allocation, so all of the encoder's worst-case buffers become resident at once: at
 * 1920x1080 the VP9 token buffers alone are 100 MB, and four of the ten frame buffers each
 * strip encoder allocates (alt-ref, scaled source, scaled last source, unfiltered last
 * frame) are never used in one-pass real-time mode (bench/RESULTS-video.md "Memory").
 * When libvpx is linked statically, vpxmem.c defines those four functions, the archive's
 * vpx_mem.o is not linked, and large blocks get their own mapping from the OS:
 * - vpx_calloc: fresh mapped pages are zero already; only the pages the codec writes
 *   become resident;
 * - vpx_malloc/vpx_memalign: after the call that allocated them, sv_mem_reclaim() gives the
 *   pages that are still entirely zero back to the OS (they read as zero afterwards, so
 *   nothing changes for libvpx).
 * Mid-size blocks (SV_MEM_MID up to SV_MEM_BIG) are carved from shared chunks of zero pages
 * with no header beside them: the tens of thousands of coefficient buffers a VP9 encoder
 * allocates stay out of RAM until written.
 * With a shared libvpx nothing here is used (the library binds its own allocator). */
#ifndef SASAE_VIDEO_VPXMEM_H
#define SASAE_VIDEO_VPXMEM_H

#include <stddef.h>

/* Blocks of at least this size get their own mapping. */
#define SV_MEM_BIG (32u * 1024)
/* Blocks from this size up to SV_MEM_BIG are carved from shared zero-page chunks, with no
 * header beside them (vpxmem.c, "mid-size blocks"). */
#define SV_MEM_MID 256u

struct sv_mem_stats {
    size_t big_blocks; /* live blocks with their own mapping */
    size_t big_bytes;  /* their mapped size */
    size_t reclaimed;  /* bytes given back by sv_mem_reclaim so far (all threads) */
    size_t mid_chunks; /* live chunks of mid-size blocks */
    size_t scratch;    /* bytes of scratch blocks given back so far (all threads) */
};

/* Gives back the all-zero pages of the large vpx_malloc/vpx_memalign blocks this thread
 * allocated since its last call. Call it between libvpx calls only (no libvpx code of this
 * thread's codecs may run meanwhile); other threads' blocks are left alone. */
void sv_mem_reclaim(void);

/* Per-frame scratch. A VP9 encoder's token buffer (tokens of every block, at most 16 B per
 * pixel) is written and read inside one encode call, yet the pages a big frame (a lossless
 * top-off of a strip of text: 7 MB of tokens) has written stay resident for the encoder's
 * life. sv_mem_scratch_expect(size) makes the next vpx_calloc of exactly size bytes on this
 * thread a scratch block; sv_mem_scratch_take() returns it (NULL if none came, e.g. with a
 * shared libvpx or another token layout) and stops expecting. */
void sv_mem_scratch_expect(size_t size);
void *sv_mem_scratch_take(void);

/* Gives back the pages of a scratch block beyond its first keep bytes (they read as zero
 * afterwards); the bytes given back. Only between libvpx calls of the block's codec, and only
 * while that codec is alive. NULL: nothing. */
size_t sv_mem_scratch_release(void *block, size_t keep);

/* Counters of the replaced allocator; all zero when libvpx uses its own. */
void sv_mem_stats(struct sv_mem_stats *st);

/* libvpx's allocator interface (vpx_mem/vpx_mem.h), defined in vpxmem.c. */
void *vpx_memalign(size_t align, size_t size);
void *vpx_malloc(size_t size);
void *vpx_calloc(size_t num, size_t size);
void vpx_free(void *memblk);

/* Operating-system side (vpxmem_posix.c, vpxmem_win.c). Lengths are multiples of
 * sv_os_page(). */
size_t sv_os_page(void);
void *sv_os_map(size_t len);           /* zeroed read-write pages, or NULL */
void sv_os_unmap(void *p, size_t len); /* undo sv_os_map */
void sv_os_zero(void *p, size_t len);  /* release pages that hold zeros; they read as zero */

#endif
