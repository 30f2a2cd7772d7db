/* vpxmem_posix.c: pages for vpxmem.c from mmap; zero pages handed back with madvise. */
#include "vpxmem.h"

#include <sys/mman.h>
#include <unistd.h>

size_t sv_os_page(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

void *sv_os_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void sv_os_unmap(void *p, size_t len)
{
    munmap(p, len);
}

void sv_os_zero(void *p, size_t len)
{
    /* Private anonymous pages read as zero after MADV_DONTNEED: the same contents, no RAM. */
    madvise(p, len, MADV_DONTNEED);
}
