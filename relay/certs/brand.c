/* `sasae-certs brand`: writes a help desk's copy of sasae-host.exe carrying its relay URL,
 * the CA of the relay's certificate, the organisation CA (and CRL, name), so customers start
 * it with no arguments; `sasae-certs brand --show` prints what an exe carries. The exe is
 * parsed as PE: the brand area must be the exe's .sbrand section, and an exe that is
 * already signed is refused (brand first, then sign: the signature then covers the brand). */
#include "brand.h"

#include <getopt.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sasae/brand.h"

#define MAX_EXE (256u << 20)

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static uint8_t *slurp(const char *path, size_t *len, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sasae-certs: %s: cannot open\n", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                fprintf(stderr, "sasae-certs: %s: too large\n", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

struct pe {
    size_t checksum_off; /* file offset of the optional header's CheckSum */
    size_t area_off;     /* file offset of the .sbrand section's data */
    size_t area_len;
    uint32_t sec_dir_size; /* the certificate table (Authenticode signature) */
};

/* Finds the brand area of a PE32+ exe. 0 or -1 with a message. */
static int pe_parse(const uint8_t *x, size_t n, struct pe *pe, const char *path)
{
    if (n < 0x40 || x[0] != 'M' || x[1] != 'Z')
        goto not_pe;
    size_t h = le32(x + 0x3c);
    if (h > n - 24 || memcmp(x + h, "PE\0\0", 4) != 0)
        goto not_pe;
    size_t nsec = le16(x + h + 6), optlen = le16(x + h + 20), opt = h + 24;
    if (opt + optlen > n || optlen < 112 + 5 * 8 || le16(x + opt) != 0x20b) {
        fprintf(stderr, "sasae-certs: %s: not a 64-bit Windows program\n", path);
        return -1;
    }
    pe->checksum_off = opt + 64;
    if (le32(x + opt + 108) < 5) /* NumberOfRvaAndSizes: no security directory */
        goto not_pe;
    pe->sec_dir_size = le32(x + opt + 112 + 4 * 8 + 4); /* data directory 4: security */
    size_t sec = opt + optlen;
    if (nsec > 96 || sec + nsec * 40 > n)
        goto not_pe;
    pe->area_len = 0;
    for (size_t i = 0; i < nsec; i++) {
        const uint8_t *s = x + sec + i * 40;
        if (memcmp(s, ".sbrand\0", 8) != 0)
            continue;
        size_t vsize = le32(s + 8), raw = le32(s + 16), off = le32(s + 20);
        if (off > n || raw > n - off || raw < SASAE_BRAND_AREA || vsize < SASAE_BRAND_AREA)
            goto not_pe;
        if (pe->area_len) {
            fprintf(stderr, "sasae-certs: %s: two .sbrand sections: not sasae-host.exe\n", path);
            return -1;
        }
        pe->area_off = off;
        pe->area_len = SASAE_BRAND_AREA;
    }
    if (!pe->area_len) {
        fprintf(stderr, "sasae-certs: %s: no brand area (.sbrand section): not sasae-host.exe\n",
                path);
        return -1;
    }
    return 0;
not_pe:
    fprintf(stderr, "sasae-certs: %s: not a Windows program (PE) or damaged\n", path);
    return -1;
}

/* The PE checksum (imagehlp's CheckSumMappedFile): 16-bit one's-complement-style sum of the
 * file with the CheckSum field taken as zero, plus the file length. */
static uint32_t pe_checksum(const uint8_t *x, size_t n, size_t checksum_off)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (i == checksum_off || i == checksum_off + 2)
            continue;
        sum += le16(x + i);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (n & 1)
        sum += x[n - 1];
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint32_t)sum + (uint32_t)n;
}

/* "valid until" text of an ASN1_TIME, into buf */
static const char *when(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(buf, len, "?");
    return buf;
}

/* The PEM blocks of a file ("CERTIFICATE" or "X509 CRL" = want), each handed to f(der, len,
 * arg): any other block is refused, a private key above all, since the brand is published in
 * every copy of the exe; text between blocks is ignored. 0, or -1 (message printed). */
