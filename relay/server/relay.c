/* sasae-relay: the libwebsockets adapter around the relay table — TLS policy, envelope
 * dispatch, fragment-by-fragment forwarding with bounded queues, timers, audit, metrics. */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "audit.h"
#include "cluster.h"
#include "config.h"
#include "rxpool.h"
#include "sasae/common.h"
#include "sasae/envelope.h"
#include "sasae/relaytable.h"
#include "wsguard.h"

#define TAG "relay"
#define TICK_US (250 * 1000)
/* X.509 upper bound for CN and O (RFC 5280 ub-common-name, ub-organization-name). */
#define NAME_MAX_LEN 64
/* Bytes of queued frames sent per WRITEABLE (one lws_write, one SSL_write). */
#define TX_CHUNK (64 * 1024)
#define WS_HDR_MAX 14 /* 10, and a 4-byte mask key on node-to-node links */

enum role { R_NONE, R_HOST, R_VIEWER };
enum cstate { C_NEW, C_WAITING, C_PAIRED, C_CLOSING };

/* One queued websocket fragment (or whole relay message) for a connection. */
struct frag {
    struct frag *next;
    size_t len;
    uint8_t first, final;
    uint8_t pooled; /* a frag_block-sized block from the relay's free list */
    uint8_t buf[];  /* len bytes (pooled: frag_block) */
};

struct session {
    uint64_t id;
    char code[SASAE_ENV_CODE_LEN + 1];
    char op[SASAE_ENV_TEXT_MAX + 1], org[SASAE_ENV_TEXT_MAX + 1];
    uint64_t start_ms;
    uint64_t h2v, v2h;
    int refs;
    int ended;
    int remote; /* spliced to the host's node: that node's table holds the session */
};

struct conn {
    struct lws *wsi;
    struct conn *peer;
    struct session *sess;
    struct conn *next, *prev; /* all websocket connections (for ticks) */
    enum role role;
    enum cstate state;
    char addr[64];
    int is_operator;
    char op[NAME_MAX_LEN + 1], org[NAME_MAX_LEN + 1];
    char cert_id[33]; /* operator certificate: first 16 bytes of its SHA-256, hex */
    char code[SASAE_ENV_CODE_LEN + 1];
    uint64_t code_ms; /* when the code was issued (a cluster re-claims it with its rest) */
    int counted;
    uint64_t opened_ms, last_data_ms, stuck_since_ms;
    /* receive side */
    int in_msg;
    uint8_t msg_type;
    size_t msg_len;
    uint8_t *ctl; /* control message being received (malloc'd while in use) */
    size_t ctl_len;
    int paused_peer; /* we paused our peer's reading because our queue is full */
    int dirty;       /* on the relay's dirty list: queued since the last flush pass */
    struct conn *dnext;
    /* send side (to this connection) */
    struct frag *qh, *qt;
    size_t qbytes;
    int out_mid; /* last queued fragment did not end its message */
    int close_after, close_status;
    char close_text[100];
    int peer_closed_normally;
    char peer_end[48];   /* "signal" from a close frame's "end: signal": why its session ended */
    uint8_t left_reason; /* what the peer is told when we go */
    int crl_sub;         /* host asked for the CRL: sent now and again right before pairing */
    /* cluster: 1 = our link to the host's node (a websocket client standing in for the
     * host), 2 = a link from another node (standing in for that node's viewer) */
    int link;
    int splice;       /* messages pass through unread: a viewer and its link (link 1) */
    int established;  /* link 1: the other node accepted it */
    int connecting;   /* link 1: inside lws_client_connect_via_info */
    int conn_failed;  /* link 1: the connection failed while connecting */
    int answered;     /* link 1: the host's node answered the join */
    uint64_t via_sid; /* link 2: the session id the entry node chose */
    char link_path[512];
    char link_host[256];
};

struct http_pss {
    char *body;
    size_t len;
    unsigned status;
};

struct metrics {
    uint64_t conns_total, ws_total, paired_total, registered_total;
    uint64_t bytes_h2v, bytes_v2h, msgs_fwd;
    uint64_t pauses, stuck, expired, burned, join_ok, join_fail, rej_join_fail_global;
    uint64_t rej_rate, rej_addr, rej_full, rej_protocol, rej_toobig, rej_subprotocol,
        rej_not_operator, rej_bad_code, rej_version, rej_idle, rej_hello;
    uint64_t audit_events;
    uint64_t fd_refused_accept, fd_refused_join; /* out of file descriptors */
    uint64_t audit_refused;                      /* audit log unwritable */
    uint64_t mem_refused;                        /* memory tight */
    uint64_t cluster_forwarded, cluster_link_failed, cluster_reaped, cluster_dir_down;
    uint64_t cluster_accepted, link_tx, link_rx; /* joins from other nodes; link payload bytes */
};

struct relay {
    struct relay_config cfg;
    struct lws_context *ctx;
    struct lws_vhost *vh;
    SSL_CTX *ssl_ctx;
    struct sasae_rt *rt;
    struct sasae_audit *audit;
    struct conn *conns;
    size_t n_conns, n_paired_conns;
    uint64_t next_session_id;
    uint64_t join_fail_global_warned_ms;
    lws_sorted_usec_list_t tick;
    lws_sorted_usec_list_t flush_sul; /* runs flush_dirty() once the current I/O is done */
    struct conn *dirty;               /* connections with newly queued frames */
    uint64_t last_sec_ms, last_gc_ms;
    int draining, evlib;
    int nofile;       /* the descriptor limit the relay runs with */
    int probe_fd;     /* /dev/null, duplicated to find the lowest free descriptor (-1: none) */
    long as_limit_kb; /* RLIMIT_AS at start, kB (0: none) */
    uint64_t drain_deadline_ms;
    int drain_cut; /* sessions told to end (at once on a single relay) */
    int exit;
    struct metrics m;
    lws_retry_bo_t retry;
    uint8_t *tx; /* LWS_PRE + the frames of one flush_queue() */
    /* Recycled fragment blocks: most forwarded fragments are one rx buffer long, and
     * blocks that size miss malloc's fast paths. */
    struct frag *free_frags;
    size_t n_free_frags, frag_block;
    /* The CRL file served to hosts (DER of its first CRL), re-read when the file changes:
     * publishing a new CRL reaches hosts at their next pairing without a reload. */
    uint8_t *crl_der;
    size_t crl_der_len;
    struct stat crl_st;
    uint64_t crl_served;
    /* cluster mode (cluster-redis set): the shared directory and the node-to-node vhost */
    struct relay_cluster *cl;
    struct lws_vhost *cluster_vh;
    int cl_reclaim; /* reconnected to Redis: put the waiting codes back (retried until done) */
    int making_cluster_vh; /* the TLS callback below is for the cluster vhost */
};

static struct relay *g_relay; /* only for signal flags -> main loop */
static volatile sig_atomic_t sig_term, sig_hup;

static uint64_t now_ms(void)
{
    return sasae_mono_ns() / 1000000;
}

/* "::ffff:192.0.2.1" -> "192.0.2.1": one key per client whatever the socket family. */
static void norm_addr(char *a)
{
    if (!strncmp(a, "::ffff:", 7) && strchr(a + 7, '.'))
        memmove(a, a + 7, strlen(a + 7) + 1);
}

static int rand_bytes(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* ---- TLS policy ---- */

/* OpenSSL's verdict on an operator certificate stands; a refusal is logged with the
 * certificate's name and OpenSSL's reason (the client only hears the TLS alert). */
static int operator_verify_cb(int ok, X509_STORE_CTX *xs)
{
    if (!ok) {
        X509 *cert = X509_STORE_CTX_get_current_cert(xs);
        char cn[NAME_MAX_LEN + 1] = "?";
        if (cert)
            X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
        SASAE_INFO(TAG, "operator certificate refused: %s (CN=%s, certificate %d of the chain)",
                   X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)), cn,
                   X509_STORE_CTX_get_error_depth(xs));
    }
    return ok;
}

static int load_operator_store(struct relay *r, SSL_CTX *ctx)
{
    if (!r->cfg.operator_ca[0])
        return 0;
    X509_STORE *st = X509_STORE_new();
    if (!st)
        return -1;
    if (X509_STORE_load_file(st, r->cfg.operator_ca) != 1) {
        SASAE_ERR(TAG, "cannot load operator CA %s", r->cfg.operator_ca);
        X509_STORE_free(st);
        return -1;
    }
    X509_LOOKUP *lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
    if (!lu || X509_load_crl_file(lu, r->cfg.crl, X509_FILETYPE_PEM) <= 0) {
        SASAE_ERR(TAG, "cannot load CRL %s", r->cfg.crl);
        X509_STORE_free(st);
        return -1;
    }
    X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_X509_STRICT);
    SSL_CTX_set_cert_store(ctx, st); /* frees the previous store */
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(r->cfg.operator_ca);
    if (names)
        SSL_CTX_set_client_CA_list(ctx, names);
    /* Optional client certificate: hosts have none; operators must present a valid one
     * (an invalid or revoked one fails the handshake). */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, operator_verify_cb);
    static const unsigned char sid[] = "sasae-relay";
    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
    return 0;
}

/* Does cert (any in the operator CA file) sign crl? Only for the log: hosts check it
 * themselves, the relay cannot make a CRL they accept. */
static int crl_signed_by_operator_ca(const struct relay *r, X509_CRL *crl)
{
    BIO *b = BIO_new_file(r->cfg.operator_ca, "r");
    int ok = 0;
    X509 *x;
    while (b && !ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        ok = X509_NAME_cmp(X509_get_subject_name(x), X509_CRL_get_issuer(crl)) == 0 &&
             X509_CRL_verify(crl, X509_get0_pubkey(x)) == 1;
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(b);
    return ok;
}

/* Loads the served CRL if the file changed since the last load (or force). A file that
 * cannot be read or parsed leaves the loaded copy in place. */
static void refresh_served_crl(struct relay *r, int force)
{
    if (!r->cfg.crl[0])
        return;
    struct stat st;
    if (stat(r->cfg.crl, &st) != 0) {
        SASAE_ERR(TAG, "served CRL %s: %s; keeping the loaded one", r->cfg.crl, strerror(errno));
        return;
    }
    if (!force && r->crl_der && st.st_ino == r->crl_st.st_ino && st.st_dev == r->crl_st.st_dev &&
        st.st_size == r->crl_st.st_size && st.st_mtim.tv_sec == r->crl_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == r->crl_st.st_mtim.tv_nsec)
        return;
    BIO *b = BIO_new_file(r->cfg.crl, "r");
    X509_CRL *crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    unsigned char *der = NULL;
    int n = crl ? i2d_X509_CRL(crl, &der) : -1;
    if (n <= 0 || (size_t)n > SASAE_ENV_CRL_MAX) {
        SASAE_ERR(TAG, "served CRL %s: %s; keeping the loaded one", r->cfg.crl,
                  n > 0 ? "larger than an envelope CRL may be" : "not a PEM CRL");
        OPENSSL_free(der);
        X509_CRL_free(crl);
        ERR_clear_error();
        return;
    }
    const ASN1_TIME *nu = X509_CRL_get0_nextUpdate(crl);
    if (!crl_signed_by_operator_ca(r, crl))
        SASAE_WARN(TAG,
                   "served CRL %s is not signed by the operator CA: hosts will refuse "
                   "every operator until it is replaced",
                   r->cfg.crl);
    else if (!nu || X509_cmp_current_time(nu) <= 0)
        SASAE_WARN(TAG,
                   "served CRL %s has expired: hosts will refuse every operator until "
                   "the help desk re-signs it (sasae-certs crl)",
                   r->cfg.crl);
    else
        SASAE_INFO(TAG, "serving CRL %s to hosts (%d bytes)", r->cfg.crl, n);
    OPENSSL_free(r->crl_der);
    r->crl_der = der;
    r->crl_der_len = (size_t)n;
    r->crl_st = st;
    X509_CRL_free(crl);
}

static int apply_tls_policy(struct relay *r, SSL_CTX *ctx)
{
    SSL_CTX_set_min_proto_version(ctx, r->cfg.tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384") != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384") !=
            1) {
        SASAE_ERR(TAG, "cannot set cipher policy");
        return -1;
    }
    /* lws narrows key exchange to one curve with SSL_CTX_set_tmp_ecdh; put ours back. */
    if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1) {
        SASAE_ERR(TAG, "cannot set key exchange groups");
        return -1;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
    /* No resumption: clients connect once per session, and a session cache would keep a
     * few KiB per connection alive (10k idle hosts). */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    return 0;
}

