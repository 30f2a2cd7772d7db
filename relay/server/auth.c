/* Who a client is: an operator by its verified TLS client certificate, another relay node
 * by its cluster certificate; and the failed-join counters a cluster shares. */
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "relay.h"

void relay_auth_operator(struct conn *c, struct lws *wsi)
{
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
}

int relay_auth_node_cert(struct relay *r, int ok)
{
    /* Only the cluster listener asks (the public one verifies operators itself):
     * OpenSSL's verdict on a node certificate stands (lws's default accepts all). */
    if (!ok) {
        r->m.cluster_link_failed++;
        SASAE_WARN(TAG, "node-to-node link refused: certificate not signed by cluster-ca");
    }
    return ok ? 0 : 1;
}

/* Shared failure counters: one key per address, per operator certificate and one for the
 * cluster, each over a minute, so that limits do not multiply with the number of nodes.
 * Returns an SASAE_RT_E_* refusal, or 0. A directory that does not answer refuses nothing
 * here (each node's own table still limits). */
int relay_auth_join_limited(struct relay *r, const struct conn *c)
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

void relay_auth_join_failed(struct relay *r, const struct conn *c)
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
