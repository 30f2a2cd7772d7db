/* vpxmem_win.c: pages for vpxmem.c from VirtualAlloc; zero pages handed back by decommitting
 * and committing them again (committed pages read as zero and join the working set only when
 * touched). */
#include "vpxmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

size_t sv_os_page(void)
{
    static size_t page;
    if (!page) {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        page = si.dwPageSize;
    }
    return page;
}

void *sv_os_map(size_t len)
{
    return VirtualAlloc(NULL, len, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

void sv_os_unmap(void *p, size_t len)
{
    (void)len;
    VirtualFree(p, 0, MEM_RELEASE);
}

void sv_os_zero(void *p, size_t len)
{
    if (!VirtualFree(p, len, MEM_DECOMMIT))
        return; /* the pages stay as they are: still zero */
    /* The range stays reserved, so only a commit limit reached in between can refuse this;
     * the codec's memory would then have a hole: stop rather than crash later. */
    if (!VirtualAlloc(p, len, MEM_COMMIT, PAGE_READWRITE)) {
        fprintf(stderr, "sasae: cannot commit %zu bytes of video encoder memory again\n", len);
        abort();
    }
}
