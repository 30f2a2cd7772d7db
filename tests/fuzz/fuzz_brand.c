/* libFuzzer target: the brand block parser on arbitrary areas (whole or cut). The first
 * byte picks the mode: even = the rest follows the marker as is (length, payload, checksum:
 * damage and truncation), odd = the rest is a payload put under a correct length and
 * SHA-256, as a forger who knows the format would (no fuzzer finds a SHA-256 match, so
 * without this mode the field parser is never reached). */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sasae/brand.h"

static void check_fields(const struct sasae_brand *b, const uint8_t *lo, const uint8_t *hi)
{
    const char *f[] = {b->relay_url, b->relay_ca, b->org_ca, b->crl, b->org_name};
    size_t l[] = {b->relay_url_len, b->relay_ca_len, b->org_ca_len, b->crl_len, b->org_name_len};
    for (int i = 0; i < 5; i++)
        if (f[i] && ((const uint8_t *)f[i] < lo || (const uint8_t *)f[i] + l[i] > hi))
            __builtin_trap(); /* a field outside the area */
    if (!b->relay_url || !b->relay_ca || !b->org_ca || b->relay_url_len > SASAE_BRAND_MAX_URL ||
        b->org_name_len > SASAE_BRAND_MAX_NAME || memcmp(b->relay_url, "wss://", 6) != 0 ||
        memchr(b->relay_url, 0, b->relay_url_len))
        __builtin_trap(); /* accepted what the contract says is refused */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t area[SASAE_BRAND_AREA], again[SASAE_BRAND_AREA];
    if (size < 1)
        return 0;
    bool seal = data[0] & 1;
    data++, size--;
    sasae_brand_blank(area);
    size_t len = SASAE_BRAND_AREA;
    if (seal) {
        size_t n = size < SASAE_BRAND_MAX_PAYLOAD ? size : SASAE_BRAND_MAX_PAYLOAD;
        area[32] = (uint8_t)(n >> 24), area[33] = (uint8_t)(n >> 16);
        area[34] = (uint8_t)(n >> 8), area[35] = (uint8_t)n;
        memcpy(area + SASAE_BRAND_HEADER, data, n);
        unsigned int l = 0;
        if (EVP_Digest(area, SASAE_BRAND_HEADER + n, area + SASAE_BRAND_HEADER + n, &l,
                       EVP_sha256(), NULL) != 1)
            __builtin_trap();
    } else {
        /* a valid marker, so the fuzzer reaches the length and checksum */
        size_t n = size < SASAE_BRAND_AREA - SASAE_BRAND_MARKER_LEN
                       ? size
                       : SASAE_BRAND_AREA - SASAE_BRAND_MARKER_LEN;
        memcpy(area + SASAE_BRAND_MARKER_LEN, data, n);
        len = SASAE_BRAND_MARKER_LEN + n;
    }
    struct sasae_brand b;
    char err[256];
    int rc = sasae_brand_parse(area, len, &b, err, sizeof err);
    if (rc < 0 && (!err[0] || b.relay_url || b.org_ca))
        __builtin_trap(); /* refused without a reason, or with fields left set */
    if (rc != 0)
        return 0;
    check_fields(&b, area, area + len);
    /* what was accepted builds again, and the rebuilt block reads back the same */
    if (sasae_brand_build(&b, again, err, sizeof err) != 0)
        __builtin_trap();
    struct sasae_brand c;
    if (sasae_brand_parse(again, sizeof again, &c, err, sizeof err) != 0)
        __builtin_trap();
    if (c.relay_url_len != b.relay_url_len || c.relay_ca_len != b.relay_ca_len ||
        c.org_ca_len != b.org_ca_len || c.crl_len != b.crl_len ||
        c.org_name_len != b.org_name_len ||
        memcmp(c.relay_url, b.relay_url, b.relay_url_len) != 0 ||
        memcmp(c.relay_ca, b.relay_ca, b.relay_ca_len) != 0 ||
        memcmp(c.org_ca, b.org_ca, b.org_ca_len) != 0 ||
        (b.crl && memcmp(c.crl, b.crl, b.crl_len) != 0) ||
        (b.org_name && memcmp(c.org_name, b.org_name, b.org_name_len) != 0))
        __builtin_trap();
    return 0;
}
