/* Tests for codec/brand: the brand block of a help desk's Windows host, both ways, and every
 * kind of damage refused with its reason (never a default). */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <string.h>

#include "sasae/brand.h"

static uint8_t area[SASAE_BRAND_AREA];
static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
static const char crl[] = "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n";

static void build(void)
{
    struct sasae_brand b = {.relay_url = "wss://relay.example.jp:8443/",
                            .relay_url_len = 28,
                            .relay_ca = pem,
                            .relay_ca_len = sizeof pem - 1,
                            .org_ca = pem,
                            .org_ca_len = sizeof pem - 1,
                            .org_name = "ヘルプデスク",
                            .org_name_len = strlen("ヘルプデスク")};
    char err[256];
    cr_assert_eq(sasae_brand_build(&b, area, err, sizeof err), 0, "%s", err);
}

static int parse(char *err, size_t errlen)
{
    struct sasae_brand b;
    return sasae_brand_parse(area, sizeof area, &b, err, errlen);
}

static size_t payload_len(void)
{
    return (size_t)area[32] << 24 | (size_t)area[33] << 16 | (size_t)area[34] << 8 | area[35];
}

/* Replaces the payload with p (n bytes) under a correct checksum, as a forger who knows the
 * format would: what the parser must refuse beyond the checksum. */
static void reseal(const void *p, size_t n)
{
    sasae_brand_blank(area);
    area[32] = (uint8_t)(n >> 24);
    area[33] = (uint8_t)(n >> 16);
    area[34] = (uint8_t)(n >> 8);
    area[35] = (uint8_t)n;
    memcpy(area + SASAE_BRAND_HEADER, p, n);
    unsigned int l = 0;
    cr_assert_eq(EVP_Digest(area, SASAE_BRAND_HEADER + n, area + SASAE_BRAND_HEADER + n, &l,
                            EVP_sha256(), NULL),
                 1);
}

/* Appends one field (type, u16 length, value) to buf at *n. */
static void field(uint8_t *buf, size_t *n, int t, const void *v, size_t len)
{
    buf[(*n)++] = (uint8_t)t;
    buf[(*n)++] = (uint8_t)(len >> 8);
    buf[(*n)++] = (uint8_t)len;
    memcpy(buf + *n, v, len);
    *n += len;
}

/* A payload with the three required fields (URL as given), resealed. */
static void reseal_with_url(const char *url, size_t url_len)
{
    static uint8_t buf[SASAE_BRAND_MAX_PAYLOAD];
    size_t n = 0;
    field(buf, &n, SASAE_BRAND_RELAY_URL, url, url_len);
    field(buf, &n, SASAE_BRAND_RELAY_CA, pem, sizeof pem - 1);
    field(buf, &n, SASAE_BRAND_ORG_CA, pem, sizeof pem - 1);
    reseal(buf, n);
}

/* parse must fail with a message containing want */
static void refused(const char *want)
{
    char err[256] = "";
    struct sasae_brand b;
    memset(&b, 0x55, sizeof b);
    cr_assert_lt(sasae_brand_parse(area, sizeof area, &b, err, sizeof err), 0, "accepted (%s)",
                 want);
    cr_assert(strstr(err, want), "'%s' does not say '%s'", err, want);
    cr_assert_null(b.relay_url, "a refused block left a field set");
    cr_assert_null(b.org_ca, "a refused block left a field set");
}

Test(brand, round_trip)
{
    build();
    struct sasae_brand b;
    char err[256] = "";
    cr_assert_eq(sasae_brand_parse(area, sizeof area, &b, err, sizeof err), 0, "%s", err);
    cr_assert_eq(b.relay_url_len, 28);
    cr_assert(memcmp(b.relay_url, "wss://relay.example.jp:8443/", 28) == 0);
    cr_assert_eq(b.relay_ca_len, sizeof pem - 1);
    cr_assert(memcmp(b.org_name, "ヘルプデスク", b.org_name_len) == 0);
    cr_assert_null(b.crl);
}

