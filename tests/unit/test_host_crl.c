/* Unit tests for the host's check of the CRL the relay hands over (host/crl.c): what a
 * relay could try (nothing, garbage, a foreign or expired CRL, a long-lived one, a replay
 * of an older one) is refused with a sentence that says why. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crl.h"
#include "sasae/certs.h"

static char base[64], dir[80], other[80];
static char *ca;
static size_t ca_len;

static char *slurp(const char *d, const char *name, size_t *len)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d, name);
    FILE *f = fopen(p, "rb");
    cr_assert(f, "%s", p);
    char *b = malloc(1 << 16);
    *len = fread(b, 1, (1 << 16) - 1, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* The DER of d's crl.pem. */
static uint8_t *crl_der(const char *d, size_t *len)
{
    size_t pl;
    char *pem = slurp(d, "crl.pem", &pl);
    BIO *b = BIO_new_mem_buf(pem, (int)pl);
    X509_CRL *c = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(c, &der);
    cr_assert_gt(n, 0);
    X509_CRL_free(c);
    BIO_free(b);
    free(pem);
    *len = (size_t)n;
    return der;
}

/* A CRL signed by d's CA, valid from this_update for life seconds. */
static uint8_t *signed_crl(const char *d, int64_t this_update, int64_t life, size_t *len)
{
    size_t cl, kl;
    char *cp = slurp(d, "ca.pem", &cl), *kp = slurp(d, "ca.key", &kl);
    BIO *cb = BIO_new_mem_buf(cp, (int)cl), *kb = BIO_new_mem_buf(kp, (int)kl);
    X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    X509_CRL *c = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    cr_assert(x && k && c && t);
    X509_CRL_set_version(c, 1);
    X509_CRL_set_issuer_name(c, X509_get_subject_name(x));
    ASN1_TIME_set(t, (time_t)this_update);
    X509_CRL_set1_lastUpdate(c, t);
    ASN1_TIME_set(t, (time_t)(this_update + life));
    X509_CRL_set1_nextUpdate(c, t);
    cr_assert_gt(X509_CRL_sign(c, k, EVP_sha384()), 0);
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(c, &der);
    cr_assert_gt(n, 0);
    *len = (size_t)n;
    ASN1_TIME_free(t);
    X509_CRL_free(c);
    EVP_PKEY_free(k);
    X509_free(x);
    BIO_free(cb);
    BIO_free(kb);
    free(cp);
    free(kp);
    return der;
}

static void setup(void)
{
    char err[256] = "";
    snprintf(base, sizeof base, "/tmp/sasae-crl-XXXXXX");
    cr_assert(mkdtemp(base));
    snprintf(dir, sizeof dir, "%s/org", base);
    snprintf(other, sizeof other, "%s/other", base);
    cr_assert_eq(sasae_certs_init_ca(dir, "Example Help Desk", err), 0, "%s", err);
    cr_assert_eq(sasae_certs_init_ca(other, "Scam Support Ltd", err), 0, "%s", err);
    ca = slurp(dir, "ca.pem", &ca_len);
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    cr_assert_eq(system(cmd), 0);
    free(ca);
}

TestSuite(host_crl, .init = setup, .fini = teardown);

Test(host_crl, accepts_the_organisations_current_crl)
{
    size_t len;
    uint8_t *der = crl_der(dir, &len);
    struct host_crl c = {0};
    char why[256] = "";
    int64_t now = time(NULL);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why), HOST_CRL_OK,
                 "%s", why);
    cr_assert(c.pem && strstr(c.pem, "BEGIN X509 CRL"));
    cr_assert(c.next_update - c.this_update <= 24 * 3600 + 60, "sasae-certs signs for a day");
    cr_assert(host_crl_current(&c, now));
    cr_assert_not(host_crl_current(&c, c.next_update));
    host_crl_clear(&c);
    OPENSSL_free(der);
}

Test(host_crl, refuses_nothing_garbage_and_foreign)
{
    struct host_crl c = {0};
    char why[256] = "";
    int64_t now = time(NULL);
    cr_assert_eq(host_crl_check(ca, ca_len, NULL, 0, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_NONE);
    cr_assert(strstr(why, "no revocation list"), "%s", why);
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    cr_assert_eq(host_crl_check(ca, ca_len, junk, sizeof junk, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_PARSE);
    size_t len;
    uint8_t *der = crl_der(other, &len);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_ISSUER);
    cr_assert(strstr(why, "not signed by the organisation"), "%s", why);
    /* one flipped bit in the signature */
    OPENSSL_free(der);
    der = crl_der(dir, &len);
    der[len - 3] ^= 1;
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_ISSUER);
    cr_assert_null(c.pem, "nothing accepted");
    OPENSSL_free(der);
}

Test(host_crl, refuses_expired_future_and_long_lived)
{
    struct host_crl c = {0};
    char why[256] = "";
    int64_t now = time(NULL);
    size_t len;
    uint8_t *der = signed_crl(dir, now - 2 * 86400, 86400, &len);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_EXPIRED);
    char t[40];
    host_crl_time(now - 86400, t, sizeof t);
    cr_assert(strstr(why, "expired on") && strstr(why, t), "%s (want %s)", why, t);
    OPENSSL_free(der);
    der = signed_crl(dir, now + 3600, 3600, &len);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_FUTURE);
    OPENSSL_free(der);
    /* what an old, 30-day sasae-certs made: a replay would hold a revocation back a month */
    der = signed_crl(dir, now - 60, 30 * 86400, &len);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why),
                 HOST_CRL_E_LIFETIME);
    OPENSSL_free(der);
    der = signed_crl(dir, now - 60, 24 * 3600, &len);
    cr_assert_eq(host_crl_check(ca, ca_len, der, len, now, NULL, &c, why, sizeof why), HOST_CRL_OK,
                 "%s", why);
    host_crl_clear(&c);
    OPENSSL_free(der);
}

Test(host_crl, refuses_a_replay_of_an_older_crl)
{
    struct host_crl held = {0}, c = {0};
    char why[256] = "";
    int64_t now = time(NULL);
    size_t l1, l2;
    uint8_t *old = signed_crl(dir, now - 7200, 86400, &l1);
    uint8_t *cur = signed_crl(dir, now - 60, 86400, &l2);
    cr_assert_eq(host_crl_check(ca, ca_len, cur, l2, now, NULL, &held, why, sizeof why),
                 HOST_CRL_OK);
    cr_assert_eq(host_crl_check(ca, ca_len, old, l1, now, &held, &c, why, sizeof why),
                 HOST_CRL_E_OLDER);
    cr_assert(strstr(why, "older"), "%s", why);
    /* the same one again is fine (the relay sends it at registration and at pairing) */
    cr_assert_eq(host_crl_check(ca, ca_len, cur, l2, now, &held, &c, why, sizeof why), HOST_CRL_OK);
    host_crl_clear(&c);
    host_crl_clear(&held);
    OPENSSL_free(old);
    OPENSSL_free(cur);
}

Test(host_crl, time_text)
{
    char t[40];
    host_crl_time(0, t, sizeof t);
    cr_assert_str_eq(t, "1970-01-01 00:00 UTC");
    host_crl_time(1796342400 + 8 * 3600 + 5 * 60, t, sizeof t); /* 2026-12-04 08:05 */
    cr_assert_str_eq(t, "2026-12-04 08:05 UTC");
}
