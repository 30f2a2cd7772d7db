/* The brand block's format (see sasae/brand.h). */
#include "sasae/brand.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned int l = 0;
    return EVP_Digest(p, n, out, &l, EVP_sha256(), NULL) == 1 && l == 32;
}

void sasae_brand_blank(uint8_t *area)
{
    memset(area, 0, SASAE_BRAND_AREA);
    memcpy(area, SASAE_BRAND_MARKER, sizeof SASAE_BRAND_MARKER - 1);
}

static const char *field_name(int t)
{
    switch (t) {
    case SASAE_BRAND_RELAY_URL:
        return "relay URL";
    case SASAE_BRAND_RELAY_CA:
        return "relay CA";
    case SASAE_BRAND_ORG_CA:
        return "organisation CA";
    case SASAE_BRAND_CRL:
        return "CRL";
    case SASAE_BRAND_ORG_NAME:
        return "organisation name";
    default:
        return "?";
    }
}

int sasae_brand_parse(const uint8_t *area, size_t len, struct sasae_brand *b, char *err,
                      size_t errlen)
{
    memset(b, 0, sizeof *b);
    uint8_t marker[SASAE_BRAND_MARKER_LEN] = {0};
    memcpy(marker, SASAE_BRAND_MARKER, sizeof SASAE_BRAND_MARKER - 1);
    if (len < SASAE_BRAND_HEADER + 32 || memcmp(area, marker, sizeof marker) != 0) {
        snprintf(err, errlen, "brand block: no valid marker (truncated or overwritten)");
        return -1;
    }
    const uint8_t *p = area + SASAE_BRAND_MARKER_LEN;
    size_t plen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (plen == 0) {
        for (size_t i = SASAE_BRAND_HEADER; i < len; i++)
            if (area[i]) {
                snprintf(err, errlen, "brand block: not branded, yet not blank");
                return -1;
            }
        return 1;
    }
    if (plen > len - SASAE_BRAND_HEADER - 32) {
        snprintf(err, errlen, "brand block truncated (%zu payload bytes announced, room for %zu)",
                 plen, len - SASAE_BRAND_HEADER - 32);
        return -1;
    }
    uint8_t md[32];
    if (!sha256(area, SASAE_BRAND_HEADER + plen, md) ||
        memcmp(md, area + SASAE_BRAND_HEADER + plen, 32) != 0) {
        snprintf(err, errlen, "brand block checksum mismatch: this copy was altered");
        return -1;
    }
    const uint8_t *f = area + SASAE_BRAND_HEADER, *end = f + plen;
    unsigned seen = 0;
    while (f < end) {
        if (end - f < 3) {
            snprintf(err, errlen, "brand block: field header truncated");
            return -1;
        }
        int t = f[0];
        size_t fl = (size_t)f[1] << 8 | f[2];
        f += 3;
        if ((size_t)(end - f) < fl) {
            snprintf(err, errlen, "brand block: %s truncated", field_name(t));
            return -1;
        }
        if (t < SASAE_BRAND_RELAY_URL || t > SASAE_BRAND_ORG_NAME) {
            snprintf(err, errlen, "brand block: unknown field %d (made by a newer version?)", t);
            return -1;
        }
        if (seen & (1u << t)) {
            snprintf(err, errlen, "brand block: %s given twice", field_name(t));
            return -1;
        }
        seen |= 1u << t;
        const char *v = (const char *)f;
        switch (t) {
        case SASAE_BRAND_RELAY_URL:
            b->relay_url = v, b->relay_url_len = fl;
            break;
        case SASAE_BRAND_RELAY_CA:
            b->relay_ca = v, b->relay_ca_len = fl;
            break;
        case SASAE_BRAND_ORG_CA:
            b->org_ca = v, b->org_ca_len = fl;
            break;
        case SASAE_BRAND_CRL:
            b->crl = v, b->crl_len = fl;
            break;
        case SASAE_BRAND_ORG_NAME:
            b->org_name = v, b->org_name_len = fl;
            break;
        }
        f += fl;
    }
    if (!b->relay_url || !b->relay_ca || !b->org_ca) {
        snprintf(err, errlen, "brand block: no %s",
                 !b->relay_url  ? "relay URL"
                 : !b->relay_ca ? "relay CA"
                                : "organisation CA");
        return -1;
    }
    if (b->relay_url_len < 7 || memcmp(b->relay_url, "wss://", 6) != 0 ||
        memchr(b->relay_url, 0, b->relay_url_len)) {
        snprintf(err, errlen, "brand block: the relay URL is not wss://");
        return -1;
    }
    return 0;
}

static int put(uint8_t **w, const uint8_t *end, int t, const char *v, size_t n, char *err,
               size_t errlen)
{
    if (!v)
        return 0;
    if (n > 0xffff || (size_t)(end - *w) < 3 + n) {
        snprintf(err, errlen, "%s too large for the brand block", field_name(t));
        return -1;
    }
    (*w)[0] = (uint8_t)t;
    (*w)[1] = (uint8_t)(n >> 8);
    (*w)[2] = (uint8_t)n;
    memcpy(*w + 3, v, n);
    *w += 3 + n;
    return 0;
}

int sasae_brand_build(const struct sasae_brand *b, uint8_t *area, char *err, size_t errlen)
{
    if (!b->relay_url || !b->relay_ca || !b->org_ca) {
        snprintf(err, errlen, "the relay URL, the relay CA and the organisation CA are needed");
        return -1;
    }
    if (b->relay_url_len < 7 || memcmp(b->relay_url, "wss://", 6) != 0) {
        snprintf(err, errlen, "the relay URL must start with wss://");
        return -1;
    }
    sasae_brand_blank(area);
    uint8_t *w = area + SASAE_BRAND_HEADER, *end = w + SASAE_BRAND_MAX_PAYLOAD;
    if (put(&w, end, SASAE_BRAND_RELAY_URL, b->relay_url, b->relay_url_len, err, errlen) ||
        put(&w, end, SASAE_BRAND_RELAY_CA, b->relay_ca, b->relay_ca_len, err, errlen) ||
        put(&w, end, SASAE_BRAND_ORG_CA, b->org_ca, b->org_ca_len, err, errlen) ||
        put(&w, end, SASAE_BRAND_CRL, b->crl, b->crl_len, err, errlen) ||
        put(&w, end, SASAE_BRAND_ORG_NAME, b->org_name, b->org_name_len, err, errlen))
        return -1;
    size_t plen = (size_t)(w - (area + SASAE_BRAND_HEADER));
    uint8_t *l = area + SASAE_BRAND_MARKER_LEN;
    l[0] = (uint8_t)(plen >> 24);
    l[1] = (uint8_t)(plen >> 16);
    l[2] = (uint8_t)(plen >> 8);
    l[3] = (uint8_t)plen;
    if (!sha256(area, SASAE_BRAND_HEADER + plen, w)) {
        snprintf(err, errlen, "SHA-256 unavailable");
        return -1;
    }
    return 0;
}
