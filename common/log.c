/* The one logging module: leveled lines on stderr, safe from any thread. */
#include "sasae/common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int g_level = -1; /* -1: not yet decided, read $SASAE_LOG on first use */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int sasae_log_level_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void sasae_log_set_level(enum sasae_log_level level)
{
    __atomic_store_n(&g_level, (int)level, __ATOMIC_RELAXED);
}

static int current_level(void)
{
    int l = __atomic_load_n(&g_level, __ATOMIC_RELAXED);
    if (l < 0) {
        l = sasae_log_level_parse(getenv("SASAE_LOG"));
        if (l < 0)
            l = SASAE_LOG_INFO;
        __atomic_store_n(&g_level, l, __ATOMIC_RELAXED);
    }
    return l;
}

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* under log_mu */

int sasae_log_to_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -errno;
    pthread_mutex_lock(&log_mu);
    if (log_file)
        fclose(log_file);
    log_file = f;
    pthread_mutex_unlock(&log_mu);
    return 0;
}

void sasae_log(enum sasae_log_level level, const char *tag, const char *fmt, ...)
{
    if ((int)level > current_level())
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* One fprintf per line under one lock keeps lines whole across threads (a mutex rather
     * than flockfile: Windows' C runtime has none). */
    pthread_mutex_lock(&log_mu);
    fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s [%s] %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, level_names[level], tag ? tag : "-", msg);
    fflush(stderr);
    if (log_file) {
        fprintf(log_file, "%04d-%02d-%02d %02d:%02d:%02d.%03ld %-5s [%s] %s\n", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                level_names[level], tag ? tag : "-", msg);
        fflush(log_file);
    }
    pthread_mutex_unlock(&log_mu);
}

uint64_t sasae_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t sasae_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