Test(brand, round_trip_every_field_at_its_limit)
{
    static char url[SASAE_BRAND_MAX_URL], name[SASAE_BRAND_MAX_NAME];
    memcpy(url, "wss://", 6);
    memset(url + 6, 'a', sizeof url - 6);
    memset(name, 'n', sizeof name);
    struct sasae_brand b = {.relay_url = url,
                            .relay_url_len = sizeof url,
                            .relay_ca = pem,
                            .relay_ca_len = sizeof pem - 1,
                            .org_ca = pem,
                            .org_ca_len = sizeof pem - 1,
                            .crl = crl,
                            .crl_len = sizeof crl - 1,
                            .org_name = name,
                            .org_name_len = sizeof name};
    char err[256] = "";
    cr_assert_eq(sasae_brand_build(&b, area, err, sizeof err), 0, "%s", err);
    struct sasae_brand o;
    cr_assert_eq(sasae_brand_parse(area, sizeof area, &o, err, sizeof err), 0, "%s", err);
    cr_assert_eq(o.relay_url_len, sizeof url);
    cr_assert_eq(o.org_name_len, sizeof name);
    cr_assert_eq(o.crl_len, sizeof crl - 1);
    cr_assert(memcmp(o.crl, crl, o.crl_len) == 0);
    /* one byte more is "too long", on both sides */
    static char url2[SASAE_BRAND_MAX_URL + 1];
    memcpy(url2, url, sizeof url);
    url2[sizeof url] = 'a';
    b.relay_url = url2;
    b.relay_url_len = sizeof url2;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "brand field relay URL too long"), "%s", err);
    reseal_with_url(url2, sizeof url2);
    refused("brand field relay URL too long");
}

Test(brand, blank_is_unbranded)
{
    sasae_brand_blank(area);
    char err[256];
    cr_assert_eq(parse(err, sizeof err), 1);
    area[1000] = 1; /* a blank area with a stray byte is not blank */
    refused("not blank");
}

Test(brand, any_flipped_byte_is_refused)
{
    build();
    /* every byte of the area: marker, length, payload, checksum and the zeros after it */
    for (size_t i = 0; i < sizeof area; i++) {
        area[i] ^= 0x20;
        char err[256] = "";
        cr_assert_lt(parse(err, sizeof err), 0, "byte %zu flipped was accepted", i);
        cr_assert_neq(err[0], 0);
        if (i >= SASAE_BRAND_HEADER && i < SASAE_BRAND_HEADER + payload_len() + 32)
            cr_assert(strstr(err, "checksum mismatch"), "byte %zu: %s", i, err);
        area[i] ^= 0x20;
    }
    char err[256];
    cr_assert_eq(parse(err, sizeof err), 0);
    area[sizeof area - 1] = 1;
    refused("data after its checksum");
}

Test(brand, reasons)
{
    char err[256];
    build();
    area[33] = 0xff; /* announced length beyond the area */
    refused("truncated");
    build();
    area[SASAE_BRAND_HEADER + 10] ^= 1;
    refused("checksum mismatch");
    build();
    struct sasae_brand b;
    cr_assert_lt(sasae_brand_parse(area, 40, &b, err, sizeof err), 0); /* a cut area */
    /* a cut area whose announced payload no longer fits */
    cr_assert_lt(
        sasae_brand_parse(area, SASAE_BRAND_HEADER + payload_len() + 31, &b, err, sizeof err), 0);
    cr_assert(strstr(err, "truncated"), "%s", err);
    build();
    area[11] ^= 1; /* inside the marker */
    refused("no valid marker");
}

Test(brand, other_version)
{
    build();
    memcpy(area, "SASAE-BRAND-AREA-v2", 19);
    refused("brand block version 2 is not supported");
    memcpy(area, "SASAE-BRAND-AREA-v17", 20);
    refused("brand block version 17 is not supported");
    /* the right version with a changed padding byte is damage, not a version */
    build();
    area[25] = '7';
    refused("no valid marker");
}

