/* sasae chan identities: Ed25519 device keys, operator credentials, CA trust and the
 * operator certificate profile check. */
#include "chan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

int sasae_chan_raw_pub(EVP_PKEY *k, uint8_t out[32])
{
    size_t n = 32;
    return EVP_PKEY_get_raw_public_key(k, out, &n) == 1 && n == 32;
}

void sasae_chan_fpr_raw(const uint8_t pub[32], char out[SASAE_CHAN_FPR_LEN])
{
    uint8_t md[32];
    unsigned int mdlen = 0;
    EVP_Digest(pub, 32, md, &mdlen, EVP_sha256(), NULL);
    static const char hx[] = "0123456789ABCDEF";
    size_t n = 0;
    memcpy(out, "SHA256:", 7);
    n = 7;
    for (int i = 0; i < 32; i++) {
        if (i && i % 2 == 0)
            out[n++] = ' ';
        out[n++] = hx[md[i] >> 4];
        out[n++] = hx[md[i] & 15];
    }
    out[n] = 0;
}

struct sasae_chan_key *sasae_chan_key_generate(void)
{
    struct sasae_chan_key *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!k->pkey) {
        free(k);
        return NULL;
    }
    return k;
}

static EVP_PKEY *read_ed25519_priv(const char *pem, size_t len)
{
    if (!pem || len == 0 || len > 65536)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *p = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (p && EVP_PKEY_get_id(p) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(p);
        p = NULL;
    }
    return p;
}

struct sasae_chan_key *sasae_chan_key_from_pem(const char *pem, size_t len)
{
    EVP_PKEY *p = read_ed25519_priv(pem, len);
    if (!p)
        return NULL;
    struct sasae_chan_key *k = calloc(1, sizeof(*k));
    if (!k) {
        EVP_PKEY_free(p);
        return NULL;
    }
    k->pkey = p;
    return k;
}

enum sasae_chan_err sasae_chan_key_to_pem(const struct sasae_chan_key *k, char **pem, size_t *len)
{
    if (!k || !pem || !len)
        return SASAE_CHAN_EARG;
    BIO *b = BIO_new(BIO_s_secmem());
    enum sasae_chan_err e = SASAE_CHAN_ECRYPTO;
    char *data = NULL;
    if (!b || PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    long n = BIO_get_mem_data(b, &data);
    if (n <= 0)
        goto out;
    char *s = malloc((size_t)n + 1);
    if (!s) {
        e = SASAE_CHAN_ENOMEM;
        goto out;
    }
    memcpy(s, data, (size_t)n);
    s[n] = 0;
    *pem = s;
    *len = (size_t)n;
    e = SASAE_CHAN_OK;
out:
    BIO_free(b);
    return e;
}

void sasae_chan_pem_free(char *pem, size_t len)
{
    if (!pem)
        return;
    OPENSSL_cleanse(pem, len);
    free(pem);
}

void sasae_chan_key_fingerprint(const struct sasae_chan_key *k, char out[SASAE_CHAN_FPR_LEN])
{
    uint8_t pub[32];
    if (!k || !sasae_chan_raw_pub(k->pkey, pub)) {
        out[0] = 0;
        return;
    }
    sasae_chan_fpr_raw(pub, out);
}

void sasae_chan_key_free(struct sasae_chan_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL cleanses private key material on free */
    free(k);
}

struct sasae_chan_cred *sasae_chan_cred_new(const char *cert_pem, size_t cert_len,
                                            const char *key_pem, size_t key_len,
                                            enum sasae_chan_err *err)
{
    struct sasae_chan_cred *c = calloc(1, sizeof(*c));
    enum sasae_chan_err e = SASAE_CHAN_ENOMEM;
    if (!c)
        goto fail;
    e = SASAE_CHAN_EKEY;
    if (!cert_pem || cert_len == 0 || cert_len > 65536)
        goto fail;
    BIO *b = BIO_new_mem_buf(cert_pem, (int)cert_len);
    c->cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!c->cert)
        goto fail;
    c->key = read_ed25519_priv(key_pem, key_len);
    if (!c->key || X509_check_private_key(c->cert, c->key) != 1)
        goto fail;
    c->der_len = i2d_X509(c->cert, &c->der);
    if (c->der_len <= 0 || c->der_len > SASAE_CHAN_MAX_HANDSHAKE - 256)
        goto fail;
    if (err)
        *err = SASAE_CHAN_OK;
    return c;
fail:
    sasae_chan_cred_free(c);
    if (err)
        *err = e;
    return NULL;
}

