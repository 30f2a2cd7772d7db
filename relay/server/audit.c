/* sasae-relay audit log: daily JSON-lines files, fsync'd by a writer thread; retention; query. */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "sasae/common.h"

#define TAG "audit"
#define LINE_MAX_BYTES 2048
#define QUEUE_MAX 100000 /* lines; beyond this the relay is far behind its disk */
/* Below this much free space the log counts as unwritable (new sessions are refused), so
 * that the records of the sessions already running still fit. */
#define FREE_RESERVE_BYTES (1024 * 1024)

struct line {
    struct line *next;
    int64_t day;
    size_t len;
    char text[];
};

struct sasae_audit {
    char *dir;
    unsigned retention_days;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct line *head, *tail;
    size_t queued;
    int stop, reopen;
    unsigned long dropped;
    uint64_t (*clock_us)(void *); /* wall clock, UTC microseconds (tests set another) */
    void *clock_ctx;
    atomic_int ok;             /* the last write worked and the disk has FREE_RESERVE_BYTES */
    atomic_ulong write_errors; /* failed writes (each line is retried until it is written) */
    atomic_ulong pending;      /* lines the writer holds because the disk refused them */
    /* writer thread only */
    int fd;
    int64_t fd_day;
    struct line *pend_head, *pend_tail; /* not yet written, oldest first */
    size_t npend;
};

size_t sasae_audit_json_escape(char *buf, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
        } else {
            buf[n++] = (char)c;
        }
    }
    if (n < cap)
        buf[n] = '\0';
    return n;
}

static size_t add_str(char *buf, size_t n, size_t cap, const char *key, const char *val)
{
    if (!val || n + 8 >= cap)
        return n;
    n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":\"", key);
    if (n >= cap)
        return cap - 1;
    n += sasae_audit_json_escape(buf + n, cap - n, val);
    if (n + 2 < cap)
        buf[n++] = '"';
    buf[n] = '\0';
    return n;
}

static size_t add_num(char *buf, size_t n, size_t cap, const char *key, int64_t v)
{
    if (v < 0 || n + 8 >= cap)
        return n;
    n += (size_t)snprintf(buf + n, cap - n, ",\"%s\":%lld", key, (long long)v);
    return n >= cap ? cap - 1 : n;
}

static void day_name(char *buf, size_t cap, int64_t day)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, cap, "audit-%04d-%02d-%02d.jsonl", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int parse_day(const char *name, int64_t *day)
{
    int y, m, d;
    char tail[8];
    if (sscanf(name, "audit-%4d-%2d-%2d.%7s", &y, &m, &d, tail) != 4 || strcmp(tail, "jsonl"))
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *day = (int64_t)t / 86400;
    return 0;
}

int sasae_audit_retention(const char *dir, unsigned retention_days, int64_t today_days)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        int64_t day;
        if (parse_day(de->d_name, &day))
            continue;
        if (today_days - day > (int64_t)retention_days) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            if (!unlink(path)) {
                SASAE_INFO(TAG, "retention: deleted %s", path);
                n++;
            }
        }
    }
    closedir(d);
    return n;
}

/* The directory entry of a new file is only durable once the directory is fsync'd. */
static void sync_dir(const struct sasae_audit *a)
{
    int dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd))
        SASAE_ERR(TAG, "fsync of %s failed: %s", a->dir, strerror(errno));
    if (dfd >= 0)
        close(dfd);
}

static void writer_open(struct sasae_audit *a, int64_t day)
{
    if (a->fd >= 0 && a->fd_day == day)
        return;
    if (a->fd >= 0) {
        /* The batch that crosses midnight wrote the old day's last records to this file:
         * they must reach the disk before it is let go (the batch's fsync will only cover
         * the new file). */
        if (fsync(a->fd))
            SASAE_ERR(TAG, "fsync failed: %s", strerror(errno));
        close(a->fd);
    }
    char name[64], path[4096];
    day_name(name, sizeof(name), day);
    snprintf(path, sizeof(path), "%s/%s", a->dir, name);
    a->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    a->fd_day = day;
    if (a->fd < 0)
        SASAE_ERR(TAG, "cannot open %s: %s", path, strerror(errno));
    else
        sync_dir(a);
    sasae_audit_retention(a->dir, a->retention_days, day);
}

