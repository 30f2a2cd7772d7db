/* sasae relay client: one connection to the relay (register or join, retries, pinning),
 * envelopes in and out, a mutex-guarded send queue; its connections live on the shared lws
 * context and service thread of the connection manager (connmgr.c). */
#include "sasae/relayclient.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "connmgr.h"
#include "sasae/common.h"
#include "sasae/envelope.h"

#define TAG "relayclient"

struct qmsg {
    struct qmsg *next;
    size_t len;    /* bytes of message (type byte included) */
    size_t off;    /* bytes already written */
    uint8_t buf[]; /* LWS_PRE + len */
};

enum cstate { ST_CONNECTING, ST_REQUESTED, ST_PAIRED, ST_ENDED };

struct sasae_relayclient {
    struct sasae_relayclient_callbacks cb;
    void *user;
    enum sasae_relayclient_role role;
    char code[SASAE_ENV_CODE_LEN + 1];
    int resume; /* RESUME with ticket instead of REGISTER/JOIN */
    uint8_t ticket[SASAE_ENV_TICKET_LEN];
    char *host, *path, *ca_file, *cert_file, *key_file, *proxy;
    char *ca_pem;         /* NUL-terminated copy, or NULL */
    char verify_err[200]; /* why the relay's certificate was refused on this attempt */
    int tls_checked;      /* this attempt got as far as checking the relay's certificate */
    size_t ca_pem_len;
    int port;
    int have_pin;
    uint8_t pin[32];
    unsigned attempts_left, backoff_ms, connect_timeout_s;

    struct lws_vhost *vh;
    struct lws *wsi;
    lws_sorted_usec_list_t sul, deadline;
    struct rcm_req req; /* on the manager's request list */

    /* Service-thread-only state. */
    enum cstate state;
    int pin_ok;
    int got_error, error_code, got_left;
    char end_text[SASAE_ENV_TEXT_MAX + 64];
    uint8_t *rx;
    size_t rx_len, rx_cap;
    int rx_discard;

    /* Shared with API threads, under mu. */
    pthread_mutex_t mu;
    struct qmsg *qhead, *qtail;
    int paired_shared, ended_shared;
    atomic_int close_req;
    char close_why[64]; /* written before close_req is set, read after */
    atomic_size_t queued;
    atomic_int stop;
};

static const struct sasae_relayclient_callbacks no_cb;

const char *sasae_relayclient_end_str(int end)
{
    switch (end) {
    case SASAE_RELAYCLIENT_END_LOCAL:
        return "closed locally";
    case SASAE_RELAYCLIENT_END_PEER_LEFT:
        return "peer left";
    case SASAE_RELAYCLIENT_END_RELAY_ERROR:
        return "relay reported an error";
    case SASAE_RELAYCLIENT_END_CONNECT:
        return "could not connect to the relay";
    case SASAE_RELAYCLIENT_END_LOST:
        return "connection to the relay lost";
    case SASAE_RELAYCLIENT_END_PROTOCOL:
        return "relay protocol error";
    }
    return "unknown";
}

static void q_free_all(struct sasae_relayclient *c)
{
    struct qmsg *m = c->qhead;
    while (m) {
        struct qmsg *n = m->next;
        free(m);
        m = n;
    }
    c->qhead = c->qtail = NULL;
    atomic_store(&c->queued, 0);
}

/* Appends an envelope message to the queue; front=1 puts it first (control messages). */
static int q_push(struct sasae_relayclient *c, const struct sasae_env_msg *em, int front)
{
    long need = sasae_env_size(em);
    if (need < 0)
        return -EINVAL;
    struct qmsg *m = malloc(sizeof(*m) + LWS_PRE + (size_t)need);
    if (!m)
        return -ENOMEM;
    size_t n = 0;
    if (sasae_env_serialize(em, m->buf + LWS_PRE, (size_t)need, &n) != SASAE_ENV_OK) {
        free(m);
        return -EINVAL;
    }
    m->len = n;
    m->off = 0;
    m->next = NULL;
    if (front && c->qhead && c->qhead->off == 0) {
        m->next = c->qhead;
        c->qhead = m;
    } else if (c->qtail) {
        c->qtail->next = m;
        c->qtail = m;
    } else {
        c->qhead = c->qtail = m;
    }
    if (!c->qtail)
        c->qtail = m;
    atomic_fetch_add(&c->queued, n);
    return 0;
}

