/* vpxmem.c: libvpx's allocator with large blocks in their own mappings (see vpxmem.h). */
#include "vpxmem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BIG_MAGIC 0x5341534145564d31ull /* "SASAEVM1" */
/* libvpx refuses larger requests too (VPX_MAX_ALLOCABLE_MEMORY on 64-bit hosts). */
#define MAX_ALLOC ((size_t)1 << 40)

/* First page of a large block's mapping; the caller's pointer is one page further on. */
struct big {
    uint64_t magic;
    size_t len;              /* whole mapping */
    struct big *next, *prev; /* pending list, while pending */
    const void *owner;       /* allocating thread (its tls_tag) */
    int pending;             /* not yet looked at by sv_mem_reclaim */
};

/* Just before every pointer handed to libvpx. */
struct pre {
    void *base; /* malloc's pointer, or the mapping */
    size_t big; /* 1: base is a struct big */
};

static atomic_flag lock = ATOMIC_FLAG_INIT;
static struct big *pending_head;
static atomic_size_t npending; /* blocks on the pending list (read without the lock) */
static struct sv_mem_stats stats;
static _Thread_local char tls_tag;
static _Thread_local size_t scratch_want; /* sv_mem_scratch_expect's size; 0: none */
static _Thread_local void *scratch_got;

static void lock_take(void)
{
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
        ;
}

static void lock_give(void)
{
    atomic_flag_clear_explicit(&lock, memory_order_release);
}

static void pending_unlink(struct big *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        pending_head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    b->next = b->prev = NULL;
    b->pending = 0;
    atomic_fetch_sub_explicit(&npending, 1, memory_order_relaxed);
}

static void *big_alloc(size_t size, int scan_later)
{
    size_t page = sv_os_page();
    size_t len = (size + page - 1) / page * page + page;
    struct big *b = sv_os_map(len);
    if (!b)
        return NULL;
    b->magic = BIG_MAGIC;
    b->len = len;
    b->owner = &tls_tag;
    unsigned char *x = (unsigned char *)b + page;
    struct pre *pre = (struct pre *)x - 1;
    pre->base = b;
    pre->big = 1;
    lock_take();
    if (scan_later) {
        b->pending = 1;
        b->next = pending_head;
        if (pending_head)
            pending_head->prev = b;
        pending_head = b;
        atomic_fetch_add_explicit(&npending, 1, memory_order_relaxed);
    }
    stats.big_blocks++;
    stats.big_bytes += len;
    lock_give();
    return x;
}

/* ---- mid-size blocks ----------------------------------------------------------------
 * libvpx allocates tens of thousands of blocks of SV_MEM_MID..SV_MEM_BIG bytes per encoder
 * (the coefficient buffers of every partition size: 24 MB for the strips of a 1080p screen),
 * most never written in real-time mode. Packed in a heap between headers every page of them
 * is resident; here they are carved from fresh zero pages with no header in the chunk, so
 * a page becomes resident only when libvpx writes to it. A chunk's space is not reused
 * block by block: it comes back when all its blocks are freed (libvpx frees them together,
 * when an encoder is destroyed). */
#define MID_CHUNK ((size_t)1 << 20)
#define MID_ALIGN_MAX 64

struct mid_chunk {
    unsigned char *base;
    size_t used; /* bump offset */
    size_t live; /* blocks not yet freed */
};

static struct mid_chunk *mids; /* sorted by nothing: few chunks, searched linearly */
static size_t nmids, capmids;
static size_t mid_cur = SIZE_MAX; /* chunk being carved */

static void *mid_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size = (size + 15) / 16 * 16;
    lock_take();
    struct mid_chunk *c = mid_cur < nmids ? &mids[mid_cur] : NULL;
    size_t off = c ? (c->used + align - 1) / align * align : 0;
    if (!c || off + size > MID_CHUNK) {
        if (nmids == capmids) {
            size_t cap = capmids ? 2 * capmids : 16;
            struct mid_chunk *m = realloc(mids, cap * sizeof *m);
            if (!m) {
                lock_give();
                return NULL;
            }
            mids = m;
            capmids = cap;
        }
        unsigned char *base = sv_os_map(MID_CHUNK);
        if (!base) {
            lock_give();
            return NULL;
        }
        mids[nmids] = (struct mid_chunk){base, 0, 0};
        mid_cur = nmids++;
        c = &mids[mid_cur];
        off = 0;
        stats.mid_chunks++;
    }
    c->used = off + size;
    c->live++;
    lock_give();
    return c->base + off;
}

