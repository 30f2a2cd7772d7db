/* sasae spake2: RFC 9382 SPAKE2 over P-256 (SPAKE2-P256-SHA256-HKDF-HMAC) on OpenSSL's EC
 * primitives. Checked against the RFC's Appendix B vectors by tests/unit/test_spake2.c. */
#include "sasae/spake2.h"

#include "chan_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>

/* RFC 9382 section 6, P-256: M and N, compressed (their discrete logs are unknown: they are
 * hashes to the curve of "P256 point generation seed (M)" / "(N)"). */
static const uint8_t M_P256[33] = {0x02, 0x88, 0x6e, 0x2f, 0x97, 0xac, 0xe4, 0x6e, 0x55,
                                   0xba, 0x9d, 0xd7, 0x24, 0x25, 0x79, 0xf2, 0x99, 0x3b,
                                   0x64, 0xe1, 0x6e, 0xf3, 0xdc, 0xab, 0x95, 0xaf, 0xd4,
                                   0x97, 0x33, 0x3d, 0x8f, 0xa1, 0x2f};
static const uint8_t N_P256[33] = {0x03, 0xd8, 0xbb, 0xd6, 0xc6, 0x39, 0xc6, 0x29, 0x37,
                                   0xb0, 0x4d, 0x99, 0x7f, 0x38, 0xc3, 0x77, 0x07, 0x19,
                                   0xc6, 0x29, 0xd7, 0x01, 0x4d, 0x49, 0xa2, 0x4b, 0x4f,
                                   0x98, 0xba, 0xa1, 0x29, 0x2b, 0x49};

struct sasae_spake2 {
    enum sasae_spake2_role role;
    EC_GROUP *g;
    BIGNUM *w, *s; /* password scalar, own secret scalar (x or y) */
    uint8_t wbin[SASAE_SPAKE2_W_LEN];
    uint8_t share[SASAE_SPAKE2_SHARE_LEN];
    int done;
};

void sasae_spake2_free(struct sasae_spake2 *s)
{
    if (!s)
        return;
    BN_clear_free(s->w);
    BN_clear_free(s->s);
    EC_GROUP_free(s->g);
    OPENSSL_cleanse(s, sizeof(*s));
    free(s);
}

static EC_POINT *point(const EC_GROUP *g, const uint8_t *b, size_t n, BN_CTX *ctx)
{
    EC_POINT *p = EC_POINT_new(g);
    /* oct2point refuses points off the curve; the identity has no uncompressed encoding */
    if (p && EC_POINT_oct2point(g, p, b, n, ctx) == 1 && !EC_POINT_is_at_infinity(g, p))
        return p;
    EC_POINT_free(p);
    return NULL;
}

static struct sasae_spake2 *spake2_new(enum sasae_spake2_role role, const uint8_t w[32],
                                       const uint8_t *scalar)
{
    struct sasae_spake2 *s = calloc(1, sizeof(*s));
    BN_CTX *ctx = BN_CTX_secure_new();
    EC_POINT *mn = NULL, *p = NULL;
    if (!s || !ctx || (role != SASAE_SPAKE2_A && role != SASAE_SPAKE2_B))
        goto fail;
    s->role = role;
    s->g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    s->w = BN_secure_new();
    s->s = BN_secure_new();
    if (!s->g || !s->w || !s->s)
        goto fail;
    const BIGNUM *n = EC_GROUP_get0_order(s->g);
    if (!BN_bin2bn(w, 32, s->w) || !BN_nnmod(s->w, s->w, n, ctx) ||
        BN_bn2binpad(s->w, s->wbin, 32) != 32)
        goto fail;
    if (scalar) {
        if (!BN_bin2bn(scalar, 32, s->s) || BN_is_zero(s->s) || BN_cmp(s->s, n) >= 0)
            goto fail;
    } else {
        do {
            if (BN_priv_rand_range(s->s, n) != 1)
                goto fail;
        } while (BN_is_zero(s->s));
    }
    mn = point(s->g, role == SASAE_SPAKE2_A ? M_P256 : N_P256, 33, ctx);
    p = EC_POINT_new(s->g);
    /* share = s*G + w*(M or N) */
    if (!mn || !p || EC_POINT_mul(s->g, p, s->s, mn, s->w, ctx) != 1 ||
        EC_POINT_point2oct(s->g, p, POINT_CONVERSION_UNCOMPRESSED, s->share, sizeof(s->share),
                           ctx) != SASAE_SPAKE2_SHARE_LEN)
        goto fail;
    EC_POINT_free(mn);
    EC_POINT_clear_free(p);
    BN_CTX_free(ctx);
    return s;
fail:
    EC_POINT_free(mn);
    EC_POINT_clear_free(p);
    BN_CTX_free(ctx);
    sasae_spake2_free(s);
    return NULL;
}

struct sasae_spake2 *sasae_spake2_new(enum sasae_spake2_role role,
                                      const uint8_t w[SASAE_SPAKE2_W_LEN])
{
    return w ? spake2_new(role, w, NULL) : NULL;
}

struct sasae_spake2 *sasae_spake2_new_kat(enum sasae_spake2_role role,
                                          const uint8_t w[SASAE_SPAKE2_W_LEN],
                                          const uint8_t scalar[32])
{
    return w && scalar ? spake2_new(role, w, scalar) : NULL;
}

void sasae_spake2_share(const struct sasae_spake2 *s, uint8_t out[SASAE_SPAKE2_SHARE_LEN])
{
    memcpy(out, s->share, SASAE_SPAKE2_SHARE_LEN);
}

static int hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const char *info, uint8_t *out,
                       size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *k = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[4], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
    *p = OSSL_PARAM_construct_end();
    int ok = k && EVP_KDF_derive(k, out, out_len, params) == 1;
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
    return ok;
}

