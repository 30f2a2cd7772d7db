/* selfmem_win.c: selfmem.h from GetProcessMemoryInfo. */
#include "../selfmem.h"

#include <windows.h>
#include <psapi.h>

long bench_self_rss_kb(int peak)
{
    PROCESS_MEMORY_COUNTERS pm;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pm, sizeof pm))
        return -1;
    return (long)((peak ? pm.PeakWorkingSetSize : pm.WorkingSetSize) / 1024);
}
