/* sasae certs: organisation CA, operator/relay certificate issuance, index and CRL files. */
#include "sasae/certs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Same value as SASAE_CHAN_OPERATOR_OID in codec/chan (kept literal: relay/certs must not
 * depend on the channel code). */
#define OPERATOR_OID "2.25.180043282146787509957304164653088530003"
/* CRLs are short-lived: a relay that replays an old one can hold back a revocation for at
 * most this long (hosts refuse a CRL valid for longer: host/crl.h). Re-signed daily. */
#define CRL_HOURS 24

static int fail(char *errbuf, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *errbuf, int rc, const char *fmt, ...)
{
    if (errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, 256, fmt, ap);
        va_end(ap);
    }
    ERR_clear_error();
    return rc;
}

/* Names end up in consent prompts: no control characters. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static void path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Writes a file atomically (temp + rename) with the given mode. */
static int write_file(const char *p, const void *data, size_t len, mode_t mode)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", p, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    const char *b = data;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, b + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = -errno;
            close(fd);
            unlink(tmp);
            return e ? e : -EIO;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0 || close(fd) < 0) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    if (rename(tmp, p) < 0) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    return 0;
}

static int write_bio(const char *p, BIO *b, mode_t mode)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    if (n < 0)
        return -EIO;
    return write_file(p, data, (size_t)n, mode);
}

static int write_cert(const char *p, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    int rc = b && PEM_write_bio_X509(b, x) == 1 ? write_bio(p, b, 0644) : -EIO;
    BIO_free(b);
    return rc;
}

static int write_key(const char *p, EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_secmem());
    int rc = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1
                 ? write_bio(p, b, 0600)
                 : -EIO;
    BIO_free(b);
    return rc;
}

static X509 *read_cert(const char *p)
{
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return x;
}

static EVP_PKEY *read_key(const char *p)
{
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static int random_serial(X509 *x, char *hex_out)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return 0;
    b[0] = (unsigned char)((b[0] & 0x7f) | 0x40); /* positive, fixed length */
    BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    if (ok && hex_out) {
        char *h = BN_bn2hex(bn);
        ok = h != NULL;
        if (ok)
            snprintf(hex_out, 80, "%s", h);
        OPENSSL_free(h);
    }
    BN_free(bn);
    return ok;
}

static int set_validity(X509 *x, const struct sasae_certs_validity *v, int default_days)
{
    int64_t now = (int64_t)time(NULL);
    int64_t nb = v && v->not_before ? v->not_before : now - 300;
    int64_t na = v && v->not_after ? v->not_after : nb + (int64_t)default_days * 86400;
    return ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) &&
           ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
}

static int mkdir_p(const char *d)
{
    if (mkdir(d, 0700) == 0 || errno == EEXIST)
        return 0;
    return -errno;
}

/* ---- index: one line per certificate ------------------------------------------------
 * serial \t kind \t status(V|R) \t not_after(unix) \t revoked_at(unix|0) \t subject \t file */
#define IDX_MAX 4096
struct idx_row {
    char serial[80], kind[16], status[2];
    long long not_after, revoked_at;
    char subject[512], file[512];
};

static int idx_load(const char *dir, struct idx_row **rows, int *n)
{
    char p[4096];
    path(p, sizeof(p), dir, "index");
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(p, "r");
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    struct idx_row *r = calloc(IDX_MAX, sizeof(*r));
    if (!r) {
        fclose(f);
        return -ENOMEM;
    }
    char line[1400];
    int c = 0;
    while (c < IDX_MAX && fgets(line, sizeof(line), f)) {
        struct idx_row *x = &r[c];
        if (sscanf(line, "%79[^\t]\t%15[^\t]\t%1[^\t]\t%lld\t%lld\t%511[^\t]\t%511[^\t\n]",
                   x->serial, x->kind, x->status, &x->not_after, &x->revoked_at, x->subject,
                   x->file) == 7)
            c++;
    }
    fclose(f);
    *rows = r;
    *n = c;
    return 0;
}

