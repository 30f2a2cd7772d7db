/* Checks the CRL the relay hands over (see crl.h). */
#include "crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void host_crl_time(int64_t t, char *buf, size_t len)
{
    /* civil date from days (Howard Hinnant's algorithm): gmtime_r is not on every target */
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, sec = t - days * 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(buf, len, "%04lld-%02lld-%02lld %02lld:%02lld UTC", (long long)y, (long long)m,
             (long long)d, (long long)(sec / 3600), (long long)(sec / 60 % 60));
}

static int asn1_unix(const ASN1_TIME *a, int64_t *out)
{
    struct tm tm;
    if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
        return -1;
    /* days from the civil date (Howard Hinnant's algorithm): timegm is not portable */
    int64_t y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return 0;
}

/* Is crl signed by one of the certificates in ca_pem? */
static int signed_by_ca(const char *ca_pem, size_t ca_len, X509_CRL *crl)
{
    BIO *b = BIO_new_mem_buf(ca_pem, (int)ca_len);
    int ok = 0;
    X509 *x;
    while (b && !ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        ok = X509_NAME_cmp(X509_get_subject_name(x), X509_CRL_get_issuer(crl)) == 0 &&
             X509_CRL_verify(crl, X509_get0_pubkey(x)) == 1;
        X509_free(x);
    }
    BIO_free(b);
    return ok;
}

static enum host_crl_err refuse(enum host_crl_err e, char *why, size_t whylen, const char *fmt,
                                const char *arg)
{
    if (why && whylen)
        snprintf(why, whylen, fmt, arg);
    return e;
}

enum host_crl_err host_crl_check(const char *ca_pem, size_t ca_len, const uint8_t *der, size_t len,
                                 int64_t now, const struct host_crl *held, struct host_crl *out,
                                 char *why, size_t whylen)
{
    if (!ca_pem || !out || (len && !der))
        return refuse(HOST_CRL_E_ARG, why, whylen, "%s", "invalid argument");
    if (len == 0)
        return refuse(HOST_CRL_E_NONE, why, whylen, "%s",
                      "the support center has no revocation list to give");
    const unsigned char *p = der;
    X509_CRL *crl = len <= 0x7fffffff ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
    enum host_crl_err rc = HOST_CRL_OK;
    char t[40];
    int64_t tu = 0, nu = 0;
    BIO *b = NULL;
    if (!crl || p != der + len) {
        rc = refuse(HOST_CRL_E_PARSE, why, whylen, "%s",
                    "the revocation list from the support center is damaged");
        goto out;
    }
    if (!signed_by_ca(ca_pem, ca_len, crl)) {
        rc = refuse(HOST_CRL_E_ISSUER, why, whylen, "%s",
                    "the revocation list from the support center is not signed by the "
                    "organisation's CA");
        goto out;
    }
    if (asn1_unix(X509_CRL_get0_lastUpdate(crl), &tu) != 0 ||
        asn1_unix(X509_CRL_get0_nextUpdate(crl), &nu) != 0) {
        rc = refuse(HOST_CRL_E_EXPIRED, why, whylen, "%s",
                    "the revocation list from the support center has no expiry date");
        goto out;
    }
    if (nu <= now) {
        host_crl_time(nu, t, sizeof t);
        rc = refuse(HOST_CRL_E_EXPIRED, why, whylen,
                    "the organisation's revocation list expired on %s: the help desk must "
                    "re-sign it (sasae-certs crl)",
                    t);
        goto out;
    }
    if (tu > now + HOST_CRL_SKEW_S) {
        host_crl_time(tu, t, sizeof t);
        rc = refuse(HOST_CRL_E_FUTURE, why, whylen,
                    "the revocation list was issued in the future (%s): check this "
                    "computer's clock",
                    t);
        goto out;
    }
    if (nu - tu > HOST_CRL_MAX_LIFETIME_S) {
        host_crl_time(nu, t, sizeof t);
        rc = refuse(HOST_CRL_E_LIFETIME, why, whylen,
                    "the revocation list is valid for more than a day (until %s); it must be "
                    "re-signed daily",
                    t);
        goto out;
    }
    if (held && held->pem && tu < held->this_update) {
        host_crl_time(tu, t, sizeof t);
        rc = refuse(HOST_CRL_E_OLDER, why, whylen,
                    "the support center sent an older revocation list (issued %s) than the "
                    "one already received",
                    t);
        goto out;
    }
    char *m = NULL;
    long ml;
    b = BIO_new(BIO_s_mem());
    if (!b || PEM_write_bio_X509_CRL(b, crl) != 1 || (ml = BIO_get_mem_data(b, &m)) <= 0 ||
        !(out->pem = malloc((size_t)ml + 1))) {
        rc = refuse(HOST_CRL_E_ARG, why, whylen, "%s", "out of memory");
        goto out;
    }
    memcpy(out->pem, m, (size_t)ml);
    out->pem[ml] = '\0';
    out->pem_len = (size_t)ml;
    out->this_update = tu;
    out->next_update = nu;
    STACK_OF(X509_REVOKED) *rv = X509_CRL_get_REVOKED(crl);
    out->revoked = rv ? sk_X509_REVOKED_num(rv) : 0;
out:
    BIO_free(b);
    X509_CRL_free(crl);
    ERR_clear_error();
    return rc;
}

int host_crl_current(const struct host_crl *c, int64_t now)
{
    return c && c->pem && now < c->next_update;
}

void host_crl_clear(struct host_crl *c)
{
    if (!c)
        return;
    free(c->pem);
    memset(c, 0, sizeof *c);
}