/* Ends the connection for good: one closed() callback, ever. */
static void finish(struct sasae_relayclient *c, int end, int err_code, const char *text)
{
    if (c->state == ST_ENDED)
        return;
    c->state = ST_ENDED;
    pthread_mutex_lock(&c->mu);
    c->ended_shared = 1;
    q_free_all(c);
    pthread_mutex_unlock(&c->mu);
    lws_sul_cancel(&c->sul);
    lws_sul_cancel(&c->deadline);
    if (atomic_load(&c->stop))
        return;
    SASAE_INFO(TAG, "session ended: %s (%s)", sasae_relayclient_end_str(end), text);
    if (c->cb.closed)
        c->cb.closed(c->user, end, err_code, text);
}

static void do_connect(lws_sorted_usec_list_t *sul);

static void schedule_retry_or_finish(struct sasae_relayclient *c, const char *why)
{
    lws_sul_cancel(&c->deadline);
    /* only attempts that never reached the relay are retried here: a host's code or a
     * viewer's join died with an established connection, and the caller must know */
    if (c->state == ST_CONNECTING && c->attempts_left > 0 && !c->got_error &&
        !atomic_load(&c->close_req) && !atomic_load(&c->stop)) {
        c->attempts_left--;
        SASAE_WARN(TAG, "relay connection failed (%s); retrying in %u ms", why, c->backoff_ms);
        c->state = ST_CONNECTING;
        lws_sul_schedule(rcm_context(), 0, &c->sul, do_connect, (lws_usec_t)c->backoff_ms * 1000);
        c->backoff_ms = c->backoff_ms * 2 > 8000 ? 8000 : c->backoff_ms * 2;
        return;
    }
    if (c->got_error)
        finish(c, SASAE_RELAYCLIENT_END_RELAY_ERROR, c->error_code, c->end_text);
    else if (c->got_left)
        finish(c, SASAE_RELAYCLIENT_END_PEER_LEFT, 0, c->end_text);
    else if (atomic_load(&c->close_req))
        finish(c, SASAE_RELAYCLIENT_END_LOCAL, 0, "closed locally");
    else if (c->state == ST_CONNECTING)
        finish(c, SASAE_RELAYCLIENT_END_CONNECT, 0, why);
    else
        finish(c, SASAE_RELAYCLIENT_END_LOST, 0, why);
}