static int pem_blocks(const char *path, const char *what, const char *want,
                      int (*f)(const uint8_t *, long, void *), void *arg, int *count)
{
    const char *label = strcmp(want, "CERTIFICATE") == 0 ? "certificate(s)" : "CRL";
    size_t len;
    char *text = (char *)slurp(path, &len, 8u << 20);
    if (!text)
        return -1;
    BIO *b = BIO_new_mem_buf(text, (int)len);
    int rc = -1;
    *count = 0;
    for (;;) {
        char *name = NULL, *hdr = NULL;
        unsigned char *der = NULL;
        long dl = 0;
        ERR_clear_error();
        if (!b || !PEM_read_bio(b, &name, &hdr, &der, &dl)) {
            unsigned long e = ERR_peek_last_error();
            if (b && ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                rc = 0; /* the end of the file */
            else
                fprintf(stderr, "sasae-certs: %s (%s): damaged PEM\n", path, what);
            break;
        }
        int ok = -1;
        if (strstr(name, "PRIVATE KEY"))
            fprintf(stderr,
                    "sasae-certs: %s (%s): holds a private key, which would be published in "
                    "every copy: give a file with only the %s\n",
                    path, what, label);
        else if (strcmp(name, want) != 0)
            fprintf(stderr,
                    "sasae-certs: %s (%s): holds a \"%s\" block: give a file with only the %s\n",
                    path, what, name, label);
        else if (f(der, dl, arg) == 0)
            ok = 0, (*count)++;
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_free(der);
        if (ok != 0)
            break;
    }
    ERR_clear_error();
    BIO_free(b);
    free(text);
    if (rc == 0 && *count == 0) {
        fprintf(stderr, "sasae-certs: %s (%s): no PEM %s in it\n", path, what, label);
        rc = -1;
    }
    return rc;
}

struct ca_acc {
    const char *path, *what;
    BIO *out;               /* the certificates, re-encoded: nothing else of the file */
    STACK_OF(X509) * certs; /* kept for the CRL check */
};

static int ca_one(const uint8_t *der, long dl, void *arg)
{
    struct ca_acc *a = arg;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, dl);
    char t[64];
    if (!x || p != der + dl) {
        fprintf(stderr, "sasae-certs: %s (%s): a damaged certificate\n", a->path, a->what);
    } else if (X509_check_ca(x) < 1) {
        fprintf(stderr, "sasae-certs: %s (%s): a certificate in it is not a CA certificate\n",
                a->path, a->what);
    } else if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
        fprintf(stderr, "sasae-certs: %s (%s): a certificate in it expired on %s\n", a->path,
                a->what, when(X509_get0_notAfter(x), t, sizeof t));
    } else if (PEM_write_bio_X509(a->out, x) == 1 && (!a->certs || sk_X509_push(a->certs, x))) {
        if (!a->certs)
            X509_free(x);
        return 0;
    }
    X509_free(x);
    return -1;
}

/* A PEM file of one or more CA certificates (CA:TRUE, not expired), re-encoded: text, keys
 * or other blocks in the file never reach the brand. certs (optional) receives them. */
static char *read_ca(const char *path, size_t *len, const char *what, STACK_OF(X509) * certs)
{
    struct ca_acc a = {path, what, BIO_new(BIO_s_mem()), certs};
    int n = 0;
    char *pem = NULL, *p;
    if (a.out && pem_blocks(path, what, "CERTIFICATE", ca_one, &a, &n) == 0) {
        long l = BIO_get_mem_data(a.out, &p);
        if (l > 0 && (pem = malloc((size_t)l))) {
            memcpy(pem, p, (size_t)l);
            *len = (size_t)l;
        }
    }
    BIO_free(a.out);
    return pem;
}

/* One line per certificate of a PEM field (subject, end of validity). */
static void show_pem(const char *label, const char *pem, size_t len)
{
    if (!pem) {
        printf("%s: none\n", label);
        return;
    }
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x;
    X509_CRL *c;
    char t[64], name[256];
    if (strncmp(pem, "-----BEGIN X509 CRL", 19) == 0) {
        c = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
        X509_NAME_oneline(c ? X509_CRL_get_issuer(c) : NULL, name, sizeof name);
        printf("%s: %d revoked, issued by %s, next update %s%s\n", label,
               c && X509_CRL_get_REVOKED(c) ? sk_X509_REVOKED_num(X509_CRL_get_REVOKED(c)) : 0,
               c ? name : "?", when(c ? X509_CRL_get0_nextUpdate(c) : NULL, t, sizeof t),
               c && X509_cmp_current_time(X509_CRL_get0_nextUpdate(c)) <= 0
                   ? " (EXPIRED: this copy refuses every operator)"
                   : "");
        X509_CRL_free(c);
    } else {
        while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
            X509_NAME_oneline(X509_get_subject_name(x), name, sizeof name);
            printf("%s: %s, valid until %s\n", label, name,
                   when(X509_get0_notAfter(x), t, sizeof t));
            X509_free(x);
        }
    }
    ERR_clear_error();
    BIO_free(b);
}

static int show(const char *path)
{
    size_t n;
    uint8_t *x = slurp(path, &n, MAX_EXE);
    struct pe pe;
    if (!x || pe_parse(x, n, &pe, path) != 0) {
        free(x);
        return 1;
    }
    struct sasae_brand b;
    char err[256];
    int rc = sasae_brand_parse(x + pe.area_off, pe.area_len, &b, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "sasae-certs: %s: %s\n", path, err);
    } else if (rc == 1) {
        printf("%s: not branded%s\n", path, pe.sec_dir_size ? " (signed)" : "");
    } else {
        printf("%s: branded%s\n", path, pe.sec_dir_size ? ", signed" : ", not signed");
        printf("organisation: %.*s\n", b.org_name ? (int)b.org_name_len : 6,
               b.org_name ? b.org_name : "(none)");
        printf("relay: %.*s\n", (int)b.relay_url_len, b.relay_url);
        show_pem("relay CA", b.relay_ca, b.relay_ca_len);
        show_pem("organisation CA", b.org_ca, b.org_ca_len);
        if (b.crl)
            show_pem("CRL (ignored: hosts fetch the current one from the relay)", b.crl, b.crl_len);
        else
            printf("CRL: none in the brand (fetched from the relay at every session)\n");
    }
    free(x);
    return rc < 0 ? 1 : 0;
}