static int reload_certs(struct relay *r)
{
    SSL_CTX *ctx = r->ssl_ctx;
    if (!ctx)
        return -1;
    if (SSL_CTX_use_certificate_chain_file(ctx, r->cfg.cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, r->cfg.key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        SASAE_ERR(TAG, "reload: certificate/key not usable; keeping serving what loaded");
        ERR_clear_error();
        return -1;
    }
    if (load_operator_store(r, ctx))
        return -1;
    return apply_tls_policy(r, ctx);
}

/* ---- RFC 6455 5.1: every client frame is masked ---- */

/* lws 4.1 parses the mask bit of each client frame but accepts a frame without it and does
 * not tell its user which kind came (its parser state is private). Every byte a client sends
 * reaches lws through SSL_read (lib/tls/openssl/openssl-ssl.c), so the relay defines
 * SSL_read itself: the executable comes first in symbol lookup, lws's calls land here, the
 * connection's relay_wsg sees the bytes, and lws gets them unchanged from OpenSSL's
 * SSL_read. main() refuses to start if the lookup does not find this definition. */
static int g_wsg_idx = -1; /* SSL ex_data slot of the connection's struct relay_wsg */
static int (*real_ssl_read)(SSL *, void *, int);

static void wsg_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    free(ptr);
}

int SSL_read(SSL *ssl, void *buf, int num)
{
    if (!real_ssl_read)
        *(void **)&real_ssl_read = dlsym(RTLD_NEXT, "SSL_read");
    if (!real_ssl_read)
        return -1;
    struct relay_wsg *g = g_wsg_idx >= 0 ? SSL_get_ex_data(ssl, g_wsg_idx) : NULL;
    if (g_wsg_idx >= 0 && !g) {
        /* Without a guard the connection cannot be checked: no bytes for it (lws sees an
         * error and closes the connection). */
        if (!(g = calloc(1, sizeof(*g))) || !SSL_set_ex_data(ssl, g_wsg_idx, g)) {
            free(g);
            return -1;
        }
    }
    int n = real_ssl_read(ssl, buf, num);
    if (n > 0 && g)
        relay_wsg_feed(g, buf, (size_t)n);
    return n;
}

/* Sets up the per-connection guards; fails if SSL_read is not ours for lws. */
static int wsguard_init(void)
{
    g_wsg_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, wsg_ex_free);
    void *found = dlsym(RTLD_DEFAULT, "SSL_read");
    if (g_wsg_idx < 0 || found != (void *)SSL_read) {
        SASAE_ERR(TAG, "cannot check websocket frame masking (SSL_read not interposed)");
        return -1;
    }
    return 0;
}

/* What the guard saw on c's connection so far. */
static enum relay_wsg_verdict wsguard_verdict(struct conn *c)
{
    SSL *ssl = lws_get_ssl(c->wsi);
    const struct relay_wsg *g = ssl ? SSL_get_ex_data(ssl, g_wsg_idx) : NULL;
    return g ? (enum relay_wsg_verdict)g->phase : RELAY_WSG_HTTP;
}

/* ---- send queue ---- */

/* Fragments of at least half a block come from the free list; smaller ones are malloc'd
 * to size, so a queue (whose limit counts payload bytes) never holds more than twice its
 * limit in blocks. */
#define FRAG_POOL_MIN_SHARE 2
#define FRAG_POOL_MAX 256 /* blocks kept for reuse (4 MiB with the 16 KiB default rx-buffer) */

static struct frag *frag_new(const uint8_t *data, size_t len, int first, int final)
{
    struct relay *r = g_relay;
    struct frag *f;
    int pooled = len <= r->frag_block && len >= r->frag_block / FRAG_POOL_MIN_SHARE;
    if (pooled && r->free_frags) {
        f = r->free_frags;
        r->free_frags = f->next;
        r->n_free_frags--;
    } else {
        f = malloc(sizeof(*f) + (pooled ? r->frag_block : len));
        if (!f)
            return NULL;
    }
    f->pooled = (uint8_t)pooled;
    f->next = NULL;
    f->len = len;
    f->first = (uint8_t)first;
    f->final = (uint8_t) final;
    if (len)
        memcpy(f->buf, data, len);
    return f;
}

static void flush_dirty(lws_sorted_usec_list_t *sul);
static void flush_now(struct relay *r, struct conn *c);

/* c has fragments queued that were not flushed: make sure flush_dirty() sees them. */
static void mark_dirty(struct conn *c)
{
    struct relay *r = g_relay;
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dnext = r->dirty;
    if (!r->dirty)
        lws_sul_schedule(r->ctx, 0, &r->flush_sul, flush_dirty, 0);
    r->dirty = c;
}

static void unmark_dirty(struct relay *r, struct conn *c)
{
    if (!c->dirty)
        return;
    for (struct conn **pp = &r->dirty; *pp; pp = &(*pp)->dnext)
        if (*pp == c) {
            *pp = c->dnext;
            break;
        }
    c->dirty = 0;
    c->dnext = NULL;
}

static void q_append(struct conn *c, struct frag *f)
{
    if (c->qt)
        c->qt->next = f;
    else
        c->qh = f;
    c->qt = f;
    c->qbytes += f->len;
    c->out_mid = !f->final;
}

static void frag_free(struct relay *r, struct frag *f)
{
    if (f->pooled && r->n_free_frags < FRAG_POOL_MAX) {
        f->next = r->free_frags;
        r->free_frags = f;
        r->n_free_frags++;
        return;
    }
    free(f);
}

static void q_free(struct conn *c)
{
    for (struct frag *f = c->qh, *n; f; f = n) {
        n = f->next;
        frag_free(g_relay, f);
    }
    c->qh = c->qt = NULL;
    c->qbytes = 0;
}