static int idx_save(const char *dir, const struct idx_row *rows, int n)
{
    size_t cap = (size_t)n * 1400 + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    buf[0] = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%s\t%lld\t%lld\t%s\t%s\n",
                                rows[i].serial, rows[i].kind, rows[i].status, rows[i].not_after,
                                rows[i].revoked_at, rows[i].subject, rows[i].file);
    char p[4096];
    path(p, sizeof(p), dir, "index");
    int rc = write_file(p, buf, len, 0644);
    free(buf);
    return rc;
}

static int idx_append(const char *dir, const char *serial, const char *kind, X509 *x,
                      const char *file)
{
    struct idx_row *rows;
    int n, rc = idx_load(dir, &rows, &n);
    if (rc)
        return rc;
    if (!rows && !(rows = calloc(IDX_MAX, sizeof(*rows))))
        return -ENOMEM;
    if (n >= IDX_MAX) {
        free(rows);
        return -ENOSPC;
    }
    struct idx_row *r = &rows[n];
    memset(r, 0, sizeof(*r));
    snprintf(r->serial, sizeof(r->serial), "%s", serial);
    snprintf(r->kind, sizeof(r->kind), "%s", kind);
    strcpy(r->status, "V");
    time_t t = 0;
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
        t = timegm(&tm);
    r->not_after = (long long)t;
    X509_NAME_oneline(X509_get_subject_name(x), r->subject, sizeof(r->subject));
    for (char *s = r->subject; *s; s++)
        if (*s == '\t' || *s == '\n')
            *s = ' ';
    snprintf(r->file, sizeof(r->file), "%s", file);
    rc = idx_save(dir, rows, n + 1);
    free(rows);
    return rc;
}

/* ---- CA ------------------------------------------------------------------------------ */
struct ca {
    X509 *cert;
    EVP_PKEY *key;
};

static void ca_free(struct ca *c)
{
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
}

static int ca_load(const char *dir, struct ca *c, char *errbuf)
{
    char p[4096];
    memset(c, 0, sizeof(*c));
    path(p, sizeof(p), dir, "ca.pem");
    c->cert = read_cert(p);
    path(p, sizeof(p), dir, "ca.key");
    c->key = read_key(p);
    if (!c->cert || !c->key || X509_check_private_key(c->cert, c->key) != 1) {
        ca_free(c);
        return fail(errbuf, -ENOENT, "no usable CA in %s (run init-ca first)", dir);
    }
    return 0;
}

int sasae_certs_init_ca(const char *dir, const char *org, char *errbuf)
{
    char p[4096];
    int rc = mkdir_p(dir);
    if (rc)
        return fail(errbuf, rc, "cannot create %s: %s", dir, strerror(-rc));
    if (!org || !*org || strlen(org) > 64 || !printable(org))
        return fail(errbuf, -EINVAL, "organisation name must be 1..64 printable characters");
    path(p, sizeof(p), dir, "ca.key");
    if (access(p, F_OK) == 0)
        return fail(errbuf, -EEXIST, "%s already exists", p);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    X509 *x = X509_new();
    rc = -EIO;
    if (!k || !x)
        goto out;
    char cn[128];
    snprintf(cn, sizeof(cn), "%s sasae CA", org);
    X509_NAME *n = X509_get_subject_name(x);
    if (X509_set_version(x, 2) != 1 || !random_serial(x, NULL) || !set_validity(x, NULL, 3650) ||
        X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) !=
            1 ||
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) !=
            1 ||
        X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, k) != 1 ||
        !add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(x, x, NID_subject_key_identifier, "hash") || X509_sign(x, k, EVP_sha384()) <= 0)
        goto out;
    path(p, sizeof(p), dir, "ca.key");
    if ((rc = write_key(p, k)))
        goto out;
    path(p, sizeof(p), dir, "ca.pem");
    if ((rc = write_cert(p, x)))
        goto out;
    char od[4096];
    path(od, sizeof(od), dir, "operators");
    if ((rc = mkdir_p(od)))
        goto out;
    path(p, sizeof(p), dir, "index");
    if (access(p, F_OK) != 0 && (rc = write_file(p, "", 0, 0644)))
        goto out;
    rc = sasae_certs_write_crl(dir, errbuf);
