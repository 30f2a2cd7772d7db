/* sasae-relay buffer pool: page-aligned slots in reserved anonymous mappings, so untouched
 * pages of a buffer cost address space but no RSS (see rxpool.h). */
#include "rxpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct sasae_rxpool {
    pthread_mutex_t mu;
    size_t buf_size, slot, per_chunk;
    uint8_t **chunks; /* each per_chunk * slot bytes */
    size_t nchunks, chunks_cap;
    size_t carved; /* slots handed out at least once in the last chunk */
    void **spare;  /* returned slots, reused first */
    size_t nspare, spare_cap;
    uint8_t *out; /* per slot (chunk * per_chunk + i): handed out and not returned */
    size_t in_use;
};

struct sasae_rxpool *sasae_rxpool_new(size_t buf_size, size_t slots_per_chunk)
{
    long pg = sysconf(_SC_PAGESIZE);
    if (pg <= 0 || !buf_size || !slots_per_chunk || buf_size > ((size_t)1 << 30) ||
        slots_per_chunk > ((size_t)1 << 20)) {
        errno = EINVAL;
        return NULL;
    }
    struct sasae_rxpool *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    p->buf_size = buf_size;
    p->slot = (buf_size + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
    p->per_chunk = slots_per_chunk;
    p->carved = slots_per_chunk; /* no chunk yet: the first get maps one */
    return p;
}

size_t sasae_rxpool_buf_size(const struct sasae_rxpool *p)
{
    return p->buf_size;
}

static int add_chunk(struct sasae_rxpool *p)
{
    if (p->nchunks == p->chunks_cap) {
        size_t cap = p->chunks_cap ? 2 * p->chunks_cap : 8;
        uint8_t **c = realloc(p->chunks, cap * sizeof(*c));
        if (!c)
            return -1;
        p->chunks = c;
        p->chunks_cap = cap;
    }
    /* Every slot can come back: make room on the spare stack now, so put never fails. */
    size_t need = (p->nchunks + 1) * p->per_chunk;
    if (need > p->spare_cap) {
        void **s = realloc(p->spare, need * sizeof(*s));
        if (!s)
            return -1;
        p->spare = s;
        uint8_t *o = realloc(p->out, need);
        if (!o)
            return -1;
        memset(o + p->spare_cap, 0, need - p->spare_cap);
        p->out = o;
        p->spare_cap = need;
    }
    void *m = mmap(NULL, p->per_chunk * p->slot, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    p->chunks[p->nchunks++] = m;
    p->carved = 0;
    return 0;
}

/* Slot number of ptr, or -1 if ptr is not the start of one of our slots. Caller holds mu. */
static long slot_of(const struct sasae_rxpool *p, const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    for (size_t i = 0; i < p->nchunks; i++) {
        uintptr_t c = (uintptr_t)p->chunks[i];
        if (a >= c && a < c + p->per_chunk * p->slot)
            return (a - c) % p->slot ? -1 : (long)(i * p->per_chunk + (a - c) / p->slot);
    }
    return -1;
}

void *sasae_rxpool_get(struct sasae_rxpool *p)
{
    void *b = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->nspare)
        b = p->spare[--p->nspare];
    else if (p->carved < p->per_chunk || !add_chunk(p))
        b = p->chunks[p->nchunks - 1] + p->carved++ * p->slot;
    if (b) {
        p->out[slot_of(p, b)] = 1;
        p->in_use++;
    }
    pthread_mutex_unlock(&p->mu);
    if (!b)
        errno = ENOMEM;
    return b;
}

int sasae_rxpool_owns(const struct sasae_rxpool *p, const void *ptr)
{
    pthread_mutex_lock((pthread_mutex_t *)&p->mu);
    int r = slot_of(p, ptr) >= 0;
    pthread_mutex_unlock((pthread_mutex_t *)&p->mu);
    return r;
}

void sasae_rxpool_put(struct sasae_rxpool *p, void *ptr)
{
    if (!ptr)
        return;
    pthread_mutex_lock(&p->mu);
    /* A foreign pointer or one returned twice is the caller's bug, as with free(). */
    long i = slot_of(p, ptr);
    if (i < 0 || !p->out[i])
        abort();
    p->out[i] = 0;
    /* Drops the pages: they stop counting in RSS, and the next user gets zeroes (nothing
     * of this connection's data). */
    madvise(ptr, p->slot, MADV_DONTNEED);
    p->spare[p->nspare++] = ptr;
    p->in_use--;
    pthread_mutex_unlock(&p->mu);
}

size_t sasae_rxpool_in_use(const struct sasae_rxpool *p)
{
    return p->in_use;
}

size_t sasae_rxpool_resident(const struct sasae_rxpool *p)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = 0;
    pthread_mutex_lock((pthread_mutex_t *)&p->mu);
    size_t pages = p->per_chunk * p->slot / pg;
    unsigned char *v = malloc(pages);
    for (size_t i = 0; v && i < p->nchunks; i++) {
        if (mincore(p->chunks[i], pages * pg, v))
            continue;
        for (size_t k = 0; k < pages; k++)
            n += v[k] & 1;
    }
    pthread_mutex_unlock((pthread_mutex_t *)&p->mu);
    free(v);
    return n * pg;
}

void sasae_rxpool_free(struct sasae_rxpool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nchunks; i++)
        munmap(p->chunks[i], p->per_chunk * p->slot);
    free(p->chunks);
    free(p->spare);
    free(p->out);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