void sasae_chan_cred_free(struct sasae_chan_cred *c)
{
    if (!c)
        return;
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
    OPENSSL_free(c->der);
    free(c);
}

struct sasae_chan_trust *sasae_chan_trust_new(const char *ca_pem, size_t ca_len,
                                              const char *crl_pem, size_t crl_len,
                                              enum sasae_chan_err *err)
{
    struct sasae_chan_trust *t = calloc(1, sizeof(*t));
    enum sasae_chan_err e = SASAE_CHAN_ENOMEM;
    BIO *b = NULL;
    int ncerts = 0;
    if (!t || !(t->store = X509_STORE_new()))
        goto fail;
    e = SASAE_CHAN_EKEY;
    if (!ca_pem || ca_len == 0 || ca_len > 1 << 20)
        goto fail;
    b = BIO_new_mem_buf(ca_pem, (int)ca_len);
    X509 *x;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        int ok = X509_check_ca(x) > 0 && X509_STORE_add_cert(t->store, x) == 1;
        X509_free(x);
        if (!ok)
            goto fail;
        ncerts++;
    }
    BIO_free(b);
    b = NULL;
    if (ncerts == 0)
        goto fail;
    if (crl_pem) {
        if (crl_len == 0 || crl_len > 16 << 20)
            goto fail;
        b = BIO_new_mem_buf(crl_pem, (int)crl_len);
        X509_CRL *crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
        if (!crl)
            goto fail;
        int ok = X509_STORE_add_crl(t->store, crl) == 1;
        X509_CRL_free(crl);
        if (!ok)
            goto fail;
        t->have_crl = 1;
    }
    BIO_free(b);
    ERR_clear_error();
    if (err)
        *err = SASAE_CHAN_OK;
    return t;
fail:
    BIO_free(b);
    ERR_clear_error();
    sasae_chan_trust_free(t);
    if (err)
        *err = e;
    return NULL;
}

void sasae_chan_trust_free(struct sasae_chan_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->store);
    free(t);
}

static enum sasae_chan_err map_verify_error(int v)
{
    switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return SASAE_CHAN_ECERT_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return SASAE_CHAN_ECERT_NOT_YET_VALID;
    case X509_V_ERR_CERT_REVOKED:
        return SASAE_CHAN_ECERT_REVOKED;
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
        return SASAE_CHAN_ECERT_CRL;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
    case X509_V_ERR_INVALID_CA:
        return SASAE_CHAN_ECERT_PURPOSE;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        return SASAE_CHAN_ECERT_UNTRUSTED;
    }
    return SASAE_CHAN_ECERT_INVALID;
}

static void name_field(X509_NAME *n, int nid, char *out, size_t cap)
{
    out[0] = 0;
    int i = X509_NAME_get_index_by_NID(n, nid, -1);
    if (i < 0)
        return;
    ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    unsigned char *u = NULL;
    int len = ASN1_STRING_to_UTF8(&u, s);
    if (len < 0)
        return;
    /* Control characters could forge lines in a consent prompt or a log, and Unicode
     * bidirectional overrides could reorder what the customer reads: replace each with
     * '?'. C1 controls are C2 80..9F; bidi controls are E2 80 8E/8F/AA..AE and
     * E2 81 A6..A9 (U+200E/F, U+202A..E, U+2066..9). */
    size_t o = 0, j = 0;
    while (j < (size_t)len && o + 1 < cap) {
        const unsigned char *c = u + j;
        size_t left = (size_t)len - j, skip = 0;
        if (c[0] < 0x20 || c[0] == 0x7f)
            skip = 1;
        else if (left >= 2 && c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)
            skip = 2;
        else if (left >= 3 && c[0] == 0xe2 && c[1] == 0x80 &&
                 (c[2] == 0x8e || c[2] == 0x8f || (c[2] >= 0xaa && c[2] <= 0xae)))
            skip = 3;
        else if (left >= 3 && c[0] == 0xe2 && c[1] == 0x81 && c[2] >= 0xa6 && c[2] <= 0xa9)
            skip = 3;
        if (skip) {
            out[o++] = '?';
            j += skip;
        } else {
            out[o++] = (char)c[0];
            j++;
        }
    }
    /* When truncated, do not end in the middle of a UTF-8 sequence. */
    if (j < (size_t)len) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
            o--;
        if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
            o--;
    }
    out[o] = 0;
    OPENSSL_free(u);
}

