/* The relay's TLS: version, cipher and group policy, the operator CA store with its CRL
 * (operators present client certificates; hosts none), reloading on SIGHUP, and the CRL
 * file served to hosts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "relay.h"

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
void relay_refresh_served_crl(struct relay *r, int force)
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

int relay_apply_tls_policy(struct relay *r, SSL_CTX *ctx)
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

int relay_reload_certs(struct relay *r)
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
    return relay_apply_tls_policy(r, ctx);
}

int relay_tls_server_ctx(struct relay *r, SSL_CTX *ctx)
{
    if (r->making_cluster_vh) /* node certificates: lws verifies them (cluster-ca) */
        return relay_apply_tls_policy(r, ctx);
    r->ssl_ctx = ctx;
    if (load_operator_store(r, r->ssl_ctx) || relay_apply_tls_policy(r, r->ssl_ctx))
        return -1;
    return 0;
}