/* Appends one whole line or nothing: a failed or short write (disk full) is cut back to
 * where the line began, so the file never holds a partial line. */
static int write_line(struct sasae_audit *a, const struct line *l)
{
    off_t start = lseek(a->fd, 0, SEEK_END);
    size_t off = 0;
    while (off < l->len) {
        ssize_t w = write(a->fd, l->text + off, l->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            if (off && (start < 0 || ftruncate(a->fd, start)))
                SASAE_ERR(TAG, "cannot cut back a partial line: %s", strerror(errno));
            errno = e;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

static bool space_ok(const struct sasae_audit *a)
{
    struct statvfs v;
    int rc = a->fd >= 0 ? fstatvfs(a->fd, &v) : statvfs(a->dir, &v);
    return rc || (unsigned long long)v.f_bavail * v.f_frsize >= FREE_RESERVE_BYTES;
}

/* Writes the held lines, oldest first, until the disk refuses one. Returns 1 if all went. */
static int write_pending(struct sasae_audit *a)
{
    int wrote = 0, all = 1;
    while (a->pend_head) {
        struct line *l = a->pend_head;
        writer_open(a, l->day);
        if (a->fd < 0 || write_line(a, l)) {
            if (!atomic_fetch_add(&a->write_errors, 1) || atomic_load(&a->ok))
                SASAE_ERR(TAG, "write failed: %s; holding %zu record(s) until it works",
                          a->fd < 0 ? "no file" : strerror(errno), a->npend);
            all = 0;
            break;
        }
        wrote = 1;
        a->pend_head = l->next;
        if (!a->pend_head)
            a->pend_tail = NULL;
        a->npend--;
        free(l);
    }
    /* One fsync per batch: the record is on disk before the next one is taken. */
    if (wrote && a->fd >= 0 && fsync(a->fd))
        SASAE_ERR(TAG, "fsync failed: %s", strerror(errno));
    return all;
}

static void *writer_main(void *arg)
{
    struct sasae_audit *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        if (!a->head && !a->stop && !a->reopen) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += 1; /* an unwritable log is retried, free space checked, this often */
            pthread_cond_timedwait(&a->cv, &a->mu, &ts);
        }
        struct line *batch = a->head;
        a->head = a->tail = NULL;
        a->queued = 0;
        int stop = a->stop, reopen = a->reopen;
        a->reopen = 0;
        pthread_mutex_unlock(&a->mu);
        if (reopen && a->fd >= 0) {
            /* (every batch ends with an fsync: nothing unsynced is left in it) */
            close(a->fd);
            a->fd = -1;
        }
        while (batch) { /* behind the held lines, in order; bounded like the queue */
            struct line *l = batch;
            batch = l->next;
            l->next = NULL;
            if (a->npend >= QUEUE_MAX) {
                pthread_mutex_lock(&a->mu);
                a->dropped++;
                pthread_mutex_unlock(&a->mu);
                free(l);
                continue;
            }
            if (a->pend_tail)
                a->pend_tail->next = l;
            else
                a->pend_head = l;
            a->pend_tail = l;
            a->npend++;
        }
        bool was_ok = atomic_load(&a->ok);
        bool ok = write_pending(a) && space_ok(a);
        atomic_store(&a->pending, a->npend);
        atomic_store(&a->ok, ok);
        if (ok != was_ok) {
            if (ok)
                SASAE_INFO(TAG, "audit log writable again: new sessions accepted");
            else
                SASAE_ERR(TAG, "audit log unwritable or under %d KiB free: refusing new sessions",
                          FREE_RESERVE_BYTES / 1024);
        }
        pthread_mutex_lock(&a->mu);
        if (stop && !a->head)
            break;
    }
    pthread_mutex_unlock(&a->mu);
    if (a->npend)
        SASAE_ERR(TAG, "%zu audit record(s) could not be written before exit", a->npend);
    while (a->pend_head) {
        struct line *l = a->pend_head;
        a->pend_head = l->next;
        free(l);
    }
    return NULL;
}

bool sasae_audit_ok(struct sasae_audit *a)
{
    return a && atomic_load(&a->ok);
}

void sasae_audit_counts(struct sasae_audit *a, struct sasae_audit_counts *c)
{
    memset(c, 0, sizeof(*c));
    if (!a)
        return;
    c->write_errors = atomic_load(&a->write_errors);
    c->pending = atomic_load(&a->pending);
    pthread_mutex_lock(&a->mu);
    c->dropped = a->dropped;
    pthread_mutex_unlock(&a->mu);
}

static uint64_t wall_clock(void *ctx)
{
    (void)ctx;
    return sasae_wall_us();
}

struct sasae_audit *sasae_audit_open(const char *dir, unsigned retention_days)
{
    if (mkdir(dir, 0750) && errno != EEXIST)
        return NULL;
    if (access(dir, W_OK))
        return NULL;
    struct sasae_audit *a = calloc(1, sizeof(*a));
    if (!a || !(a->dir = strdup(dir))) {
        free(a);
        errno = ENOMEM;
        return NULL;
    }
    a->retention_days = retention_days ? retention_days : 365;
    a->clock_us = wall_clock;
    a->fd = -1;
    a->fd_day = -1;
    atomic_init(&a->ok, space_ok(a));
    atomic_init(&a->write_errors, 0);
    atomic_init(&a->pending, 0);
    pthread_mutex_init(&a->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the 1 s retry is not wall-clock */
    pthread_cond_init(&a->cv, &ca);
    pthread_condattr_destroy(&ca);
    sasae_audit_retention(a->dir, a->retention_days, (int64_t)(sasae_wall_us() / 86400000000ull));
    if (pthread_create(&a->thread, NULL, writer_main, a)) {
        free(a->dir);
        free(a);
        errno = EAGAIN;
        return NULL;
    }
    return a;
}

void sasae_audit_write(struct sasae_audit *a, const struct sasae_audit_rec *r)
{
    if (!a || !r || !r->event)
        return;
    char buf[LINE_MAX_BYTES];
    pthread_mutex_lock(&a->mu);
    uint64_t us = a->clock_us(a->clock_ctx);
    pthread_mutex_unlock(&a->mu);
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = (size_t)snprintf(buf, sizeof(buf),
                                "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03uZ\",\"event\":\"",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                tm.tm_sec, (unsigned)(us / 1000 % 1000));
    n += sasae_audit_json_escape(buf + n, sizeof(buf) - n, r->event);
    buf[n++] = '"';
    buf[n] = '\0';
    if (r->session)
        n = add_num(buf, n, sizeof(buf), "session", (int64_t)r->session);
    n = add_str(buf, n, sizeof(buf), "code", r->code);
    n = add_str(buf, n, sizeof(buf), "addr", r->addr);
    n = add_str(buf, n, sizeof(buf), "role", r->role);
    n = add_str(buf, n, sizeof(buf), "ended_by", r->ended_by);
    n = add_str(buf, n, sizeof(buf), "operator", r->operator_name);
    n = add_str(buf, n, sizeof(buf), "org", r->org);
    n = add_str(buf, n, sizeof(buf), "result", r->result);
    n = add_str(buf, n, sizeof(buf), "reason", r->reason);
    n = add_num(buf, n, sizeof(buf), "bytes_host_to_viewer", r->bytes_host_to_viewer);
    n = add_num(buf, n, sizeof(buf), "bytes_viewer_to_host", r->bytes_viewer_to_host);
    n = add_num(buf, n, sizeof(buf), "duration_ms", r->duration_ms);
    if (n + 3 > sizeof(buf))
        n = sizeof(buf) - 3;
    buf[n++] = '}';
    buf[n++] = '\n';
    struct line *l = malloc(sizeof(*l) + n);
    if (!l)
        return;
    l->next = NULL;
    l->day = (int64_t)(us / 86400000000ull);
    l->len = n;
    memcpy(l->text, buf, n);
    pthread_mutex_lock(&a->mu);
    if (a->queued >= QUEUE_MAX) {
        a->dropped++;
        pthread_mutex_unlock(&a->mu);
        free(l);
        SASAE_ERR(TAG, "audit queue full: record dropped");
        return;
    }
    if (a->tail)
        a->tail->next = l;
    else
        a->head = l;
    a->tail = l;
    a->queued++;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void sasae_audit_set_clock(struct sasae_audit *a, uint64_t (*now_us)(void *ctx), void *ctx)
{
    if (!a || !now_us)
        return;
    pthread_mutex_lock(&a->mu);
    a->clock_us = now_us;
    a->clock_ctx = ctx;
    pthread_mutex_unlock(&a->mu);
}

void sasae_audit_reopen(struct sasae_audit *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->reopen = 1;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void sasae_audit_close(struct sasae_audit *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    if (a->fd >= 0)
        close(a->fd);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a->dir);
    free(a);
}

/* Extracts the string value of "key" from one of our own JSON lines (unescaping \" and
 * \\ only, which is all the writer produces besides \u00XX for control bytes). */
static int field(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    size_t n = 0;
    for (; *p && *p != '"' && n + 1 < cap; p++) {
        if (*p == '\\' && p[1])
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
    return 0;
}

/* A session the audit log saw paired; ended once its end record turns up. */
struct open_session {
    uint64_t session;
    char code[16], op[256], org[256];
    int ended;
};

/* Reads one day file, adding each paired session and marking the ended ones. */
static void scan_day(const char *path, struct open_session **v, size_t *n, size_t *cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        char ev[32], code[16];
        const char *sp = strstr(line, "\"session\":");
        if (!sp || field(line, "event", ev, sizeof(ev)) || field(line, "code", code, sizeof(code)))
            continue;
        uint64_t sid = strtoull(sp + 10, NULL, 10);
        if (!strcmp(ev, "paired")) {
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 64;
                struct open_session *nv = realloc(*v, nc * sizeof(**v));
                if (!nv)
                    break;
                *v = nv;
                *cap = nc;
            }
            struct open_session *o = &(*v)[(*n)++];
            memset(o, 0, sizeof(*o));
            o->session = sid;
            snprintf(o->code, sizeof(o->code), "%s", code);
            field(line, "operator", o->op, sizeof(o->op));
            field(line, "org", o->org, sizeof(o->org));
        } else if (!strcmp(ev, "end")) {
            for (size_t i = 0; i < *n; i++)
                if ((*v)[i].session == sid && !strcmp((*v)[i].code, code))
                    (*v)[i].ended = 1;
        }
    }
    free(line);
    fclose(f);
}

int sasae_audit_end_orphans(struct sasae_audit *a)
{
    if (!a)
        return 0;
    pthread_mutex_lock(&a->mu);
    int64_t today = (int64_t)(a->clock_us(a->clock_ctx) / 86400000000ull);
    pthread_mutex_unlock(&a->mu);
    struct open_session *v = NULL;
    size_t n = 0, cap = 0;
    /* a session paired before midnight may end after it: two days cover every session the
     * relay's idle limits let live */
    for (int64_t day = today - 1; day <= today; day++) {
        char name[64], path[4096];
        day_name(name, sizeof(name), day);
        snprintf(path, sizeof(path), "%s/%s", a->dir, name);
        scan_day(path, &v, &n, &cap);
    }
    int closed = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].ended)
            continue;
        struct sasae_audit_rec r = {
            .event = "end",
            .session = v[i].session,
            .code = v[i].code,
            .ended_by = "relay",
            .operator_name = v[i].op[0] ? v[i].op : NULL,
            .org = v[i].org[0] ? v[i].org : NULL,
            .reason = "relay restarted: the relay stopped without ending this session",
            .bytes_host_to_viewer = -1,
            .bytes_viewer_to_host = -1,
            .duration_ms = -1,
        };
        sasae_audit_write(a, &r);
        closed++;
    }
    free(v);
    return closed;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sasae_audit_query(const char *dir, const char *date, const char *code,
                      const char *operator_name, FILE *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        int64_t day;
        if (parse_day(de->d_name, &day))
            continue;
        if (date && strncmp(de->d_name + 6, date, 10))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn)
                break;
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    int matches = 0;
    char *line = NULL;
    size_t lcap = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "r");
        free(names[i]);
        if (!f)
            continue;
        while (getline(&line, &lcap, f) > 0) {
            char v[512];
            if (code && (field(line, "code", v, sizeof(v)) || strcmp(v, code)))
                continue;
            if (operator_name &&
                (field(line, "operator", v, sizeof(v)) || strcmp(v, operator_name)))
                continue;
            fputs(line, out);
            matches++;
        }
        fclose(f);
    }
    free(line);
    free(names);
    return matches;
}
