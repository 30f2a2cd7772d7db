/* Test helpers for the channel tests: a throw-away PKI made at test time with sasae_certs
 * and, for off-profile certificates, directly with OpenSSL. Private keys never leave the
 * temporary directory. */
#ifndef TEST_CHAN_PKI_H
#define TEST_CHAN_PKI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sasae/certs.h"
#include "sasae/chan.h"

static inline char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    *len = 0;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static inline char *make_ca(const char *org)
{
    char *dir = strdup("/tmp/sasae-chan-test-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    char err[256] = "";
    if (sasae_certs_init_ca(dir, org, err) != 0) {
        fprintf(stderr, "init_ca: %s\n", err);
        abort();
    }
    return dir;
}

static inline void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", dir);
}

/* Issues an off-profile certificate signed by dir's CA (dir/ca.pem + ca.key), written as
 * dir/<name>.pem/.key; ku is the keyUsage value, or NULL for no keyUsage extension. */
static inline void make_custom_ku(const char *dir, const char *name, const char *cn,
                                  const char *keytype, const char *eku, const char *ku, int is_ca,
                                  long nb_off, long na_off)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/ca.pem", dir);
    FILE *f = fopen(p, "r");
    X509 *ca = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    snprintf(p, sizeof(p), "%s/ca.key", dir);
    f = fopen(p, "r");
    EVP_PKEY *cak = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    EVP_PKEY *k = strcmp(keytype, "EC") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                             : EVP_PKEY_Q_keygen(NULL, NULL, keytype);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_gmtime_adj(X509_getm_notBefore(x), nb_off);
    X509_gmtime_adj(X509_getm_notAfter(x), na_off);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"Acme", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(ca));
    X509_set_pubkey(x, k);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    const char *exts[][2] = {
        {"basicConstraints", is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
        {"keyUsage", ku},
        {"extendedKeyUsage", eku},
        {"subjectKeyIdentifier", "hash"},
        {"authorityKeyIdentifier", "keyid:always"},
    };
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (!exts[i][1])
            continue;
        X509_EXTENSION *e = X509V3_EXT_nconf(NULL, &ctx, exts[i][0], exts[i][1]);
        if (!e)
            abort();
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x, cak, EVP_sha384()) <= 0)
        abort();
    snprintf(p, sizeof(p), "%s/%s.pem", dir, name);
    f = fopen(p, "w");
    PEM_write_X509(f, x);
    fclose(f);
    snprintf(p, sizeof(p), "%s/%s.key", dir, name);
    f = fopen(p, "w");
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    X509_free(ca);
    EVP_PKEY_free(k);
    EVP_PKEY_free(cak);
}

static inline void make_custom_cn(const char *dir, const char *name, const char *cn,
                                  const char *keytype, const char *eku, int is_ca, long nb_off,
                                  long na_off)
{
    make_custom_ku(dir, name, cn, keytype, eku,
                   is_ca ? "critical,keyCertSign,digitalSignature" : "critical,digitalSignature",
                   is_ca, nb_off, na_off);
}

static inline void make_custom(const char *dir, const char *name, const char *keytype,
                               const char *eku, int is_ca, long nb_off, long na_off)
{
    make_custom_cn(dir, name, name, keytype, eku, is_ca, nb_off, na_off);
}

static inline struct sasae_chan_cred *load_cred(const char *dir, const char *base)
{
    char a[512], b[512];
    size_t cl = 0, kl = 0;
    snprintf(a, sizeof(a), "%s.pem", base);
    snprintf(b, sizeof(b), "%s.key", base);
    char *c = slurp(dir, a, &cl), *k = slurp(dir, b, &kl);
    if (!c || !k)
        abort();
    enum sasae_chan_err e;
    struct sasae_chan_cred *cr = sasae_chan_cred_new(c, cl, k, kl, &e);
    free(c);
    free(k);
    return cr;
}

static inline struct sasae_chan_trust *load_trust(const char *dir, int with_crl)
{
    size_t cl = 0, rl = 0;
    char *c = slurp(dir, "ca.pem", &cl), *r = with_crl ? slurp(dir, "crl.pem", &rl) : NULL;
    enum sasae_chan_err e;
    struct sasae_chan_trust *t = sasae_chan_trust_new(c, cl, r, rl, &e);
    free(c);
    free(r);
    return t;
}

#endif
