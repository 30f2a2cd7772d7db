/* Unit tests for the relay audit log: JSON escaping, fsync'd daily files, retention, query. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "sasae/common.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sasae-audit-test.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(relay_audit, .init = setup, .fini = teardown);

Test(relay_audit, escape)
{
    char b[64];
    sasae_audit_json_escape(b, sizeof(b), "a\"b\\c\n\x01");
    cr_assert_str_eq(b, "a\\\"b\\\\c\\u000a\\u0001");
}

Test(relay_audit, write_query_and_retention)
{
    int64_t today = (int64_t)(sasae_wall_us() / 86400000000ull);
    /* Old files: 366 days (deleted), 365 days (kept), foreign name (kept). */
    char old1[512], old2[512], other[512];
    time_t t1 = (time_t)((today - 366) * 86400), t2 = (time_t)((today - 365) * 86400);
    struct tm tm;
    gmtime_r(&t1, &tm);
    snprintf(old1, sizeof(old1), "%s/audit-%04d-%02d-%02d.jsonl", dir, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
    gmtime_r(&t2, &tm);
    snprintf(old2, sizeof(old2), "%s/audit-%04d-%02d-%02d.jsonl", dir, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
    snprintf(other, sizeof(other), "%s/notes.txt", dir);
    const char *files[] = {old1, old2, other};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "w");
        cr_assert_not_null(f);
        fputs("{\"event\":\"old\",\"code\":\"111111111\"}\n", f);
        fclose(f);
    }
    struct sasae_audit *a = sasae_audit_open(dir, 365);
    cr_assert_not_null(a);
    struct sasae_audit_rec r1 = {.event = "register",
                                 .code = "123456789",
                                 .addr = "127.0.0.1",
                                 .role = "host",
                                 .bytes_host_to_viewer = -1,
                                 .bytes_viewer_to_host = -1,
                                 .duration_ms = -1};
    struct sasae_audit_rec r2 = {.event = "join",
                                 .code = "123456789",
                                 .operator_name = "al\"ice",
                                 .org = "Org",
                                 .result = "ok",
                                 .bytes_host_to_viewer = 5,
                                 .bytes_viewer_to_host = 6,
                                 .duration_ms = 7};
    sasae_audit_write(a, &r1);
    sasae_audit_write(a, &r2);
    sasae_audit_close(a);
    cr_assert_neq(access(old1, F_OK), 0, "366-day-old file not deleted");
    cr_assert_eq(access(old2, F_OK), 0, "365-day-old file deleted too early");
    cr_assert_eq(access(other, F_OK), 0);

    char out[8192] = "";
    FILE *mf = fmemopen(out, sizeof(out), "w");
    cr_assert_eq(sasae_audit_query(dir, NULL, "123456789", NULL, mf), 2);
    fclose(mf);
    cr_assert_not_null(strstr(out, "\"event\":\"register\""));
    cr_assert_not_null(strstr(out, "\"operator\":\"al\\\"ice\""));
    cr_assert_not_null(strstr(out, "\"bytes_host_to_viewer\":5"));
    mf = fmemopen(out, sizeof(out), "w");
    cr_assert_eq(sasae_audit_query(dir, NULL, NULL, "al\"ice", mf), 1);
    fclose(mf);
    mf = fmemopen(out, sizeof(out), "w");
    cr_assert_eq(sasae_audit_query(dir, "1999-01-01", NULL, NULL, mf), 0);
    fclose(mf);
    /* Retention is also a standalone call (used at every day change). */
    cr_assert_eq(sasae_audit_retention(dir, 1, today + 400), 2);
}

/* A relay killed mid-session left "paired" without "end": the next start adds the end,
 * once; sessions that ended, and the same session number with another code, are left. */
Test(relay_audit, end_orphans_once)
{
    struct sasae_audit *a = sasae_audit_open(dir, 30);
    cr_assert_not_null(a);
    struct sasae_audit_rec p1 = {.event = "paired",
                                 .session = 1,
                                 .code = "111111111",
                                 .operator_name = "Op \"One\"",
                                 .org = "Org",
                                 .bytes_host_to_viewer = -1,
                                 .bytes_viewer_to_host = -1,
                                 .duration_ms = -1};
    struct sasae_audit_rec p2 = p1, e2 = p1, p3 = p1;
    p2.session = 2;
    p2.code = "222222222";
    e2.event = "end";
    e2.session = 2;
    e2.code = "222222222";
    p3.code = "333333333"; /* session 1 again: a relay restarted earlier numbers from 1 */
    sasae_audit_write(a, &p1);
    sasae_audit_write(a, &p2);
    sasae_audit_write(a, &e2);
    sasae_audit_write(a, &p3);
    sasae_audit_close(a);

    a = sasae_audit_open(dir, 30);
    cr_assert_eq(sasae_audit_end_orphans(a), 2);
    sasae_audit_close(a);
    a = sasae_audit_open(dir, 30);
    cr_assert_eq(sasae_audit_end_orphans(a), 0, "ended once, not at every start");
    sasae_audit_close(a);

    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cr_assert_eq(sasae_audit_query(dir, NULL, "111111111", NULL, m), 2);
    fclose(m);
    cr_assert(strstr(buf, "\"event\":\"end\",\"session\":1,\"code\":\"111111111\","
                          "\"ended_by\":\"relay\",\"operator\":\"Op \\\"One\\\"\""),
              "%s", buf);
    cr_assert(strstr(buf, "relay restarted"));
    free(buf);
    buf = NULL;
    m = open_memstream(&buf, &len);
    cr_assert_eq(sasae_audit_query(dir, NULL, "222222222", NULL, m), 2, "ended one untouched");
    fclose(m);
    free(buf);
}
