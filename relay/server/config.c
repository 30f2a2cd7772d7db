/* sasae-relay configuration: one table of options shared by the config file and the flags. */
#include "config.h"

#include "sasae/conf.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_UINT, K_BOOL };

struct opt {
    const char *name;
    enum kind kind;
    size_t off;
    unsigned min, max;
    const char *help;
};

#define S(f, h)                                                                                    \
    {                                                                                              \
#f, K_STR, offsetof(struct relay_config, f), 0, 0, h                                       \
    }
#define U(n, f, lo, hi, h)                                                                         \
    {                                                                                              \
        n, K_UINT, offsetof(struct relay_config, f), lo, hi, h                                     \
    }

static const struct opt opts[] = {
    {"listen", K_STR, offsetof(struct relay_config, listen), 0, 0,
     "address to listen on (default 127.0.0.1)"},
    U("port", port, 1, 65535, "TCP port for wss://, /healthz and /metrics (default 8443)"),
    S(cert, "relay certificate chain, PEM (required)"),
    S(key, "relay private key, PEM (required)"),
    {"operator-ca", K_STR, offsetof(struct relay_config, operator_ca), 0, 0,
     "organisation CA for operator client certificates, PEM (without it nobody can join)"},
    S(crl, "CRL file of the operator CA, PEM (revocation; required with operator-ca)"),
    {"tls12", K_BOOL, offsetof(struct relay_config, tls12), 0, 1,
     "also accept TLS 1.2 with ECDHE AES-256-GCM only (default 0: TLS 1.3 only)"},
    {"audit-dir", K_STR, offsetof(struct relay_config, audit_dir), 0, 0,
     "directory of the daily audit files (default /var/lib/sasae-relay/audit)"},
    U("audit-retention-days", audit_retention_days, 1, 36500,
      "days audit files are kept (default 365)"),
    U("code-ttl", code_ttl, 1, 86400, "seconds a support code stays valid (default 600)"),
    U("hello-timeout", hello_timeout, 1, 3600,
      "seconds a new connection has to REGISTER or JOIN (default 10)"),
    U("idle-timeout", idle_timeout, 1, 604800,
      "seconds a paired session may pass no data (default 1800)"),
    U("ping-interval", ping_interval, 1, 3600, "seconds of silence before a ping (default 30)"),
    U("ping-timeout", ping_timeout, 2, 7200,
      "seconds without a valid pong/data before hangup (default 75)"),
    U("stuck-timeout", stuck_timeout, 1, 3600,
      "seconds a receiver may leave its queue full before it is cut (default 30)"),
    U("drain-timeout", drain_timeout, 1, 600,
      "seconds SIGTERM waits for peers; in a cluster, for running sessions to end "
      "(default 5)"),
    U("handshake-timeout", handshake_timeout, 1, 600,
      "seconds for TLS + HTTP upgrade (default 10)"),
    U("max-sessions", max_sessions, 1, 10000000,
      "registered hosts + paired sessions (default 20000)"),
    U("max-conns-per-addr", max_conns_per_addr, 1, 10000000,
      "open websocket connections per source address (default 256)"),
    U("conn-rate", conn_rate, 1, 10000000,
      "new TCP connections per address per minute (default 600)"),
    U("join-rate", join_rate, 1, 10000000, "join attempts per address per minute (default 30)"),
    U("max-failed-joins", max_failed_joins, 1, 1000,
      "failed operator joins (unknown/expired code) per minute, per address (IPv6 per /64) "
      "and per operator certificate (default 5)"),
    U("max-failed-joins-global", max_failed_joins_global, 1, 10000000,
      "failed joins per minute across all addresses before every join is refused (default 300)"),
    U("queue-kb", queue_kb, 64, 1048576,
      "per-direction forward queue before the sender is paused, KiB (default 512)"),
    U("max-header", max_header, 1024, 65535, "HTTP header bytes accepted (default 4096)"),
    U("nofile", nofile, 1024, 10000000, "RLIMIT_NOFILE to raise to (default 65536)"),
    U("memory-limit-mb", memory_limit_mb, 0, 10000000,
      "resident MB beyond which (less a 32 MB reserve for the running sessions) new sessions "
      "are refused; set it below a container's or cgroup's limit (default 0: none; a "
      "ulimit -v is always respected)"),
    U("rx-buffer", rx_buffer, 1024, 1048576,
      "bytes read and forwarded at a time per connection (default 16384)"),
    {"log-level", K_STR, offsetof(struct relay_config, log_level), 0, 0,
     "error|warn|info|debug (default info)"},
    {"event-loop", K_STR, offsetof(struct relay_config, event_loop), 0, 0,
     "libev (epoll, default) or poll"},
    {"cluster-redis", K_STR, offsetof(struct relay_config, cluster_redis), 0, 0,
     "cluster: Redis host:port of the shared directory, or with cluster-sentinel-master "
     "its Sentinels' host:port,host:port,... (default empty: a single relay, no cluster)"},
    {"cluster-sentinel-master", K_STR, offsetof(struct relay_config, cluster_sentinel_master), 0, 0,
     "cluster: the master's name in Redis Sentinel; cluster-redis then lists the "
     "Sentinels (default empty: cluster-redis is the Redis itself)"},
    {"cluster-node", K_STR, offsetof(struct relay_config, cluster_node), 0, 0,
     "cluster: this node's name, unique in the cluster"},
    {"cluster-advertise", K_STR, offsetof(struct relay_config, cluster_advertise), 0, 0,
     "cluster: host:port the other nodes dial for node-to-node links"},
    U("cluster-port", cluster_port, 1, 65535, "cluster: port of the node-to-node TLS listener"),
    {"cluster-cert", K_STR, offsetof(struct relay_config, cluster_cert), 0, 0,
     "cluster: this node's certificate (client and server), PEM"},
    {"cluster-key", K_STR, offsetof(struct relay_config, cluster_key), 0, 0,
     "cluster: this node's private key, PEM"},
    {"cluster-ca", K_STR, offsetof(struct relay_config, cluster_ca), 0, 0,
     "cluster: CA file that signs node certificates, PEM"},
};