static int send_msg(struct conn *c, const struct sasae_env_msg *m)
{
    uint8_t buf[SASAE_ENV_CONTROL_MAX];
    size_t n;
    if (c->out_mid || sasae_env_serialize(m, buf, sizeof(buf), &n) != SASAE_ENV_OK)
        return -1;
    struct frag *f = frag_new(buf, n, 1, 1);
    if (!f)
        return -1;
    q_append(c, f);
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* Queues the CRL to host c as one message in fragments of at most CONTROL_MAX bytes (the
 * relay's send buffer holds one control message). */
static int send_crl(struct relay *r, struct conn *c)
{
    if (c->out_mid)
        return -1;
    refresh_served_crl(r, 0);
    size_t n = 1 + r->crl_der_len;
    uint8_t *buf = malloc(n);
    if (!buf)
        return -1;
    buf[0] = SASAE_ENV_CRL;
    if (r->crl_der_len)
        memcpy(buf + 1, r->crl_der, r->crl_der_len);
    for (size_t off = 0; off < n;) {
        size_t chunk = n - off < SASAE_ENV_CONTROL_MAX ? n - off : SASAE_ENV_CONTROL_MAX;
        struct frag *f = frag_new(buf + off, chunk, off == 0, off + chunk == n);
        if (!f) {
            free(buf);
            return -1; /* the message is cut: the caller fails the connection */
        }
        q_append(c, f);
        off += chunk;
    }
    free(buf);
    r->crl_served++;
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* Closes c once its queue is flushed (status + short text in the close frame). */
static void close_after_flush(struct conn *c, int status, const char *text)
{
    if (c->close_after)
        return;
    c->close_after = 1;
    c->close_status = status;
    snprintf(c->close_text, sizeof(c->close_text), "%s", text);
    c->state = C_CLOSING;
    lws_callback_on_writable(c->wsi);
    /* A receiver that never reads would never flush: bound the wait. */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, 5);
}

/* ---- cluster: the shared directory ---- */

/* The routing part of code (its first 6 digits), the directory's key. */
static void routing_part(const char *code, char *rp)
{
    memcpy(rp, code, SASAE_RT_ROUTING_DIGITS);
    rp[SASAE_RT_ROUTING_DIGITS] = '\0';
}

/* code is no longer joinable here (consumed, burned, expired, host gone). */
static void cluster_release(struct relay *r, const char *code)
{
    if (!r->cl || strlen(code) < SASAE_RT_ROUTING_DIGITS)
        return;
    char rp[SASAE_RT_ROUTING_DIGITS + 1];
    routing_part(code, rp);
    relay_cluster_release(r->cl, rp);
}

/* A session id: a counter on a single relay; random in a cluster, so that the nodes a
 * session crosses log it under one id without asking each other. */
static uint64_t new_session_id(struct relay *r)
{
    if (!r->cl)
        return ++r->next_session_id;
    uint64_t id = 0;
    if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
        id = ++r->next_session_id;
    id &= INT64_MAX;
    return id ? id : 1;
}

/* Shared failure counters: one key per address, per operator certificate and one for the
 * cluster, each over a minute, so that limits do not multiply with the number of nodes.
 * Returns an SASAE_RT_E_* refusal, or 0. A directory that does not answer refuses nothing
 * here (each node's own table still limits). */
static int cluster_join_limited(struct relay *r, const struct conn *c)
{
    if (!r->cl)
        return 0;
    char k[160];
    snprintf(k, sizeof(k), "global");
    long n = relay_cluster_fail_get(r->cl, k);
    if (n >= (long)r->cfg.max_failed_joins_global)
        return SASAE_RT_E_GLOBAL_RATE;
    snprintf(k, sizeof(k), "addr:%s", c->addr);
    if (relay_cluster_fail_get(r->cl, k) >= (long)r->cfg.max_failed_joins)
        return SASAE_RT_E_RATE;
    if (c->cert_id[0]) {
        snprintf(k, sizeof(k), "cert:%s", c->cert_id);
        if (relay_cluster_fail_get(r->cl, k) >= (long)r->cfg.max_failed_joins)
            return SASAE_RT_E_RATE;
    }
    return 0;
}

static void cluster_join_failed(struct relay *r, const struct conn *c)
{
    if (!r->cl)
        return;
    char k[160];
    relay_cluster_fail_add(r->cl, "global", 60);
    snprintf(k, sizeof(k), "addr:%s", c->addr);
    relay_cluster_fail_add(r->cl, k, 60);
    if (c->cert_id[0]) {
        snprintf(k, sizeof(k), "cert:%s", c->cert_id);
        relay_cluster_fail_add(r->cl, k, 60);
    }
}

/* A waiting host leaves the table (its code can never be joined again). */
static void drop_code(struct conn *c)
{
    if (c->state == C_WAITING && c->code[0]) {
        sasae_rt_unregister(g_relay->rt, c->code);
        cluster_release(g_relay, c->code);
        c->code[0] = '\0';
    }
}

/* Tells c why it is refused/closed (ERROR envelope), then closes it. */
static void fail(struct conn *c, uint16_t code, const char *text, uint8_t left_reason)
{
    if (c->state == C_CLOSING)
        return;
    drop_code(c);
    struct sasae_env_msg m = {.type = SASAE_ENV_ERROR, .error_code = code};
    snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
    c->left_reason = left_reason;
    send_msg(c, &m);
    int status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
    if (code == SASAE_ENV_ERR_TOO_BIG)
        status = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
    else if (code == SASAE_ENV_ERR_SHUTDOWN)
        status = LWS_CLOSE_STATUS_GOINGAWAY;
    else if (code == SASAE_ENV_ERR_INTERNAL)
        status = LWS_CLOSE_STATUS_UNEXPECTED_CONDITION;
    close_after_flush(c, status, sasae_env_error_code_str(code));
}

/* ---- sessions ---- */

static void audit_simple(struct relay *r, const char *event, const struct conn *c,
                         const char *result, const char *reason)
{
    struct sasae_audit_rec a = {
        .event = event,
        .session = c && c->sess ? c->sess->id : 0,
        .code = c && c->code[0] ? c->code : NULL,
        .addr = c ? c->addr : NULL,
        .role = c ? (c->role == R_HOST     ? "host"
                     : c->role == R_VIEWER ? "viewer"
                                           : NULL)
                  : NULL,
        .operator_name = c && c->is_operator ? c->op : NULL,
        .org = c && c->is_operator ? c->org : NULL,
        .result = result,
        .reason = reason,
        .bytes_host_to_viewer = -1,
        .bytes_viewer_to_host = -1,
        .duration_ms = -1,
    };
    sasae_audit_write(r->audit, &a);
    r->m.audit_events++;
}

static void session_end(struct relay *r, struct session *s, const char *ended_by,
                        const char *reason)
{
    if (!s->ended) {
        s->ended = 1;
        struct sasae_audit_rec a = {
            .event = "end",
            .session = s->id,
            .code = s->code,
            .operator_name = s->op,
            .org = s->org,
            .ended_by = ended_by,
            .reason = reason,
            .bytes_host_to_viewer = (int64_t)s->h2v,
            .bytes_viewer_to_host = (int64_t)s->v2h,
            .duration_ms = (int64_t)(now_ms() - s->start_ms),
        };
        sasae_audit_write(r->audit, &a);
        r->m.audit_events++;
        if (!s->remote)
            sasae_rt_session_end(r->rt);
    }
}

static void session_unref(struct session *s)
{
    if (s && --s->refs == 0)
        free(s);
}

/* c is going away (closed or failed): tell its peer and end the session. */
static void detach_peer(struct relay *r, struct conn *c, uint8_t reason, const char *text)
{
    struct conn *p = c->peer;
    if (!p)
        return;
    c->peer = NULL;
    p->peer = NULL;
    /* Whoever was paused for the other's sake must be read again to see its close. */
    if (c->paused_peer)
        lws_rx_flow_control(p->wsi, 1);
    if (p->paused_peer)
        lws_rx_flow_control(c->wsi, 1);
    c->paused_peer = p->paused_peer = 0;
    c->stuck_since_ms = p->stuck_since_ms = 0;
    r->n_paired_conns -= 2;
    if (c->sess)
        session_end(r, c->sess,
                    reason == SASAE_ENV_LEFT_CLOSED || reason == SASAE_ENV_LEFT_LOST ||
                            reason == SASAE_ENV_LEFT_ERROR
                        ? (c->role == R_HOST ? "host" : "viewer")
                        : "relay",
                    text);
    if (p->state == C_CLOSING)
        return;
    if (c->splice) {
        /* A spliced pair: the host's node tells the viewer itself (its PEER_LEFT passes
         * through); toward that node, the close carries why the viewer ended. */
        char t[sizeof(c->peer_end) + 8];
        snprintf(t, sizeof(t), "end: %s", c->peer_end[0] ? c->peer_end : "closed");
        close_after_flush(p, p->out_mid ? LWS_CLOSE_STATUS_GOINGAWAY : LWS_CLOSE_STATUS_NORMAL,
                          p->link == 1 ? t : "peer left");
        return;
    }
    if (p->out_mid) {
        /* Its stream is in the middle of c's message, which will never finish: only a
         * close frame (allowed between fragments) can still be sent. */
        close_after_flush(p, LWS_CLOSE_STATUS_GOINGAWAY, sasae_env_left_str(reason));
        return;
    }
    struct sasae_env_msg m = {.type = SASAE_ENV_PEER_LEFT, .reason = reason};
    snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
    send_msg(p, &m);
    close_after_flush(p, LWS_CLOSE_STATUS_NORMAL, "peer left");
}

/* Descriptors kept free: below FD_RESERVE_NEW free ones, new sessions are refused with a
 * clear error (the refusal needs the connection's own descriptor, which it has); below
 * FD_RESERVE_ACCEPT, new connections are closed at once, so that the relay never reaches
 * EMFILE: the audit log's day file, the metrics scrape and the sessions already running
 * always have theirs. */
#define FD_RESERVE_NEW 16
#define FD_RESERVE_ACCEPT 6

/* Free descriptors left, from the lowest free one (the kernel always hands out the lowest,
 * so under exhaustion every one below it is taken); O(1), no /proc walk. */
static int fd_headroom(const struct relay *r)
{
    if (r->probe_fd < 0)
        return r->nofile; /* cannot tell: never refuse for it */
    int fd = fcntl(r->probe_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return 0; /* EMFILE */
    close(fd);
    return r->nofile - fd;
}

/* Memory kept free for the sessions already running (their forward queues, up to queue-kb
 * per direction each, and the next chunk of receive buffers): below it, new sessions are
 * refused rather than letting a failed allocation end a running one ("out of memory"). */
#define MEM_RESERVE_KB (32 * 1024)

/* kB left before the tighter of memory-limit-mb (against resident memory) and RLIMIT_AS
 * (against the address space, which is what it counts); LONG_MAX if neither is set. */
static long mem_headroom_kb(const struct relay *r)
{
    if (!r->cfg.memory_limit_mb && !r->as_limit_kb)
        return LONG_MAX;
    char buf[128];
    long size = 0, rss = 0, page_kb = sysconf(_SC_PAGESIZE) / 1024;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return LONG_MAX; /* cannot tell: never refuse for it */
    buf[n] = 0;
    if (sscanf(buf, "%ld %ld", &size, &rss) != 2)
        return LONG_MAX;
    long left = LONG_MAX;
    if (r->cfg.memory_limit_mb)
        left = (long)r->cfg.memory_limit_mb * 1024 - rss * page_kb;
    if (r->as_limit_kb && r->as_limit_kb - size * page_kb < left)
        left = r->as_limit_kb - size * page_kb;
    return left;
}

/* A new session cannot be served safely: refuse it with a reason the client shows. */
static bool refuse_new_session(struct relay *r, struct conn *c, const char *what)
{
    if (!sasae_audit_ok(r->audit)) {
        /* no session the log cannot record: the refusal itself is queued, and written with
         * the held records once the disk takes them */
        if (!r->m.audit_refused++ || r->m.audit_refused % 100 == 0)
            SASAE_WARN(TAG, "audit log unwritable: refusing new sessions (%llu refused so far)",
                       (unsigned long long)r->m.audit_refused);
        audit_simple(r, what, c, "refused", "audit log unwritable");
        fail(c, SASAE_ENV_ERR_INTERNAL, "the relay cannot write its audit log: try again later", 0);
        return true;
    }
    long mem = mem_headroom_kb(r);
    if (mem < MEM_RESERVE_KB) {
        if (!r->m.mem_refused++ || r->m.mem_refused % 100 == 0)
            SASAE_WARN(TAG,
                       "low on memory (%ld MB left before the limit, %d MB kept for running "
                       "sessions): refusing new sessions (%llu refused so far; raise "
                       "memory-limit-mb / the ulimit)",
                       mem / 1024, MEM_RESERVE_KB / 1024, (unsigned long long)r->m.mem_refused);
        audit_simple(r, what, c, "refused", "relay low on memory");
        fail(c, SASAE_ENV_ERR_FULL, "the relay is low on memory: try again later", 0);
        return true;
    }
    int left = fd_headroom(r);
    if (left >= FD_RESERVE_NEW)
        return false;
    if (!r->m.fd_refused_join++ || r->m.fd_refused_join % 100 == 0)
        SASAE_WARN(TAG,
                   "out of file descriptors (%d of %d left): refusing new sessions "
                   "(%llu refused so far; raise LimitNOFILE / nofile)",
                   left, r->nofile, (unsigned long long)r->m.fd_refused_join);
    audit_simple(r, what, c, "refused", "relay out of file descriptors");
    fail(c, SASAE_ENV_ERR_FULL, "the relay is out of file descriptors: try again later", 0);
    return true;
}

static void handle_register(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    if (m->version != SASAE_ENV_VERSION) {
        r->m.rej_version++;
        fail(c, SASAE_ENV_ERR_VERSION, "this relay speaks envelope version 1", 0);
        return;
    }
    if (r->draining) {
        fail(c, SASAE_ENV_ERR_SHUTDOWN, "", 0);
        return;
    }
    if (refuse_new_session(r, c, "register"))
        return;
    int rc = sasae_rt_register(r->rt, c, now_ms(), c->code);
    /* In a cluster the routing part must be unique among every node's live codes: claim it
     * in the directory, and draw again while another node holds it. */
    for (int tries = 0; !rc && r->cl; tries++) {
        char rp[SASAE_RT_ROUTING_DIGITS + 1];
        routing_part(c->code, rp);
        int claimed = relay_cluster_claim(r->cl, rp, r->cfg.code_ttl);
        if (claimed == 1)
            break;
        sasae_rt_unregister(r->rt, c->code);
        c->code[0] = '\0';
        if (claimed < 0 || tries == 16) {
            r->m.cluster_dir_down += claimed < 0;
            fail(c, SASAE_ENV_ERR_INTERNAL,
                 "the relay cluster's directory is unavailable: try again shortly", 0);
            audit_simple(r, "register", c, "refused", "cluster directory unavailable");
            return;
        }
        rc = sasae_rt_register(r->rt, c, now_ms(), c->code);
    }
    if (rc) {
        r->m.rej_full += rc == SASAE_RT_E_FULL;
        fail(c, rc == SASAE_RT_E_FULL ? SASAE_ENV_ERR_FULL : SASAE_ENV_ERR_INTERNAL,
             sasae_rt_strerror(rc), 0);
        audit_simple(r, "register", c, "refused", sasae_rt_strerror(rc));
        return;
    }
    c->role = R_HOST;
    c->state = C_WAITING;
    c->code_ms = now_ms();
    struct sasae_env_msg out = {.type = SASAE_ENV_CODE, .valid_secs = r->cfg.code_ttl};
    memcpy(out.code, c->code, sizeof(out.code));
    send_msg(c, &out);
    r->m.registered_total++;
    audit_simple(r, "register", c, "ok", NULL);
}

/* After Redis came back (restarted empty, failed over, or this node was cut off long
 * enough to be taken for dead): every waiting host's routing part is claimed again for the
 * rest of its code's life. A routing part another node holds now cannot stay valid here
 * (the same code could be live twice): that host is told to register again. 0, or -EIO. */
static int cluster_reclaim_all(struct relay *r, uint64_t t)
{
    int n = 0, lost = 0;
    for (struct conn *c = r->conns; c; c = c->next) {
        if (c->state != C_WAITING || c->role != R_HOST || !c->code[0])
            continue;
        uint64_t age_s = (t - c->code_ms) / 1000;
        if (age_s >= r->cfg.code_ttl)
            continue; /* expires on this tick */
        char rp[SASAE_RT_ROUTING_DIGITS + 1];
        routing_part(c->code, rp);
        int rc = relay_cluster_reclaim(r->cl, rp, (unsigned)(r->cfg.code_ttl - age_s));
        if (rc < 0)
            return -EIO;
        if (rc == 0) {
            lost++;
            audit_simple(r, "end", c, "failed",
                         "code taken by another node after a directory loss");
            sasae_rt_unregister(r->rt, c->code);
            c->code[0] = '\0';
            fail(c, SASAE_ENV_ERR_UNPAIRED, "the code is no longer valid: register again", 0);
            continue;
        }
        n++;
    }
    SASAE_INFO(TAG, "cluster directory reconnected: %d waiting codes claimed again, %d lost", n,
               lost);
    return 0;
}

/* The table burned h's code (5 near misses): audit it with the addresses, tell the host. */
static void burn_code(struct relay *r, struct conn *h, const struct sasae_rt_burn *b)
{
    char why[SASAE_RT_BURN_AFTER * (SASAE_RT_ADDR_MAX + 2) + 64];
    size_t n = (size_t)snprintf(why, sizeof(why), "%d failed joins from", SASAE_RT_BURN_AFTER);
    for (int i = 0; i < SASAE_RT_BURN_AFTER && n < sizeof(why); i++)
        n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s", i ? ", " : " ", b->addrs[i]);
    SASAE_WARN(TAG, "code %.6s... burned: %s", b->code, why);
    r->m.burned++;
    audit_simple(r, "burned", h, "burned", why);
    cluster_release(r, b->code);
    h->code[0] = '\0'; /* already out of the table; its routing part may be reissued */
    fail(h, SASAE_ENV_ERR_BURNED, "wrong check digits were tried 5 times; register again", 0);
}

/* ---- cluster: node-to-node links ---- */

static void hex_encode(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 3 <= cap; in++, n += 2)
        snprintf(out + n, 3, "%02x", (unsigned char)*in);
    out[n] = '\0';
    if (!n && cap > 1)
        strcpy(out, "-");
}

/* Decodes hex (or "-": empty) into out; -1 on anything else or if it does not fit. */
static int hex_decode(const char *in, char *out, size_t cap)
{
    if (!strcmp(in, "-")) {
        out[0] = '\0';
        return 0;
    }
    size_t len = strlen(in);
    if (len % 2 || len / 2 >= cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)in[2 * i]) || !isxdigit((unsigned char)in[2 * i + 1]) ||
            sscanf(in + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (char)v;
    }
    out[len / 2] = '\0';
    return 0;
}

/* Takes c off the relay's connection list (a link that never became a connection). */
static void conn_unlink(struct relay *r, struct conn *c)
{
    unmark_dirty(r, c);
    q_free(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    r->n_conns--;
}

/* Link l to the host's node could not be made: the viewer hears why; l is freed. */
static void link_failed(struct relay *r, struct conn *l, const char *why)
{
    struct conn *v = l->peer;
    r->m.cluster_link_failed++;
    SASAE_WARN(TAG, "node-to-node link to %s failed: %s", l->link_host, why ? why : "?");
    if (v) {
        l->peer = NULL;
        v->peer = NULL;
        v->splice = 0;
        r->n_paired_conns -= 2;
        if (v->sess)
            v->sess->ended = 1; /* never began: no end record */
        audit_simple(r, "join", v, "failed", "host's relay node unreachable");
        fail(v, SASAE_ENV_ERR_INTERNAL, "the host's relay node cannot be reached: try again", 0);
    }
    conn_unlink(r, l);
    session_unref(l->sess);
    free(l);
}

/* Viewer c asked for a code that the node at addr ("host:port") holds: open a mutually
 * authenticated TLS websocket to that node's cluster listener and splice c to it. The link
 * carries c's JOIN first (still in c->ctl) and then every message both ways unread: the
 * end-to-end channel is the host's and the viewer's alone. The viewer's verified identity
 * (address, certificate, operator, organisation) and the session id go in the request
 * path, which only a node with the cluster's certificate can send. */
static void link_open(struct relay *r, struct conn *c, const char *addr)
{
    struct conn *l = calloc(1, sizeof(*l));
    struct session *s = calloc(1, sizeof(*s));
    struct frag *f = c->ctl ? frag_new(c->ctl, c->ctl_len, 1, 1) : NULL;
    const char *colon = strrchr(addr, ':');
    if (!l || !s || !f || !colon || colon == addr ||
        (size_t)(colon - addr) >= sizeof(l->link_host)) {
        free(l);
        free(s);
        if (f)
            frag_free(r, f);
        fail(c, SASAE_ENV_ERR_INTERNAL, "cannot reach the host's relay node", 0);
        return;
    }
    memcpy(l->link_host, addr, (size_t)(colon - addr));
    uint64_t t = now_ms();
    s->id = new_session_id(r);
    memcpy(s->code, c->code, sizeof(s->code));
    snprintf(s->op, sizeof(s->op), "%s", c->op);
    snprintf(s->org, sizeof(s->org), "%s", c->org);
    s->start_ms = t;
    s->refs = 2;
    s->remote = 1;
    char ha[2 * sizeof(c->addr) + 1], ho[2 * sizeof(c->op) + 1], hg[2 * sizeof(c->org) + 1];
    hex_encode(c->addr, ha, sizeof(ha));
    hex_encode(c->op, ho, sizeof(ho));
    hex_encode(c->org, hg, sizeof(hg));
    snprintf(l->link_path, sizeof(l->link_path), "/via/%016llx/%s/%s/%s/%s",
             (unsigned long long)s->id, ha, c->cert_id[0] ? c->cert_id : "-", ho, hg);
    l->link = 1;
    l->splice = 1;
    l->role = R_HOST;
    l->state = C_PAIRED;
    l->peer = c;
    l->sess = s;
    l->opened_ms = l->last_data_ms = t;
    snprintf(l->addr, sizeof(l->addr), "%.63s", addr);
    q_append(l, f);
    c->splice = 1;
    c->peer = l;
    c->sess = s;
    c->state = C_PAIRED;
    c->last_data_ms = t;
    r->n_paired_conns += 2;
    l->next = r->conns;
    if (r->conns)
        r->conns->prev = l;
    r->conns = l;
    r->n_conns++;

    struct lws_client_connect_info i;
    memset(&i, 0, sizeof(i));
    i.context = r->ctx;
    i.vhost = r->cluster_vh;
    i.address = l->link_host;
    i.port = atoi(colon + 1);
    i.path = l->link_path;
    i.host = l->link_host;
    i.origin = l->link_host;
    i.protocol = SASAE_ENV_SUBPROTOCOL;
    i.local_protocol_name = SASAE_ENV_SUBPROTOCOL;
    i.ssl_connection = LCCSCF_USE_SSL;
    i.userdata = l;
    l->connecting = 1;
    struct lws *w = lws_client_connect_via_info(&i);
    l->connecting = 0;
    if (!w || l->conn_failed) {
        link_failed(r, l, "connect");
        return;
    }
    l->wsi = w;
    r->m.cluster_forwarded++;
    audit_simple(r, "join", c, "forwarded", addr);
}

/* A link from another node arrived on the cluster listener (its TLS client certificate
 * was verified against cluster-ca): c stands for that node's viewer, whose identity the
 * path carries. 0, or -1 if the path is not a link's. */
static int link_accept(struct relay *r, struct conn *c)
{
    char p[600], *save = NULL;
    if (lws_hdr_copy(c->wsi, p, sizeof(p), WSI_TOKEN_GET_URI) <= 0)
        return -1;
    char *via = strtok_r(p, "/", &save), *sid = strtok_r(NULL, "/", &save),
         *ha = strtok_r(NULL, "/", &save), *cert = strtok_r(NULL, "/", &save),
         *ho = strtok_r(NULL, "/", &save), *hg = strtok_r(NULL, "/", &save);
    if (!via || strcmp(via, "via") || !sid || !ha || !cert || !ho || !hg ||
        strtok_r(NULL, "/", &save) || strlen(sid) != 16 || strlen(cert) >= sizeof(c->cert_id))
        return -1;
    char *end;
    unsigned long long id = strtoull(sid, &end, 16);
    if (*end || !id)
        return -1;
    char addr[sizeof(c->addr)], op[sizeof(c->op)], org[sizeof(c->org)];
    if (hex_decode(ha, addr, sizeof(addr)) || hex_decode(ho, op, sizeof(op)) ||
        hex_decode(hg, org, sizeof(org)) || !op[0] ||
        !sasae_env_text_valid((const uint8_t *)op, strlen(op)) ||
        !sasae_env_text_valid((const uint8_t *)org, strlen(org)))
        return -1;
    r->m.cluster_accepted++;
    c->link = 2;
    c->via_sid = id;
    c->is_operator = 1; /* the entry node verified the operator's certificate */
    memcpy(c->addr, addr, sizeof(addr));
    memcpy(c->op, op, sizeof(op));
    memcpy(c->org, org, sizeof(org));
    snprintf(c->cert_id, sizeof(c->cert_id), "%s", strcmp(cert, "-") ? cert : "");
    return 0;
}

static void handle_join(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    c->role = R_VIEWER;
    if (m->version != SASAE_ENV_VERSION) {
        r->m.rej_version++;
        fail(c, SASAE_ENV_ERR_VERSION, "this relay speaks envelope version 1", 0);
        return;
    }
    if (r->draining) {
        fail(c, SASAE_ENV_ERR_SHUTDOWN, "", 0);
        return;
    }
    if (refuse_new_session(r, c, "join"))
        return;
    void *hostp = NULL;
    struct sasae_rt_burn burn;
    memcpy(c->code, m->code, sizeof(c->code));
    int rc = c->is_operator ? cluster_join_limited(r, c) : 0;
    int dir_down = 0;
    if (!rc && r->cl && c->is_operator && c->link != 2) {
        /* Another node holds the code: join across (a link from a node is never passed on,
         * so a stale directory entry cannot make a loop). */
        char rp[SASAE_RT_ROUTING_DIGITS + 1], addr[256];
        int self = 0;
        routing_part(m->code, rp);
        int found = relay_cluster_lookup(r->cl, rp, addr, sizeof(addr), &self);
        if (found == 1 && !self) {
            link_open(r, c, addr);
            return;
        }
        dir_down = found < 0;
    }
    if (!rc)
        rc = sasae_rt_join(r->rt, c->addr, c->cert_id, m->code, c->is_operator, now_ms(), &hostp,
                           &burn);
    struct conn *h = hostp;
    if (rc == SASAE_RT_E_BURNED) {
        burn_code(r, h, &burn);
        rc = SASAE_RT_E_BAD_CODE; /* the joiner hears what any wrong code gets */
    }
    if (rc == SASAE_RT_E_BAD_CODE && dir_down) {
        /* Not held here, and the directory cannot say where: the code may be a good one on
         * another node, so the viewer is told to retry rather than that the code is wrong
         * (this node's table has counted the failure all the same). */
        r->m.join_fail++;
        r->m.cluster_dir_down++;
        audit_simple(r, "join", c, "failed", "cluster directory unavailable");
        fail(c, SASAE_ENV_ERR_INTERNAL,
             "the relay cluster's directory is unavailable: try again shortly", 0);
        return;
    }
    if (rc != SASAE_RT_OK) {
        r->m.join_fail++;
        uint16_t code = SASAE_ENV_ERR_BAD_CODE;
        if (rc == SASAE_RT_E_RATE) {
            code = SASAE_ENV_ERR_RATE;
            r->m.rej_rate++;
        } else if (rc == SASAE_RT_E_GLOBAL_RATE) {
            code = SASAE_ENV_ERR_RATE;
            if (!r->m.rej_join_fail_global++ || now_ms() - r->join_fail_global_warned_ms >= 60000) {
                r->join_fail_global_warned_ms = now_ms();
                SASAE_WARN(TAG,
                           "relay-wide failed-join cap (%u/min) reached: refusing all joins "
                           "until it refills (%llu refused so far)",
                           r->cfg.max_failed_joins_global,
                           (unsigned long long)r->m.rej_join_fail_global);
            }
        } else if (rc == SASAE_RT_E_NOT_AUTH) {
            code = SASAE_ENV_ERR_NOT_OPERATOR;
            r->m.rej_not_operator++;
        } else {
            r->m.rej_bad_code++;
            cluster_join_failed(r, c);
        }
        audit_simple(r, "join", c, "failed", sasae_rt_strerror(rc));
        fail(c, code, sasae_rt_strerror(rc), 0);
        return;
    }
    struct session *s = calloc(1, sizeof(*s));
    if (!s) {
        sasae_rt_session_end(r->rt);
        fail(h, SASAE_ENV_ERR_INTERNAL, "", 0);
        fail(c, SASAE_ENV_ERR_INTERNAL, "", 0);
        return;
    }
    cluster_release(r, m->code); /* consumed */
    s->id = c->link == 2 ? c->via_sid : new_session_id(r);
    memcpy(s->code, m->code, sizeof(s->code));
    snprintf(s->op, sizeof(s->op), "%s", c->op);
    snprintf(s->org, sizeof(s->org), "%s", c->org);
    s->start_ms = now_ms();
    s->refs = 2;
    c->sess = h->sess = s;
    c->peer = h;
    h->peer = c;
    c->state = h->state = C_PAIRED;
    c->last_data_ms = h->last_data_ms = s->start_ms;
    r->n_paired_conns += 2;
    r->m.join_ok++;
    r->m.paired_total++;
    struct sasae_env_msg to_host = {.type = SASAE_ENV_PEER_JOINED};
    snprintf(to_host.text, sizeof(to_host.text), "%s", c->op);
    snprintf(to_host.org, sizeof(to_host.org), "%s", c->org);
    struct sasae_env_msg to_viewer = {.type = SASAE_ENV_PEER_JOINED};
    /* The host checks the operator against the CRL as published now, not as it was when
     * it registered: a revocation since then reaches a host that is already waiting. */
    if (h->crl_sub)
        send_crl(r, h);
    send_msg(h, &to_host);
    send_msg(c, &to_viewer);
    audit_simple(r, "join", c, "ok", NULL);
    audit_simple(r, "paired", c, "ok", NULL);
}

static void handle_audit(struct relay *r, struct conn *c, const struct sasae_env_msg *m)
{
    struct sasae_audit_rec a = {
        .event = "host-event",
        .session = c->sess->id,
        .code = c->sess->code,
        .addr = c->addr,
        .role = "host",
        .operator_name = c->sess->op,
        .org = c->sess->org,
        .result = sasae_env_audit_str(m->reason),
        .reason = m->text[0] ? m->text : NULL,
        .bytes_host_to_viewer = -1,
        .bytes_viewer_to_host = -1,
        .duration_ms = -1,
    };
    sasae_audit_write(r->audit, &a);
    r->m.audit_events++;
}

static void handle_control(struct relay *r, struct conn *c)
{
    struct sasae_env_msg m;
    int rc = sasae_env_parse(c->ctl, c->ctl_len, &m);
    if (rc) {
        r->m.rej_protocol++;
        fail(c, SASAE_ENV_ERR_PROTOCOL, sasae_env_strerror(rc), SASAE_ENV_LEFT_ERROR);
        return;
    }
    if (m.type == SASAE_ENV_REGISTER && c->state == C_NEW && c->link != 2)
        handle_register(r, c, &m);
    else if (m.type == SASAE_ENV_JOIN && c->state == C_NEW)
        handle_join(r, c, &m);
    else if (m.type == SASAE_ENV_AUDIT && c->state == C_PAIRED && c->role == R_HOST)
        handle_audit(r, c, &m);
    else if (m.type == SASAE_ENV_CRL_REQUEST && c->state == C_WAITING && c->role == R_HOST &&
             m.version == SASAE_ENV_VERSION && !c->crl_sub) {
        c->crl_sub = 1;
        if (send_crl(r, c))
            fail(c, SASAE_ENV_ERR_INTERNAL, "cannot send the CRL", SASAE_ENV_LEFT_ERROR);
    } else {
        r->m.rej_protocol++;
        char t[80];
        snprintf(t, sizeof(t), "unexpected %s message", sasae_env_type_str(m.type));
        fail(c, SASAE_ENV_ERR_PROTOCOL, t, SASAE_ENV_LEFT_ERROR);
    }
}

/* c broke RFC 6455 framing: ERROR protocol with the reason, then a close frame with status
 * (1002 protocol error, 1003 data type not accepted). Nothing of the frame is forwarded. */
static void refuse_frame(struct relay *r, struct conn *c, int status, const char *text)
{
    if (c->state == C_CLOSING)
        return;
    r->m.rej_protocol++;
    SASAE_INFO(TAG, "%s: %s: closing with %d", c->addr, text, status);
    fail(c, SASAE_ENV_ERR_PROTOCOL, text, SASAE_ENV_LEFT_ERROR);
    c->close_status = status;
}

/* The websocket-level rules, checked before any byte of a frame is used: masked frames
 * only (RFC 6455 5.1), binary messages only (sasae.v1 carries no text; 7.4.1: 1003). */
static int frame_refused(struct relay *r, struct conn *c)
{
    if (wsguard_verdict(c) != RELAY_WSG_FRAMES) {
        refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR, "unmasked client frame");
        return 1;
    }
    if (!lws_frame_is_binary(c->wsi)) {
        refuse_frame(r, c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frame");
        return 1;
    }
    return 0;
}

/* A spliced viewer or its link (cluster): every message passes to the other side as it
 * came, fragment by fragment, with the usual queue limits; only the first message from the
 * host's node (its answer to the join) is looked at, for the audit log. */
/* Queues one received fragment of a DATA message for the peer p and forwards it: at the end
 * of each message, or once half a TX chunk is waiting, every fragment of a message that came
 * in one TLS read goes out in one write, without a POLLOUT round trip (two epoll_ctl calls
 * and a wakeup per message). Counts the bytes in the session's direction (h2v: from the
 * host) and pauses reading from c while p's queue is full. Shared by clients and the
 * node-to-node link. */
static void forward(struct relay *r, struct conn *c, struct conn *p, const uint8_t *in, size_t len,
                    int first, int final, bool h2v)
{
    struct frag *f = frag_new(in, len, first, final);
    if (!f) {
        fail(c, SASAE_ENV_ERR_INTERNAL, "out of memory", SASAE_ENV_LEFT_ERROR);
        return;
    }
    q_append(p, f);
    if (final || p->qbytes >= TX_CHUNK / 2)
        flush_now(r, p);
    else
        mark_dirty(p);
    uint64_t t = now_ms();
    c->last_data_ms = t;
    if (c->sess) {
        if (h2v)
            c->sess->h2v += len, r->m.bytes_h2v += len;
        else
            c->sess->v2h += len, r->m.bytes_v2h += len;
    }
    if (p->link)
        r->m.link_tx += len;
    if (c->link)
        r->m.link_rx += len;
    if (final)
        r->m.msgs_fwd++;
    /* Backpressure: the peer's queue is full, stop reading this sender until it drains;
     * TCP then pushes back on the sender. */
    if (p->qbytes > (size_t)r->cfg.queue_kb * 1024 && !p->paused_peer) {
        p->paused_peer = 1;
        p->stuck_since_ms = t;
        r->m.pauses++;
        lws_rx_flow_control(c->wsi, 0);
    }
}

static int splice_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len)
{
    int final = lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi);
    struct conn *p = c->peer;
    int first = !c->in_msg;
    if (first) {
        if (!len && !final)
            return 0;
        c->in_msg = 1;
        c->msg_len = 0;
        c->msg_type = len ? in[0] : 0;
        if (c->link == 1 && !c->answered && p) {
            c->answered = 1;
            if (c->msg_type == SASAE_ENV_PEER_JOINED) {
                audit_simple(r, "join", p, "ok", "joined on the host's node");
                audit_simple(r, "paired", p, "ok", NULL);
                r->m.join_ok++;
                r->m.paired_total++;
            } else {
                audit_simple(r, "join", p, "failed", "refused by the host's node");
                r->m.join_fail++;
                if (p->sess)
                    p->sess->ended = 1; /* never began: no end record */
            }
        }
    }
    c->msg_len += len;
    if (c->msg_len > SASAE_ENV_MSG_MAX) {
        r->m.rej_toobig++;
        fail(c, SASAE_ENV_ERR_TOO_BIG, "message over 1 MiB + 65 bytes", SASAE_ENV_LEFT_ERROR);
        return 0;
    }
    if (final)
        c->in_msg = 0;
    if (!p)
        return 0;
    if (p->link == 1 && !p->established) {
        r->m.rej_protocol++;
        fail(c, SASAE_ENV_ERR_PROTOCOL, "data before pairing", SASAE_ENV_LEFT_ERROR);
        return 0;
    }
    forward(r, c, p, in, len, first, final, c->link == 1);
    return 0;
}