static int has_operator_eku(X509 *x)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    if (!eku)
        return 0;
    ASN1_OBJECT *want = OBJ_txt2obj(SASAE_CHAN_OPERATOR_OID, 1);
    int client = 0, op = 0;
    for (int i = 0; want && i < sk_ASN1_OBJECT_num(eku); i++) {
        ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
        if (OBJ_obj2nid(o) == NID_client_auth)
            client = 1;
        if (OBJ_cmp(o, want) == 0)
            op = 1;
    }
    ASN1_OBJECT_free(want);
    EXTENDED_KEY_USAGE_free(eku);
    return client && op;
}

enum sasae_chan_err sasae_chan_verify_operator(const struct sasae_chan_trust *trust,
                                               const uint8_t *der, size_t der_len, int64_t t,
                                               X509 **cert_out, struct sasae_chan_peer *peer)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    X509_STORE_CTX *ctx = NULL;
    enum sasae_chan_err e = SASAE_CHAN_EMALFORMED;
    if (!x || p != der + der_len)
        goto out;
    e = SASAE_CHAN_ENOMEM;
    if (!(ctx = X509_STORE_CTX_new()) || X509_STORE_CTX_init(ctx, trust->store, x, NULL) != 1)
        goto out;
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT);
    /* The organisation CA must sign operators directly: the one CRL we load covers only
     * its own certificates, so a chain through an intermediate (even one listed in the
     * trust file) could not be checked for revocation. Depth 0 = no intermediates, which
     * makes CRL_CHECK (leaf) complete. */
    X509_VERIFY_PARAM_set_depth(vp, 0);
    if (trust->have_crl)
        X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK);
    if (t)
        X509_VERIFY_PARAM_set_time(vp, (time_t)t);
    if (X509_verify_cert(ctx) != 1) {
        e = map_verify_error(X509_STORE_CTX_get_error(ctx));
        goto out;
    }
    /* The operator profile beyond what the chain check covers. keyUsage is checked here
     * because the SSL-client purpose accepts a certificate without any keyUsage
     * extension (X509_get_key_usage() then reports every bit). */
    e = SASAE_CHAN_ECERT_PURPOSE;
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (!pk || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519 || X509_check_ca(x) != 0 ||
        !(X509_get_extension_flags(x) & EXFLAG_KUSAGE) ||
        !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) || !has_operator_eku(x))
        goto out;
    X509_NAME *subj = X509_get_subject_name(x);
    name_field(subj, NID_commonName, peer->operator_name, sizeof(peer->operator_name));
    name_field(subj, NID_organizationName, peer->organisation, sizeof(peer->organisation));
    if (!peer->operator_name[0])
        goto out;
    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    BN_free(bn);
    if (!hex || strlen(hex) >= sizeof(peer->serial)) {
        OPENSSL_free(hex);
        e = SASAE_CHAN_ECERT_INVALID;
        goto out;
    }
    snprintf(peer->serial, sizeof(peer->serial), "%s", hex);
    OPENSSL_free(hex);
    /* which certificate exactly: a resumed session needs the very same one */
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != sizeof(md)) {
        e = SASAE_CHAN_ECRYPTO;
        goto out;
    }
    for (unsigned i = 0; i < sizeof(md); i++)
        snprintf(peer->cert_sha256 + 2 * i, 3, "%02x", md[i]);
    *cert_out = x;
    x = NULL;
    e = SASAE_CHAN_OK;
out:
    X509_STORE_CTX_free(ctx);
    X509_free(x);
    ERR_clear_error();
    return e;
}
