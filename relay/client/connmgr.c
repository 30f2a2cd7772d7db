/* The relay client's connection manager (connmgr.h): the process-wide lws context, its
 * service thread, the per-configuration client vhosts and the request list. */
#include "connmgr.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sasae/common.h"
#include "sasae/envelope.h"

#define TAG "relayclient"

struct vhost_ent {
    struct vhost_ent *next;
    char *key;
    struct lws_vhost *vh;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;
    struct lws_context *ctx;
    pthread_t thread;
    atomic_int stop;
    int evlib, destroying;
    struct rcm_hooks hooks;
    struct rcm_req *ops;      /* requests for the service thread */
    struct vhost_ent *vhosts; /* service thread only */
} mgr = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct lws_context *rcm_context(void)
{
    return mgr.ctx;
}

void rcm_post(struct rcm_req *req, int op)
{
    pthread_mutex_lock(&mgr.mu);
    /* One wakeup per batch: if requests are already pending the service thread has been
     * woken and will see this one too (saves a pipe write per message under load). */
    int wake = mgr.ops == NULL;
    if (req->op == RCM_NONE) {
        req->op = op;
        req->next = mgr.ops;
        mgr.ops = req;
    } else if (op == RCM_FREE) {
        req->op = op; /* a pending START or WAKE is moot once the client is freed */
    }
    pthread_mutex_unlock(&mgr.mu);
    if (wake)
        lws_cancel_service(mgr.ctx);
}

void rcm_wait_released(struct rcm_req *req)
{
    pthread_mutex_lock(&mgr.mu);
    while (!req->released)
        pthread_cond_wait(&mgr.cv, &mgr.mu);
    pthread_mutex_unlock(&mgr.mu);
}

/* Runs requests posted by API threads (on the service thread). */
static void run_ops(void)
{
    pthread_mutex_lock(&mgr.mu);
    struct rcm_req *list = mgr.ops;
    mgr.ops = NULL;
    pthread_mutex_unlock(&mgr.mu);
    while (list) {
        struct rcm_req *req = list;
        pthread_mutex_lock(&mgr.mu);
        list = req->next;
        int op = req->op;
        req->op = RCM_NONE;
        req->next = NULL;
        pthread_mutex_unlock(&mgr.mu);
        mgr.hooks.run(req, op);
        if (op == RCM_FREE) {
            pthread_mutex_lock(&mgr.mu);
            req->released = 1;
            pthread_cond_broadcast(&mgr.cv);
            pthread_mutex_unlock(&mgr.mu);
        }
    }
}

/* The in-memory CA bundle of the vhost being created (service thread only): lws 4.1 loads
 * only the first certificate of client_ssl_ca_mem, the rest are added here. */
static const char *creating_ca_pem;
static size_t creating_ca_pem_len;