/* Connection attempt took longer than connect_timeout_s: give up on this attempt. */
static void on_deadline(lws_sorted_usec_list_t *sul)
{
    struct sasae_relayclient *c = lws_container_of(sul, struct sasae_relayclient, deadline);
    if (c->state == ST_CONNECTING && c->wsi) {
        snprintf(c->end_text, sizeof(c->end_text), "timed out connecting to the relay");
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
}

static void do_connect(lws_sorted_usec_list_t *sul)
{
    struct sasae_relayclient *c = lws_container_of(sul, struct sasae_relayclient, sul);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.context = rcm_context();
    ci.vhost = c->vh;
    ci.address = c->host;
    ci.port = c->port;
    ci.path = c->path;
    ci.host = c->host;
    ci.origin = c->host;
    ci.protocol = SASAE_ENV_SUBPROTOCOL;
    ci.local_protocol_name = SASAE_ENV_SUBPROTOCOL;
    ci.ssl_connection = LCCSCF_USE_SSL;
    if (c->have_pin && !c->ca_file && !c->ca_pem)
        ci.ssl_connection |= LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
    ci.alpn = "http/1.1";
    ci.pwsi = &c->wsi;
    ci.opaque_user_data = c;
    c->pin_ok = 0;
    c->verify_err[0] = '\0';
    c->tls_checked = 0;
    c->state = ST_CONNECTING;
    c->rx_len = 0;
    c->rx_discard = 0;
    c->end_text[0] = '\0';
    lws_sul_schedule(rcm_context(), 0, &c->deadline, on_deadline,
                     (lws_usec_t)c->connect_timeout_s * LWS_US_PER_SEC);
    if (!lws_client_connect_via_info(&ci)) {
        c->wsi = NULL;
        schedule_retry_or_finish(c, "connect failed");
    }
}

/* Pin check for the relay's leaf certificate (runs inside OpenSSL's verify callback). */
static int pin_matches(struct sasae_relayclient *c, X509 *cert)
{
    EVP_PKEY *pk = cert ? X509_get0_pubkey(cert) : NULL;
    unsigned char *der = NULL;
    int n = pk ? i2d_PUBKEY(pk, &der) : -1;
    if (n <= 0)
        return 0;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32 &&
             CRYPTO_memcmp(md, c->pin, 32) == 0;
    OPENSSL_free(der);
    return ok;
}

/* SSL ex_data slot: the client an SSL connection belongs to, set while the relay's
 * certificate is checked, so an alert the relay sends later names the right client. */
static int g_ssl_client_idx = -1;

/* A fatal TLS alert from the relay: with TLS 1.3 the relay checks an operator certificate
 * after the client has finished its handshake, and lws then only says "read failed".
 * Keep the relay's reason ("certificate revoked") for the end text. */
static void tls_info_cb(const SSL *ssl, int where, int ret)
{
    if (!(where & SSL_CB_READ_ALERT) || strcmp(SSL_alert_type_string(ret), "F"))
        return;
    struct sasae_relayclient *c =
        g_ssl_client_idx >= 0 ? SSL_get_ex_data(ssl, g_ssl_client_idx) : NULL;
    const char *desc = SSL_alert_desc_string_long(ret);
    int a = ret & 0xff;
    /* bad/unsupported/revoked/expired/unknown certificate, unknown CA, certificate required */
    int cert_alert = (a >= 42 && a <= 46) || a == 48 || a == 116;
    SASAE_WARN(TAG, "the relay ended the TLS connection: %s", desc);
    if (c && !c->verify_err[0])
        snprintf(c->verify_err, sizeof c->verify_err,
                 "the relay refused the connection: TLS alert \"%s\"%s", desc,
                 cert_alert && c->cert_file ? " (the relay refused this operator certificate)"
                                            : "");
}

/* Why a TLS attempt failed, into end_text: a refused relay certificate or a relay alert
 * (verify_err), else, with TLS 1.3, a refusal of our operator certificate whose alert was
 * lost: the relay checks it after our side of the handshake is done and may reset the
 * connection before we read its alert (lws then says "read failed", "Closed before conn" or
 * nothing); the relay's log has the reason. 0 when neither explains this attempt. */
static int explain_tls_failure(struct sasae_relayclient *c, const char *lws_why)
{
    if (c->verify_err[0]) {
        snprintf(c->end_text, sizeof(c->end_text), "%s", c->verify_err);
        return 1;
    }
    if (c->state != ST_CONNECTING || !c->cert_file || !c->tls_checked || c->end_text[0])
        return 0;
    snprintf(c->end_text, sizeof(c->end_text),
             "the relay closed the connection during the TLS handshake (%s): it may have "
             "refused this operator certificate, and its log says why",
             lws_why);
    return 1;
}

static int verify_cb(struct sasae_relayclient *c, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (ssl && g_ssl_client_idx >= 0)
        SSL_set_ex_data(ssl, g_ssl_client_idx, c);
    c->tls_checked = 1;
    if (!c->have_pin) {
        /* leave OpenSSL's verdict (CA chain + hostname) alone, but keep its reason: the
         * connection error lws reports says only "SSL err" */
        int e = X509_STORE_CTX_get_error(xs);
        if (e != X509_V_OK && !c->verify_err[0])
            snprintf(c->verify_err, sizeof c->verify_err,
                     "the relay's certificate was refused: %s (certificate %d of the chain)",
                     X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(xs));
        return 0;
    }
    int depth = X509_STORE_CTX_get_error_depth(xs);
    if (depth > 0) {
        /* Pin-only: the chain does not matter, the leaf key decides at depth 0. */
        if (!c->ca_file && !c->ca_pem)
            X509_STORE_CTX_set_error(xs, X509_V_OK);
        return 0;
    }
    if (!pin_matches(c, X509_STORE_CTX_get_current_cert(xs))) {
        SASAE_ERR(TAG, "relay public key does not match the pinned SHA-256");
        X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
        c->pin_ok = 0;
        return 1;
    }
    c->pin_ok = 1;
    if (!c->ca_file && !c->ca_pem)
        X509_STORE_CTX_set_error(xs, X509_V_OK);
    return 0;
}

static void set_tls_policy(SSL_CTX *ctx)
{
    /* Same key exchange policy as the relay: X25519 first, P-256 as fallback. TLS 1.3
     * only: a relay (or something in between) offering TLS 1.2 is refused, even if the
     * relay's operator enabled 1.2 for other clients. */
    SSL_CTX_set1_groups_list(ctx, "X25519:P-256");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (g_ssl_client_idx < 0) /* (service thread only) */
        g_ssl_client_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    SSL_CTX_set_info_callback(ctx, tls_info_cb);
}

static void handle_message(struct sasae_relayclient *c, const uint8_t *buf, size_t len)
{
    struct sasae_env_msg m;
    int rc = sasae_env_parse(buf, len, &m);
    if (rc != SASAE_ENV_OK) {
        snprintf(c->end_text, sizeof(c->end_text), "bad message from relay: %s",
                 sasae_env_strerror(rc));
        finish(c, SASAE_RELAYCLIENT_END_PROTOCOL, 0, c->end_text);
        return;
    }
    switch (m.type) {
    case SASAE_ENV_CODE:
        if (c->role == SASAE_RELAYCLIENT_HOST && c->state == ST_REQUESTED) {
            if (c->cb.registered)
                c->cb.registered(c->user, m.code, m.valid_secs);
            return;
        }
        break;
    case SASAE_ENV_CRL:
        if (c->role == SASAE_RELAYCLIENT_HOST && c->state == ST_REQUESTED && c->cb.crl) {
            c->cb.crl(c->user, m.data, m.data_len);
            return;
        }
        break;
    case SASAE_ENV_PEER_JOINED:
        if (c->state == ST_REQUESTED) {
            c->state = ST_PAIRED;
            pthread_mutex_lock(&c->mu);
            c->paired_shared = 1;
            pthread_mutex_unlock(&c->mu);
            if (c->cb.paired)
                c->cb.paired(c->user, m.text, m.org);
            return;
        }
        break;
    case SASAE_ENV_DATA:
        if (c->state == ST_PAIRED) {
            if (c->cb.data)
                c->cb.data(c->user, m.data, m.data_len);
            return;
        }
        break;
    case SASAE_ENV_PEER_LEFT:
        if (c->state == ST_PAIRED) {
            c->got_left = 1;
            snprintf(c->end_text, sizeof(c->end_text), "%s%s%s", sasae_env_left_str(m.reason),
                     m.text[0] ? ": " : "", m.text);
            if (c->cb.peer_left)
                c->cb.peer_left(c->user, m.reason, m.text);
            return;
        }
        break;
    case SASAE_ENV_ERROR:
        c->got_error = 1;
        c->error_code = m.error_code;
        snprintf(c->end_text, sizeof(c->end_text), "%s%s%s", sasae_env_error_code_str(m.error_code),
                 m.text[0] ? ": " : "", m.text);
        return;
    default:
        break;
    }
    snprintf(c->end_text, sizeof(c->end_text), "unexpected %s message from relay",
             sasae_env_type_str(m.type));
    finish(c, SASAE_RELAYCLIENT_END_PROTOCOL, 0, c->end_text);
}

static int on_receive(struct sasae_relayclient *c, struct lws *wsi, const uint8_t *in, size_t len)
{
    if (lws_is_first_fragment(wsi)) {
        c->rx_len = 0;
        c->rx_discard = 0;
    }
    if (c->rx_len + len > SASAE_ENV_MSG_MAX) {
        c->rx_discard = 1;
    } else if (!c->rx_discard) {
        if (c->rx_len + len > c->rx_cap) {
            size_t ncap = c->rx_cap ? c->rx_cap : 65536;
            while (ncap < c->rx_len + len)
                ncap *= 2;
            if (ncap > SASAE_ENV_MSG_MAX)
                ncap = SASAE_ENV_MSG_MAX;
            uint8_t *nb = realloc(c->rx, ncap);
            if (!nb) {
                finish(c, SASAE_RELAYCLIENT_END_LOST, 0, "out of memory");
                return -1;
            }
            c->rx = nb;
            c->rx_cap = ncap;
        }
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += len;
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return 0;
    if (c->rx_discard) {
        finish(c, SASAE_RELAYCLIENT_END_PROTOCOL, 0, "relay sent an oversize message");
        return -1;
    }
    handle_message(c, c->rx, c->rx_len);
    c->rx_len = 0;
    /* Don't keep a 1 MiB buffer around after one big message. */
    if (c->rx_cap > 4 * 65536) {
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
    return c->state == ST_ENDED ? -1 : 0;
}

static int on_writeable(struct sasae_relayclient *c, struct lws *wsi)
{
    pthread_mutex_lock(&c->mu);
    struct qmsg *m = c->qhead;
    pthread_mutex_unlock(&c->mu);
    int closing = atomic_load(&c->close_req);
    if (!m) {
        if (closing) {
            const char *why = c->close_why[0] ? c->close_why : "bye";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)why, strlen(why));
            return -1;
        }
        return 0;
    }
    /* Only the service thread pops, so m stays valid without the lock. */
    size_t chunk = m->len - m->off;
    if (chunk > RCM_TX_CHUNK)
        chunk = RCM_TX_CHUNK;
    int first = m->off == 0, last = m->off + chunk == m->len;
    enum lws_write_protocol flags = lws_write_ws_flags(LWS_WRITE_BINARY, first, last);
    uint8_t *p = m->buf + LWS_PRE + m->off;
    if (lws_write(wsi, p, chunk, flags) < (int)chunk) {
        SASAE_WARN(TAG, "write to relay failed");
        return -1;
    }
    m->off += chunk;
    atomic_fetch_sub(&c->queued, chunk);
    pthread_mutex_lock(&c->mu);
    int more = 1;
    if (m->off == m->len) {
        c->qhead = m->next;
        if (!c->qhead)
            c->qtail = NULL;
        free(m);
        more = c->qhead != NULL || atomic_load(&c->close_req);
    }
    pthread_mutex_unlock(&c->mu);
    if (more)
        lws_callback_on_writable(wsi);
    return 0;
}

/* The lws callback of a client's connection (the manager handles wakeups and TLS setup). */
static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct sasae_relayclient *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;
    if (!c)
        return 0;
    if (atomic_load(&c->stop)) {
        /* Being freed: only let go of the wsi. */
        if (reason == LWS_CALLBACK_CLIENT_CLOSED ||
            reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR || reason == LWS_CALLBACK_WSI_DESTROY)
            c->wsi = NULL;
        return reason == LWS_CALLBACK_CLIENT_RECEIVE || reason == LWS_CALLBACK_CLIENT_WRITEABLE ? -1
                                                                                                : 0;
    }
    switch (reason) {
    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
        return verify_cb(c, (X509_STORE_CTX *)user);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        c->wsi = NULL;
        if (c->state == ST_ENDED)
            return 0;
        if (explain_tls_failure(c, in ? (const char *)in : "connection error")) {
            /* end_text says it */
        } else if (c->proxy && in && strstr((const char *)in, "proxy")) {
            /* lws says "proxy not h1" for any refusal, 407 included; name the proxy (its
             * host part only: never the password) and what to check */
            const char *at = strrchr(c->proxy, '@');
            const char *hp = at ? at + 1 : c->proxy;
            if (!at && strncmp(hp, "http://", 7) == 0)
                hp += 7;
            snprintf(c->end_text, sizeof(c->end_text),
                     "the proxy %s refused the connection (%s): check its address, user name "
                     "and password",
                     hp, (const char *)in);
        } else if (!c->end_text[0] || !strstr(c->end_text, "timed out"))
            snprintf(c->end_text, sizeof(c->end_text), "%s",
                     in ? (const char *)in : "connection error");
        schedule_retry_or_finish(c, c->end_text);
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
        lws_sul_cancel(&c->deadline);
        if (c->have_pin && !c->pin_ok) {
            finish(c, SASAE_RELAYCLIENT_END_CONNECT, 0, "relay key not verified");
            return -1;
        }
        c->backoff_ms = 500;
        struct sasae_env_msg m = {.version = SASAE_ENV_VERSION};
        if (c->resume) {
            m.type = SASAE_ENV_RESUME;
            m.reason =
                c->role == SASAE_RELAYCLIENT_HOST ? SASAE_ENV_RESUME_HOST : SASAE_ENV_RESUME_VIEWER;
            memcpy(m.ticket, c->ticket, sizeof(m.ticket));
        } else if (c->role == SASAE_RELAYCLIENT_HOST) {
            m.type = SASAE_ENV_REGISTER;
        } else {
            m.type = SASAE_ENV_JOIN;
            memcpy(m.code, c->code, sizeof(m.code));
        }
        pthread_mutex_lock(&c->mu);
        int rc = 0;
        if (c->role == SASAE_RELAYCLIENT_HOST && c->cb.crl) {
            /* pushed to the front first, so it ends up right behind REGISTER */
            struct sasae_env_msg q = {.type = SASAE_ENV_CRL_REQUEST, .version = SASAE_ENV_VERSION};
            rc = q_push(c, &q, 1);
        }
        if (!rc)
            rc = q_push(c, &m, 1);
        pthread_mutex_unlock(&c->mu);
        if (rc) {
            finish(c, SASAE_RELAYCLIENT_END_LOST, 0, "out of memory");
            return -1;
        }
        c->state = ST_REQUESTED;
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (c->state == ST_ENDED)
            return -1;
        return on_receive(c, wsi, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (c->state == ST_ENDED)
            return -1;
        return on_writeable(c, wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2 && !c->got_error && !c->got_left) {
            const uint8_t *b = in;
            size_t tl = len - 2 > 120 ? 120 : len - 2;
            snprintf(c->end_text, sizeof(c->end_text), "relay closed (%u) %.*s",
                     (unsigned)((b[0] << 8) | b[1]), (int)tl, (const char *)b + 2);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        c->wsi = NULL;
        if (c->state != ST_ENDED)
            schedule_retry_or_finish(c, c->end_text[0] ? c->end_text : "connection closed");
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        /* Some failure paths (e.g. a TLS 1.3 client certificate rejected after the client
         * finished its handshake) free the wsi without CONNECTION_ERROR or CLOSED. */
        if (c->wsi == wsi) {
            c->wsi = NULL;
            if (c->state == ST_ENDED)
                return 0;
            explain_tls_failure(c, "connection closed");
            schedule_retry_or_finish(c, c->end_text[0] ? c->end_text
                                                       : "connection closed by the relay");
        }
        return 0;
    default:
        return 0;
    }
}

/* A request posted by an API thread, on the service thread. */
static void run_op(struct rcm_req *req, int op)
{
    struct sasae_relayclient *c = lws_container_of(req, struct sasae_relayclient, req);
    if (op == RCM_START) {
        struct rcm_tls tls = {
            .ca_file = c->ca_file,
            .ca_pem = c->ca_pem,
            .ca_pem_len = c->ca_pem_len,
            .cert_file = c->cert_file,
            .key_file = c->key_file,
            .proxy = c->proxy,
        };
        c->vh = rcm_vhost(&tls);
        if (!c->vh) {
            finish(c, SASAE_RELAYCLIENT_END_CONNECT, 0, "TLS client configuration failed");
            return;
        }
        do_connect(&c->sul);
    } else if (op == RCM_WAKE) {
        if (c->wsi && c->state != ST_ENDED)
            lws_callback_on_writable(c->wsi);
        if (c->state == ST_CONNECTING && !c->wsi && atomic_load(&c->close_req)) {
            /* Closing while waiting to reconnect: nothing to tell the relay. */
            finish(c, SASAE_RELAYCLIENT_END_LOCAL, 0, "closed locally");
        }
    } else if (op == RCM_FREE) {
        lws_sul_cancel(&c->sul);
        lws_sul_cancel(&c->deadline);
        if (c->wsi)
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
        c->wsi = NULL;
    }
}

static const struct rcm_hooks hooks = {
    .callback = callback,
    .run = run_op,
    .ssl_ctx = set_tls_policy,
};

static int parse_pin(const char *s, uint8_t out[32])
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == ':')
            continue;
        if (!isxdigit((unsigned char)*s) || n >= 64)
            return -EINVAL;
        int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
        if (n % 2 == 0)
            out[n / 2] = (uint8_t)(v << 4);
        else
            out[n / 2] |= (uint8_t)v;
        n++;
    }
    return n == 64 ? 0 : -EINVAL;
}

