/* sasae-relay's libwebsockets protocol callbacks: each reason goes to the file that owns
 * it; the relay they work on is the lws context's user pointer. */
#include <stdlib.h>

#include "relay.h"

static struct relay *relay_of(struct lws *wsi)
{
    return wsi ? lws_context_user(lws_get_context(wsi)) : NULL;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    struct relay *r = relay_of(wsi);
    struct http_pss *ps = user;
    switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        return relay_tls_server_ctx(r, (SSL_CTX *)user) ? 1 : 0;
    case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
        return relay_auth_node_cert(r, (int)len);
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        return relay_admit_connection(r, wsi, (lws_sockfd_type)(lws_intptr_t)in);
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* A websocket upgrade that did not ask for sasae.v1 lands here: refuse it. */
        r->m.rej_subprotocol++;
        return 1;
    case LWS_CALLBACK_HTTP:
        return relay_http_request(r, wsi, ps, in ? (const char *)in : "");
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return relay_http_writeable(wsi, ps);
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
    struct relay *r = relay_of(wsi);
    struct conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        relay_conn_established(r, c, wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return relay_on_receive(r, c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return relay_on_writeable(r, c);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        c->peer_closed_normally = 1;
        relay_peer_end_reason(c, in, len);
        return 0;
    case LWS_CALLBACK_CLOSED:
        relay_conn_closed(r, c);
        return 0;
    /* our links to other nodes (cluster) */
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c->wsi = wsi;
        c->established = 1;
        relay_flush_now(r, c); /* the viewer's JOIN */
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return relay_on_receive(r, c, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return relay_on_writeable(r, c);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c)
            return 0;
        if (c->connecting) {
            c->conn_failed = 1; /* link_open cleans up */
            return 0;
        }
        relay_link_failed(r, c, in ? (const char *)in : "connection error");
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c)
            return 0;
        c->wsi = wsi;
        relay_conn_closed(r, c);
        free(c);
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols relay_protocols_tpl[3] = {
    {"sasae-http", http_cb, sizeof(struct http_pss), 0, 0, NULL, 0},
    {SASAE_ENV_SUBPROTOCOL, ws_cb, sizeof(struct conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

void relay_lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        n--;
    sasae_log(level == LLL_ERR ? SASAE_LOG_WARN : SASAE_LOG_DEBUG, "lws", "%.*s", (int)n, line);
}
