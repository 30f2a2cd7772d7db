/* sasae chan internals shared by chan.c, kdf.c and cert.c (not installed). */
#ifndef SASAE_CHAN_INT_H
#define SASAE_CHAN_INT_H

#include "sasae/chan.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

struct sasae_chan_key {
    EVP_PKEY *pkey;
};

struct sasae_chan_cred {
    X509 *cert;
    EVP_PKEY *key;
    unsigned char *der;
    int der_len;
};

struct sasae_chan_trust {
    X509_STORE *store;
    int have_crl;
};

/* HKDF-SHA384-Extract. */
int sasae_chan_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                       uint8_t prk[48]);
/* HKDF-Expand-Label as documented in docs/protocol.md. */
int sasae_chan_expand(const uint8_t *secret, size_t secret_len, const char *label,
                      const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len);

/* Raw 32-byte public key of an Ed25519 / X25519 key. */
int sasae_chan_raw_pub(EVP_PKEY *k, uint8_t out[32]);
void sasae_chan_fpr_raw(const uint8_t pub[32], char out[SASAE_CHAN_FPR_LEN]);

/* Verifies the operator certificate (DER) against trust at time t (0 = now); on success
 * *cert_out owns the parsed certificate and peer name fields are filled. */
enum sasae_chan_err sasae_chan_verify_operator(const struct sasae_chan_trust *trust,
                                               const uint8_t *der, size_t der_len, int64_t t,
                                               X509 **cert_out, struct sasae_chan_peer *peer);

#endif