int certs_brand_main(int argc, char **argv)
{
    const char *exe = NULL, *out = NULL, *relay = NULL, *relay_ca = NULL, *org_ca = NULL,
               *org_name = NULL, *show_exe = NULL;
    static const struct option opts[] = {
        {"exe", required_argument, NULL, 'e'},
        {"out", required_argument, NULL, 'o'},
        {"relay", required_argument, NULL, 'r'},
        {"relay-ca", required_argument, NULL, 'a'},
        {"org-ca", required_argument, NULL, 'c'},
        {"crl", required_argument, NULL, 'l'},
        {"org-name", required_argument, NULL, 'n'},
        {"show", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            exe = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'r':
            relay = optarg;
            break;
        case 'a':
            relay_ca = optarg;
            break;
        case 'c':
            org_ca = optarg;
            break;
        case 'l':
            /* A CRL frozen into a signed exe would outlive its 24 hours, or hold back the
             * revocations made after it: a branded host fetches it from the relay. */
            fprintf(stderr, "sasae-certs: brand takes no --crl: a branded host fetches the "
                            "organisation's current CRL from the relay at every session "
                            "(publish it there with `sasae-certs crl --publish FILE`)\n");
            return 2;
        case 'n':
            org_name = optarg;
            break;
        case 's':
            show_exe = optarg;
            break;
        default:
            return 2;
        }
    }
    if (show_exe)
        return show(show_exe);
    if (!exe || !out || !relay || !relay_ca || !org_ca || optind != argc) {
        fprintf(stderr, "usage: sasae-certs brand --exe sasae-host.exe --out BRANDED.exe "
                        "--relay wss://HOST:PORT/ --relay-ca FILE --org-ca FILE "
                        "[--org-name NAME]\n       sasae-certs brand --show EXE\n");
        return 2;
    }
    if (strncmp(relay, "wss://", 6) != 0 || !relay[6] || relay[6] == '/' || relay[6] == ':') {
        fprintf(stderr, "sasae-certs: --relay must be a wss://HOST[:PORT]/ URL\n");
        return 2;
    }
    int rc = 1;
    size_t n = 0, rcl = 0, ocl = 0;
    uint8_t *x = slurp(exe, &n, MAX_EXE);
    char *rca = NULL, *oca = NULL, err[256], tmp[4200] = "";
    STACK_OF(X509) *cas = sk_X509_new_null();
    struct pe pe;
    if (!x || pe_parse(x, n, &pe, exe) != 0)
        goto out;
    if (pe.sec_dir_size) {
        fprintf(stderr,
                "sasae-certs: %s is already signed: brand the unsigned exe, then sign "
                "the branded copy (the signature must cover the brand)\n",
                exe);
        goto out;
    }
    struct sasae_brand old;
    if (sasae_brand_parse(x + pe.area_off, pe.area_len, &old, err, sizeof err) < 0) {
        fprintf(stderr, "sasae-certs: %s: %s\n", exe, err);
        goto out;
    }
    if (!cas || !(rca = read_ca(relay_ca, &rcl, "relay CA", NULL)) ||
        !(oca = read_ca(org_ca, &ocl, "org CA", cas)))
        goto out;
    struct sasae_brand b = {relay,         rca, oca, NULL, org_name,
                            strlen(relay), rcl, ocl, 0,    org_name ? strlen(org_name) : 0};
    if (sasae_brand_build(&b, x + pe.area_off, err, sizeof err) != 0) {
        fprintf(stderr, "sasae-certs: %s\n", err);
        goto out;
    }
    uint32_t sum = pe_checksum(x, n, pe.checksum_off);
    memcpy(
        x + pe.checksum_off,
        (uint8_t[]){(uint8_t)sum, (uint8_t)(sum >> 8), (uint8_t)(sum >> 16), (uint8_t)(sum >> 24)},
        4);
    /* written beside OUT, then renamed: never a half-written exe under OUT's name */
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    bool wrote = f && fwrite(x, 1, n, f) == n;
    if (f && fclose(f) != 0)
        wrote = false;
    if (!wrote || rename(tmp, out) != 0) {
        fprintf(stderr, "sasae-certs: %s: cannot write\n", out);
        goto out;
    }
    tmp[0] = 0;
    printf("%s: branded for %s (relay %s); sign it now, e.g. with osslsigncode\n", out,
           org_name ? org_name : "your organisation", relay);
    rc = 0;
out:
    if (tmp[0])
        unlink(tmp);
    free(x);
    free(rca);
    free(oca);
    sk_X509_pop_free(cas, X509_free);
    return rc;
}