static int parse_url(struct sasae_relayclient *c, const char *url)
{
    char *tmp = strdup(url);
    const char *prot, *ads, *path;
    int port = 0, rc = -EINVAL;
    if (!tmp)
        return -ENOMEM;
    if (lws_parse_uri(tmp, &prot, &ads, &port, &path) || strcmp(prot, "wss") || !ads[0])
        goto out;
    if (port <= 0 || port > 65535)
        goto out;
    c->host = strdup(ads);
    size_t pl = strlen(path);
    c->path = malloc(pl + 2);
    if (!c->host || !c->path) {
        rc = -ENOMEM;
        goto out;
    }
    c->path[0] = '/';
    memcpy(c->path + 1, path, pl + 1);
    c->port = port;
    rc = 0;
out:
    free(tmp);
    return rc;
}

static char *dup_opt(const char *s, int *err)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *err = -ENOMEM;
    return d;
}

static void client_free_mem(struct sasae_relayclient *c)
{
    q_free_all(c);
    pthread_mutex_destroy(&c->mu);
    free(c->rx);
    free(c->host);
    free(c->path);
    free(c->ca_file);
    free(c->ca_pem);
    free(c->cert_file);
    free(c->key_file);
    free(c->proxy);
    free(c);
}

int sasae_relayclient_new(const struct sasae_relayclient_config *cfg,
                          const struct sasae_relayclient_callbacks *cb, void *user,
                          struct sasae_relayclient **out)
{
    int rc = -EINVAL;
    if (!cfg || !out || !cfg->url ||
        (cfg->role != SASAE_RELAYCLIENT_HOST && cfg->role != SASAE_RELAYCLIENT_VIEWER))
        return -EINVAL;
    if (!cfg->ca_file && !cfg->ca_pem && !cfg->pin_sha256) {
        SASAE_ERR(TAG, "no way to verify the relay: set a CA file or a pinned key");
        return -EINVAL;
    }
    if (!!cfg->cert_file != !!cfg->key_file)
        return -EINVAL;
    struct sasae_relayclient *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    pthread_mutex_init(&c->mu, NULL);
    c->cb = cb ? *cb : no_cb;
    c->user = user;
    c->role = cfg->role;
    if (cfg->resume_ticket) {
        c->resume = 1;
        memcpy(c->ticket, cfg->resume_ticket, sizeof(c->ticket));
    } else if (cfg->role == SASAE_RELAYCLIENT_VIEWER) {
        size_t n = 0;
        for (const char *s = cfg->code ? cfg->code : ""; *s; s++) {
            if (*s == ' ' || *s == '-')
                continue;
            if (n >= SASAE_ENV_CODE_LEN)
                goto fail;
            c->code[n++] = *s;
        }
        if (!sasae_env_code_valid(c->code))
            goto fail;
    }
    if (cfg->pin_sha256) {
        if (parse_pin(cfg->pin_sha256, c->pin))
            goto fail;
        c->have_pin = 1;
    }
    if ((rc = parse_url(c, cfg->url)))
        goto fail;
    int err = 0;
    c->ca_file = dup_opt(cfg->ca_file, &err);
    if (cfg->ca_pem) {
        c->ca_pem = malloc(cfg->ca_pem_len + 1);
        if (!c->ca_pem) {
            rc = -ENOMEM;
            goto fail;
        }
        memcpy(c->ca_pem, cfg->ca_pem, cfg->ca_pem_len);
        c->ca_pem[cfg->ca_pem_len] = 0;
        c->ca_pem_len = cfg->ca_pem_len;
    }
    c->cert_file = dup_opt(cfg->cert_file, &err);
    c->key_file = dup_opt(cfg->key_file, &err);
    const char *px = cfg->proxy;
    if (!px && cfg->use_env_proxy) {
        px = getenv("https_proxy");
        if (!px || !*px)
            px = getenv("HTTPS_PROXY");
    }
    if (px && *px)
        c->proxy = dup_opt(px, &err);
    if (err) {
        rc = err;
        goto fail;
    }
    c->attempts_left = cfg->reconnect_attempts;
    c->backoff_ms = 500;
    c->connect_timeout_s = cfg->connect_timeout_s ? cfg->connect_timeout_s : 20;
    c->state = ST_CONNECTING;
    if ((rc = rcm_ref(&hooks)))
        goto fail;
    rcm_post(&c->req, RCM_START);
    *out = c;
    return 0;
fail:
    client_free_mem(c);
    return rc;
}

