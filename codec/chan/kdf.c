/* sasae chan key schedule: HKDF-SHA384 extract/expand with sasae labels (docs/protocol.md). */
#include "chan_int.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>

#define LABEL_PREFIX "sasae1 "

static int hkdf(int mode, const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len,
                const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int ok = 0;
    if (!kctx)
        goto out;
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA384", 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
out:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok;
}

int sasae_chan_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                       uint8_t prk[48])
{
    return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ikm_len, salt, salt_len, NULL, 0, prk, 48);
}

int sasae_chan_expand(const uint8_t *secret, size_t secret_len, const char *label,
                      const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len)
{
    /* Same shape as TLS 1.3 HkdfLabel: u16 length, u8-prefixed label, u8-prefixed context. */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t ll = strlen(LABEL_PREFIX) + strlen(label);
    if (ll > 255 || ctx_len > 255 || out_len > 0xffff)
        return 0;
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)ll;
    memcpy(info + n, LABEL_PREFIX, strlen(LABEL_PREFIX));
    n += strlen(LABEL_PREFIX);
    memcpy(info + n, label, strlen(label));
    n += strlen(label);
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len)
        memcpy(info + n, ctx, ctx_len);
    n += ctx_len;
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, secret_len, NULL, 0, info, n, out, out_len);
}

static int traffic_keys(struct sasae_chan_traffic *t)
{
    return sasae_chan_expand(t->secret, 48, "key", NULL, 0, t->key, 32) &&
           sasae_chan_expand(t->secret, 48, "iv", NULL, 0, t->iv, 12);
}

enum sasae_chan_err sasae_chan_kdf_schedule(const uint8_t shared[32], const uint8_t pake_ke[16],
                                            const uint8_t th_sh[48], const uint8_t th_ca[48],
                                            uint8_t fin_v[48], uint8_t fin_h[48],
                                            struct sasae_chan_traffic *v2h,
                                            struct sasae_chan_traffic *h2v)
{
    static const uint8_t salt[] = "sasae v2";
    uint8_t prk[48], hs[48], ikm[32 + 16];
    enum sasae_chan_err e = SASAE_CHAN_ECRYPTO;
    /* Both secrets in one extract: the keys need the ephemeral exchange (forward secrecy)
     * and the code (SPAKE2), so a relay without the code's secret digits has neither. */
    memcpy(ikm, shared, 32);
    memcpy(ikm + 32, pake_ke, 16);
    int ok = hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, sizeof(ikm), salt, sizeof(salt) - 1, NULL, 0,
                  prk, 48);
    OPENSSL_cleanse(ikm, sizeof(ikm));
    if (!ok)
        goto out;
    if (!sasae_chan_expand(prk, 48, "hs", th_sh, 48, hs, 48) ||
        !sasae_chan_expand(hs, 48, "finished v", NULL, 0, fin_v, 48) ||
        !sasae_chan_expand(hs, 48, "finished h", NULL, 0, fin_h, 48))
        goto out;
    if (!sasae_chan_expand(prk, 48, "v2h", th_ca, 48, v2h->secret, 48) ||
        !sasae_chan_expand(prk, 48, "h2v", th_ca, 48, h2v->secret, 48) || !traffic_keys(v2h) ||
        !traffic_keys(h2v))
        goto out;
    e = SASAE_CHAN_OK;
out:
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(hs, sizeof(hs));
    return e;
}

enum sasae_chan_err sasae_chan_kdf_update(const struct sasae_chan_traffic *cur,
                                          struct sasae_chan_traffic *next)
{
    uint8_t s[48];
    if (!sasae_chan_expand(cur->secret, 48, "update", NULL, 0, s, 48))
        return SASAE_CHAN_ECRYPTO;
    memcpy(next->secret, s, 48);
    OPENSSL_cleanse(s, sizeof(s));
    return traffic_keys(next) ? SASAE_CHAN_OK : SASAE_CHAN_ECRYPTO;
}

enum sasae_chan_err sasae_chan_kdf_resume(const struct sasae_chan_traffic *v2h,
                                          const struct sasae_chan_traffic *h2v,
                                          uint8_t ticket[SASAE_CHAN_TICKET_LEN],
                                          char code[SASAE_CHAN_RESUME_CODE_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t rs[48], c[SASAE_CHAN_RESUME_CODE_LEN / 2];
    enum sasae_chan_err e = SASAE_CHAN_ECRYPTO;
    /* One secret of the session for resuming, then two independent outputs: the relay learns
     * the ticket, which must tell it nothing about the code the next handshake binds to. */
    if (!sasae_chan_expand(v2h->secret, 48, "resume", h2v->secret, 48, rs, 48) ||
        !sasae_chan_expand(rs, 48, "resume ticket", NULL, 0, ticket, SASAE_CHAN_TICKET_LEN) ||
        !sasae_chan_expand(rs, 48, "resume code", NULL, 0, c, sizeof(c)))
        goto out;
    for (size_t i = 0; i < sizeof(c); i++) {
        code[2 * i] = hex[c[i] >> 4];
        code[2 * i + 1] = hex[c[i] & 15];
    }
    code[SASAE_CHAN_RESUME_CODE_LEN] = '\0';
    e = SASAE_CHAN_OK;
out:
    OPENSSL_cleanse(rs, sizeof(rs));
    OPENSSL_cleanse(c, sizeof(c));
    return e;
}
