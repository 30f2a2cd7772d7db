/* Small helpers the relay load generators share: another process's CPU and RSS from /proc,
 * and the comparator their latency percentiles sort with. */
#ifndef SASAE_BENCH_PROCSTAT_H
#define SASAE_BENCH_PROCSTAT_H

/* CPU seconds (user + system) and resident KiB of process pid; both 0 when pid is 0 or
 * /proc cannot be read. */
void bench_proc_stats(int pid, double *cpu_s, long *rss_kb);

/* qsort comparator for uint32_t. */
int bench_cmp_u32(const void *a, const void *b);

#endif