Test(brand, forged_payloads_with_a_good_checksum)
{
    static uint8_t buf[4096];
    size_t n = 0;
    const char *url = "wss://r.example/";
    field(buf, &n, SASAE_BRAND_RELAY_URL, url, strlen(url));
    field(buf, &n, SASAE_BRAND_RELAY_CA, pem, sizeof pem - 1);
    field(buf, &n, SASAE_BRAND_ORG_CA, pem, sizeof pem - 1);
    size_t good = n;
    reseal(buf, n);
    char err[256] = "";
    cr_assert_eq(parse(err, sizeof err), 0, "%s", err); /* the forger's base case is valid */

    field(buf, &n, 9, "x", 1);
    reseal(buf, n);
    refused("unknown field 9");
    n = good;
    field(buf, &n, SASAE_BRAND_ORG_CA, pem, sizeof pem - 1);
    reseal(buf, n);
    refused("organisation CA given twice");
    n = good;
    field(buf, &n, SASAE_BRAND_CRL, crl, sizeof crl - 1);
    reseal(buf, n - 5); /* the last field runs past the payload */
    refused("CRL truncated");
    n = good;
    buf[n++] = SASAE_BRAND_ORG_NAME;
    buf[n++] = 0;
    reseal(buf, n); /* two bytes: no room for a field header */
    refused("field header truncated");

    reseal_with_url("https://r.example/", 18);
    refused("not wss://");
    reseal_with_url("wss://r.example/\n", 17);
    refused("relay URL has a space");
    reseal_with_url("wss://r.ex\0mple/", 16);
    refused("relay URL has a space");

    n = good;
    field(buf, &n, SASAE_BRAND_ORG_NAME, "Help\x1b[2JDesk", 12);
    reseal(buf, n);
    refused("organisation name is not UTF-8 text");
    n = good;
    field(buf, &n, SASAE_BRAND_ORG_NAME,
          "\xc2\x9b"
          "31m",
          5); /* C1 CSI */
    reseal(buf, n);
    refused("organisation name is not UTF-8 text");
    n = good;
    field(buf, &n, SASAE_BRAND_ORG_NAME, "\xe3\x83", 2); /* cut UTF-8 sequence */
    reseal(buf, n);
    refused("organisation name is not UTF-8 text");

    n = 0;
    field(buf, &n, SASAE_BRAND_RELAY_URL, url, strlen(url));
    field(buf, &n, SASAE_BRAND_ORG_CA, pem, sizeof pem - 1);
    reseal(buf, n);
    refused("no relay CA");
    n = 0;
    field(buf, &n, SASAE_BRAND_RELAY_URL, url, strlen(url));
    field(buf, &n, SASAE_BRAND_RELAY_CA, "MIIB", 4); /* lws would take this as DER */
    field(buf, &n, SASAE_BRAND_ORG_CA, pem, sizeof pem - 1);
    reseal(buf, n);
    refused("relay CA is not PEM");
    n = 0;
    field(buf, &n, SASAE_BRAND_RELAY_URL, url, strlen(url));
    field(buf, &n, SASAE_BRAND_RELAY_CA, pem, sizeof pem - 1);
    field(buf, &n, SASAE_BRAND_ORG_CA, "-----BEGIN CERTIFICATE-----\n\0", 29);
    reseal(buf, n);
    refused("organisation CA is not PEM");
}

Test(brand, build_refuses_bad_input)
{
    char err[256];
    struct sasae_brand b = {.relay_url = "https://x/",
                            .relay_url_len = 10,
                            .relay_ca = pem,
                            .relay_ca_len = sizeof pem - 1,
                            .org_ca = pem,
                            .org_ca_len = sizeof pem - 1};
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "wss://"), "%s", err);
    b.relay_url = "wss://x/";
    b.relay_url_len = 8;
    b.org_ca = NULL;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    static char big[70000];
    memset(big, 'A', sizeof big);
    memcpy(big, pem, 11);
    b.org_ca = big;
    b.org_ca_len = sizeof big;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "organisation CA too long"), "%s", err);
    /* each field fits, all of them together do not */
    b.org_ca_len = 40000;
    b.relay_ca = big;
    b.relay_ca_len = 40000;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "too large for the brand block"), "%s", err);
    /* a failed build leaves a blank area, never half a brand */
    cr_assert_eq(parse(err, sizeof err), 1, "%s", err);
    b.org_ca = pem;
    b.org_ca_len = sizeof pem - 1;
    b.relay_ca = pem;
    b.relay_ca_len = sizeof pem - 1;
    b.org_name = "Help\nDesk";
    b.org_name_len = 9;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "not UTF-8 text"), "%s", err);
    b.org_name = NULL;
    b.relay_ca = "not a pem";
    b.relay_ca_len = 9;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "relay CA is not PEM"), "%s", err);
}
