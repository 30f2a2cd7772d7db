/* sasae relay table: the relay's pure session/limits state machine — support codes
 * (issue, single use, expiry, burn after SASAE_RT_BURN_AFTER near misses), pairing, session
 * cap, per-address rate limits (IPv6 keyed by /64) and a relay-wide cap on failed joins.
 * No I/O, no clock, no globals: the caller passes the time and a CSPRNG, and gets
 * decisions back; connections are opaque pointers. Not thread-safe (one per loop). */
#ifndef SASAE_RELAYTABLE_H
#define SASAE_RELAYTABLE_H

#include <stddef.h>
#include <stdint.h>

struct sasae_rt;

struct sasae_rt_limits {
    uint32_t max_sessions;            /* registered hosts + paired sessions */
    uint32_t code_ttl_s;              /* a code's lifetime (default 600) */
    uint32_t max_failed_joins;        /* failed joins per address, and per operator
                                         certificate, per minute (5) */
    uint32_t max_failed_joins_global; /* failed joins per minute, all addresses (300): only
                                         many certificates together can reach it */
    uint32_t max_conns_per_addr;      /* concurrent connections per source address */
    uint32_t conn_rate_per_min;       /* new connections per address per minute (burst the same) */
    uint32_t join_rate_per_min;       /* join attempts per address per minute (burst the same) */
};

/* Fills buf with len bytes from a CSPRNG; returns 0, or non-zero on failure. */
typedef int (*sasae_rt_rand_fn)(void *ctx, uint8_t *buf, size_t len);

enum sasae_rt_result {
    SASAE_RT_OK = 0,
    SASAE_RT_E_RATE = -1,        /* address over its connection or join rate */
    SASAE_RT_E_ADDR_LIMIT = -2,  /* address has too many open connections */
    SASAE_RT_E_FULL = -3,        /* session cap reached */
    SASAE_RT_E_BAD_CODE = -4,    /* no such live code */
    SASAE_RT_E_NOT_AUTH = -5,    /* the joiner is not an operator (code not looked at) */
    SASAE_RT_E_GLOBAL_RATE = -6, /* relay-wide failed-join cap reached */
    SASAE_RT_E_NOMEM = -7,
    SASAE_RT_E_RNG = -8, /* CSPRNG failed */
    SASAE_RT_E_ARG = -9,
    SASAE_RT_E_BURNED = -10, /* wrong check part: this failure burned the code (see join) */
};

/* The relay's part of a support code is 7 digits: a 6-digit routing part (unique among live
 * codes, the table key) followed by a 1-digit check part. (The customer reads 12: the host
 * appends secret digits the relay never sees, docs/envelope.md "Codes".) A join whose
 * routing part names a live code but whose check part is wrong is a near miss; the
 * SASAE_RT_BURN_AFTER-th near miss on a code burns it (removed: it can never pair). */
#define SASAE_RT_ROUTING_DIGITS 6
#define SASAE_RT_CHECK_DIGITS 1
#define SASAE_RT_CODE_DIGITS (SASAE_RT_ROUTING_DIGITS + SASAE_RT_CHECK_DIGITS)
#define SASAE_RT_BURN_AFTER 5
#define SASAE_RT_ADDR_MAX 64

/* What sasae_rt_join reports when it burns a code. */
struct sasae_rt_burn {
    char code[10];                                      /* the burned code */
    char addrs[SASAE_RT_BURN_AFTER][SASAE_RT_ADDR_MAX]; /* sources of its near misses, oldest
                                                           first, as given to sasae_rt_join */
};

/* Creates a table (limits copied; zero fields get defaults). NULL on allocation failure
 * or if rnd is NULL. */
struct sasae_rt *sasae_rt_new(const struct sasae_rt_limits *lim, sasae_rt_rand_fn rnd,
                              void *rnd_ctx);
void sasae_rt_free(struct sasae_rt *rt);

/* Addresses: any string up to 63 bytes, e.g. "192.0.2.1". Limits key IPv4 (also
 * "::ffff:192.0.2.1") per address and IPv6 per /64; other strings verbatim. */

/* A new TCP connection from addr: OK or E_RATE (conn_rate_per_min exceeded). */
int sasae_rt_conn_admit(struct sasae_rt *rt, const char *addr, uint64_t now_ms);

/* A websocket session opens from addr: OK (it counts until sasae_rt_conn_release) or
 * E_ADDR_LIMIT (max_conns_per_addr already open). */
int sasae_rt_conn_open(struct sasae_rt *rt, const char *addr, uint64_t now_ms);
void sasae_rt_conn_release(struct sasae_rt *rt, const char *addr);

/* A host registers: issues a fresh 7-digit code into code_out (8 bytes, NUL-ended),
 * uniform over the codes whose routing part is not live (drawn again on a routing
 * collision), valid until now + code_ttl. Returns OK, E_FULL, E_RNG or E_NOMEM. */
int sasae_rt_register(struct sasae_rt *rt, void *host, uint64_t now_ms, char *code_out);

/* A viewer from addr joins code. authorised: the viewer presented a verified operator
 * certificate; who names that certificate (for example its SHA-256), so that one
 * certificate used from many addresses is limited as one joiner (NULL: not counted). Returns
 * E_NOT_AUTH for every non-operator before anything is looked up or counted; for operators,
 * first the limits — E_GLOBAL_RATE (max_failed_joins_global failed joins in the last
 * minute, relay-wide), E_RATE (the address, or the certificate, is over join_rate_per_min
 * attempts or max_failed_joins failures) — then:
 *  OK with *host_out: the code is consumed (single use);
 *  E_BAD_CODE: no live code has this routing part (unknown/expired), or one has and the
 *    check part (compared in constant time) is wrong — a failure for the address and
 *    relay-wide, and a near miss also for that code;
 *  E_BURNED: that near miss was the code's SASAE_RT_BURN_AFTER-th: the code is removed,
 *    *host_out is its waiting host (the caller tells it and closes it) and *burn (if not
 *    NULL) says what was burned. Answer the joiner as for E_BAD_CODE. */
int sasae_rt_join(struct sasae_rt *rt, const char *addr, const char *who, const char *code,
                  int authorised, uint64_t now_ms, void **host_out, struct sasae_rt_burn *burn);

/* The host of a live code went away before pairing: drops the code (only if all 7 digits
 * match a live code) and its session. */
void sasae_rt_unregister(struct sasae_rt *rt, const char *code);

/* A session resumed after a relay loss (no code: the two sides presented one resume
 * ticket) takes a slot under max_sessions: OK or SASAE_RT_E_FULL. */
int sasae_rt_session_resume(struct sasae_rt *rt);

/* A paired session ended: frees its slot under max_sessions. */
void sasae_rt_session_end(struct sasae_rt *rt);

/* Removes codes whose lifetime is over; stores up to max of their hosts in hosts[] and
 * returns how many were stored (call again while it returns max). */
size_t sasae_rt_expire(struct sasae_rt *rt, uint64_t now_ms, void **hosts, size_t max);

/* Forgets per-address state that has fully recovered (call every few seconds). */
void sasae_rt_gc(struct sasae_rt *rt, uint64_t now_ms);

size_t sasae_rt_sessions(const struct sasae_rt *rt); /* live codes + paired sessions */
size_t sasae_rt_codes(const struct sasae_rt *rt);    /* live codes */
size_t sasae_rt_addrs(const struct sasae_rt *rt);    /* tracked addresses */

const char *sasae_rt_strerror(int err);

#endif
