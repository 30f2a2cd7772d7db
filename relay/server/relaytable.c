/* sasae relay table: support codes, pairing and per-address limits as a pure state machine. */
#include "sasae/relaytable.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_BUCKETS 65536
#define ADDR_BUCKETS 4096
#define ADDR_MAX SASAE_RT_ADDR_MAX
#define CODE_SPACE 10000000u
#define CHECK_SPACE 10u
/* Largest multiple of CODE_SPACE below 2^32: rejecting draws above it keeps codes uniform. */
#define CODE_DRAW_LIMIT 4290000000u
/* One token in bucket units: with 1/60000 token per unit, rate_per_min tokens a minute is
 * exactly rate_per_min units per ms, so lazy refills lose no fractions. */
#define TOKEN 60000u

struct code_ent {
    struct code_ent *next;
    uint32_t routing;                  /* the first 6 digits: the key, unique among live codes */
    char check[SASAE_RT_CHECK_DIGITS]; /* the last digit, ASCII */
    uint8_t near_misses;
    uint64_t expires_ms;
    void *host;
    /* Sources of the near misses so far (allocated at the first one: most codes have none). */
    char (*miss_addrs)[ADDR_MAX];
};

struct addr_ent {
    struct addr_ent *next;
    char key[ADDR_MAX];
    uint32_t open;
    /* Token buckets in units of 1/TOKEN token, refilled lazily at rate_per_min per minute. */
    uint64_t conn_tok, join_tok, fail_tok;
    uint64_t last_ms;
};

struct sasae_rt {
    struct sasae_rt_limits lim;
    sasae_rt_rand_fn rnd;
    void *rnd_ctx;
    struct code_ent *codes[CODE_BUCKETS];
    struct addr_ent *addrs[ADDR_BUCKETS];
    size_t n_codes, n_paired, n_addrs;
    /* Relay-wide failed-join bucket, refilled like the per-address ones. */
    uint64_t gfail_tok, gfail_last_ms;
    uint32_t expire_cursor;
};

static void apply_defaults(struct sasae_rt_limits *l)
{
    if (!l->max_sessions)
        l->max_sessions = 20000;
    if (!l->code_ttl_s)
        l->code_ttl_s = 600;
    if (!l->max_failed_joins)
        l->max_failed_joins = 5;
    if (!l->max_failed_joins_global)
        l->max_failed_joins_global = 300;
    if (!l->max_conns_per_addr)
        l->max_conns_per_addr = 256;
    if (!l->conn_rate_per_min)
        l->conn_rate_per_min = 600;
    if (!l->join_rate_per_min)
        l->join_rate_per_min = 30;
}

struct sasae_rt *sasae_rt_new(const struct sasae_rt_limits *lim, sasae_rt_rand_fn rnd,
                              void *rnd_ctx)
{
    if (!rnd)
        return NULL;
    struct sasae_rt *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return NULL;
    if (lim)
        rt->lim = *lim;
    apply_defaults(&rt->lim);
    rt->gfail_tok = (uint64_t)rt->lim.max_failed_joins_global * TOKEN;
    rt->rnd = rnd;
    rt->rnd_ctx = rnd_ctx;
    return rt;
}

void sasae_rt_free(struct sasae_rt *rt)
{
    if (!rt)
        return;
    for (size_t i = 0; i < CODE_BUCKETS; i++) {
        for (struct code_ent *e = rt->codes[i], *n; e; e = n) {
            n = e->next;
            free(e->miss_addrs);
            free(e);
        }
    }
    for (size_t i = 0; i < ADDR_BUCKETS; i++) {
        for (struct addr_ent *a = rt->addrs[i], *n; a; a = n) {
            n = a->next;
            free(a);
        }
    }
    free(rt);
}

static uint32_t addr_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h % ADDR_BUCKETS;
}

/* The limits key: an IPv4 address as is (also when written IPv4-mapped), an IPv6 address
 * by its /64, since one subscriber usually holds a whole /64 and could otherwise take a
 * fresh address for every try. Anything else is used verbatim. */
static void addr_key(const char *addr, char key[ADDR_MAX])
{
    struct in6_addr a6;
    snprintf(key, ADDR_MAX, "%s", addr ? addr : "");
    if (!strchr(key, ':') || inet_pton(AF_INET6, key, &a6) != 1)
        return;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        inet_ntop(AF_INET, &a6.s6_addr[12], key, ADDR_MAX);
        return;
    }
    memset(&a6.s6_addr[8], 0, 8);
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)))
        snprintf(key, ADDR_MAX, "%s/64", buf);
}

