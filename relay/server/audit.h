/* sasae-relay audit log (internal): JSON lines in daily files, written and fsync'd by a
 * writer thread so the service loop never waits on the disk; retention and query. */
#ifndef SASAE_RELAY_AUDIT_H
#define SASAE_RELAY_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sasae_audit;

/* One record; NULL strings and negative numbers are left out of the line. */
struct sasae_audit_rec {
    const char *event; /* register, join, join-failed, paired, host-event, end, ... */
    uint64_t session;  /* relay session id, 0 = none */
    const char *code;
    const char *addr;
    const char *role;     /* host | viewer: who this record is about */
    const char *ended_by; /* end: host | viewer | relay */
    const char *operator_name;
    const char *org;
    const char *result;
    const char *reason;
    int64_t bytes_host_to_viewer;
    int64_t bytes_viewer_to_host;
    int64_t duration_ms;
};

/* Opens (creating) dir and starts the writer; deletes files older than retention_days.
 * Returns NULL (errno set) if dir is unusable. */
struct sasae_audit *sasae_audit_open(const char *dir, unsigned retention_days);

/* Queues one record stamped now. Never blocks on I/O. */
void sasae_audit_write(struct sasae_audit *a, const struct sasae_audit_rec *r);

/* Replaces the clock that stamps records (and picks their day file): now_us(ctx) returns
 * UTC microseconds since the epoch. For unit tests (a day boundary on demand); the relay
 * never calls it. */
void sasae_audit_set_clock(struct sasae_audit *a, uint64_t (*now_us)(void *ctx), void *ctx);

/* Asks the writer to reopen its file (SIGHUP / logrotate). */
void sasae_audit_reopen(struct sasae_audit *a);

/* At start-up: every session that today's or yesterday's file shows paired but never
 * ended (the relay was killed or crashed) gets its end record now, ended_by "relay",
 * reason "relay restarted: ...", so that each session in the log has an end. Returns how
 * many. Call before the relay accepts connections. */
int sasae_audit_end_orphans(struct sasae_audit *a);

/* False while the log cannot take records: the last write failed (disk full, I/O error)
 * or less than 1 MiB is free. The writer holds refused lines (whole lines only: a partial
 * write is cut back) and retries every second, in order; the relay refuses new sessions
 * meanwhile. */
bool sasae_audit_ok(struct sasae_audit *a);

struct sasae_audit_counts {
    unsigned long write_errors; /* failed writes so far */
    unsigned long pending;      /* lines held until the disk takes them */
    unsigned long dropped;      /* lines lost: over the queue bound (never silently) */
};
void sasae_audit_counts(struct sasae_audit *a, struct sasae_audit_counts *c);

/* Writes everything queued, fsyncs, stops the writer, frees. NULL is ignored. */
void sasae_audit_close(struct sasae_audit *a);

/* Deletes audit-YYYY-MM-DD.jsonl files in dir dated more than retention_days before
 * today_days (days since the epoch, UTC). Returns how many were deleted. */
int sasae_audit_retention(const char *dir, unsigned retention_days, int64_t today_days);

/* Prints the lines of dir's audit files matching every given filter (NULL = any):
 * date "YYYY-MM-DD", exact code, exact operator name. Returns matches, or -1 on error. */
int sasae_audit_query(const char *dir, const char *date, const char *code,
                      const char *operator_name, FILE *out);

/* Appends s to buf as a JSON string body (escaped, no quotes); returns bytes written. */
size_t sasae_audit_json_escape(char *buf, size_t cap, const char *s);

#endif