/* Frees p if it is a mid-size block; false if it is not one. */
static int mid_free(void *p)
{
    unsigned char *x = p;
    lock_take();
    for (size_t i = 0; i < nmids; i++) {
        struct mid_chunk *c = &mids[i];
        if (x < c->base || x >= c->base + MID_CHUNK)
            continue;
        if (--c->live == 0) {
            if (i == mid_cur) {
                /* still the chunk being carved: start it again on zero pages */
                size_t page = sv_os_page();
                sv_os_zero(c->base, (c->used + page - 1) / page * page);
                c->used = 0;
            } else {
                sv_os_unmap(c->base, MID_CHUNK);
                mids[i] = mids[--nmids];
                if (mid_cur == nmids)
                    mid_cur = i;
                stats.mid_chunks--;
            }
        }
        lock_give();
        return 1;
    }
    lock_give();
    return 0;
}

void *vpx_memalign(size_t align, size_t size)
{
    if (size > MAX_ALLOC || align > MAX_ALLOC)
        return NULL;
    if (align < sizeof(void *))
        align = sizeof(void *);
    if (size >= SV_MEM_BIG && align <= sv_os_page())
        return big_alloc(size, 1);
    if (size >= SV_MEM_MID && align <= MID_ALIGN_MAX)
        return mid_alloc(size, align);
    unsigned char *raw = malloc(size + align + sizeof(struct pre));
    if (!raw)
        return NULL;
    uintptr_t a = ((uintptr_t)raw + sizeof(struct pre) + align - 1) / align * align;
    struct pre *pre = (struct pre *)a - 1;
    pre->base = raw;
    pre->big = 0;
    return (void *)a;
}

void *vpx_malloc(size_t size)
{
    return vpx_memalign(16, size);
}

void *vpx_calloc(size_t num, size_t size)
{
    if (num && size > MAX_ALLOC / num)
        return NULL;
    size_t n = num * size;
    if (n >= SV_MEM_BIG && n == scratch_want && !scratch_got)
        return scratch_got = big_alloc(n, 0);
    if (n >= SV_MEM_BIG)
        return big_alloc(n, 0); /* zero already: nothing resident until written */
    if (n >= SV_MEM_MID)
        return mid_alloc(n, 16); /* zero too: chunks are fresh or zeroed pages */
    void *x = vpx_memalign(16, n);
    if (x)
        memset(x, 0, n);
    return x;
}

void vpx_free(void *memblk)
{
    if (!memblk || mid_free(memblk))
        return;
    struct pre *pre = (struct pre *)memblk - 1;
    if (!pre->big) {
        free(pre->base);
        return;
    }
    struct big *b = pre->base;
    if (b->magic != BIG_MAGIC)
        abort(); /* not a block of ours: memory is corrupt */
    lock_take();
    if (b->pending)
        pending_unlink(b);
    stats.big_blocks--;
    stats.big_bytes -= b->len;
    lock_give();
    b->magic = 0;
    sv_os_unmap(b, b->len);
}

static int page_is_zero(const unsigned char *p, size_t n)
{
    const uint64_t *q = (const uint64_t *)p;
    for (size_t i = 0; i < n / sizeof *q; i++)
        if (q[i])
            return 0;
    return 1;
}

/* Releases the runs of all-zero pages of one block; returns the bytes released. */
static size_t block_reclaim(struct big *b)
{
    size_t page = sv_os_page(), done = 0;
    unsigned char *p = (unsigned char *)b + page, *end = (unsigned char *)b + b->len;
    while (p < end) {
        if (!page_is_zero(p, page)) {
            p += page;
            continue;
        }
        unsigned char *run = p;
        while (p < end && page_is_zero(p, page))
            p += page;
        sv_os_zero(run, (size_t)(p - run));
        done += (size_t)(p - run);
    }
    return done;
}

void sv_mem_reclaim(void)
{
    /* Called after every libvpx call: cheap when nothing is pending. */
    if (!atomic_load_explicit(&npending, memory_order_relaxed))
        return;
    lock_take();
    size_t done = 0;
    for (struct big *b = pending_head, *next; b; b = next) {
        next = b->next;
        if (b->owner != &tls_tag)
            continue;
        pending_unlink(b);
        done += block_reclaim(b);
    }
    stats.reclaimed += done;
    lock_give();
}

void sv_mem_scratch_expect(size_t size)
{
    scratch_want = size;
    scratch_got = NULL;
}

void *sv_mem_scratch_take(void)
{
    void *x = scratch_got;
    scratch_want = 0;
    scratch_got = NULL;
    return x;
}

size_t sv_mem_scratch_release(void *block, size_t keep)
{
    if (!block)
        return 0;
    struct big *b = ((struct pre *)block - 1)->base;
    if (b->magic != BIG_MAGIC)
        abort(); /* not a block of ours: memory is corrupt */
    size_t page = sv_os_page(), user = b->len - page;
    keep = (keep + page - 1) / page * page;
    if (keep >= user)
        return 0;
    sv_os_zero((unsigned char *)block + keep, user - keep);
    lock_take();
    stats.scratch += user - keep;
    lock_give();
    return user - keep;
}

void sv_mem_stats(struct sv_mem_stats *st)
{
    lock_take();
    *st = stats;
    lock_give();
}
