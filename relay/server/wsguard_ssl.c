/* RFC 6455 5.1: every client frame is masked. The relay's SSL_read stands in for
 * OpenSSL's so that the pure guard (wsguard.c) sees each connection's bytes. */
#include <dlfcn.h>
#include <stdlib.h>

#include <openssl/ssl.h>

#include "relay.h"

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
int relay_wsguard_init(void)
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
enum relay_wsg_verdict relay_wsguard_verdict(struct conn *c)
{
    SSL *ssl = lws_get_ssl(c->wsi);
    const struct relay_wsg *g = ssl ? SSL_get_ex_data(ssl, g_wsg_idx) : NULL;
    return g ? (enum relay_wsg_verdict)g->phase : RELAY_WSG_HTTP;
}
