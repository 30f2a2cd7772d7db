/* `sasae-certs brand`: writes a help desk's copy of sasae-host.exe carrying its relay URL,
 * the CA of the relay's certificate, the organisation CA (and CRL, name), so customers start
 * it with no arguments; `sasae-certs brand --show` prints what an exe carries. The exe is
 * parsed as PE: the brand area must be the exe's .sbrand section, and an exe that is
 * already signed is refused (brand first, then sign: the signature then covers the brand). */
#include "brand.h"

#include <getopt.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    pe->sec_dir_size = le32(x + opt + 112 + 4 * 8 + 4); /* data directory 4: security */
    size_t sec = opt + optlen;
    if (nsec > 96 || sec + nsec * 40 > n)
        goto not_pe;
    pe->area_len = 0;
    for (size_t i = 0; i < nsec; i++) {
        const uint8_t *s = x + sec + i * 40;
        if (memcmp(s, ".sbrand\0", 8) != 0)
            continue;
        size_t raw = le32(s + 16), off = le32(s + 20);
        if (off > n || raw > n - off || raw < SASAE_BRAND_AREA)
            goto not_pe;
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

/* A PEM file of one or more CA certificates (basicConstraints CA:TRUE). */
static char *read_ca(const char *path, size_t *len, const char *what)
{
    char *pem = (char *)slurp(path, len, 1 << 20);
    if (!pem)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)*len);
    X509 *x;
    int n = 0;
    bool ok = true;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        n++;
        if (X509_check_ca(x) < 1)
            ok = false;
        X509_free(x);
    }
    BIO_free(b);
    if (!n || !ok) {
        fprintf(stderr, "sasae-certs: %s (%s): %s\n", path, what,
                n ? "a certificate in it is not a CA certificate" : "no PEM certificate in it");
        free(pem);
        return NULL;
    }
    return pem;
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
        printf("organisation: %.*s\n", (int)b.org_name_len, b.org_name ? b.org_name : "");
        printf("relay: %.*s\n", (int)b.relay_url_len, b.relay_url);
        printf("relay CA: %zu bytes\norganisation CA: %zu bytes\nCRL: %zu bytes\n", b.relay_ca_len,
               b.org_ca_len, b.crl_len);
    }
    free(x);
    return rc < 0 ? 1 : 0;
}

int certs_brand_main(int argc, char **argv)
{
    const char *exe = NULL, *out = NULL, *relay = NULL, *relay_ca = NULL, *org_ca = NULL,
               *crl = NULL, *org_name = NULL, *show_exe = NULL;
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
            crl = optarg;
            break;
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
                        "--relay wss://HOST:PORT/ --relay-ca FILE --org-ca FILE [--crl FILE] "
                        "[--org-name NAME]\n       sasae-certs brand --show EXE\n");
        return 2;
    }
    if (strncmp(relay, "wss://", 6) != 0 || !relay[6]) {
        fprintf(stderr, "sasae-certs: --relay must be a wss:// URL\n");
        return 2;
    }
    int rc = 1;
    size_t n = 0, rcl = 0, ocl = 0, cl = 0;
    uint8_t *x = slurp(exe, &n, MAX_EXE);
    char *rca = NULL, *oca = NULL, *crlpem = NULL, err[256];
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
    if (!(rca = read_ca(relay_ca, &rcl, "relay CA")) || !(oca = read_ca(org_ca, &ocl, "org CA")))
        goto out;
    if (crl) {
        crlpem = (char *)slurp(crl, &cl, 8u << 20);
        BIO *b = crlpem ? BIO_new_mem_buf(crlpem, (int)cl) : NULL;
        X509_CRL *xc = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        if (!xc) {
            fprintf(stderr, "sasae-certs: %s: not a PEM CRL\n", crl);
            goto out;
        }
        X509_CRL_free(xc);
    }
    struct sasae_brand b = {relay,         rca, oca, crlpem, org_name,
                            strlen(relay), rcl, ocl, cl,     org_name ? strlen(org_name) : 0};
    if (sasae_brand_build(&b, x + pe.area_off, err, sizeof err) != 0) {
        fprintf(stderr, "sasae-certs: %s\n", err);
        goto out;
    }
    uint32_t sum = pe_checksum(x, n, pe.checksum_off);
    memcpy(
        x + pe.checksum_off,
        (uint8_t[]){(uint8_t)sum, (uint8_t)(sum >> 8), (uint8_t)(sum >> 16), (uint8_t)(sum >> 24)},
        4);
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(x, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "sasae-certs: %s: cannot write\n", out);
        goto out;
    }
    printf("%s: branded for %s (relay %s); sign it now, e.g. with osslsigncode\n", out,
           org_name ? org_name : "your organisation", relay);
    rc = 0;
out:
    free(x);
    free(rca);
    free(oca);
    free(crlpem);
    return rc;
}
