/* The audit log across UTC midnight (relay/server/audit.c): records of the old day are
 * fsync'd before its file is closed, the directory is fsync'd once a new day file exists,
 * and every record lands whole in the file of its own day. The test owns the audit log's
 * clock (sasae_audit_set_clock) and watches its writes, fsyncs and closes (-Wl,--wrap). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"

#define MAXFD 1024

ssize_t __real_write(int fd, const void *b, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int unsynced[MAXFD]; /* regular file written since its last fsync */
static int closed_unsynced, dir_fsyncs, file_fsyncs;
static int hold_first_fsync, holding; /* the writer waits in its first file fsync */

static int is_dir(int fd)
{
    struct stat st;
    return !fstat(fd, &st) && S_ISDIR(st.st_mode);
}

static int is_reg(int fd)
{
    struct stat st;
    return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

ssize_t __wrap_write(int fd, const void *b, size_t n)
{
    ssize_t w = __real_write(fd, b, n);
    if (w > 0 && fd >= 0 && fd < MAXFD && is_reg(fd)) {
        pthread_mutex_lock(&mu);
        unsynced[fd] = 1;
        pthread_mutex_unlock(&mu);
    }
    return w;
}

int __wrap_fsync(int fd)
{
    int rc = __real_fsync(fd);
    pthread_mutex_lock(&mu);
    if (is_dir(fd)) {
        dir_fsyncs++;
    } else if (fd >= 0 && fd < MAXFD) {
        unsynced[fd] = 0;
        file_fsyncs++;
        if (hold_first_fsync) {
            hold_first_fsync = 0;
            holding = 1;
            pthread_cond_broadcast(&cv);
            while (holding)
                pthread_cond_wait(&cv, &mu);
        }
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

int __wrap_close(int fd)
{
    pthread_mutex_lock(&mu);
    if (fd >= 0 && fd < MAXFD && unsynced[fd]) {
        closed_unsynced++;
        unsynced[fd] = 0;
    }
    pthread_mutex_unlock(&mu);
    return __real_close(fd);
}

static uint64_t fake_us;
static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_us;
}

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sasae-audit-day.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static void rec(struct sasae_audit *a, const char *event, const char *code)
{
    struct sasae_audit_rec r = {.event = event,
                                .code = code,
                                .bytes_host_to_viewer = -1,
                                .bytes_viewer_to_host = -1,
                                .duration_ms = -1};
    sasae_audit_write(a, &r);
}

/* Lines of dir/name, each checked to be one whole JSON object stamped with date. */
static int check_file(const char *name, const char *date, char codes[][16], int max)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s missing", name);
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        cr_assert(len > 2 && line[0] == '{' && line[len - 2] == '}' && line[len - 1] == '\n',
                  "torn line in %s: %s", name, line);
        char want[40];
        snprintf(want, sizeof(want), "{\"ts\":\"%s", date);
        cr_assert_eq(strncmp(line, want, strlen(want)), 0, "%s holds a record of another day: %s",
                     name, line);
        const char *c = strstr(line, "\"code\":\"");
        cr_assert_not_null(c);
        cr_assert_lt(n, max);
        snprintf(codes[n++], 16, "%.9s", c + 8);
    }
    fclose(f);
    return n;
}

TestSuite(relay_audit_day, .init = setup, .fini = teardown);

Test(relay_audit_day, midnight_batch_syncs_the_old_day_before_closing_it)
{
    /* 2031-03-01 23:59:59.900 UTC, then 2031-03-02 00:00:00.100 */
    const uint64_t day = 22340; /* days since the epoch of 2031-03-02 */
    const uint64_t before = day * 86400000000ull - 100000, after = day * 86400000000ull + 100000;
    struct sasae_audit *a = sasae_audit_open(dir, 365);
    cr_assert_not_null(a);
    sasae_audit_set_clock(a, fake_clock, NULL);
    fake_us = before;
    pthread_mutex_lock(&mu);
    hold_first_fsync = 1;
    pthread_mutex_unlock(&mu);
    rec(a, "register", "100000001");
    /* The writer wrote record 1 and waits in its fsync: the next records form one batch
     * that starts on the old day and ends on the new one. */
    pthread_mutex_lock(&mu);
    while (!holding)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    rec(a, "join", "100000002");
    rec(a, "paired", "100000003");
    fake_us = after;
    rec(a, "end", "200000001");
    rec(a, "register", "200000002");
    pthread_mutex_lock(&mu);
    holding = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    sasae_audit_close(a);

    cr_assert_eq(closed_unsynced, 0, "a day file was closed with records not fsync'd");
    cr_assert_geq(dir_fsyncs, 2, "directory not fsync'd after creating each day file (%d)",
                  dir_fsyncs);
    char codes[8][16];
    int n = check_file("audit-2031-03-01.jsonl", "2031-03-01T23:59:59.900Z", codes, 8);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(codes[0], "100000001");
    cr_assert_str_eq(codes[1], "100000002");
    cr_assert_str_eq(codes[2], "100000003");
    n = check_file("audit-2031-03-02.jsonl", "2031-03-02T00:00:00.100Z", codes, 8);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(codes[0], "200000001");
    cr_assert_str_eq(codes[1], "200000002");
}
