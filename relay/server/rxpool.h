/* sasae-relay buffer pool (internal): fixed-size buffers in page-aligned slots of reserved
 * anonymous memory, so the pages a buffer never touches never become resident. */
#ifndef SASAE_RELAY_RXPOOL_H
#define SASAE_RELAY_RXPOOL_H

#include <stddef.h>

struct sasae_rxpool;

/* A pool of buffers of buf_size bytes; memory is reserved slots_per_chunk slots at a time
 * and only committed page by page when written. Returns NULL (errno set) on bad sizes or
 * when no memory can be reserved. Free with sasae_rxpool_free(). */
struct sasae_rxpool *sasae_rxpool_new(size_t buf_size, size_t slots_per_chunk);

/* Buffer size the pool serves. */
size_t sasae_rxpool_buf_size(const struct sasae_rxpool *p);

/* A zero-filled, page-aligned buffer of buf_size bytes, or NULL (errno set). */
void *sasae_rxpool_get(struct sasae_rxpool *p);

/* Whether ptr is a buffer from this pool (any pointer may be asked). */
int sasae_rxpool_owns(const struct sasae_rxpool *p, const void *ptr);

/* Returns a buffer from sasae_rxpool_get(): its pages are given back to the kernel (so it
 * no longer counts in RSS and comes back zero-filled). ptr must be owned by p. */
void sasae_rxpool_put(struct sasae_rxpool *p, void *ptr);

/* Buffers handed out and not returned. */
size_t sasae_rxpool_in_use(const struct sasae_rxpool *p);

/* Bytes of the pool's memory resident right now (mincore over every slot ever mapped);
 * what the pool costs in RSS. */
size_t sasae_rxpool_resident(const struct sasae_rxpool *p);

/* Unmaps everything; buffers still out become invalid. NULL is ignored. */
void sasae_rxpool_free(struct sasae_rxpool *p);

#endif
