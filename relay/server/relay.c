/* sasae-relay: the libwebsockets adapter around the relay table. This file wires the
 * configuration into the process (limits, audit log, table, TLS context, listeners) and
 * runs the service loop; relay.h lists where everything else lives. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "audit.h"
#include "relay.h"

static int rand_bytes(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static int raise_nofile(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return -1;
    rlim_t target = want;
    if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
        target = rl.rlim_max;
    if (rl.rlim_cur < target) {
        rl.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &rl))
            SASAE_WARN(TAG, "cannot raise RLIMIT_NOFILE to %u: %s", want, strerror(errno));
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur == RLIM_INFINITY ? (int)want : (int)rl.rlim_cur;
}

static int audit_main(int argc, char **argv)
{
    const char *dir = "/var/lib/sasae-relay/audit", *date = NULL, *code = NULL, *op = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) {
            printf("usage: sasae-relay audit --audit-dir DIR [--date YYYY-MM-DD] [--code "
                   "CODE] [--operator NAME]\nPrints matching audit records (JSON lines).\n");
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "sasae-relay audit: %s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--audit-dir") || !strcmp(a, "--dir"))
            dir = v;
        else if (!strcmp(a, "--date"))
            date = v;
        else if (!strcmp(a, "--code"))
            code = v;
        else if (!strcmp(a, "--operator"))
            op = v;
        else {
            fprintf(stderr, "sasae-relay audit: unknown option %s\n", a);
            return 2;
        }
    }
    int n = sasae_audit_query(dir, date, code, op, stdout);
    if (n < 0) {
        fprintf(stderr, "sasae-relay audit: cannot read %s: %s\n", dir, strerror(errno));
        return 1;
    }
    return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "audit"))
        return audit_main(argc, argv);
    static struct relay relay;
    struct relay *r = &relay;
    char err[512];
    relay_config_defaults(&r->cfg);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            relay_config_usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--config") && i + 1 < argc &&
            relay_config_load(&r->cfg, argv[i + 1], err, sizeof(err))) {
            fprintf(stderr, "sasae-relay: %s\n", err);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || i + 1 >= argc) {
            fprintf(stderr, "sasae-relay: bad argument '%s' (see --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--config"))
            continue;
        if (relay_config_set(&r->cfg, a + 2, v, err, sizeof(err))) {
            fprintf(stderr, "sasae-relay: %s\n", err);
            return 2;
        }
    }
    if (relay_config_check(&r->cfg, err, sizeof(err))) {
        fprintf(stderr, "sasae-relay: %s\n", err);
        return 2;
    }
    int lvl = sasae_log_level_parse(r->cfg.log_level);
    if (lvl < 0) {
        fprintf(stderr, "sasae-relay: bad log-level\n");
        return 2;
    }
    sasae_log_set_level((enum sasae_log_level)lvl);
    lws_set_log_level(lvl >= SASAE_LOG_DEBUG ? (LLL_ERR | LLL_WARN | LLL_NOTICE) : LLL_ERR,
                      relay_lws_log_emit);

    relay_signals_install(r);

    if (relay_wsguard_init())
        return 1;
    int nofile = raise_nofile(r->cfg.nofile);
    r->nofile = nofile;
    r->probe_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    struct rlimit as;
    if (!getrlimit(RLIMIT_AS, &as) && as.rlim_cur != RLIM_INFINITY)
        r->as_limit_kb = (long)(as.rlim_cur / 1024);
    if (r->as_limit_kb || r->cfg.memory_limit_mb)
        SASAE_INFO(TAG,
                   "memory limits: address space %ld MB, resident %u MB (0: none); new "
                   "sessions keep %d MB free",
                   r->as_limit_kb / 1024, r->cfg.memory_limit_mb, MEM_RESERVE_KB / 1024);
    r->audit = sasae_audit_open(r->cfg.audit_dir, r->cfg.audit_retention_days);
    if (!r->audit) {
        SASAE_ERR(TAG, "audit directory %s unusable: %s", r->cfg.audit_dir, strerror(errno));
        return 1;
    }
    int orphans = sasae_audit_end_orphans(r->audit);
    if (orphans)
        SASAE_WARN(TAG, "audit: %d session(s) cut when the relay last stopped: end records added",
                   orphans);
    struct sasae_rt_limits lim = {
        .max_sessions = r->cfg.max_sessions,
        .code_ttl_s = r->cfg.code_ttl,
        .max_failed_joins = r->cfg.max_failed_joins,
        .max_failed_joins_global = r->cfg.max_failed_joins_global,
        .max_conns_per_addr = r->cfg.max_conns_per_addr,
        .conn_rate_per_min = r->cfg.conn_rate,
        .join_rate_per_min = r->cfg.join_rate,
    };
    r->rt = sasae_rt_new(&lim, rand_bytes, NULL);
    r->resume = relay_resume_new(0, 0);
    if (!r->rt || !r->resume)
        return 1;

    struct lws_protocols protocols[3];
    memcpy(protocols, relay_protocols_tpl, sizeof(protocols));
    protocols[1].rx_buffer_size = r->cfg.rx_buffer;
    /* One flush_queue() write: up to TX_CHUNK of frames, or one fragment (at most an rx
     * buffer or a control message) with its header. lws cuts writes larger than
     * tx_packet_size into pieces sent on later POLLOUTs: keep it at the write size. */
    size_t tx_max = TX_CHUNK;
    if (r->cfg.rx_buffer > tx_max)
        tx_max = r->cfg.rx_buffer;
    if (SASAE_ENV_CONTROL_MAX > tx_max)
        tx_max = SASAE_ENV_CONTROL_MAX;
    tx_max += WS_HDR_MAX;
    protocols[1].tx_packet_size = tx_max;
    r->tx = malloc(LWS_PRE + tx_max);
    if (!r->tx)
        return 1;
    relay_refresh_served_crl(r, 1);
    r->frag_block = r->cfg.rx_buffer;
    r->retry.secs_since_valid_ping = (uint16_t)r->cfg.ping_interval;
    r->retry.secs_since_valid_hangup = (uint16_t)r->cfg.ping_timeout;

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = (int)r->cfg.port;
    info.iface = r->cfg.listen;
    info.protocols = protocols;
    /* The relay makes no outgoing TLS connections: lws need not load the system CAs into
     * the vhost's client context (~0.4 MB of heap). Operator verification is ours. */
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    info.ssl_cert_filepath = r->cfg.cert;
    info.ssl_private_key_filepath = r->cfg.key;
    info.tls1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    info.ssl_cipher_list = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
    info.alpn = "http/1.1";
    info.timeout_secs = r->cfg.handshake_timeout;
    info.max_http_header_data = (unsigned short)r->cfg.max_header;
    info.max_http_header_pool = 1024;
    info.pt_serv_buf_size = 32768;
    info.fd_limit_per_thread = (unsigned)nofile;
    info.retry_and_idle_policy = &r->retry;
    info.vhost_name = "sasae-relay";
    info.user = r; /* the callbacks' relay: lws_context_user() */
    /* poll() costs O(connections) per wakeup; libev uses epoll. */
    if (!strcmp(r->cfg.event_loop, "libev")) {
        info.options |= LWS_SERVER_OPTION_LIBEV;
        r->evlib = 1;
    }
    relay_rx_buffers_in_pool(r->cfg.rx_buffer);
    r->ctx = lws_create_context(&info);
    if (!r->ctx && r->evlib) {
        SASAE_WARN(TAG, "libev event loop unavailable, falling back to poll()");
        info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
        r->evlib = 0;
        r->ssl_ctx = NULL;
        r->ctx = lws_create_context(&info);
    }
    if (!r->ctx) {
        SASAE_ERR(TAG, "cannot start: listen %s:%u, cert %s, key %s (see messages above)",
                  r->cfg.listen, r->cfg.port, r->cfg.cert, r->cfg.key);
        relay_rx_buffers_release();
        sasae_audit_close(r->audit);
        sasae_rt_free(r->rt);
        relay_resume_free(r->resume);
        return 1;
    }
    /* lws set its single ECDH curve after our callback ran: apply the policy again. */
    if (!r->ssl_ctx || relay_apply_tls_policy(r, r->ssl_ctx)) {
        SASAE_ERR(TAG, "TLS policy could not be applied");
        lws_context_destroy(r->ctx);
        relay_rx_buffers_release();
        return 1;
    }
    if (r->cfg.tls12)
        SASAE_WARN(TAG, "TLS 1.2 enabled by configuration (tls12 = 1): TLS 1.3 "
                        "TLS_AES_256_GCM_SHA384, and TLS 1.2 ECDHE with AES-256-GCM only");
    else
        SASAE_INFO(TAG, "TLS 1.3 only, TLS_AES_256_GCM_SHA384 only");
    if (r->cfg.cluster_redis[0] && relay_links_start(r, protocols)) {
        lws_context_destroy(r->ctx);
        relay_rx_buffers_release();
        return 1;
    }
    SASAE_INFO(TAG, "listening on wss://%s:%u/ (nofile %d, operators %s)", r->cfg.listen,
               r->cfg.port, nofile, r->cfg.operator_ca[0] ? "enabled" : "DISABLED: no CA");
    /* Tests and supervisors wait for this line on stdout. */
    printf("sasae-relay ready port=%u\n", r->cfg.port);
    fflush(stdout);
    r->last_sec_ms = r->last_gc_ms = now_ms();
    lws_sul_schedule(r->ctx, 0, &r->tick, relay_tick, TICK_US);
    while (!r->exit) {
        if (lws_service(r->ctx, 0))
            break;
    }
    SASAE_INFO(TAG, "exiting (%zu connections left)", r->n_conns);
    lws_context_destroy(r->ctx);
    if (r->cl) {
        relay_cluster_leave(r->cl);
        relay_cluster_free(r->cl);
    }
    relay_rx_buffers_release();
    sasae_audit_close(r->audit);
    sasae_rt_free(r->rt);
    relay_resume_free(r->resume);
    if (r->probe_fd >= 0)
        close(r->probe_fd);
    free(r->tx);
    OPENSSL_free(r->crl_der);
    while (r->free_frags) {
        struct frag *f = r->free_frags;
        r->free_frags = f->next;
        free(f);
    }
    return 0;
}