static void add_ca_pem(SSL_CTX *ctx)
{
    if (!creating_ca_pem)
        return;
    X509_STORE *st = SSL_CTX_get_cert_store(ctx);
    BIO *b = BIO_new_mem_buf(creating_ca_pem, (int)creating_ca_pem_len);
    X509 *x;
    while (b && st && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        X509_STORE_add_cert(st, x); /* the first one is there already: that is fine */
        X509_free(x);
    }
    ERR_clear_error(); /* the end of the bundle reads as "no start line" */
    BIO_free(b);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        if (atomic_load(&mgr.stop) && mgr.evlib && !mgr.destroying) {
            /* An event library runs inside lws_service() until the context is being
             * destroyed: start that here, on the loop's own thread. */
            mgr.destroying = 1;
            lws_context_destroy(mgr.ctx);
            return 0;
        }
        run_ops();
        return 0;
    }
    if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS) {
        mgr.hooks.ssl_ctx((SSL_CTX *)user);
        add_ca_pem((SSL_CTX *)user);
        return 0;
    }
    return mgr.hooks.callback(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {SASAE_ENV_SUBPROTOCOL, callback, 0, 65536, 0, NULL, RCM_TX_CHUNK},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* One vhost per distinct (CA, client cert, proxy) configuration. */
struct lws_vhost *rcm_vhost(const struct rcm_tls *tls)
{
    char key[4 * 1100], ca_id[2 * 32 + 1] = "";
    if (tls->ca_pem) {
        /* the CA bytes themselves tell configurations apart; without their hash two bundles
         * would share one vhost (and one trust store) */
        unsigned char md[32];
        unsigned int mdl = 0;
        if (EVP_Digest(tls->ca_pem, tls->ca_pem_len, md, &mdl, EVP_sha256(), NULL) != 1 ||
            mdl != 32)
            return NULL;
        for (unsigned i = 0; i < 32; i++)
            snprintf(ca_id + 2 * i, 3, "%02x", md[i]);
    }
    /* ca_file is ignored when ca_pem is set (see the vhost creation below) */
    const char *caf = !tls->ca_pem && tls->ca_file ? tls->ca_file : "";
    snprintf(key, sizeof(key), "%s|mem:%s|%s|%s|%s", caf, ca_id,
             tls->cert_file ? tls->cert_file : "", tls->key_file ? tls->key_file : "",
             tls->proxy ? tls->proxy : "");
    for (struct vhost_ent *e = mgr.vhosts; e; e = e->next)
        if (!strcmp(e->key, key))
            return e->vh;
    struct vhost_ent *e = calloc(1, sizeof(*e));
    if (!e || !(e->key = strdup(key))) {
        free(e);
        return NULL;
    }
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    char name[32];
    static unsigned n_vhosts;
    snprintf(name, sizeof(name), "relayclient-%u", ++n_vhosts);
    info.vhost_name = name;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    if (tls->ca_pem) {
        info.client_ssl_ca_mem = tls->ca_pem;
        info.client_ssl_ca_mem_len = (unsigned int)tls->ca_pem_len;
    } else {
        info.client_ssl_ca_filepath = tls->ca_file;
    }
    info.client_ssl_cert_filepath = tls->cert_file;
    info.client_ssl_private_key_filepath = tls->key_file;
    info.client_tls_1_3_plus_cipher_list = "TLS_AES_256_GCM_SHA384";
    /* NULL would make lws 4.1 read $http_proxy itself: a wss:// client follows https_proxy
     * (as curl does) and --no-proxy must mean no proxy. ":0" sets an empty proxy with port
     * 0, which lws takes as "no proxy" (lws_set_proxy; "" alone logs an error). */
    info.http_proxy_address = tls->proxy ? tls->proxy : ":0";
    creating_ca_pem = tls->ca_pem;
    creating_ca_pem_len = tls->ca_pem_len;
    e->vh = lws_create_vhost(mgr.ctx, &info);
    creating_ca_pem = NULL;
    if (!e->vh) {
        SASAE_ERR(TAG, "cannot create TLS client config (check CA/cert/key files and proxy)");
        free(e->key);
        free(e);
        return NULL;
    }
    e->next = mgr.vhosts;
    mgr.vhosts = e;
    return e->vh;
}

static void *service_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&mgr.stop) || (mgr.evlib && !mgr.destroying))
        if (lws_service(mgr.ctx, 0) && mgr.evlib)
            break;
    return NULL;
}

int rcm_ref(const struct rcm_hooks *hooks)
{
    int rc = 0;
    pthread_mutex_lock(&mgr.mu);
    if (mgr.refs++ == 0) {
        mgr.hooks = *hooks;
        lws_set_log_level(LLL_ERR, NULL);
        struct lws_context_creation_info info;
        memset(&info, 0, sizeof(info));
        info.port = CONTEXT_PORT_NO_LISTEN;
        info.protocols = protocols;
        /* The default vhost only carries the protocol that receives wakeups; connections
         * use per-configuration vhosts (rcm_vhost). */
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        /* Opt-in epoll for processes holding many connections (load generators): poll()
         * costs O(connections) per wakeup. Host and viewer hold one and keep poll(). */
        const char *ev = getenv("SASAE_RELAYCLIENT_EVLIB");
        mgr.evlib = ev && !strcmp(ev, "libev");
        mgr.destroying = 0;
        if (mgr.evlib)
            info.options |= LWS_SERVER_OPTION_LIBEV;
        info.timeout_secs = 60; /* per-attempt deadlines are the client's */
        info.connect_timeout_secs = 60;
        atomic_store(&mgr.stop, 0);
        mgr.ctx = lws_create_context(&info);
        if (!mgr.ctx && mgr.evlib) {
            mgr.evlib = 0;
            info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
            mgr.ctx = lws_create_context(&info);
        }
        if (!mgr.ctx) {
            rc = -ENOMEM;
        } else if (pthread_create(&mgr.thread, NULL, service_main, NULL)) {
            lws_context_destroy(mgr.ctx);
            mgr.ctx = NULL;
            rc = -EAGAIN;
        }
        if (rc)
            mgr.refs = 0;
    }
    pthread_mutex_unlock(&mgr.mu);
    return rc;
}

void rcm_unref(void)
{
    pthread_mutex_lock(&mgr.mu);
    int last = --mgr.refs == 0;
    pthread_mutex_unlock(&mgr.mu);
    if (!last)
        return;
    atomic_store(&mgr.stop, 1);
    lws_cancel_service(mgr.ctx);
    pthread_join(mgr.thread, NULL);
    lws_context_destroy(mgr.ctx);
    mgr.ctx = NULL;
    for (struct vhost_ent *e = mgr.vhosts, *n; e; e = n) {
        n = e->next;
        free(e->key);
        free(e);
    }
    mgr.vhosts = NULL;
}
