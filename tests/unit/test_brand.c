/* Tests for codec/brand: the brand block of a help desk's Windows host, both ways, and every
 * kind of damage refused with its reason (never a default). */
#include <criterion/criterion.h>
#include <string.h>

#include "sasae/brand.h"

static uint8_t area[SASAE_BRAND_AREA];
static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

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

Test(brand, blank_is_unbranded)
{
    sasae_brand_blank(area);
    char err[256];
    cr_assert_eq(parse(err, sizeof err), 1);
    area[1000] = 1; /* a blank area with a stray byte is not blank */
    cr_assert_lt(parse(err, sizeof err), 0);
}

Test(brand, any_flipped_byte_is_refused)
{
    build();
    uint32_t plen = (uint32_t)area[32] << 24 | area[33] << 16 | area[34] << 8 | area[35];
    /* every byte of marker, length, payload and checksum */
    for (size_t i = 0; i < SASAE_BRAND_HEADER + plen + 32; i++) {
        area[i] ^= 0x20;
        char err[256] = "";
        cr_assert_lt(parse(err, sizeof err), 0, "byte %zu flipped was accepted", i);
        cr_assert_neq(err[0], 0);
        area[i] ^= 0x20;
    }
    char err[256];
    cr_assert_eq(parse(err, sizeof err), 0);
}

Test(brand, reasons)
{
    char err[256];
    build();
    area[33] = 0xff; /* announced length beyond the area */
    cr_assert_lt(parse(err, sizeof err), 0);
    cr_assert(strstr(err, "truncated"), "%s", err);
    build();
    area[SASAE_BRAND_HEADER + 10] ^= 1;
    cr_assert_lt(parse(err, sizeof err), 0);
    cr_assert(strstr(err, "checksum mismatch"), "%s", err);
    struct sasae_brand b;
    cr_assert_lt(sasae_brand_parse(area, 40, &b, err, sizeof err), 0); /* a cut area */
}

Test(brand, build_refuses_bad_input)
{
    char err[256];
    struct sasae_brand b = {.relay_url = "https://x/",
                            .relay_url_len = 10,
                            .relay_ca = pem,
                            .relay_ca_len = 10,
                            .org_ca = pem,
                            .org_ca_len = 10};
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "wss://"), "%s", err);
    b.relay_url = "wss://x/";
    b.relay_url_len = 8;
    b.org_ca = NULL;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    static char big[70000];
    memset(big, 'A', sizeof big);
    b.org_ca = big;
    b.org_ca_len = sizeof big;
    cr_assert_lt(sasae_brand_build(&b, area, err, sizeof err), 0);
    cr_assert(strstr(err, "too large"), "%s", err);
}