out:
    EVP_PKEY_free(k);
    X509_free(x);
    if (rc && !(errbuf && errbuf[0]))
        return fail(errbuf, rc, "creating the CA failed");
    return rc;
}

static void slugify(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    int dash = 0;
    for (const char *s = name; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) && c < 0x80) {
            if (dash && n)
                out[n++] = '-';
            if (n + 1 < cap)
                out[n++] = (char)tolower(c);
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[n] = 0;
}

static int issue(const char *dir, struct ca *ca, EVP_PKEY *k, const char *cn, const char *san,
                 const char *eku, int days, const struct sasae_certs_validity *v, X509 **out,
                 char *serial_hex)
{
    X509 *x = X509_new();
    X509_NAME *n = x ? X509_get_subject_name(x) : NULL;
    const X509_NAME *can = X509_get_subject_name(ca->cert);
    int oi = X509_NAME_get_index_by_NID((X509_NAME *)can, NID_organizationName, -1);
    int ok = x && X509_set_version(x, 2) == 1 && random_serial(x, serial_hex) &&
             set_validity(x, v, days) && oi >= 0 &&
             X509_NAME_add_entry(n, X509_NAME_get_entry(can, oi), -1, 0) == 1 &&
             X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                        0) == 1 &&
             X509_set_issuer_name(x, (X509_NAME *)can) == 1 && X509_set_pubkey(x, k) == 1 &&
             add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, ca->cert, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, ca->cert, NID_ext_key_usage, eku) &&
             add_ext(x, ca->cert, NID_subject_key_identifier, "hash") &&
             add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always") &&
             (!san || add_ext(x, ca->cert, NID_subject_alt_name, san)) &&
             X509_sign(x, ca->key, EVP_sha384()) > 0;
    if (!ok) {
        X509_free(x);
        return 0;
    }
    *out = x;
    return 1;
}

int sasae_certs_issue_operator(const char *dir, const char *name, const char *email,
                               const struct sasae_certs_validity *v, char *serial_hex, char *errbuf)
{
    struct ca ca;
    char slug[128], rel[200], p[4096], serial[80], san[320];
    int rc = ca_load(dir, &ca, errbuf);
    if (rc)
        return rc;
    EVP_PKEY *k = NULL;
    X509 *x = NULL;
    slugify(name ? name : "", slug, sizeof(slug));
    if (!name || strlen(name) > 64 || !slug[0] || !printable(name)) {
        rc = fail(errbuf, -EINVAL, "operator name must be 1..64 characters with a letter");
        goto out;
    }
    if (email && (strlen(email) > 128 || !strchr(email, '@') || strpbrk(email, ", \t\n"))) {
        rc = fail(errbuf, -EINVAL, "invalid e-mail address");
        goto out;
    }
    snprintf(rel, sizeof(rel), "operators/%s.pem", slug);
    path(p, sizeof(p), dir, rel);
    if (access(p, F_OK) == 0) {
        rc = fail(errbuf, -EEXIST, "%s exists (revoke it and remove the files first)", p);
        goto out;
    }
    if (email)
        snprintf(san, sizeof(san), "email:%s", email);
    k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!k || !issue(dir, &ca, k, name, email ? san : NULL, "clientAuth," OPERATOR_OID, 365, v, &x,
                     serial)) {
        rc = fail(errbuf, -EIO, "issuing the operator certificate failed");
        goto out;
    }
    char od[4096];
    path(od, sizeof(od), dir, "operators");
    if ((rc = mkdir_p(od)))
        goto out;
    snprintf(rel, sizeof(rel), "operators/%s.key", slug);
    path(p, sizeof(p), dir, rel);
    if ((rc = write_key(p, k)))
        goto out;
    snprintf(rel, sizeof(rel), "operators/%s.pem", slug);
    path(p, sizeof(p), dir, rel);
    if ((rc = write_cert(p, x)) || (rc = idx_append(dir, serial, "operator", x, rel)))
        goto out;
    if (serial_hex)
        snprintf(serial_hex, 80, "%s", serial);