static int on_receive(struct relay *r, struct conn *c, const uint8_t *in, size_t len)
{
    if (c->state == C_CLOSING)
        return 0; /* discard: we are only flushing our goodbye */
    /* Our own link receives the other node's server frames (unmasked by rule). */
    if (c->link == 1 ? !lws_frame_is_binary(c->wsi) : frame_refused(r, c)) {
        if (c->link == 1)
            refuse_frame(r, c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text frame");
        return 0;
    }
    if (c->splice)
        return splice_receive(r, c, in, len);
    int final = lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi);
    if (!c->in_msg) {
        if (!len) {
            if (final) {
                r->m.rej_protocol++;
                fail(c, SASAE_ENV_ERR_PROTOCOL, "empty message", SASAE_ENV_LEFT_ERROR);
            }
            return 0;
        }
        c->in_msg = 1;
        c->msg_type = in[0];
        c->msg_len = 0;
        c->ctl_len = 0;
        if (!sasae_env_type_known(c->msg_type)) {
            r->m.rej_protocol++;
            fail(c, SASAE_ENV_ERR_PROTOCOL, "unknown message type", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
    }
    int first = c->msg_len == 0;
    c->msg_len += len;
    if (c->msg_len > SASAE_ENV_MSG_MAX) {
        r->m.rej_toobig++;
        fail(c, SASAE_ENV_ERR_TOO_BIG, "message over 1 MiB + 65 bytes", SASAE_ENV_LEFT_ERROR);
        return 0;
    }
    if (c->msg_type == SASAE_ENV_DATA) {
        struct conn *p = c->peer;
        if (c->state != C_PAIRED || !p) {
            r->m.rej_protocol++;
            fail(c, SASAE_ENV_ERR_PROTOCOL, "data before pairing", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        forward(r, c, p, in, len, first, final, c->role == R_HOST);
    } else {
        if (!c->ctl && !(c->ctl = malloc(SASAE_ENV_CONTROL_MAX))) {
            fail(c, SASAE_ENV_ERR_INTERNAL, "out of memory", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        if (c->ctl_len + len > SASAE_ENV_CONTROL_MAX) {
            r->m.rej_protocol++;
            fail(c, SASAE_ENV_ERR_PROTOCOL, "control message too long", SASAE_ENV_LEFT_ERROR);
            return 0;
        }
        memcpy(c->ctl + c->ctl_len, in, len);
        c->ctl_len += len;
    }
    if (final) {
        c->in_msg = 0;
        if (c->msg_type != SASAE_ENV_DATA) {
            handle_control(r, c);
            free(c->ctl);
            c->ctl = NULL;
        }
    }
    return 0;
}

/* Writes one server (unmasked) websocket frame header for a payload of len bytes; returns
 * its size (at most WS_HDR_MAX). */
static size_t ws_frame_header_len(uint8_t *h, int opcode, int fin, size_t len);

static size_t ws_frame_header(uint8_t *h, int opcode, int fin, size_t len, const uint8_t *mask)
{
    size_t n = ws_frame_header_len(h, opcode, fin, len);
    if (mask) {
        h[1] |= 0x80;
        memcpy(h + n, mask, 4);
        n += 4;
    }
    return n;
}

static size_t ws_frame_header_len(uint8_t *h, int opcode, int fin, size_t len)
{
    h[0] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        h[1] = (uint8_t)len;
        return 2;
    }
    if (len < 65536) {
        h[1] = 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++)
        h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

/* Sends as much of c's queue as fits in one TX chunk with a single lws_write: consecutive
 * queued fragments of one message become one websocket frame, and several frames (whole
 * messages, or the pieces of one) share the write, so a 4 KiB message that arrived as
 * 4096 + 1 byte fragments costs one TLS record and one syscall, not two. lws buffers a
 * partial kernel write itself and finishes it before the next WRITEABLE, so frames are
 * never interleaved with its own control frames. */
static int flush_queue(struct relay *r, struct conn *c)
{
    uint8_t *out = r->tx + LWS_PRE;
    size_t n = 0;
    struct frag *f = c->qh;
    while (f) {
        /* the run f..e: f and the following fragments of the same message that fit */
        struct frag *e = f;
        size_t plen = f->len;
        while (!e->final && e->next && n + WS_HDR_MAX + plen + e->next->len <= TX_CHUNK) {
            e = e->next;
            plen += e->len;
        }
        if (n && n + WS_HDR_MAX + plen > TX_CHUNK)
            break; /* next write (a lone fragment always fits: r->tx has room for one) */
        int first = f->first, fin = e->final;
        /* Frames we send as a websocket client (a link to another node) are masked, with a
         * fresh key each (RFC 6455 5.3). */
        uint8_t key[4];
        int mask = c->link == 1;
        if (mask && RAND_bytes(key, sizeof(key)) != 1)
            return -1;
        n += ws_frame_header(out + n, first ? 2 : 0, fin, plen, mask ? key : NULL);
        struct frag *stop = e->next;
        size_t fo = 0;
        while (f != stop) {
            struct frag *nx = f->next;
            memcpy(out + n, f->buf, f->len);
            if (mask)
                for (size_t j = 0; j < f->len; j++, fo++)
                    out[n + j] ^= key[fo & 3];
            n += f->len;
            c->qbytes -= f->len;
            frag_free(r, f);
            f = nx;
        }
        if (n >= TX_CHUNK)
            break;
    }
    c->qh = f;
    if (!f)
        c->qt = NULL;
    if (lws_write(c->wsi, out, n, LWS_WRITE_RAW) < (int)n)
        return -1;
    return 0;
}

/* After frames left c's queue: resume its paused sender once the queue is down to a
 * quarter of the limit (hysteresis). */
static void after_flush(struct relay *r, struct conn *c)
{
    if (c->paused_peer && c->qbytes <= (size_t)r->cfg.queue_kb * 256) {
        c->paused_peer = 0;
        c->stuck_since_ms = 0;
        if (c->peer)
            lws_rx_flow_control(c->peer->wsi, 1);
    }
}

static int on_writeable(struct relay *r, struct conn *c)
{
    if (!c->qh) {
        if (c->close_after) {
            lws_close_reason(c->wsi, (enum lws_close_status)c->close_status,
                             (unsigned char *)c->close_text, strlen(c->close_text));
            return -1;
        }
        return 0;
    }
    if (flush_queue(r, c))
        return -1;
    after_flush(r, c);
    if (c->qh || c->close_after)
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* Writes c's queue now unless lws still holds unsent bytes for its socket or c is closing; whatever
 * is left (socket full, more than one TX chunk, a close to send) waits for WRITEABLE. A kernel
 * write only partly accepted is buffered by lws and finished before anything else goes out on that
 * socket, so frames never interleave. */
static void flush_now(struct relay *r, struct conn *c)
{
    /* A closing connection (ours or the peer's close frame already on the wire) is left
     * to lws's WRITEABLE handling, which knows the websocket close state: a frame written
     * directly could follow a close frame. */
    int direct = c->state != C_CLOSING && !c->peer_closed_normally;
    if (direct && c->qh && !lws_partial_buffered(c->wsi)) {
        if (flush_queue(r, c)) {
            q_free(c);
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            return;
        }
        after_flush(r, c);
    }
    if (c->qh || c->close_after || lws_partial_buffered(c->wsi))
        lws_callback_on_writable(c->wsi);
}

/* Fallback for fragments queued without a flush (a message whose rest has not arrived):
 * lws runs ripe timers when the event loop has nothing else pending, or with its next
 * timer; the message's final fragment flushes them anyway. */
static void flush_dirty(lws_sorted_usec_list_t *sul)
{
    struct relay *r = lws_container_of(sul, struct relay, flush_sul);
    struct conn *list = r->dirty;
    r->dirty = NULL;
    while (list) {
        struct conn *c = list;
        list = c->dnext;
        c->dirty = 0;
        c->dnext = NULL;
        flush_now(r, c);
    }
}

static void conn_established(struct relay *r, struct conn *c, struct lws *wsi)
{
    memset(c, 0, sizeof(*c));
    c->wsi = wsi;
    c->opened_ms = now_ms();
    lws_get_peer_simple(wsi, c->addr, sizeof(c->addr));
    norm_addr(c->addr);
    c->next = r->conns;
    if (r->conns)
        r->conns->prev = c;
    r->conns = c;
    r->n_conns++;
    r->m.ws_total++;
    SSL *ssl = lws_get_ssl(wsi);
    X509 *pc = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
    if (pc && SSL_get_verify_result(ssl) == X509_V_OK) {
        X509_NAME *sn = X509_get_subject_name(pc);
        char cn[NAME_MAX_LEN + 1] = "", o[NAME_MAX_LEN + 1] = "";
        X509_NAME_get_text_by_NID(sn, NID_commonName, cn, sizeof(cn));
        X509_NAME_get_text_by_NID(sn, NID_organizationName, o, sizeof(o));
        /* Names go into envelopes and logs: only accept what the envelope can carry. */
        if (cn[0] && sasae_env_text_valid((uint8_t *)cn, strlen(cn)) &&
            sasae_env_text_valid((uint8_t *)o, strlen(o))) {
            c->is_operator = 1;
            memcpy(c->op, cn, sizeof(cn));
            memcpy(c->org, o, sizeof(o));
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int mdlen = 0;
            if (X509_digest(pc, EVP_sha256(), md, &mdlen) == 1 && mdlen >= 16)
                for (int i = 0; i < 16; i++)
                    snprintf(c->cert_id + 2 * i, 3, "%02x", md[i]);
        }
    }
    if (r->cluster_vh && lws_get_vhost(wsi) == r->cluster_vh && link_accept(r, c)) {
        SASAE_WARN(TAG, "%s: node-to-node link with a bad request path: refused", c->addr);
        fail(c, SASAE_ENV_ERR_PROTOCOL, "not a node-to-node link", 0);
        return;
    }
    if (r->draining) {
        fail(c, SASAE_ENV_ERR_SHUTDOWN, "", 0);
        return;
    }
    /* The guard must have found the end of the upgrade request where lws did, or it could
     * not follow the frames after it. */
    if (wsguard_verdict(c) != RELAY_WSG_FRAMES) {
        refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR,
                     wsguard_verdict(c) == RELAY_WSG_HTTP ? "upgrade request not understood"
                                                          : "unmasked client frame");
        return;
    }
    if (c->link == 2)
        return; /* the viewer's connection is counted on its own node */
    int rc = sasae_rt_conn_open(r->rt, c->addr, c->opened_ms);
    if (rc) {
        r->m.rej_addr++;
        fail(c, SASAE_ENV_ERR_RATE, sasae_rt_strerror(rc), 0);
        return;
    }
    c->counted = 1;
}

/* A close frame (2-byte status, then UTF-8 text) whose text is "end: REASON" tells why the
 * endpoint ended its session (the END record itself is end-to-end encrypted): REASON, in
 * letters, digits, spaces, '_' and '-' only, goes to the audit log. */
static void peer_end_reason(struct conn *c, const void *in, size_t len)
{
    static const char pfx[] = "end: ";
    const char *t = (const char *)in + 2;
    c->peer_end[0] = 0;
    if (!in || len < 2 + sizeof pfx || memcmp(t, pfx, sizeof pfx - 1) != 0)
        return;
    size_t n = 0, i;
    for (i = 2 + sizeof pfx - 1; i < len && n < sizeof c->peer_end - 1; i++) {
        char ch = ((const char *)in)[i];
        if (!(isalnum((unsigned char)ch) || ch == ' ' || ch == '_' || ch == '-'))
            break;
        c->peer_end[n++] = ch;
    }
    c->peer_end[i == len ? n : 0] = 0; /* anything else in it: not recorded */
}

static void conn_closed(struct relay *r, struct conn *c)
{
    if (!c->wsi)
        return; /* never established */
    if (c->counted)
        sasae_rt_conn_release(r->rt, c->addr);
    if (c->state == C_WAITING) {
        audit_simple(r, "end", c, "unpaired", "host left before anyone joined");
        drop_code(c);
    }
    if (c->peer) {
        uint8_t reason = c->left_reason            ? c->left_reason
                         : c->peer_closed_normally ? SASAE_ENV_LEFT_CLOSED
                                                   : SASAE_ENV_LEFT_LOST;
        detach_peer(r, c, reason,
                    reason == SASAE_ENV_LEFT_CLOSED && c->peer_end[0] ? c->peer_end
                                                                      : sasae_env_left_str(reason));
    }
    unmark_dirty(r, c);
    session_unref(c->sess);
    c->sess = NULL;
    free(c->ctl);
    c->ctl = NULL;
    q_free(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    r->n_conns--;
    c->wsi = NULL;
}

/* ---- HTTP: /healthz and /metrics ---- */

static size_t rx_buffers_metrics(char *b, size_t cap);

/* The faults the relay refuses new sessions for (docs/operations.md "What happens on each
 * fault"). */
static size_t fault_metrics(struct relay *r, char *b, size_t cap)
{
    struct sasae_audit_counts ac;
    sasae_audit_counts(r->audit, &ac);
    long mem = mem_headroom_kb(r); /* -1 in the metric: no limit */
    int n =
        snprintf(b, cap,
                 "# TYPE sasae_relay_fd_headroom gauge\nsasae_relay_fd_headroom %d\n"
                 "# TYPE sasae_relay_fd_refusals_total counter\n"
                 "sasae_relay_fd_refusals_total{stage=\"accept\"} %llu\n"
                 "sasae_relay_fd_refusals_total{stage=\"session\"} %llu\n"
                 "# TYPE sasae_relay_audit_ok gauge\nsasae_relay_audit_ok %d\n"
                 "# TYPE sasae_relay_audit_pending gauge\nsasae_relay_audit_pending %lu\n"
                 "# TYPE sasae_relay_audit_write_errors_total counter\n"
                 "sasae_relay_audit_write_errors_total %lu\n"
                 "# TYPE sasae_relay_audit_dropped_total counter\n"
                 "sasae_relay_audit_dropped_total %lu\n"
                 "# TYPE sasae_relay_audit_refusals_total counter\n"
                 "sasae_relay_audit_refusals_total %llu\n"
                 "# TYPE sasae_relay_memory_headroom_bytes gauge\n"
                 "sasae_relay_memory_headroom_bytes %lld\n"
                 "# TYPE sasae_relay_memory_refusals_total counter\n"
                 "sasae_relay_memory_refusals_total %llu\n",
                 fd_headroom(r), (unsigned long long)r->m.fd_refused_accept,
                 (unsigned long long)r->m.fd_refused_join, sasae_audit_ok(r->audit) ? 1 : 0,
                 ac.pending, ac.write_errors, ac.dropped, (unsigned long long)r->m.audit_refused,
                 mem == LONG_MAX ? -1LL
                 : mem < 0       ? 0LL
                                 : (long long)mem * 1024,
                 (unsigned long long)r->m.mem_refused);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* The cluster's figures: the directory's (cluster.c), cross-node sessions now (entry: a
 * viewer here spliced to the host's node; holder: a link from another node paired with a
 * host here), joins passed on and taken over, and the payload bytes on node-to-node links. */
static size_t cluster_metrics(struct relay *r, char *b, size_t cap)
{
    size_t entry = 0, holder = 0, links = 0;
    for (struct conn *c = r->conns; c; c = c->next) {
        links += c->link != 0;
        entry += c->link == 1 && c->established && c->peer;
        holder += c->link == 2 && c->state == C_PAIRED;
    }
    size_t n = relay_cluster_metrics(r->cl, b, cap);
    const struct metrics *m = &r->m;
    int k = snprintf(b + n, cap - n,
                     "# TYPE sasae_relay_cluster_sessions gauge\n"
                     "sasae_relay_cluster_sessions{side=\"entry\"} %zu\n"
                     "sasae_relay_cluster_sessions{side=\"holder\"} %zu\n"
                     "# TYPE sasae_relay_cluster_links gauge\nsasae_relay_cluster_links %zu\n"
                     "# TYPE sasae_relay_cluster_joins_total counter\n"
                     "sasae_relay_cluster_joins_total{dir=\"forwarded\"} %llu\n"
                     "sasae_relay_cluster_joins_total{dir=\"accepted\"} %llu\n"
                     "# TYPE sasae_relay_cluster_link_failures_total counter\n"
                     "sasae_relay_cluster_link_failures_total %llu\n"
                     "# TYPE sasae_relay_cluster_link_bytes_total counter\n"
                     "sasae_relay_cluster_link_bytes_total{dir=\"out\"} %llu\n"
                     "sasae_relay_cluster_link_bytes_total{dir=\"in\"} %llu\n"
                     "# TYPE sasae_relay_cluster_codes_reaped_total counter\n"
                     "sasae_relay_cluster_codes_reaped_total %llu\n"
                     "# TYPE sasae_relay_cluster_refused_total counter\n"
                     "sasae_relay_cluster_refused_total{reason=\"directory\"} %llu\n",
                     entry, holder, links, (unsigned long long)m->cluster_forwarded,
                     (unsigned long long)m->cluster_accepted,
                     (unsigned long long)m->cluster_link_failed, (unsigned long long)m->link_tx,
                     (unsigned long long)m->link_rx, (unsigned long long)m->cluster_reaped,
                     (unsigned long long)m->cluster_dir_down);
    if (k > 0 && (size_t)k < cap - n)
        n += (size_t)k;
    return n;
}

static char *metrics_text(struct relay *r, size_t *len)
{
    size_t cap = 16384;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    long rss_pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        long vm;
        if (fscanf(f, "%ld %ld", &vm, &rss_pages) != 2)
            rss_pages = 0;
        fclose(f);
    }
    const struct metrics *m = &r->m;
    int n = snprintf(
        b, cap,
        "# TYPE sasae_relay_connections gauge\nsasae_relay_connections %zu\n"
        "# TYPE sasae_relay_connections_total counter\nsasae_relay_connections_total %llu\n"
        "# TYPE sasae_relay_websockets_total counter\nsasae_relay_websockets_total %llu\n"
        "# TYPE sasae_relay_sessions gauge\nsasae_relay_sessions %zu\n"
        "# TYPE sasae_relay_codes gauge\nsasae_relay_codes %zu\n"
        "# TYPE sasae_relay_paired gauge\nsasae_relay_paired %zu\n"
        "# TYPE sasae_relay_registered_total counter\nsasae_relay_registered_total %llu\n"
        "# TYPE sasae_relay_paired_total counter\nsasae_relay_paired_total %llu\n"
        "# TYPE sasae_relay_bytes_total counter\n"
        "sasae_relay_bytes_total{dir=\"host_to_viewer\"} %llu\n"
        "sasae_relay_bytes_total{dir=\"viewer_to_host\"} %llu\n"
        "# TYPE sasae_relay_messages_forwarded_total counter\n"
        "sasae_relay_messages_forwarded_total %llu\n"
        "# TYPE sasae_relay_flow_pauses_total counter\nsasae_relay_flow_pauses_total %llu\n"
        "# TYPE sasae_relay_drops_total counter\n"
        "sasae_relay_drops_total{reason=\"stuck\"} %llu\n"
        "sasae_relay_drops_total{reason=\"code_expired\"} %llu\n"
        "sasae_relay_drops_total{reason=\"code_burned\"} %llu\n"
        "sasae_relay_drops_total{reason=\"idle\"} %llu\n"
        "sasae_relay_drops_total{reason=\"hello_timeout\"} %llu\n"
        "# TYPE sasae_relay_rejects_total counter\n"
        "sasae_relay_rejects_total{reason=\"rate\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"addr_limit\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"full\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"protocol\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"too_big\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"subprotocol\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"not_operator\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"bad_code\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"join_fail_global\"} %llu\n"
        "sasae_relay_rejects_total{reason=\"version\"} %llu\n"
        "# TYPE sasae_relay_joins_total counter\n"
        "sasae_relay_joins_total{result=\"ok\"} %llu\n"
        "sasae_relay_joins_total{result=\"failed\"} %llu\n"
        "# TYPE sasae_relay_audit_events_total counter\nsasae_relay_audit_events_total %llu\n"
        "# TYPE sasae_relay_crl_served_total counter\nsasae_relay_crl_served_total %llu\n"
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
        r->n_conns, (unsigned long long)m->conns_total, (unsigned long long)m->ws_total,
        sasae_rt_sessions(r->rt), sasae_rt_codes(r->rt), r->n_paired_conns / 2,
        (unsigned long long)m->registered_total, (unsigned long long)m->paired_total,
        (unsigned long long)m->bytes_h2v, (unsigned long long)m->bytes_v2h,
        (unsigned long long)m->msgs_fwd, (unsigned long long)m->pauses,
        (unsigned long long)m->stuck, (unsigned long long)m->expired, (unsigned long long)m->burned,
        (unsigned long long)m->rej_idle, (unsigned long long)m->rej_hello,
        (unsigned long long)m->rej_rate, (unsigned long long)m->rej_addr,
        (unsigned long long)m->rej_full, (unsigned long long)m->rej_protocol,
        (unsigned long long)m->rej_toobig, (unsigned long long)m->rej_subprotocol,
        (unsigned long long)m->rej_not_operator, (unsigned long long)m->rej_bad_code,
        (unsigned long long)m->rej_join_fail_global, (unsigned long long)m->rej_version,
        (unsigned long long)m->join_ok, (unsigned long long)m->join_fail,
        (unsigned long long)m->audit_events, (unsigned long long)r->crl_served,
        rss_pages * sysconf(_SC_PAGESIZE));
    *len = n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
    *len += rx_buffers_metrics(b + *len, cap - *len);
    *len += fault_metrics(r, b + *len, cap - *len);
    if (r->cl)
        *len += cluster_metrics(r, b + *len, cap - *len);
    return b;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    struct relay *r = g_relay;
    struct http_pss *ps = user;
    switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        if (r->making_cluster_vh) /* node certificates: lws verifies them (cluster-ca) */
            return apply_tls_policy(r, (SSL_CTX *)user) ? 1 : 0;
        r->ssl_ctx = (SSL_CTX *)user;
        if (load_operator_store(r, r->ssl_ctx) || apply_tls_policy(r, r->ssl_ctx))
            return 1;
        return 0;
    case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
        /* Only the cluster listener asks (the public one verifies operators itself):
         * OpenSSL's verdict on a node certificate stands (lws's default accepts all). */
        if (!len) {
            r->m.cluster_link_failed++;
            SASAE_WARN(TAG, "node-to-node link refused: certificate not signed by cluster-ca");
        }
        return len ? 0 : 1;
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
        char addr[64] = "";
        lws_get_peer_simple_fd((lws_sockfd_type)(lws_intptr_t)in, addr, sizeof(addr));
        norm_addr(addr);
        r->m.conns_total++;
        /* A draining cluster node still answers: /healthz says 503 to the balancer, and a
         * client that still comes is told the relay is shutting down. */
        if (r->draining && !r->cl)
            return 1;
        if (fd_headroom(r) < FD_RESERVE_ACCEPT) {
            r->m.fd_refused_accept++;
            return 1;
        }
        if (!(r->cluster_vh && lws_get_vhost(wsi) == r->cluster_vh) &&
            sasae_rt_conn_admit(r->rt, addr, now_ms())) {
            r->m.rej_rate++;
            return 1;
        }
        return 0;
    }
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* A websocket upgrade that did not ask for sasae.v1 lands here: refuse it. */
        r->m.rej_subprotocol++;
        return 1;
    case LWS_CALLBACK_HTTP: {
        const char *path = in ? (const char *)in : "";
        ps->status = HTTP_STATUS_NOT_FOUND;
        if (!strcmp(path, "/healthz")) {
            ps->status = r->draining ? HTTP_STATUS_SERVICE_UNAVAILABLE : HTTP_STATUS_OK;
            ps->body = strdup(r->draining ? "draining\n" : "ok\n");
            ps->len = ps->body ? strlen(ps->body) : 0;
        } else if (!strcmp(path, "/metrics")) {
            ps->status = HTTP_STATUS_OK;
            ps->body = metrics_text(r, &ps->len);
        } else {
            ps->body = strdup("not found\n");
            ps->len = ps->body ? strlen(ps->body) : 0;
        }
        uint8_t hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr);
        if (lws_add_http_common_headers(wsi, ps->status, "text/plain; version=0.0.4", ps->len, &p,
                                        end) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (!ps->body)
            return -1;
        uint8_t *buf = malloc(LWS_PRE + ps->len);
        if (!buf)
            return -1;
        memcpy(buf + LWS_PRE, ps->body, ps->len);
        int w = lws_write(wsi, buf + LWS_PRE, ps->len, LWS_WRITE_HTTP_FINAL);
        free(buf);
        free(ps->body);
        ps->body = NULL;
        if (w < (int)ps->len)
            return -1;
        if (lws_http_transaction_completed(wsi))
            return -1;
        return 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
        if (ps) {
            free(ps->body);
            ps->body = NULL;
        }
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                 size_t len)
{
    struct relay *r = g_relay;
    struct conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        conn_established(r, c, wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return on_receive(r, c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(r, c);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        c->peer_closed_normally = 1;
        peer_end_reason(c, in, len);
        return 0;
    case LWS_CALLBACK_CLOSED:
        conn_closed(r, c);
        return 0;
    /* our links to other nodes (cluster) */
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c->wsi = wsi;
        c->established = 1;
        flush_now(r, c); /* the viewer's JOIN */
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return on_receive(r, c, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writeable(r, c);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c)
            return 0;
        if (c->connecting) {
            c->conn_failed = 1; /* link_open cleans up */
            return 0;
        }
        link_failed(r, c, in ? (const char *)in : "connection error");
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c)
            return 0;
        c->wsi = wsi;
        conn_closed(r, c);
        free(c);
        return 0;
    default:
        return 0;
    }
}

/* ---- timers and signals ---- */

/* Tells every connection the relay is going (keep_sessions: all but paired ones). */
static void drain_tell(struct relay *r, int keep_sessions)
{
    for (struct conn *c = r->conns; c; c = c->next) {
        if (c->state == C_CLOSING)
            continue;
        if (keep_sessions && c->peer)
            continue;
        if (c->peer) {
            c->left_reason = SASAE_ENV_LEFT_SHUTDOWN;
            detach_peer(r, c, SASAE_ENV_LEFT_SHUTDOWN, "relay shutting down");
            struct sasae_env_msg m = {.type = SASAE_ENV_PEER_LEFT,
                                      .reason = SASAE_ENV_LEFT_SHUTDOWN};
            send_msg(c, &m); /* refused (and only the close sent) if mid-message */
            close_after_flush(c, LWS_CLOSE_STATUS_GOINGAWAY, "relay shutting down");
            continue;
        }
        fail(c, SASAE_ENV_ERR_SHUTDOWN, "relay shutting down", SASAE_ENV_LEFT_SHUTDOWN);
    }
}

static void start_drain(struct relay *r)
{
    if (r->draining)
        return;
    r->draining = 1;
    r->drain_deadline_ms = now_ms() + (uint64_t)r->cfg.drain_timeout * 1000;
    /* In a cluster the balancer sends new customers to the other nodes (/healthz says
     * draining): running sessions may finish, up to drain-timeout; then they are cut like
     * a single relay's. */
    SASAE_INFO(TAG, "draining: telling %zu connections%s", r->n_conns,
               r->cl ? " (sessions may run on until drain-timeout)" : "");
    drain_tell(r, r->cl != NULL);
    r->drain_cut = r->cl == NULL;
}

static void tick(lws_sorted_usec_list_t *sul)
{
    struct relay *r = lws_container_of(sul, struct relay, tick);
    uint64_t t = now_ms();
    if (sig_hup) {
        sig_hup = 0;
        SASAE_INFO(TAG, "SIGHUP: reopening audit log, reloading certificates");
        sasae_audit_reopen(r->audit);
        reload_certs(r);
        refresh_served_crl(r, 1);
    }
    if (sig_term)
        start_drain(r);
    if (r->draining && !r->drain_cut && t >= r->drain_deadline_ms) {
        SASAE_INFO(TAG, "drain-timeout: ending %zu sessions", r->n_paired_conns / 2);
        drain_tell(r, 0);
        r->drain_cut = 1;
        r->drain_deadline_ms = t + 2000; /* for the goodbyes to leave */
    }
    if (r->draining && (!r->n_conns || (r->drain_cut && t >= r->drain_deadline_ms))) {
        r->exit = 1;
        /* With an event library lws_service() runs the loop until the context is being
         * destroyed; this first destroy call stops it (main() completes it). */
        if (r->evlib)
            lws_context_destroy(r->ctx);
        else
            lws_cancel_service(r->ctx);
        return;
    }
    if (t - r->last_sec_ms >= 1000) {
        r->last_sec_ms = t;
        int reaped = 0;
        /* A draining node stays alive in the directory while its sessions finish. */
        if (r->cl && relay_cluster_heartbeat(r->cl, &reaped) == 0) {
            r->m.cluster_reaped += (uint64_t)reaped;
            if (relay_cluster_take_reconnected(r->cl))
                r->cl_reclaim = 1;
            if (r->cl_reclaim)
                r->cl_reclaim = cluster_reclaim_all(r, t) < 0;
        }
        void *hosts[256];
        size_t n;
        while ((n = sasae_rt_expire(r->rt, t, hosts, 256)) > 0) {
            for (size_t i = 0; i < n; i++) {
                struct conn *h = hosts[i];
                r->m.expired++;
                audit_simple(r, "end", h, "expired", "nobody joined before the code expired");
                cluster_release(r, h->code);
                h->code[0] = '\0';
                fail(h, SASAE_ENV_ERR_UNPAIRED, "nobody joined before the code expired", 0);
            }
            if (n < 256)
                break;
        }
        for (struct conn *c = r->conns; c; c = c->next) {
            /* An unmasked ping or pong never reaches on_receive: caught here. */
            if (c->state != C_CLOSING && c->link != 1 && wsguard_verdict(c) == RELAY_WSG_UNMASKED) {
                refuse_frame(r, c, LWS_CLOSE_STATUS_PROTOCOL_ERR, "unmasked client frame");
                continue;
            }
            if (c->state == C_NEW && t - c->opened_ms > (uint64_t)r->cfg.hello_timeout * 1000) {
                r->m.rej_hello++;
                fail(c, SASAE_ENV_ERR_PROTOCOL, "no register or join in time", 0);
            } else if (c->state == C_PAIRED && c->peer && c->role == R_HOST &&
                       t - c->last_data_ms > (uint64_t)r->cfg.idle_timeout * 1000 &&
                       t - c->peer->last_data_ms > (uint64_t)r->cfg.idle_timeout * 1000) {
                r->m.rej_idle++;
                detach_peer(r, c, SASAE_ENV_LEFT_TIMEOUT, "idle timeout");
                fail(c, SASAE_ENV_ERR_IDLE, "no data in either direction", 0);
            } else if (c->paused_peer && c->stuck_since_ms &&
                       t - c->stuck_since_ms > (uint64_t)r->cfg.stuck_timeout * 1000) {
                /* c has not read its data for too long: cut it, free its queue at once
                 * (it cannot be flushed), and tell the sender why. */
                r->m.stuck++;
                SASAE_WARN(TAG, "cutting %s %s: queue full for %u s", c->addr,
                           c->role == R_HOST ? "host" : "viewer", r->cfg.stuck_timeout);
                struct conn *p = c->peer;
                c->paused_peer = 0;
                if (p)
                    lws_rx_flow_control(p->wsi, 1);
                detach_peer(r, c, SASAE_ENV_LEFT_STUCK, "peer did not read its data in time");
                q_free(c);
                c->out_mid = 0;
                c->state = C_CLOSING;
                lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            }
        }
    }
    if (t - r->last_gc_ms >= 10000) {
        r->last_gc_ms = t;
        sasae_rt_gc(r->rt, t);
        /* TLS handshakes leave freed buffers scattered over the heap; hand them back so
         * RSS tracks the connections actually held (matters at 10k+ idle hosts). */
        malloc_trim(0);
    }
    lws_sul_schedule(r->ctx, 0, &r->tick, tick, TICK_US);
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        sig_hup = 1;
    else
        sig_term = 1;
    if (g_relay && g_relay->ctx)
        lws_cancel_service(g_relay->ctx);
}

static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        n--;
    sasae_log(level == LLL_ERR ? SASAE_LOG_WARN : SASAE_LOG_DEBUG, "lws", "%.*s", (int)n, line);
}

/* lws's per-connection websocket receive buffer ("rx_ubuf", rx-buffer + LWS_PRE + 4 bytes,
 * malloc'd at the upgrade) is almost never written on a server: lws 4.1 unmasks data frames
 * in place in its per-thread read buffer and hands them to us from there
 * (lws_ws_frame_rest_is_payload); only control-frame payloads (<= 125 bytes) land in it.
 * Served from page-aligned reserved slots, its untouched pages cost no RSS: ~4 KB less per
 * idle connection with the default rx-buffer, with reads still rx-buffer bytes at a time
 * (bench/RESULTS-relay.md). Everything else lws allocates goes to the heap as before. */
static struct sasae_rxpool *g_rxpool;

static void *lws_alloc_hook(void *ptr, size_t size, const char *reason)
{
    if (ptr && g_rxpool && sasae_rxpool_owns(g_rxpool, ptr)) {
        size_t have = sasae_rxpool_buf_size(g_rxpool);
        if (size && size <= have)
            return ptr;
        void *n = size ? malloc(size) : NULL;
        if (size && !n)
            return NULL; /* realloc semantics: the old buffer stays valid */
        if (n)
            memcpy(n, ptr, have);
        sasae_rxpool_put(g_rxpool, ptr);
        return n;
    }
    if (!ptr && g_rxpool && size && size <= sasae_rxpool_buf_size(g_rxpool) && reason &&
        !strcmp(reason, "rx_ubuf")) {
        void *b = sasae_rxpool_get(g_rxpool);
        if (b)
            return b; /* else the heap, as without the pool */
    }
    if (!size) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Installs lws_alloc_hook for receive buffers of rx_buffer bytes; without a pool (no
 * address space) lws keeps using the heap. */
static void rx_buffers_in_pool(unsigned rx_buffer)
{
    g_rxpool = sasae_rxpool_new((size_t)rx_buffer + LWS_PRE + 4, 1024);
    if (!g_rxpool)
        SASAE_WARN(TAG, "receive buffer pool unavailable (%s): using the heap", strerror(errno));
    lws_set_allocator(lws_alloc_hook);
}

/* Appends the pool's gauges to /metrics text at b (cap bytes); returns the bytes added. */
static size_t rx_buffers_metrics(char *b, size_t cap)
{
    int n = snprintf(b, cap,
                     "# TYPE sasae_relay_rx_buffers gauge\nsasae_relay_rx_buffers %zu\n"
                     "# TYPE sasae_relay_rx_buffer_resident_bytes gauge\n"
                     "sasae_relay_rx_buffer_resident_bytes %zu\n",
                     g_rxpool ? sasae_rxpool_in_use(g_rxpool) : 0,
                     g_rxpool ? sasae_rxpool_resident(g_rxpool) : 0);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* After lws_context_destroy() (or a failed create): lws holds no receive buffer any more. */
static void rx_buffers_release(void)
{
    sasae_rxpool_free(g_rxpool);
    g_rxpool = NULL;
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

static const struct lws_protocols protocols_tpl[] = {
    {"sasae-http", http_cb, sizeof(struct http_pss), 0, 0, NULL, 0},
    {SASAE_ENV_SUBPROTOCOL, ws_cb, sizeof(struct conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Cluster mode: the directory, and the node-to-node listener whose TLS requires a client
 * certificate signed by cluster-ca (its client side makes our links). 0 or -1. */
static int cluster_start(struct relay *r, const struct lws_protocols *protocols)
{
    r->cl = relay_cluster_new(r->cfg.cluster_redis, r->cfg.cluster_sentinel_master,
                              r->cfg.cluster_node, r->cfg.cluster_advertise);
    if (!r->cl) {
        SASAE_ERR(TAG,
                  "cluster-redis must be host:port (or, with cluster-sentinel-master, up to "
                  "%d Sentinels host:port,host:port,...)",
                  RELAY_CLUSTER_SERVERS_MAX);
        return -1;
    }
    struct lws_context_creation_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.port = (int)r->cfg.cluster_port;
    ci.iface = r->cfg.listen;
    ci.protocols = protocols;
    ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS |
                 LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
    ci.ssl_cert_filepath = r->cfg.cluster_cert;
    ci.ssl_private_key_filepath = r->cfg.cluster_key;
    ci.ssl_ca_filepath = r->cfg.cluster_ca;
    ci.client_ssl_cert_filepath = r->cfg.cluster_cert;
    ci.client_ssl_private_key_filepath = r->cfg.cluster_key;
    ci.client_ssl_ca_filepath = r->cfg.cluster_ca;
    ci.tls1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    ci.client_tls_1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    ci.alpn = "http/1.1";
    ci.timeout_secs = r->cfg.handshake_timeout;
    ci.retry_and_idle_policy = &r->retry;
    ci.vhost_name = "sasae-cluster";
    r->making_cluster_vh = 1;
    r->cluster_vh = lws_create_vhost(r->ctx, &ci);
    r->making_cluster_vh = 0;
    if (!r->cluster_vh) {
        SASAE_ERR(TAG, "cannot start the node-to-node listener on %s:%u (cert %s, key %s, ca %s)",
                  r->cfg.listen, r->cfg.cluster_port, r->cfg.cluster_cert, r->cfg.cluster_key,
                  r->cfg.cluster_ca);
        relay_cluster_free(r->cl);
        r->cl = NULL;
        return -1;
    }
    int reaped = 0;
    if (relay_cluster_heartbeat(r->cl, &reaped))
        SASAE_WARN(TAG, "cluster directory %s not reachable yet: registrations fail until it is",
                   r->cfg.cluster_redis);
    SASAE_INFO(TAG, "cluster node %s: node-to-node links on %s:%u, advertised as %s",
               r->cfg.cluster_node, r->cfg.listen, r->cfg.cluster_port, r->cfg.cluster_advertise);
    return 0;
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
                      lws_log_emit);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (wsguard_init())
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
    if (!r->rt)
        return 1;
    g_relay = r;

    struct lws_protocols protocols[3];
    memcpy(protocols, protocols_tpl, sizeof(protocols));
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
    refresh_served_crl(r, 1);
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
    /* poll() costs O(connections) per wakeup; libev uses epoll. */
    if (!strcmp(r->cfg.event_loop, "libev")) {
        info.options |= LWS_SERVER_OPTION_LIBEV;
        r->evlib = 1;
    }
    rx_buffers_in_pool(r->cfg.rx_buffer);
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
        rx_buffers_release();
        sasae_audit_close(r->audit);
        sasae_rt_free(r->rt);
        return 1;
    }
    /* lws set its single ECDH curve after our callback ran: apply the policy again. */
    if (!r->ssl_ctx || apply_tls_policy(r, r->ssl_ctx)) {
        SASAE_ERR(TAG, "TLS policy could not be applied");
        lws_context_destroy(r->ctx);
        rx_buffers_release();
        return 1;
    }
    if (r->cfg.tls12)
        SASAE_WARN(TAG, "TLS 1.2 enabled by configuration (tls12 = 1): TLS 1.3 "
                        "TLS_AES_256_GCM_SHA384, and TLS 1.2 ECDHE with AES-256-GCM only");
    else
        SASAE_INFO(TAG, "TLS 1.3 only, TLS_AES_256_GCM_SHA384 only");
    if (r->cfg.cluster_redis[0] && cluster_start(r, protocols)) {
        lws_context_destroy(r->ctx);
        rx_buffers_release();
        return 1;
    }
    SASAE_INFO(TAG, "listening on wss://%s:%u/ (nofile %d, operators %s)", r->cfg.listen,
               r->cfg.port, nofile, r->cfg.operator_ca[0] ? "enabled" : "DISABLED: no CA");
    /* Tests and supervisors wait for this line on stdout. */
    printf("sasae-relay ready port=%u\n", r->cfg.port);
    fflush(stdout);
    r->last_sec_ms = r->last_gc_ms = now_ms();
    lws_sul_schedule(r->ctx, 0, &r->tick, tick, TICK_US);
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
    rx_buffers_release();
    sasae_audit_close(r->audit);
    sasae_rt_free(r->rt);
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