void relay_config_defaults(struct relay_config *c)
{
    memset(c, 0, sizeof(*c));
    strcpy(c->listen, "127.0.0.1");
    c->port = 8443;
    c->tls12 = 0; /* TLS 1.3 only unless the relay's operator asks for 1.2 */
    strcpy(c->audit_dir, "/var/lib/sasae-relay/audit");
    c->audit_retention_days = 365;
    c->code_ttl = 600;
    c->hello_timeout = 10;
    c->idle_timeout = 1800;
    c->ping_interval = 30;
    c->ping_timeout = 75;
    c->stuck_timeout = 30;
    c->drain_timeout = 5;
    c->handshake_timeout = 10;
    c->max_sessions = 20000;
    c->max_conns_per_addr = 256;
    c->conn_rate = 600;
    c->join_rate = 30;
    c->max_failed_joins = 5;
    c->max_failed_joins_global = 300;
    c->queue_kb = 512;
    c->max_header = 4096;
    c->nofile = 65536;
    c->rx_buffer = 16384;
    strcpy(c->log_level, "info");
    strcpy(c->event_loop, "libev");
}

int relay_config_set(struct relay_config *c, const char *key, const char *val, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        const struct opt *o = &opts[i];
        if (strcmp(o->name, key))
            continue;
        char *p = (char *)c + o->off;
        if (o->kind == K_STR) {
            size_t cap =
                !strcmp(key, "log-level") || !strcmp(key, "event-loop") ? 16 : RELAY_PATH_MAX;
            if (strlen(val) >= cap) {
                snprintf(err, errlen, "%s: value too long", key);
                return -1;
            }
            strcpy(p, val);
            return 0;
        }
        char *end;
        errno = 0;
        unsigned long v = strtoul(val, &end, 10);
        if (errno || end == val || *end || val[0] == '-' || v < o->min || v > o->max) {
            snprintf(err, errlen, "%s: expected a number from %u to %u, got '%s'", key, o->min,
                     o->max, val);
            return -1;
        }
        if (o->kind == K_BOOL)
            *(int *)p = (int)v;
        else
            *(unsigned *)p = (unsigned)v;
        return 0;
    }
    snprintf(err, errlen, "unknown option '%s'", key);
    return -1;
}

/* sasae_conf callback: one setting of the config file, as its --option would be. */
static int config_setting(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
    return relay_config_set(ctx, name, value ? value : "", err, errlen);
}

int relay_config_load(struct relay_config *c, const char *path, char *err, size_t errlen)
{
    return sasae_conf_load(path, config_setting, c, err, errlen) == 0 ? 0 : -1;
}

int relay_config_check(const struct relay_config *c, char *err, size_t errlen)
{
    if (!c->cert[0] || !c->key[0]) {
        snprintf(err, errlen, "cert and key are required (the relay serves wss:// only)");
        return -1;
    }
    if (c->operator_ca[0] && !c->crl[0]) {
        snprintf(err, errlen, "operator-ca needs a crl (revocation must be honoured)");
        return -1;
    }
    if (strcmp(c->event_loop, "libev") && strcmp(c->event_loop, "poll")) {
        snprintf(err, errlen, "event-loop must be libev or poll");
        return -1;
    }
    if (c->cluster_redis[0] &&
        (!c->cluster_node[0] || !c->cluster_advertise[0] || !c->cluster_port ||
         !c->cluster_cert[0] || !c->cluster_key[0] || !c->cluster_ca[0])) {
        snprintf(err, errlen,
                 "cluster-redis needs cluster-node, cluster-advertise, cluster-port, "
                 "cluster-cert, cluster-key and cluster-ca");
        return -1;
    }
    if (strlen(c->cluster_node) > 64 ||
        strspn(c->cluster_node, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
            strlen(c->cluster_node)) {
        snprintf(err, errlen, "cluster-node: up to 64 of a-z, 0-9, -");
        return -1;
    }
    if (c->ping_timeout <= c->ping_interval) {
        snprintf(err, errlen, "ping-timeout must be larger than ping-interval");
        return -1;
    }
    return 0;
}

void relay_config_usage(FILE *out)
{
    fprintf(out, "usage: sasae-relay [--config FILE] [--OPTION VALUE ...]\n"
                 "       sasae-relay audit --audit-dir DIR [--date YYYY-MM-DD] [--code CODE]"
                 " [--operator NAME]\n\n"
                 "The relay of sasae remote support: pairs hosts and operators by support code\n"
                 "and forwards their end-to-end encrypted traffic over wss://.\n"
                 "Options (also as 'key = value' lines in the config file; flags win):\n");
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        fprintf(out, "  --%-22s %s\n", opts[i].name, opts[i].help);
    fprintf(out, "  --%-22s %s\n", "config FILE", "read options from FILE first");
    fprintf(out, "  --%-22s %s\n", "help", "this text");
    fprintf(out, "\nSignals: SIGTERM/SIGINT drain (peers are told) and exit; SIGHUP reopens\n"
                 "the audit log and reloads the certificate, key, operator CA and CRL.\n");
}