out:
    if (rc && errbuf && !errbuf[0])
        fail(errbuf, rc, "writing files in %s failed: %s", dir, strerror(-rc));
    EVP_PKEY_free(k);
    X509_free(x);
    ca_free(&ca);
    return rc;
}

int sasae_certs_issue_relay(const char *dir, const char *const *hosts, int nhosts,
                            const struct sasae_certs_validity *v, char *serial_hex, char *errbuf)
{
    struct ca ca;
    char san[2048], p[4096], serial[80];
    int rc = ca_load(dir, &ca, errbuf);
    if (rc)
        return rc;
    EVP_PKEY *k = NULL;
    X509 *x = NULL;
    size_t n = 0;
    san[0] = 0;
    if (nhosts < 1 || nhosts > 16) {
        rc = fail(errbuf, -EINVAL, "give 1..16 --host names");
        goto out;
    }
    for (int i = 0; i < nhosts; i++) {
        const char *h = hosts[i];
        if (!h[0] || strlen(h) > 100 || strpbrk(h, ", \t\n")) {
            rc = fail(errbuf, -EINVAL, "invalid host name '%s'", h);
            goto out;
        }
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(h);
        n += (size_t)snprintf(san + n, sizeof(san) - n, "%s%s:%s", i ? "," : "", ip ? "IP" : "DNS",
                              h);
        ASN1_OCTET_STRING_free(ip);
    }
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!k || !issue(dir, &ca, k, hosts[0], san, "serverAuth", 825, v, &x, serial)) {
        rc = fail(errbuf, -EIO, "issuing the relay certificate failed");
        goto out;
    }
    path(p, sizeof(p), dir, "relay.key");
    if ((rc = write_key(p, k)))
        goto out;
    path(p, sizeof(p), dir, "relay.pem");
    if ((rc = write_cert(p, x)) || (rc = idx_append(dir, serial, "relay", x, "relay.pem")))
        goto out;
    if (serial_hex)
        snprintf(serial_hex, 80, "%s", serial);
out:
    if (rc && errbuf && !errbuf[0])
        fail(errbuf, rc, "writing files in %s failed: %s", dir, strerror(-rc));
    EVP_PKEY_free(k);
    X509_free(x);
    ca_free(&ca);
    return rc;
}

int sasae_certs_write_crl(const char *dir, char *errbuf)
{
    struct ca ca;
    int rc = ca_load(dir, &ca, errbuf);
    if (rc)
        return rc;
    struct idx_row *rows = NULL;
    int n = 0;
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    if ((rc = idx_load(dir, &rows, &n)))
        goto out;
    rc = -EIO;
    time_t now = time(NULL);
    if (!crl || !t || X509_CRL_set_version(crl, 1) != 1 ||
        X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert)) != 1 ||
        !ASN1_TIME_set(t, now - 60) || X509_CRL_set1_lastUpdate(crl, t) != 1 ||
        !ASN1_TIME_set(t, now + CRL_HOURS * 3600) || X509_CRL_set1_nextUpdate(crl, t) != 1)
        goto out;
    for (int i = 0; i < n; i++) {
        if (rows[i].status[0] != 'R')
            continue;
        X509_REVOKED *r = X509_REVOKED_new();
        BIGNUM *bn = NULL;
        ASN1_INTEGER *sn = NULL;
        int ok = r && BN_hex2bn(&bn, rows[i].serial) > 0 && (sn = BN_to_ASN1_INTEGER(bn, NULL)) &&
                 X509_REVOKED_set_serialNumber(r, sn) == 1 &&
                 ASN1_TIME_set(t, (time_t)rows[i].revoked_at) &&
                 X509_REVOKED_set_revocationDate(r, t) == 1 && X509_CRL_add0_revoked(crl, r) == 1;
        BN_free(bn);
        ASN1_INTEGER_free(sn);
        if (!ok) {
            X509_REVOKED_free(r);
            goto out;
        }
    }
    /* CRL number: the issue time is monotonic enough for a CRL written by one tool. */
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    int ok = num && ASN1_INTEGER_set_int64(num, (int64_t)now) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
    ASN1_INTEGER_free(num);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca.cert, NULL, NULL, crl, 0);
    X509_EXTENSION *aki =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
    ok = ok && aki && X509_CRL_add_ext(crl, aki, -1) == 1;
    X509_EXTENSION_free(aki);
    if (!ok || X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, ca.key, EVP_sha384()) <= 0)
        goto out;
    BIO *b = BIO_new(BIO_s_mem());
    char p[4096];
    path(p, sizeof(p), dir, "crl.pem");
    rc = b && PEM_write_bio_X509_CRL(b, crl) == 1 ? write_bio(p, b, 0644) : -EIO;
    BIO_free(b);
