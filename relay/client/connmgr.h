/* The relay client's connection manager: one process-wide lws context and service thread
 * (lws keeps per-process OpenSSL state, so contexts cannot be multiplied safely), the
 * client vhosts (one per TLS and proxy configuration), and requests from API threads run
 * on the service thread. It knows nothing of envelopes: the client (relayclient.c) gives it
 * hooks. Private to sasae_relayclient. */
#ifndef SASAE_RELAYCLIENT_CONNMGR_H
#define SASAE_RELAYCLIENT_CONNMGR_H

#include <stddef.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

/* Bytes a client hands to lws_write per WRITEABLE (and lws's tx_packet_size): big enough
 * for throughput, small enough that one large message does not hold the loop for long. */
#define RCM_TX_CHUNK 65536

/* Requests an API thread posts for one client. */
enum rcm_op { RCM_NONE, RCM_START, RCM_WAKE, RCM_FREE };

/* Embedded in each client: its place on the request list. */
struct rcm_req {
    struct rcm_req *next;
    int op;       /* enum rcm_op pending on the list */
    int released; /* the service thread let go of the client (RCM_FREE done) */
};

/* What the manager calls back, on the service thread. */
struct rcm_hooks {
    /* lws callback for the clients' connections (everything but wakeups and TLS setup). */
    lws_callback_function *callback;
    /* Runs a request posted with rcm_post (for RCM_FREE: let go of every lws resource). */
    void (*run)(struct rcm_req *req, int op);
    /* A client SSL_CTX was made for a new vhost: the client's TLS policy goes on it. */
    void (*ssl_ctx)(SSL_CTX *ctx);
};

/* The TLS and proxy configuration that selects a vhost. NULL fields: not set. ca_pem
 * (ca_pem_len bytes) wins over ca_file. */
struct rcm_tls {
    const char *ca_file;
    const char *ca_pem;
    size_t ca_pem_len;
    const char *cert_file, *key_file;
    const char *proxy;
};

/* Takes a reference on the shared context, creating it and its thread on first use (with
 * hooks, which must be the same for every caller). 0 or a negative errno. */
int rcm_ref(const struct rcm_hooks *hooks);
/* Drops a reference; the last one stops the thread and frees the context and vhosts. */
void rcm_unref(void);
/* The shared context (valid between rcm_ref and the last rcm_unref). */
struct lws_context *rcm_context(void);
/* The vhost for tls, made on first use (service thread only); NULL if lws refuses it. */
struct lws_vhost *rcm_vhost(const struct rcm_tls *tls);
/* Queues op for req and wakes the service thread (any thread). RCM_FREE overrides a
 * pending request. */
void rcm_post(struct rcm_req *req, int op);
/* Waits until the service thread has run req's RCM_FREE. */
void rcm_wait_released(struct rcm_req *req);

#endif
