/* The brand block's format (see sasae/brand.h). */
#include "sasae/brand.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* the marker up to its version: a different version is named as such, not as damage */
#define MARKER_STEM "SASAE-BRAND-AREA-v"

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

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* UTF-8 without control characters (C0, DEL, C1): the name is shown in prompts, terminals
 * and logs. Structure only (lead byte, continuation bytes), which is all the display needs. */
static bool clean_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t k;
        if (c < 0x80)
            k = 0;
        else if (c >= 0xc2 && c < 0xe0)
            k = 1;
        else if (c >= 0xe0 && c < 0xf0)
            k = 2;
        else if (c >= 0xf0 && c < 0xf5)
            k = 3;
        else
            return false;
        if ((k == 0 && (c < 0x20 || c == 0x7f)) || n - i <= k)
            return false;
        if (c == 0xc2 && s[i + 1] < 0xa0) /* U+0080..U+009F */
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* The checks one field's value must pass, whichever side (build or parse) looks at it. */
static bool field_ok(int t, const uint8_t *v, size_t n, char *err, size_t errlen)
{
    size_t max = t == SASAE_BRAND_RELAY_URL  ? SASAE_BRAND_MAX_URL
                 : t == SASAE_BRAND_ORG_NAME ? SASAE_BRAND_MAX_NAME
                                             : SASAE_BRAND_MAX_PAYLOAD;
    if (n > max) {
        snprintf(err, errlen, "brand field %s too long (%zu bytes, at most %zu)", field_name(t), n,
                 max);
        return false;
    }
    switch (t) {
    case SASAE_BRAND_RELAY_URL:
        for (size_t i = 0; i < n; i++)
            if (v[i] <= 0x20 || v[i] >= 0x7f) {
                snprintf(err, errlen, "brand field relay URL has a space or a non-ASCII byte");
                return false;
            }
        if (n < 7 || memcmp(v, "wss://", 6) != 0) {
            snprintf(err, errlen, "brand field relay URL is not wss://");
            return false;
        }
        return true;
    case SASAE_BRAND_ORG_NAME:
        if (!clean_utf8(v, n)) {
            snprintf(err, errlen, "brand field organisation name is not UTF-8 text");
            return false;
        }
        return true;
    default: /* PEM */
        if (n < 11 || memcmp(v, "-----BEGIN ", 11) != 0 || memchr(v, 0, n)) {
            snprintf(err, errlen, "brand field %s is not PEM", field_name(t));
            return false;
        }
        return true;
    }
}

static int parse(const uint8_t *area, size_t len, struct sasae_brand *b, char *err, size_t errlen)
{
    uint8_t marker[SASAE_BRAND_MARKER_LEN] = {0};
    memcpy(marker, SASAE_BRAND_MARKER, sizeof SASAE_BRAND_MARKER - 1);
    if (len >= SASAE_BRAND_MARKER_LEN && memcmp(area, marker, sizeof marker) != 0 &&
        memcmp(area, MARKER_STEM, sizeof MARKER_STEM - 1) == 0) {
        /* another version's marker ("...-v2", zero-padded): say so, it is not damage */
        const char *v = (const char *)area + sizeof MARKER_STEM - 1;
        const char *ours = &SASAE_BRAND_MARKER[sizeof MARKER_STEM - 1];
        size_t vl = 0, room = SASAE_BRAND_MARKER_LEN - (sizeof MARKER_STEM - 1);
        while (vl < room && v[vl] >= '0' && v[vl] <= '9')
            vl++;
        if (vl > 0 && (vl != strlen(ours) || memcmp(v, ours, vl) != 0) &&
            all_zero((const uint8_t *)v + vl, room - vl)) {
            snprintf(err, errlen,
                     "brand block version %.*s is not supported (this program reads version %s)",
                     (int)vl, v, ours);
            return -1;
        }
    }
    if (len < SASAE_BRAND_HEADER + 32 || memcmp(area, marker, sizeof marker) != 0) {
        snprintf(err, errlen, "brand block: no valid marker (truncated or overwritten)");
        return -1;
    }
    const uint8_t *p = area + SASAE_BRAND_MARKER_LEN;
    size_t plen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (plen == 0) {
        if (!all_zero(area + SASAE_BRAND_HEADER, len - SASAE_BRAND_HEADER)) {
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
    /* the tail is not under the checksum (only under the Authenticode signature, if any):
     * a changed byte there is damage all the same */
    size_t tail = SASAE_BRAND_HEADER + plen + 32;
    if (!all_zero(area + tail, len - tail)) {
        snprintf(err, errlen, "brand block: data after its checksum: this copy was altered");
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
        if (!field_ok(t, f, fl, err, errlen))
            return -1;
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
    return 0;
}

int sasae_brand_parse(const uint8_t *area, size_t len, struct sasae_brand *b, char *err,
                      size_t errlen)
{
    memset(b, 0, sizeof *b);
    int rc = parse(area, len, b, err, errlen);
    if (rc < 0)
        memset(b, 0, sizeof *b); /* nothing of a damaged block is usable */
    return rc;
}

static int put(uint8_t **w, const uint8_t *end, int t, const char *v, size_t n, char *err,
               size_t errlen)
{
    if (!v)
        return 0;
    if (!field_ok(t, (const uint8_t *)v, n, err, errlen))
        return -1;
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
        put(&w, end, SASAE_BRAND_ORG_NAME, b->org_name, b->org_name_len, err, errlen)) {
        sasae_brand_blank(area);
        return -1;
    }
    size_t plen = (size_t)(w - (area + SASAE_BRAND_HEADER));
    uint8_t *l = area + SASAE_BRAND_MARKER_LEN;
    l[0] = (uint8_t)(plen >> 24);
    l[1] = (uint8_t)(plen >> 16);
    l[2] = (uint8_t)(plen >> 8);
    l[3] = (uint8_t)plen;
    if (!sha256(area, SASAE_BRAND_HEADER + plen, w)) {
        snprintf(err, errlen, "SHA-256 unavailable");
        sasae_brand_blank(area);
        return -1;
    }
    return 0;
}