out:
    if (rc && errbuf && !errbuf[0])
        fail(errbuf, rc, "writing the CRL failed");
    free(rows);
    X509_CRL_free(crl);
    ASN1_TIME_free(t);
    ca_free(&ca);
    return rc;
}

int sasae_certs_publish_crl(const char *dir, const char *dest, char *errbuf)
{
    char p[4096];
    path(p, sizeof(p), dir, "crl.pem");
    BIO *in = BIO_new_file(p, "r");
    X509_CRL *crl = in ? PEM_read_bio_X509_CRL(in, NULL, NULL, NULL) : NULL;
    BIO_free(in);
    BIO *b = crl ? BIO_new(BIO_s_mem()) : NULL;
    int rc = b && PEM_write_bio_X509_CRL(b, crl) == 1 ? write_bio(dest, b, 0644) : -EIO;
    BIO_free(b);
    X509_CRL_free(crl);
    ERR_clear_error();
    if (rc)
        return fail(errbuf, rc, "cannot publish %s to %s: %s", p, dest,
                    crl ? strerror(-rc) : "not a CRL");
    return 0;
}

int sasae_certs_revoke(const char *dir, const char *serial_hex, char *errbuf)
{
    struct idx_row *rows = NULL;
    int n = 0, rc = idx_load(dir, &rows, &n), found = -1;
    if (rc)
        return fail(errbuf, rc, "cannot read the index in %s", dir);
    const char *s = serial_hex ? serial_hex : "";
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    for (int i = 0; i < n; i++) {
        /* Compare ignoring case and leading zeros. */
        const char *a = rows[i].serial, *b = s;
        while (*a == '0')
            a++;
        while (*b == '0')
            b++;
        if (strcasecmp(a, b) == 0)
            found = i;
    }
    if (found < 0) {
        free(rows);
        return fail(errbuf, -ENOENT, "no certificate with serial %s", s);
    }
    if (rows[found].status[0] == 'R') {
        free(rows);
        return fail(errbuf, -EALREADY, "serial %s is already revoked", s);
    }
    rows[found].status[0] = 'R';
    rows[found].revoked_at = (long long)time(NULL);
    rc = idx_save(dir, rows, n);
    free(rows);
    if (rc)
        return fail(errbuf, rc, "cannot write the index: %s", strerror(-rc));
    return sasae_certs_write_crl(dir, errbuf);
}

int sasae_certs_list(const char *dir, FILE *out, char *errbuf)
{
    struct idx_row *rows = NULL;
    int n = 0, rc = idx_load(dir, &rows, &n);
    if (rc)
        return fail(errbuf, rc, "cannot read the index in %s", dir);
    time_t now = time(NULL);
    fprintf(out, "%-34s %-8s %-8s %-20s %s\n", "SERIAL", "KIND", "STATUS", "EXPIRES (UTC)",
            "SUBJECT");
    for (int i = 0; i < n; i++) {
        char when[32];
        time_t na = (time_t)rows[i].not_after;
        struct tm tm;
        gmtime_r(&na, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
        const char *st = rows[i].status[0] == 'R' ? "revoked" : na < now ? "expired" : "valid";
        fprintf(out, "%-34s %-8s %-8s %-20s %s\n", rows[i].serial, rows[i].kind, st, when,
                rows[i].subject);
    }
    free(rows);
    return 0;
}