static int hmac256(const uint8_t key[16], const uint8_t *m, size_t n, uint8_t out[32])
{
    unsigned int l = 0;
    return HMAC(EVP_sha256(), key, 16, m, n, out, &l) != NULL && l == 32;
}

int sasae_spake2_finish(struct sasae_spake2 *s, const uint8_t peer[SASAE_SPAKE2_SHARE_LEN],
                        const uint8_t *id_a, size_t id_a_len, const uint8_t *id_b, size_t id_b_len,
                        struct sasae_spake2_keys *keys)
{
    if (!s || !peer || !keys || (!id_a && id_a_len) || (!id_b && id_b_len) || s->done)
        return -EINVAL;
    s->done = 1;
    int rc = -EIO;
    BN_CTX *ctx = BN_CTX_secure_new();
    EC_POINT *pp = NULL, *mn = NULL, *t = NULL, *k = NULL;
    uint8_t *tt = NULL;
    size_t ttl = 0;
    uint8_t kb[SASAE_SPAKE2_SHARE_LEN], h[32], kc[32];
    /* 0x04 only: the RFC's TT carries the uncompressed encoding both sides send */
    if (!ctx)
        goto out;
    if (peer[0] != 0x04 || !(pp = point(s->g, peer, SASAE_SPAKE2_SHARE_LEN, ctx))) {
        rc = -EINVAL;
        goto out;
    }
    /* K = h * s * (peer - w * (N or M)); P-256 has cofactor h = 1 */
    mn = point(s->g, s->role == SASAE_SPAKE2_A ? N_P256 : M_P256, 33, ctx);
    t = EC_POINT_new(s->g);
    k = EC_POINT_new(s->g);
    if (!mn || !t || !k || EC_POINT_mul(s->g, t, NULL, mn, s->w, ctx) != 1 ||
        EC_POINT_invert(s->g, t, ctx) != 1 || EC_POINT_add(s->g, t, pp, t, ctx) != 1 ||
        EC_POINT_mul(s->g, k, NULL, t, s->s, ctx) != 1)
        goto out;
    if (EC_POINT_is_at_infinity(s->g, k)) {
        rc = -EINVAL;
        goto out;
    }
    if (EC_POINT_point2oct(s->g, k, POINT_CONVERSION_UNCOMPRESSED, kb, sizeof(kb), ctx) !=
        sizeof(kb))
        goto out;
    const uint8_t *pa = s->role == SASAE_SPAKE2_A ? s->share : peer;
    const uint8_t *pb = s->role == SASAE_SPAKE2_A ? peer : s->share;
    /* TT = A, B, pA, pB, K, w, each after its 8-byte little-endian length (RFC 9382 4) */
    const struct {
        const uint8_t *b;
        size_t n;
    } parts[6] = {{id_a, id_a_len}, {id_b, id_b_len}, {pa, 65}, {pb, 65}, {kb, 65}, {s->wbin, 32}};
    ttl = 6 * 8 + id_a_len + id_b_len + 3 * 65 + 32;
    if (!(tt = malloc(ttl)))
        goto out;
    size_t o = 0;
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 8; j++)
            tt[o++] = (uint8_t)((uint64_t)parts[i].n >> (8 * j));
        if (parts[i].n)
            memcpy(tt + o, parts[i].b, parts[i].n);
        o += parts[i].n;
    }
    unsigned int hl = 0;
    if (EVP_Digest(tt, ttl, h, &hl, EVP_sha256(), NULL) != 1 || hl != 32)
        goto out;
    memcpy(keys->ke, h, 16);
    memcpy(keys->ka, h + 16, 16);
    int ok = hkdf_sha256(keys->ka, 16, "ConfirmationKeys", kc, 32);
    if (ok) {
        memcpy(keys->kca, kc, 16);
        memcpy(keys->kcb, kc + 16, 16);
        ok = hmac256(keys->kca, tt, ttl, keys->conf_a) && hmac256(keys->kcb, tt, ttl, keys->conf_b);
    }
    rc = ok ? 0 : -EIO;
out:
    if (tt)
        OPENSSL_cleanse(tt, ttl);
    free(tt);
    if (rc)
        OPENSSL_cleanse(keys, sizeof(*keys));
    OPENSSL_cleanse(kb, sizeof(kb));
    OPENSSL_cleanse(h, sizeof(h));
    OPENSSL_cleanse(kc, sizeof(kc));
    BN_clear(s->s); /* one exchange per secret scalar */
    EC_POINT_free(pp);
    EC_POINT_free(mn);
    EC_POINT_clear_free(t);
    EC_POINT_clear_free(k);
    BN_CTX_free(ctx);
    return rc;
}

int sasae_spake2_password_w(const uint8_t *pw, size_t pw_len, uint8_t w[SASAE_SPAKE2_W_LEN])
{
    static const uint8_t salt[] = "sasae v2 spake2";
    uint8_t prk[48], wide[48];
    int rc = -EIO;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *ctx = BN_CTX_secure_new();
    BIGNUM *b = BN_secure_new();
    if (!g || !ctx || !b || (!pw && pw_len))
        goto out;
    if (!sasae_chan_extract(salt, sizeof(salt) - 1, pw, pw_len, prk) ||
        !sasae_chan_expand(prk, 48, "spake2 w", NULL, 0, wide, 48))
        goto out;
    if (!BN_bin2bn(wide, 48, b) || !BN_nnmod(b, b, EC_GROUP_get0_order(g), ctx) ||
        BN_bn2binpad(b, w, 32) != 32)
        goto out;
    rc = 0;
out:
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(wide, sizeof(wide));
    BN_clear_free(b);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
    return rc;
}
