/* wintest.h: a tiny TAP-style harness for the Windows build's plain-C test programs (they run
 * under Wine, where Criterion is not available): one "ok N - what" or "not ok N - what:
 * details" line per check, "# N checks, M failed" at the end, and the exit status.
 *
 *     CHECK(rc == 0, "handshake with %s", name);   // details on failure: the condition, file:line
 *     wt_diag("PSNR %.2f dB", p);                  // "# ..." lines say what was measured
 *     return wt_done();                            // 0 only if checks ran and none failed
 */
#ifndef SASAE_WINTEST_H
#define SASAE_WINTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* mingw's C99 printf (__USE_MINGW_ANSI_STDIO) takes %zu and %lld: let the format checks know */
#ifdef __MINGW_PRINTF_FORMAT
#define WT_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#else
#define WT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* The counters of the one test program that includes this header. */
static struct {
    int checks, failed;
} wt_state;

/* Records one check; use CHECK. Every line is flushed at once, so a crash under Wine still
 * leaves the checks before it in the log. Returns ok, so a test can skip what depends on it. */
WT_PRINTF(5, 6)
static inline bool wt_check(bool ok, const char *cond, const char *file, int line, const char *what,
                            ...)
{
    va_list ap;
    va_start(ap, what);
    printf("%s %d - ", ok ? "ok" : "not ok", ++wt_state.checks);
    vprintf(what, ap);
    va_end(ap);
    if (!ok) {
        printf(": failed: %s (%s:%d)", cond, file, line);
        wt_state.failed++;
    }
    printf("\n");
    fflush(stdout);
    return ok;
}

#define CHECK(cond, ...) wt_check((cond) ? true : false, #cond, __FILE__, __LINE__, __VA_ARGS__)

/* A diagnostic line ("# ..."): figures and the reason behind a check that is about to fail. */
WT_PRINTF(1, 2)
static inline void wt_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* Prints the plan and "# N checks, M failed"; returns the exit status: 0 only if at least one
 * check ran and none failed (a program that checked nothing has not passed). */
static inline int wt_done(void)
{
    printf("1..%d\n# %d checks, %d failed\n", wt_state.checks, wt_state.checks, wt_state.failed);
    if (!wt_state.checks)
        printf("# no checks ran\n");
    fflush(stdout);
    return wt_state.failed || !wt_state.checks ? 1 : 0;
}

#endif
