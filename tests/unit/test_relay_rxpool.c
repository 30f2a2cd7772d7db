/* Unit tests for the relay's receive-buffer pool: alignment, reuse, ownership, and that pages
 * a buffer never writes (or that were given back) are not resident (mincore). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rxpool.h"

static size_t pg;

static void setup(void)
{
    pg = (size_t)sysconf(_SC_PAGESIZE);
}

TestSuite(relay_rxpool, .init = setup);

/* Resident pages among the npages from p. */
static size_t resident(void *p, size_t npages)
{
    unsigned char v[64];
    cr_assert(npages <= sizeof(v));
    cr_assert_eq(mincore(p, npages * pg, v), 0, "mincore: %s", strerror(errno));
    size_t n = 0;
    for (size_t i = 0; i < npages; i++)
        n += v[i] & 1;
    return n;
}

Test(relay_rxpool, bad_sizes)
{
    errno = 0;
    cr_assert_null(sasae_rxpool_new(0, 16));
    cr_assert_eq(errno, EINVAL);
    cr_assert_null(sasae_rxpool_new(4116, 0));
    cr_assert_null(sasae_rxpool_new((size_t)1 << 31, 16));
}

Test(relay_rxpool, aligned_zeroed_distinct_owned)
{
    /* 4096 + LWS_PRE + 4: the relay's default; 3 slots per chunk so 10 buffers need 4 chunks */
    struct sasae_rxpool *p = sasae_rxpool_new(4116, 3);
    cr_assert_not_null(p);
    cr_assert_eq(sasae_rxpool_buf_size(p), 4116);
    uint8_t *b[10];
    for (int i = 0; i < 10; i++) {
        b[i] = sasae_rxpool_get(p);
        cr_assert_not_null(b[i]);
        cr_assert_eq((uintptr_t)b[i] % pg, 0);
        cr_assert(sasae_rxpool_owns(p, b[i]));
        cr_assert_not(sasae_rxpool_owns(p, b[i] + 16), "interior pointer is not a buffer");
        for (size_t k = 0; k < 4116; k++)
            cr_assert_eq(b[i][k], 0);
        memset(b[i], 0xa0 + i, 4116); /* every byte writable, no overlap with the others */
    }
    for (int i = 0; i < 10; i++)
        for (size_t k = 0; k < 4116; k += 1000)
            cr_assert_eq(b[i][k], 0xa0 + i);
    cr_assert_eq(sasae_rxpool_in_use(p), 10);
    void *h = malloc(4116);
    cr_assert_not(sasae_rxpool_owns(p, h));
    free(h);
    for (int i = 0; i < 10; i++)
        sasae_rxpool_put(p, b[i]);
    cr_assert_eq(sasae_rxpool_in_use(p), 0);
    sasae_rxpool_free(p);
}

Test(relay_rxpool, untouched_pages_not_resident)
{
    struct sasae_rxpool *p = sasae_rxpool_new(4 * pg + 20, 8);
    cr_assert_not_null(p);
    uint8_t *b = sasae_rxpool_get(p);
    cr_assert_not_null(b);
    cr_assert_eq(resident(b, 5), 0, "a fresh buffer costs no RSS");
    cr_assert_eq(sasae_rxpool_resident(p), 0);
    b[16] = 1; /* what a control frame does: the first bytes only */
    cr_assert_eq(resident(b, 5), 1);
    cr_assert_eq(sasae_rxpool_resident(p), pg);
    b[4 * pg + 3] = 2;
    cr_assert_eq(resident(b, 5), 2);
    sasae_rxpool_put(p, b);
    cr_assert_eq(resident(b, 5), 0, "a returned buffer's pages go back to the kernel");
    cr_assert_eq(sasae_rxpool_resident(p), 0);
    uint8_t *c = sasae_rxpool_get(p);
    cr_assert_eq(c, b, "returned slots are reused first");
    cr_assert_eq(c[16], 0, "and come back zero-filled");
    cr_assert_eq(c[4 * pg + 3], 0);
    sasae_rxpool_put(p, c);
    sasae_rxpool_free(p);
}

Test(relay_rxpool, foreign_pointer_aborts, .signal = SIGABRT)
{
    struct sasae_rxpool *p = sasae_rxpool_new(4116, 4);
    cr_assert_not_null(p);
    uint8_t *b = sasae_rxpool_get(p);
    cr_assert_not_null(b);
    sasae_rxpool_put(p, b + 8);
}

Test(relay_rxpool, double_put_aborts, .signal = SIGABRT)
{
    struct sasae_rxpool *p = sasae_rxpool_new(4116, 4);
    cr_assert_not_null(p);
    uint8_t *b = sasae_rxpool_get(p);
    cr_assert_not_null(b);
    sasae_rxpool_put(p, b);
    sasae_rxpool_put(p, b);
}
