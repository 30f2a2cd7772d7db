/* sasae common: the one logging module, and clock helpers used by every program. */
#ifndef SASAE_COMMON_H
#define SASAE_COMMON_H

#include <stdarg.h>
#include <stdint.h>

enum sasae_log_level {
    SASAE_LOG_ERROR = 0,
    SASAE_LOG_WARN = 1,
    SASAE_LOG_INFO = 2,
    SASAE_LOG_DEBUG = 3,
};

/* Sets the level below which messages are dropped. Also read from $SASAE_LOG
 * (error|warn|info|debug) on the first log call if never set explicitly. */
void sasae_log_set_level(enum sasae_log_level level);

/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int sasae_log_level_parse(const char *name);

/* Writes one line "time level [tag] message" to stderr, atomically with respect to
 * other threads. Never fails; messages longer than 1 KiB are truncated. */
void sasae_log(enum sasae_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Also appends every line to the file at path (created if missing), e.g. where a program
 * started without a console keeps its log. 0 or negative errno. */
int sasae_log_to_file(const char *path);

#define SASAE_ERR(tag, ...) sasae_log(SASAE_LOG_ERROR, tag, __VA_ARGS__)
#define SASAE_WARN(tag, ...) sasae_log(SASAE_LOG_WARN, tag, __VA_ARGS__)
#define SASAE_INFO(tag, ...) sasae_log(SASAE_LOG_INFO, tag, __VA_ARGS__)
#define SASAE_DBG(tag, ...) sasae_log(SASAE_LOG_DEBUG, tag, __VA_ARGS__)

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC): for durations and timeouts. */
uint64_t sasae_mono_ns(void);

/* Wall clock in microseconds since the epoch (CLOCK_REALTIME): for timestamps that
 * cross processes, such as a frame's capture time. */
uint64_t sasae_wall_us(void);

/* ---- the few operating-system calls the programs share, one file per platform
 * (common/sys_posix.c, common/sys_win.c); paths are UTF-8 ---- */

/* Sets an environment variable of this process. 0 or -1. */
int sasae_setenv(const char *name, const char *value);
/* Creates a directory (0755 on POSIX); an existing one is fine. 0 or negative errno. */
int sasae_mkdir(const char *path);
/* Opens path for writing binary data (created or truncated; 0644 on POSIX, not inherited
 * by children). A file descriptor or negative errno. */
int sasae_open_write(const char *path);
/* Calls fn(signal) on SIGINT and SIGTERM (on Windows: Ctrl-C and Ctrl-Break). fn must only
 * set a flag. */
void sasae_on_stop_signals(void (*fn)(int));

#endif
