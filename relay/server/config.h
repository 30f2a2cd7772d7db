/* sasae-relay configuration (internal): defaults, config file and command-line flags. */
#ifndef SASAE_RELAY_CONFIG_H
#define SASAE_RELAY_CONFIG_H

#include <stdio.h>

#define RELAY_PATH_MAX 1024

struct relay_config {
    char listen[RELAY_PATH_MAX]; /* address to bind, e.g. 0.0.0.0 or 127.0.0.1 */
    unsigned port;
    char cert[RELAY_PATH_MAX], key[RELAY_PATH_MAX]; /* relay server certificate + key */
    char operator_ca[RELAY_PATH_MAX];               /* org CA for operator client certs */
    char crl[RELAY_PATH_MAX];                       /* CRL(s) of that CA (PEM) */
    int tls12; /* also accept TLS 1.2 (ECDHE AES-256-GCM); off by default */
    char audit_dir[RELAY_PATH_MAX];
    unsigned audit_retention_days;
    unsigned code_ttl, hello_timeout, idle_timeout, ping_interval, ping_timeout;
    unsigned stuck_timeout, drain_timeout, handshake_timeout;
    unsigned max_sessions, max_conns_per_addr, conn_rate, join_rate, max_failed_joins;
    unsigned max_failed_joins_global;
    unsigned queue_kb, max_header, nofile, rx_buffer;
    unsigned memory_limit_mb; /* resident memory new sessions may not push past; 0: none */
    char log_level[16];
    char event_loop[16]; /* libev (epoll) or poll */
    /* The cluster section (all cluster-* keys; cluster-redis empty: a single node). */
    char cluster_redis[RELAY_PATH_MAX];           /* Redis "host:port" of the shared directory */
    char cluster_sentinel_master[RELAY_PATH_MAX]; /* set: cluster_redis lists Sentinels */
    char cluster_node[RELAY_PATH_MAX];            /* this node's name, unique in the cluster */
    char cluster_advertise[RELAY_PATH_MAX]; /* "host:port" peers dial for node-to-node links */
    unsigned cluster_port;                  /* port of the node-to-node listener */
    char cluster_cert[RELAY_PATH_MAX], cluster_key[RELAY_PATH_MAX]; /* this node's identity */
    char cluster_ca[RELAY_PATH_MAX]; /* CA(s) of node certificates (and of node server certs) */
};

/* Fills defaults. */
void relay_config_defaults(struct relay_config *c);

/* Sets one option by name ("port", "audit-dir", ...); returns 0, or -1 with a message in
 * err (unknown key or bad value). */
int relay_config_set(struct relay_config *c, const char *key, const char *val, char *err,
                     size_t errlen);

/* Reads "key = value" lines (# comments) from path. Returns 0 or -1 with err. */
int relay_config_load(struct relay_config *c, const char *path, char *err, size_t errlen);

/* Checks required fields and ranges. Returns 0 or -1 with err. */
int relay_config_check(const struct relay_config *c, char *err, size_t errlen);

/* Prints the option list with defaults (for --help). */
void relay_config_usage(FILE *out);

#endif