static struct addr_ent *addr_get(struct sasae_rt *rt, const char *addr, uint64_t now_ms, int create)
{
    char key[ADDR_MAX];
    addr_key(addr, key);
    uint32_t h = addr_hash(key);
    for (struct addr_ent *a = rt->addrs[h]; a; a = a->next)
        if (!strcmp(a->key, key))
            return a;
    if (!create)
        return NULL;
    struct addr_ent *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    memcpy(a->key, key, sizeof(key));
    a->conn_tok = (uint64_t)rt->lim.conn_rate_per_min * TOKEN;
    a->join_tok = (uint64_t)rt->lim.join_rate_per_min * TOKEN;
    a->fail_tok = (uint64_t)rt->lim.max_failed_joins * TOKEN;
    a->last_ms = now_ms;
    a->next = rt->addrs[h];
    rt->addrs[h] = a;
    rt->n_addrs++;
    return a;
}

/* rate_per_min tokens per minute, burst = rate_per_min tokens. */
static void bucket_add(uint64_t *tok, uint64_t dt_ms, uint32_t rate_per_min)
{
    uint64_t max = (uint64_t)rate_per_min * TOKEN;
    *tok += dt_ms * rate_per_min;
    if (*tok > max)
        *tok = max;
}

static void refill(const struct sasae_rt *rt, struct addr_ent *a, uint64_t now_ms)
{
    if (now_ms <= a->last_ms)
        return;
    uint64_t dt = now_ms - a->last_ms;
    bucket_add(&a->conn_tok, dt, rt->lim.conn_rate_per_min);
    bucket_add(&a->join_tok, dt, rt->lim.join_rate_per_min);
    bucket_add(&a->fail_tok, dt, rt->lim.max_failed_joins);
    a->last_ms = now_ms;
}

int sasae_rt_conn_admit(struct sasae_rt *rt, const char *addr, uint64_t now_ms)
{
    struct addr_ent *a = addr_get(rt, addr, now_ms, 1);
    if (!a)
        return SASAE_RT_E_NOMEM;
    refill(rt, a, now_ms);
    if (a->conn_tok < TOKEN)
        return SASAE_RT_E_RATE;
    a->conn_tok -= TOKEN;
    return SASAE_RT_OK;
}

int sasae_rt_conn_open(struct sasae_rt *rt, const char *addr, uint64_t now_ms)
{
    struct addr_ent *a = addr_get(rt, addr, now_ms, 1);
    if (!a)
        return SASAE_RT_E_NOMEM;
    if (a->open >= rt->lim.max_conns_per_addr)
        return SASAE_RT_E_ADDR_LIMIT;
    a->open++;
    return SASAE_RT_OK;
}

void sasae_rt_conn_release(struct sasae_rt *rt, const char *addr)
{
    struct addr_ent *a = addr_get(rt, addr, 0, 0);
    if (a && a->open)
        a->open--;
}

static struct code_ent **code_slot(struct sasae_rt *rt, uint32_t routing)
{
    struct code_ent **pp = &rt->codes[routing % CODE_BUCKETS];
    while (*pp && (*pp)->routing != routing)
        pp = &(*pp)->next;
    return pp;
}

/* "1234567" -> routing 123456, check "7". */
static int code_parse(const char *s, uint32_t *routing, char check[SASAE_RT_CHECK_DIGITS])
{
    uint32_t x = 0;
    if (!s)
        return -1;
    for (int i = 0; i < SASAE_RT_CODE_DIGITS; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (i < SASAE_RT_ROUTING_DIGITS)
            x = x * 10 + (uint32_t)(s[i] - '0');
    }
    if (s[SASAE_RT_CODE_DIGITS])
        return -1;
    *routing = x;
    memcpy(check, s + SASAE_RT_ROUTING_DIGITS, SASAE_RT_CHECK_DIGITS);
    return 0;
}

