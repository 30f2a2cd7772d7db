/* The relay cluster's shared directory in Redis (see cluster.h). */
#include "cluster.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "sasae/common.h"

#define TAG "cluster"
#define CALL_TIMEOUT_MS 200
#define RECONNECT_EVERY_MS 500

/* Deletes KEYS[1] only while it still names ARGV[1]: a node never removes a code another
 * node has claimed since (after expiry, the routing part may be reissued elsewhere). */
static const char DEL_IF_OURS[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end "
    "return 0";
/* INCR with the window starting at the first failure (a fixed window, like the relay
 * table's own per-minute counters). */
/* Puts KEYS[1] back for ARGV[1] with ARGV[2] seconds to live unless another node holds it
 * (after Redis lost it: restarted empty, or failed over before the write reached the
 * replica). 1 ours now, 0 another node's. */
static const char RECLAIM[] =
    "local v = redis.call('get', KEYS[1]) "
    "if v == false or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) "
    "return 1 end return 0";
/* One heartbeat, one call whatever the number of nodes: renews this node's address
 * (ARGV[1] name, ARGV[2] address, ARGV[3] liveness in ms), stamps it in the sorted set of
 * live nodes with Redis's own clock (no clock agreement between nodes needed), and reaps
 * every node whose stamp is older than the liveness: its codes (those still its own), its
 * code set and its stamp, atomically, so that two nodes never reap the same one twice.
 * Returns {1 if this node was not listed before, then name, codes removed, ...}. */
static const char HEARTBEAT[] =
    "local t = redis.call('time') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local ttl = tonumber(ARGV[3]) "
    "redis.call('set', 'sasae:node:' .. ARGV[1], ARGV[2], 'px', ttl) "
    "local out = {redis.call('zadd', 'sasae:alive', now, ARGV[1])} "
    "for _, n in ipairs(redis.call('zrangebyscore', 'sasae:alive', '-inf', '(' .. (now - ttl))) do "
    "  local k = 0 "
    "  for _, rp in ipairs(redis.call('smembers', 'sasae:codes:' .. n)) do "
    "    if redis.call('get', 'sasae:code:' .. rp) == n then "
    "      redis.call('del', 'sasae:code:' .. rp) k = k + 1 end "
    "  end "
    "  redis.call('del', 'sasae:codes:' .. n) "
    "  redis.call('zrem', 'sasae:alive', n) "
    "  out[#out + 1] = n out[#out + 1] = k "
    "end "
    "return out";
/* A resume ticket's first presentation in the cluster (KEYS[1] its key, ARGV[1] this node,
 * ARGV[2] the window in ms): {1} when it is to wait here (first, or already ours, or its node
 * is dead), {0, address} when a live node holds the other side's presentation. */
static const char RESUME_AT[] = "local v = redis.call('get', KEYS[1]) "
                                "if v and v ~= ARGV[1] then "
                                "  local a = redis.call('get', 'sasae:node:' .. v) "
                                "  if a then return {0, a} end "
                                "end "
                                "redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2]) "
                                "return {1}";
static const char INCR_WINDOW[] = "local n = redis.call('incr', KEYS[1]) "
                                  "if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end "
                                  "return n";

/* Latency histogram bucket bounds of a directory call (the call timeout is 200 ms). */
static const unsigned LAT_BOUNDS_US[] = {250, 500, 1000, 2500, 10000, 50000, 250000};

struct server {
    char host[256];
    int port;
};

struct relay_cluster {
    redisContext *rc;
    /* Redis itself, or (master[0] set) the Sentinels that say which Redis is the master */
    struct server srv[RELAY_CLUSTER_SERVERS_MAX];
    int n_srv;
    int next_srv; /* the Sentinel asked first next time (the last one that answered) */
    char master[RELAY_CLUSTER_NAME_MAX + 1];
    char cur[300]; /* the Redis we are connected to, "host:port" */
    char name[RELAY_CLUSTER_NAME_MAX + 1];
    char advertise[256];
    uint64_t last_try_ms;
    int down_logged;
    int connected_once, reconnected, beaten;
    /* for /metrics */
    uint64_t ops, err_unreachable, err_io, err_reply, connects, lat_sum_us;
    uint64_t lat_le[sizeof(LAT_BOUNDS_US) / sizeof(LAT_BOUNDS_US[0])]; /* not cumulative */
};

static uint64_t mono_ms(void)
{
    return sasae_mono_ns() / 1000000;
}

static redisContext *dial(const char *host, int port, char *why, size_t cap)
{
    struct timeval tv = {0, CALL_TIMEOUT_MS * 1000};
    redisContext *rc = redisConnectWithTimeout(host, port, tv);
    if (!rc || rc->err) {
        snprintf(why, cap, "%s:%d: %s", host, port, rc ? rc->errstr : "out of memory");
        if (rc)
            redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    return rc;
}

/* The master Sentinel names, connected and confirmed by its own ROLE (a Sentinel may still
 * name a master that was demoted a moment ago). Sentinels are asked in turn, starting with
 * the one that answered last. */
static redisContext *dial_master(struct relay_cluster *cl, char *why, size_t cap)
{
    snprintf(why, cap, "no Sentinel answered");
    for (int k = 0; k < cl->n_srv; k++) {
        int i = (cl->next_srv + k) % cl->n_srv;
        char w[300];
        redisContext *sc = dial(cl->srv[i].host, cl->srv[i].port, w, sizeof(w));
        if (!sc) {
            snprintf(why, cap, "sentinel %s", w);
            continue;
        }
        redisReply *a = redisCommand(sc, "SENTINEL get-master-addr-by-name %s", cl->master);
        char host[256] = "";
        int port = 0;
        if (a && a->type == REDIS_REPLY_ARRAY && a->elements == 2 &&
            a->element[0]->type == REDIS_REPLY_STRING && a->element[0]->len < sizeof(host) &&
            a->element[1]->type == REDIS_REPLY_STRING) {
            memcpy(host, a->element[0]->str, a->element[0]->len + 1);
            port = atoi(a->element[1]->str);
        } else {
            snprintf(why, cap, "sentinel %s:%d does not know master '%s'", cl->srv[i].host,
                     cl->srv[i].port, cl->master);
        }
        if (a)
            freeReplyObject(a);
        redisFree(sc);
        if (!port)
            continue;
        redisContext *rc = dial(host, port, w, sizeof(w));
        if (!rc) {
            snprintf(why, cap, "master %s (from sentinel %s:%d)", w, cl->srv[i].host,
                     cl->srv[i].port);
            continue;
        }
        redisReply *role = redisCommand(rc, "ROLE");
        int master = role && role->type == REDIS_REPLY_ARRAY && role->elements > 0 &&
                     role->element[0]->type == REDIS_REPLY_STRING &&
                     !strcmp(role->element[0]->str, "master");
        if (role)
            freeReplyObject(role);
        if (!master) {
            snprintf(why, cap, "%s:%d named by sentinel %s:%d is not a master (yet)", host, port,
                     cl->srv[i].host, cl->srv[i].port);
            redisFree(rc);
            continue;
        }
        cl->next_srv = i;
        snprintf(cl->cur, sizeof(cl->cur), "%s:%d", host, port);
        return rc;
    }
    return NULL;
}

/* A usable connection, or NULL (Redis down; retried at most every RECONNECT_EVERY_MS so
 * that a dead Redis costs the event loop one connect attempt per half second). */
static redisContext *conn(struct relay_cluster *cl)
{
    if (cl->rc)
        return cl->rc;
    uint64_t t = mono_ms();
    if (cl->last_try_ms && t - cl->last_try_ms < RECONNECT_EVERY_MS)
        return NULL;
    cl->last_try_ms = t;
    char why[600];
    redisContext *rc;
    if (cl->master[0]) {
        rc = dial_master(cl, why, sizeof(why));
    } else {
        rc = dial(cl->srv[0].host, cl->srv[0].port, why, sizeof(why));
        snprintf(cl->cur, sizeof(cl->cur), "%s:%d", cl->srv[0].host, cl->srv[0].port);
    }
    if (!rc) {
        if (!cl->down_logged++)
            SASAE_WARN(TAG, "cluster directory unreachable: %s", why);
        return NULL;
    }
    /* Any new connection after the first may reach a Redis that lost our keys. */
    cl->reconnected = cl->connected_once;
    cl->connected_once = 1;
    if (cl->down_logged)
        SASAE_INFO(TAG, "cluster directory reachable again: redis %s", cl->cur);
    else
        SASAE_INFO(TAG, "node %s: directory at redis %s%s%s", cl->name, cl->cur,
                   cl->master[0] ? ", master of " : "", cl->master);
    cl->down_logged = 0;
    cl->rc = rc;
    cl->connects++;
    return rc;
}

static void drop(struct relay_cluster *cl)
{
    redisFree(cl->rc);
    cl->rc = NULL;
    cl->last_try_ms = mono_ms();
    cl->down_logged = 1;
}

/* One command; NULL on any failure (the connection is dropped and redialled later). An
 * error reply counts as a failure too. */
static redisReply *cmd(struct relay_cluster *cl, const char *fmt, ...)
{
    redisContext *rc = conn(cl);
    if (!rc) {
        cl->err_unreachable++;
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    uint64_t t0 = sasae_mono_ns();
    redisReply *r = redisvCommand(rc, fmt, ap);
    uint64_t us = (sasae_mono_ns() - t0) / 1000;
    va_end(ap);
    cl->ops++;
    cl->lat_sum_us += us;
    for (size_t i = 0; i < sizeof(LAT_BOUNDS_US) / sizeof(LAT_BOUNDS_US[0]); i++)
        if (us <= LAT_BOUNDS_US[i]) {
            cl->lat_le[i]++;
            break;
        }
    if (!r || rc->err) {
        SASAE_WARN(TAG, "redis: %s", rc->errstr[0] ? rc->errstr : "no reply");
        if (r)
            freeReplyObject(r);
        drop(cl);
        cl->err_io++;
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        SASAE_WARN(TAG, "redis %s: %s", cl->cur, r->str);
        /* A master demoted by a failover answers writes with READONLY: ask again who the
         * master is. */
        if (!strncmp(r->str, "READONLY", 8) || !strncmp(r->str, "MASTERDOWN", 10))
            drop(cl);
        cl->err_reply++;
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* "host:port" (len bytes at s) into sv; 0 or -1. */
static int parse_server(const char *s, size_t len, struct server *sv)
{
    const char *colon = memrchr(s, ':', len);
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(sv->host))
        return -1;
    char digits[8];
    size_t nd = len - (size_t)(colon + 1 - s);
    if (!nd || nd >= sizeof(digits) || strspn(colon + 1, "0123456789") < nd)
        return -1;
    memcpy(digits, colon + 1, nd);
    digits[nd] = '\0';
    sv->port = atoi(digits);
    if (sv->port <= 0 || sv->port > 65535)
        return -1;
    memcpy(sv->host, s, (size_t)(colon - s));
    sv->host[colon - s] = '\0';
    return 0;
}

struct relay_cluster *relay_cluster_new(const char *redis, const char *sentinel_master,
                                        const char *name, const char *advertise)
{
    if (!redis || !name || !advertise || !name[0] || strlen(name) > RELAY_CLUSTER_NAME_MAX ||
        strlen(advertise) >= 256)
        return NULL;
    if (sentinel_master && strlen(sentinel_master) > RELAY_CLUSTER_NAME_MAX)
        return NULL;
    struct relay_cluster *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return NULL;
    for (const char *p = redis; *p;) {
        size_t len = strcspn(p, ",");
        if (cl->n_srv == RELAY_CLUSTER_SERVERS_MAX || parse_server(p, len, &cl->srv[cl->n_srv])) {
            free(cl);
            return NULL;
        }
        cl->n_srv++;
        p += len;
        p += *p == ',';
    }
    /* one Redis, or a list of Sentinels */
    int sentinel = sentinel_master && sentinel_master[0];
    if (!cl->n_srv || (!sentinel && cl->n_srv > 1)) {
        free(cl);
        return NULL;
    }
    if (sentinel)
        strcpy(cl->master, sentinel_master);
    strcpy(cl->name, name);
    strcpy(cl->advertise, advertise);
    return cl;
}

void relay_cluster_free(struct relay_cluster *cl)
{
    if (!cl)
        return;
    if (cl->rc)
        redisFree(cl->rc);
    free(cl);
}

const char *relay_cluster_name(const struct relay_cluster *cl)
{
    return cl->name;
}

/* Removes node n's codes and its entry (it is dead, or leaving); returns codes removed. */
static int reap(struct relay_cluster *cl, const char *n)
{
    int removed = 0;
    redisReply *m = cmd(cl, "SMEMBERS sasae:codes:%s", n);
    if (m && m->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < m->elements; i++) {
            if (m->element[i]->type != REDIS_REPLY_STRING)
                continue;
            redisReply *d =
                cmd(cl, "EVAL %s 1 sasae:code:%s %s", DEL_IF_OURS, m->element[i]->str, n);
            if (d && d->type == REDIS_REPLY_INTEGER)
                removed += (int)d->integer;
            if (d)
                freeReplyObject(d);
        }
    }
    if (m)
        freeReplyObject(m);
    redisReply *r = cmd(cl, "DEL sasae:codes:%s", n);
    if (r)
        freeReplyObject(r);
    if ((r = cmd(cl, "ZREM sasae:alive %s", n)))
        freeReplyObject(r);
    return removed;
}

int relay_cluster_heartbeat(struct relay_cluster *cl, int *reaped)
{
    *reaped = 0;
    redisReply *r = cmd(cl, "EVAL %s 0 %s %s %d", HEARTBEAT, cl->name, cl->advertise,
                        RELAY_CLUSTER_LIVE_TTL_S * 1000);
    if (!r)
        return -EIO;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
        r->element[0]->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(r);
        return -EIO;
    }
    /* Not listed before this beat, yet not our first: taken for dead (or the directory lost
     * us): our codes may be gone, put them back. */
    if (r->element[0]->integer == 1 && cl->beaten)
        cl->reconnected = 1;
    cl->beaten = 1;
    for (size_t i = 1; i + 1 < r->elements; i += 2) {
        if (r->element[i]->type != REDIS_REPLY_STRING ||
            r->element[i + 1]->type != REDIS_REPLY_INTEGER)
            continue;
        int k = (int)r->element[i + 1]->integer;
        SASAE_WARN(TAG, "node %s is dead (no heartbeat for %d s): %d of its codes removed",
                   r->element[i]->str, RELAY_CLUSTER_LIVE_TTL_S, k);
        *reaped += k;
    }
    freeReplyObject(r);
    return 0;
}

int relay_cluster_claim(struct relay_cluster *cl, const char *rp, unsigned ttl_s)
{
    redisReply *r = cmd(cl, "SET sasae:code:%s %s NX EX %u", rp, cl->name, ttl_s);
    if (!r)
        return -EIO;
    int ok = r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    if (!ok)
        return 0;
    if (!(r = cmd(cl, "SADD sasae:codes:%s %s", cl->name, rp))) {
        relay_cluster_release(cl, rp);
        return -EIO;
    }
    freeReplyObject(r);
    return 1;
}

int relay_cluster_reclaim(struct relay_cluster *cl, const char *rp, unsigned ttl_s)
{
    redisReply *r =
        cmd(cl, "EVAL %s 1 sasae:code:%s %s %u", RECLAIM, rp, cl->name, ttl_s ? ttl_s : 1);
    if (!r)
        return -EIO;
    int ok = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (ok && !(r = cmd(cl, "SADD sasae:codes:%s %s", cl->name, rp)))
        return -EIO;
    if (ok)
        freeReplyObject(r);
    return ok;
}

int relay_cluster_take_reconnected(struct relay_cluster *cl)
{
    int r = cl->reconnected;
    cl->reconnected = 0;
    return r;
}

void relay_cluster_release(struct relay_cluster *cl, const char *rp)
{
    redisReply *r = cmd(cl, "EVAL %s 1 sasae:code:%s %s", DEL_IF_OURS, rp, cl->name);
    if (r)
        freeReplyObject(r);
    if ((r = cmd(cl, "SREM sasae:codes:%s %s", cl->name, rp)))
        freeReplyObject(r);
}

int relay_cluster_lookup(struct relay_cluster *cl, const char *rp, char *addr, size_t cap,
                         int *self)
{
    *self = 0;
    redisReply *r = cmd(cl, "GET sasae:code:%s", rp);
    if (!r)
        return -EIO;
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        return 0;
    }
    if (!strcmp(r->str, cl->name)) {
        freeReplyObject(r);
        *self = 1;
        snprintf(addr, cap, "%s", cl->advertise);
        return 1;
    }
    redisReply *a = cmd(cl, "GET sasae:node:%s", r->str);
    freeReplyObject(r);
    if (!a)
        return -EIO;
    int found = a->type == REDIS_REPLY_STRING && a->len < cap;
    if (found)
        memcpy(addr, a->str, a->len + 1);
    freeReplyObject(a);
    return found;
}

long relay_cluster_fail_add(struct relay_cluster *cl, const char *key, unsigned window_s)
{
    redisReply *r = cmd(cl, "EVAL %s 1 sasae:fail:%s %u", INCR_WINDOW, key, window_s);
    if (!r)
        return -EIO;
    long n = r->type == REDIS_REPLY_INTEGER ? (long)r->integer : -EIO;
    freeReplyObject(r);
    return n;
}

long relay_cluster_fail_get(struct relay_cluster *cl, const char *key)
{
    redisReply *r = cmd(cl, "GET sasae:fail:%s", key);
    if (!r)
        return -EIO;
    long n = r->type == REDIS_REPLY_STRING ? atol(r->str) : 0;
    freeReplyObject(r);
    return n;
}

void relay_cluster_leave(struct relay_cluster *cl)
{
    redisReply *r = cmd(cl, "DEL sasae:node:%s", cl->name);
    if (r)
        freeReplyObject(r);
    reap(cl, cl->name);
}

size_t relay_cluster_metrics(const struct relay_cluster *cl, char *b, size_t cap)
{
    size_t n = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int k = snprintf(b + n, cap - n, __VA_ARGS__);                                             \
        if (k < 0 || (size_t)k >= cap - n)                                                         \
            return n;                                                                              \
        n += (size_t)k;                                                                            \
    } while (0)
    PUT("# TYPE sasae_relay_cluster_directory_up gauge\nsasae_relay_cluster_directory_up %d\n"
        "# TYPE sasae_relay_cluster_directory_connects_total counter\n"
        "sasae_relay_cluster_directory_connects_total %llu\n"
        "# TYPE sasae_relay_cluster_directory_errors_total counter\n"
        "sasae_relay_cluster_directory_errors_total{reason=\"unreachable\"} %llu\n"
        "sasae_relay_cluster_directory_errors_total{reason=\"io\"} %llu\n"
        "sasae_relay_cluster_directory_errors_total{reason=\"reply\"} %llu\n"
        "# TYPE sasae_relay_cluster_directory_op_seconds histogram\n",
        cl->rc != NULL, (unsigned long long)cl->connects, (unsigned long long)cl->err_unreachable,
        (unsigned long long)cl->err_io, (unsigned long long)cl->err_reply);
    uint64_t cum = 0;
    for (size_t i = 0; i < sizeof(LAT_BOUNDS_US) / sizeof(LAT_BOUNDS_US[0]); i++) {
        cum += cl->lat_le[i];
        PUT("sasae_relay_cluster_directory_op_seconds_bucket{le=\"%g\"} %llu\n",
            LAT_BOUNDS_US[i] / 1e6, (unsigned long long)cum);
    }
    PUT("sasae_relay_cluster_directory_op_seconds_bucket{le=\"+Inf\"} %llu\n"
        "sasae_relay_cluster_directory_op_seconds_sum %.6f\n"
        "sasae_relay_cluster_directory_op_seconds_count %llu\n",
        (unsigned long long)cl->ops, cl->lat_sum_us / 1e6, (unsigned long long)cl->ops);
#undef PUT
    return n;
}

int relay_cluster_resume_at(struct relay_cluster *cl, const char *key, unsigned window_ms,
                            char *addr, size_t cap)
{
    redisReply *r = cmd(cl, "EVAL %s 1 sasae:resume:%s %s %u", RESUME_AT, key, cl->name, window_ms);
    if (!r)
        return -EIO;
    int rc = -EIO;
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
        r->element[0]->type == REDIS_REPLY_INTEGER) {
        if (r->element[0]->integer == 1) {
            rc = 1;
        } else if (r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING &&
                   r->element[1]->len < cap) {
            memcpy(addr, r->element[1]->str, r->element[1]->len + 1);
            rc = 0;
        }
    }
    freeReplyObject(r);
    return rc;
}
