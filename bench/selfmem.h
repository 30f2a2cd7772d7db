/* selfmem.h: this process's resident memory, for the benchmarks that report memory. */
#ifndef SASAE_BENCH_SELFMEM_H
#define SASAE_BENCH_SELFMEM_H

/* Resident KiB now (peak = 0) or at the peak so far (peak = 1); -1 if unknown. Linux: VmRSS
 * and VmHWM; Windows: the working set (under Wine: the Wine process's resident set). */
long bench_self_rss_kb(int peak);

#endif