int sasae_rt_register(struct sasae_rt *rt, void *host, uint64_t now_ms, char *code_out)
{
    if (!rt || !code_out)
        return SASAE_RT_E_ARG;
    if (rt->n_codes + rt->n_paired >= rt->lim.max_sessions)
        return SASAE_RT_E_FULL;
    uint32_t v = 0;
    struct code_ent **slot = NULL;
    for (int tries = 0; tries < 64; tries++) {
        uint8_t b[4];
        if (rt->rnd(rt->rnd_ctx, b, sizeof(b)))
            return SASAE_RT_E_RNG;
        uint32_t r = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
        if (r >= CODE_DRAW_LIMIT)
            continue;
        /* Uniform over 10^7, so the routing part (v / 10) and the check digit (v % 10) are
         * each uniform and independent. */
        v = r % CODE_SPACE;
        slot = code_slot(rt, v / CHECK_SPACE);
        if (!*slot)
            break;
        slot = NULL; /* the routing part is live: draw the whole code again */
    }
    if (!slot)
        return SASAE_RT_E_RNG;
    struct code_ent *e = calloc(1, sizeof(*e));
    if (!e)
        return SASAE_RT_E_NOMEM;
    e->routing = v / CHECK_SPACE;
    e->host = host;
    e->expires_ms = now_ms + (uint64_t)rt->lim.code_ttl_s * 1000;
    *slot = e;
    rt->n_codes++;
    snprintf(code_out, SASAE_RT_CODE_DIGITS + 1, "%07u", v);
    memcpy(e->check, code_out + SASAE_RT_ROUTING_DIGITS, SASAE_RT_CHECK_DIGITS);
    return SASAE_RT_OK;
}

static void *code_remove(struct sasae_rt *rt, struct code_ent **slot)
{
    struct code_ent *e = *slot;
    void *host = e->host;
    *slot = e->next;
    free(e->miss_addrs);
    free(e);
    rt->n_codes--;
    return host;
}

/* A wrong check part for the live code in *slot: the SASAE_RT_BURN_AFTER-th one burns it. */
static int near_miss(struct sasae_rt *rt, struct code_ent **slot, const char *addr, void **host_out,
                     struct sasae_rt_burn *burn)
{
    struct code_ent *e = *slot;
    if (!e->miss_addrs)
        e->miss_addrs = calloc(SASAE_RT_BURN_AFTER, ADDR_MAX);
    if (e->miss_addrs) /* without memory the addresses go unrecorded; the count does not */
        snprintf(e->miss_addrs[e->near_misses], ADDR_MAX, "%s", addr ? addr : "");
    if (++e->near_misses < SASAE_RT_BURN_AFTER)
        return SASAE_RT_E_BAD_CODE;
    if (burn) {
        memset(burn, 0, sizeof(*burn));
        snprintf(burn->code, sizeof(burn->code), "%06u%.1s", e->routing, e->check);
        if (e->miss_addrs)
            memcpy(burn->addrs, e->miss_addrs, sizeof(burn->addrs));
    }
    *host_out = code_remove(rt, slot);
    return SASAE_RT_E_BURNED;
}

int sasae_rt_join(struct sasae_rt *rt, const char *addr, const char *who, const char *code,
                  int authorised, uint64_t now_ms, void **host_out, struct sasae_rt_burn *burn)
{
    if (!rt || !host_out)
        return SASAE_RT_E_ARG;
    *host_out = NULL;
    /* Non-operators are refused before anything is looked up or counted: one answer for
     * every code, and no way for them to wear a customer's code down. */
    if (!authorised)
        return SASAE_RT_E_NOT_AUTH;
    if (now_ms > rt->gfail_last_ms) {
        bucket_add(&rt->gfail_tok, now_ms - rt->gfail_last_ms, rt->lim.max_failed_joins_global);
        rt->gfail_last_ms = now_ms;
    }
    /* All limits before the lookup, so a limited joiner learns nothing about the code. */
    if (rt->gfail_tok < TOKEN)
        return SASAE_RT_E_GLOBAL_RATE;
    struct addr_ent *a = addr_get(rt, addr, now_ms, 1);
    if (!a)
        return SASAE_RT_E_NOMEM;
    refill(rt, a, now_ms);
    if (a->join_tok < TOKEN || a->fail_tok < TOKEN)
        return SASAE_RT_E_RATE;
    /* The certificate has buckets of its own, keyed apart from every address: a stolen or
     * broken client spraying codes from many addresses is limited as one. */
    struct addr_ent *w = NULL;
    if (who && *who) {
        char key[64];
        snprintf(key, sizeof key, "cert:%.58s", who);
        if (!(w = addr_get(rt, key, now_ms, 1)))
            return SASAE_RT_E_NOMEM;
        refill(rt, w, now_ms);
        if (w->join_tok < TOKEN || w->fail_tok < TOKEN)
            return SASAE_RT_E_RATE;
        w->join_tok -= TOKEN;
    }
    a->join_tok -= TOKEN;
    uint32_t routing;
    char check[SASAE_RT_CHECK_DIGITS];
    struct code_ent **slot = code_parse(code, &routing, check) ? NULL : code_slot(rt, routing);
    if (!slot || !*slot || (*slot)->expires_ms <= now_ms) {
        a->fail_tok -= TOKEN;
        if (w)
            w->fail_tok -= TOKEN;
        rt->gfail_tok -= TOKEN;
        return SASAE_RT_E_BAD_CODE;
    }
    /* Constant time: how long the comparison takes says nothing about which digits match. */
    if (CRYPTO_memcmp((*slot)->check, check, SASAE_RT_CHECK_DIGITS) != 0) {
        a->fail_tok -= TOKEN;
        if (w)
            w->fail_tok -= TOKEN;
        rt->gfail_tok -= TOKEN;
        return near_miss(rt, slot, addr, host_out, burn);
    }
    *host_out = code_remove(rt, slot);
    rt->n_paired++;
    return SASAE_RT_OK;
}