static int enqueue(struct sasae_relayclient *c, const struct sasae_env_msg *m)
{
    pthread_mutex_lock(&c->mu);
    int rc = (!c->paired_shared || c->ended_shared || atomic_load(&c->close_req)) ? -ENOTCONN
                                                                                  : q_push(c, m, 0);
    pthread_mutex_unlock(&c->mu);
    if (!rc)
        rcm_post(&c->req, RCM_WAKE);
    return rc;
}

int sasae_relayclient_send_data(struct sasae_relayclient *c, const void *body, size_t len)
{
    if (!c || (len && !body))
        return -EINVAL;
    if (len > SASAE_ENV_DATA_MAX)
        return -EMSGSIZE;
    struct sasae_env_msg m = {.type = SASAE_ENV_DATA, .data = body, .data_len = len};
    return enqueue(c, &m);
}

int sasae_relayclient_send_audit(struct sasae_relayclient *c, int kind, const char *text)
{
    if (!c || kind < 1 || kind > SASAE_ENV_AUDIT_MAX)
        return -EINVAL;
    struct sasae_env_msg m = {.type = SASAE_ENV_AUDIT, .reason = (uint8_t)kind};
    if (text) {
        size_t n = strnlen(text, SASAE_ENV_TEXT_MAX + 1);
        if (!sasae_env_text_valid((const uint8_t *)text, n))
            return -EINVAL;
        memcpy(m.text, text, n);
    }
    return enqueue(c, &m);
}

size_t sasae_relayclient_queued_bytes(const struct sasae_relayclient *c)
{
    return c ? atomic_load(&((struct sasae_relayclient *)c)->queued) : 0;
}

void sasae_relayclient_close(struct sasae_relayclient *c)
{
    sasae_relayclient_close_why(c, NULL);
}

void sasae_relayclient_close_why(struct sasae_relayclient *c, const char *why)
{
    if (!c)
        return;
    int expect = 0;
    pthread_mutex_lock(&c->mu);
    if (!atomic_load(&c->close_req) && why) {
        size_t n = 0;
        for (; why[n] && n < 60; n++)
            c->close_why[n] = why[n] >= 0x20 && why[n] < 0x7f ? why[n] : '?';
        c->close_why[n] = 0;
    }
    atomic_compare_exchange_strong(&c->close_req, &expect, 1);
    pthread_mutex_unlock(&c->mu);
    rcm_post(&c->req, RCM_WAKE);
}

void sasae_relayclient_free(struct sasae_relayclient *c)
{
    if (!c)
        return;
    atomic_store(&c->stop, 1);
    rcm_post(&c->req, RCM_FREE);
    rcm_wait_released(&c->req);
    client_free_mem(c);
    rcm_unref();
}
