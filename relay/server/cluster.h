/* relay_cluster: a relay node's view of the cluster's shared directory in Redis — which node
 * holds which support code (the routing part, with the code's lifetime as the key's TTL),
 * node liveness, and failure counters shared by all nodes. Synchronous hiredis calls with a
 * short timeout, made from the relay's event loop (loopback/LAN round trips of well under
 * a millisecond; a Redis that does not answer costs at most the timeout per call). Keys:
 *   sasae:code:<routing>  -> node name            (EX = code lifetime)
 *   sasae:codes:<node>    -> set of its routing parts
 *   sasae:node:<node>     -> "host:port" its peers dial (EX = liveness TTL)
 *   sasae:alive           -> sorted set: node name, scored by its last heartbeat (ms, Redis time)
 *   sasae:fail:<key>      -> failure count        (EX = the counter's window) */
#ifndef SASAE_RELAY_CLUSTER_H
#define SASAE_RELAY_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

struct relay_cluster;

#define RELAY_CLUSTER_NAME_MAX 64
#define RELAY_CLUSTER_LIVE_TTL_S 3 /* a node silent this long is dead */
#define RELAY_CLUSTER_SERVERS_MAX 8

/* The directory for node name, reachable by its peers at advertise ("host:port"). redis is
 * the Redis "host:port", or, with sentinel_master set (non-empty), a comma-separated list of
 * Sentinel "host:port"s asked for that master's address whenever a connection is made (so
 * the node follows a failover; a demoted master's READONLY answer makes it ask again). NULL
 * on bad arguments or allocation failure; an unreachable Redis is not an error here (calls
 * fail until it answers; reconnection is automatic). */
struct relay_cluster *relay_cluster_new(const char *redis, const char *sentinel_master,
                                        const char *name, const char *advertise);
void relay_cluster_free(struct relay_cluster *cl);

/* Once a second: renews this node's liveness and removes the codes of nodes whose liveness
 * expired (stores how many codes were removed in *reaped); one Redis call, whatever the
 * number of nodes. 0, or -EIO (Redis unreachable). */
int relay_cluster_heartbeat(struct relay_cluster *cl, int *reaped);

/* Claims routing part rp for this node for ttl_s seconds: 1 claimed, 0 already held by a
 * node (draw another), -EIO. */
int relay_cluster_claim(struct relay_cluster *cl, const char *rp, unsigned ttl_s);

/* After a reconnection: claims rp again for this node for ttl_s seconds unless another
 * node holds it now. 1 ours, 0 another node's (the code must not be used), -EIO. */
int relay_cluster_reclaim(struct relay_cluster *cl, const char *rp, unsigned ttl_s);

/* 1 once after each new connection to Redis that followed an earlier one (the directory
 * may have lost this node's codes: re-claim them), else 0. */
int relay_cluster_take_reconnected(struct relay_cluster *cl);

/* Gives up rp if this node holds it (consumed, burned, expired, host gone). */
void relay_cluster_release(struct relay_cluster *cl, const char *rp);

/* Which node holds rp: 1 and the holder's "host:port" in addr (cap bytes) and whether it is
 * this node in *self; 0 when no live node holds it; -EIO. */
int relay_cluster_lookup(struct relay_cluster *cl, const char *rp, char *addr, size_t cap,
                         int *self);

/* Where a presented resume ticket (key: a digest of it, hex) is to be matched: 1 here (the
 * first presentation, which waits window_ms for the other side's), 0 at the live node whose
 * "host:port" is stored in addr (cap bytes), -EIO. */
int relay_cluster_resume_at(struct relay_cluster *cl, const char *key, unsigned window_ms,
                            char *addr, size_t cap);

/* Adds one failure to the shared counter key (window_s seconds from its first failure);
 * returns the count after, or -EIO. */
long relay_cluster_fail_add(struct relay_cluster *cl, const char *key, unsigned window_s);

/* The shared counter's value now (0 if none), or -EIO. */
long relay_cluster_fail_get(struct relay_cluster *cl, const char *key);

/* Drops this node's liveness and codes now (clean exit). */
void relay_cluster_leave(struct relay_cluster *cl);

const char *relay_cluster_name(const struct relay_cluster *cl);

/* Appends the directory's figures to /metrics text at b (cap bytes): whether it is reachable
 * now, connections made, failed calls by reason, and a latency histogram of the calls made.
 * Returns the bytes added. */
size_t relay_cluster_metrics(const struct relay_cluster *cl, char *b, size_t cap);

#endif