void sasae_rt_unregister(struct sasae_rt *rt, const char *code)
{
    uint32_t routing;
    char check[SASAE_RT_CHECK_DIGITS];
    if (!rt || code_parse(code, &routing, check))
        return;
    struct code_ent **slot = code_slot(rt, routing);
    /* The routing part may since have gone to another host (this one's code burned or
     * expired): only the whole code names this host's entry. */
    if (*slot && !memcmp((*slot)->check, check, SASAE_RT_CHECK_DIGITS))
        code_remove(rt, slot);
}

int sasae_rt_session_resume(struct sasae_rt *rt)
{
    if (rt->n_codes + rt->n_paired >= rt->lim.max_sessions)
        return SASAE_RT_E_FULL;
    rt->n_paired++;
    return SASAE_RT_OK;
}

void sasae_rt_session_end(struct sasae_rt *rt)
{
    if (rt && rt->n_paired)
        rt->n_paired--;
}

size_t sasae_rt_expire(struct sasae_rt *rt, uint64_t now_ms, void **hosts, size_t max)
{
    size_t n = 0;
    if (!rt || !max)
        return 0;
    /* Walk every bucket; 64k pointer reads per call is cheap at a 1 s tick. */
    for (uint32_t i = 0; i < CODE_BUCKETS && n < max; i++) {
        struct code_ent **pp = &rt->codes[i];
        while (*pp && n < max) {
            if ((*pp)->expires_ms <= now_ms)
                hosts[n++] = code_remove(rt, pp);
            else
                pp = &(*pp)->next;
        }
    }
    return n;
}

void sasae_rt_gc(struct sasae_rt *rt, uint64_t now_ms)
{
    for (size_t i = 0; i < ADDR_BUCKETS; i++) {
        struct addr_ent **pp = &rt->addrs[i];
        while (*pp) {
            struct addr_ent *a = *pp;
            refill(rt, a, now_ms);
            if (!a->open && a->conn_tok >= (uint64_t)rt->lim.conn_rate_per_min * TOKEN &&
                a->join_tok >= (uint64_t)rt->lim.join_rate_per_min * TOKEN &&
                a->fail_tok >= (uint64_t)rt->lim.max_failed_joins * TOKEN) {
                *pp = a->next;
                free(a);
                rt->n_addrs--;
            } else {
                pp = &a->next;
            }
        }
    }
}

size_t sasae_rt_sessions(const struct sasae_rt *rt)
{
    return rt ? rt->n_codes + rt->n_paired : 0;
}

size_t sasae_rt_codes(const struct sasae_rt *rt)
{
    return rt ? rt->n_codes : 0;
}

size_t sasae_rt_addrs(const struct sasae_rt *rt)
{
    return rt ? rt->n_addrs : 0;
}

const char *sasae_rt_strerror(int err)
{
    switch (err) {
    case SASAE_RT_OK:
        return "ok";
    case SASAE_RT_E_RATE:
        return "rate limited (joins or failed joins from this address)";
    case SASAE_RT_E_ADDR_LIMIT:
        return "too many connections from this address";
    case SASAE_RT_E_FULL:
        return "relay full";
    case SASAE_RT_E_BAD_CODE:
        return "unknown or expired code";
    case SASAE_RT_E_NOT_AUTH:
        return "operator certificate required";
    case SASAE_RT_E_GLOBAL_RATE:
        return "relay-wide failed-join limit reached, try again in a minute";
    case SASAE_RT_E_NOMEM:
        return "out of memory";
    case SASAE_RT_E_RNG:
        return "random generator failed";
    case SASAE_RT_E_ARG:
        return "invalid argument";
    case SASAE_RT_E_BURNED:
        return "code burned after 5 failed joins";
    }
    return "unknown error";
}
