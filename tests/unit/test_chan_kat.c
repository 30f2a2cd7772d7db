/* Known-answer tests for the channel key schedule and record protection, against
 * tests/vectors/chan_kdf.hex made by an independent Python implementation. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "sasae/chan.h"
#include "sasae/spake2.h"

static struct {
    char name[64];
    uint8_t v[256];
    size_t n;
} g_kv[64];
static int g_nkv;

static const uint8_t *kv(const char *name, size_t want)
{
    if (!g_nkv) {
        char p[1024], line[1024];
        snprintf(p, sizeof(p), "%s/tests/vectors/chan_kdf.hex", SASAE_SOURCE_DIR);
        FILE *f = fopen(p, "r");
        cr_assert(f, "%s", p);
        while (fgets(line, sizeof(line), f) && g_nkv < 64) {
            char hex[600];
            if (line[0] == '#' || sscanf(line, "%63s %599s", g_kv[g_nkv].name, hex) != 2)
                continue;
            size_t l = strlen(hex);
            for (size_t i = 0; i + 1 < l && i / 2 < sizeof(g_kv[0].v); i += 2) {
                unsigned b;
                sscanf(hex + i, "%2x", &b);
                g_kv[g_nkv].v[i / 2] = (uint8_t)b;
            }
            g_kv[g_nkv].n = l / 2;
            g_nkv++;
        }
        fclose(f);
    }
    for (int i = 0; i < g_nkv; i++)
        if (strcmp(g_kv[i].name, name) == 0) {
            cr_assert(want == 0 || g_kv[i].n == want, "%s: %zu bytes", name, g_kv[i].n);
            return g_kv[i].v;
        }
    cr_assert_fail("vector %s missing", name);
    return NULL;
}

static size_t kvlen(const char *name)
{
    kv(name, 0);
    for (int i = 0; i < g_nkv; i++)
        if (strcmp(g_kv[i].name, name) == 0)
            return g_kv[i].n;
    return 0;
}

Test(chan_kat, x25519_shared_secret)
{
    /* The vector's shared secret is what OpenSSL's X25519 gives for the fixed keys. */
    EVP_PKEY *v =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, kv("viewer_x25519_priv", 32), 32);
    EVP_PKEY *h = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, kv("host_x25519_pub", 32), 32);
    uint8_t pub[32], shared[32];
    size_t n = 32;
    cr_assert(EVP_PKEY_get_raw_public_key(v, pub, &n) == 1);
    cr_assert_arr_eq(pub, kv("viewer_x25519_pub", 32), 32);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(v, NULL);
    cr_assert(EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, h) == 1 &&
              EVP_PKEY_derive(c, shared, &n) == 1);
    cr_assert_arr_eq(shared, kv("shared", 32), 32);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(v);
    EVP_PKEY_free(h);
}

Test(chan_kat, code_binding_spake2)
{
    /* The password scalar from the code, both shares and Ke, as the Python SPAKE2 has them. */
    uint8_t w[32], pa[65], pb[65];
    size_t cl = kvlen("code");
    cr_assert_eq(sasae_spake2_password_w(kv("code", 0), cl, w), 0);
    cr_assert_arr_eq(w, kv("spake2_w", 32), 32);
    struct sasae_spake2 *a = sasae_spake2_new_kat(SASAE_SPAKE2_A, w, kv("spake2_x", 32));
    struct sasae_spake2 *b = sasae_spake2_new_kat(SASAE_SPAKE2_B, w, kv("spake2_y", 32));
    cr_assert(a && b);
    sasae_spake2_share(a, pa);
    sasae_spake2_share(b, pb);
    cr_assert_arr_eq(pa, kv("spake2_pa", 65), 65);
    cr_assert_arr_eq(pb, kv("spake2_pb", 65), 65);
    struct sasae_spake2_keys k;
    cr_assert_eq(sasae_spake2_finish(a, pb, (const uint8_t *)"sasae viewer", 12,
                                     (const uint8_t *)"sasae host", 10, &k),
                 0);
    cr_assert_arr_eq(k.ke, kv("spake2_ke", 16), 16);
    sasae_spake2_free(a);
    sasae_spake2_free(b);
}

Test(chan_kat, key_schedule)
{
    uint8_t fv[48], fh[48];
    struct sasae_chan_traffic v2h, h2v, u1, u2;
    cr_assert_eq(sasae_chan_kdf_schedule(kv("shared", 32), kv("spake2_ke", 16), kv("th_sh", 48),
                                         kv("th_ca", 48), fv, fh, &v2h, &h2v),
                 SASAE_CHAN_OK);
    cr_assert_arr_eq(fv, kv("fin_v", 48), 48);
    cr_assert_arr_eq(fh, kv("fin_h", 48), 48);
    cr_assert_arr_eq(v2h.secret, kv("v2h_secret", 48), 48);
    cr_assert_arr_eq(v2h.key, kv("v2h_key", 32), 32);
    cr_assert_arr_eq(v2h.iv, kv("v2h_iv", 12), 12);
    cr_assert_arr_eq(h2v.secret, kv("h2v_secret", 48), 48);
    cr_assert_arr_eq(h2v.key, kv("h2v_key", 32), 32);
    cr_assert_arr_eq(h2v.iv, kv("h2v_iv", 12), 12);
    cr_assert_eq(sasae_chan_kdf_update(&v2h, &u1), SASAE_CHAN_OK);
    cr_assert_arr_eq(u1.secret, kv("v2h1_secret", 48), 48);
    cr_assert_arr_eq(u1.key, kv("v2h1_key", 32), 32);
    cr_assert_arr_eq(u1.iv, kv("v2h1_iv", 12), 12);
    cr_assert_eq(sasae_chan_kdf_update(&u1, &u2), SASAE_CHAN_OK);
    cr_assert_arr_eq(u2.secret, kv("v2h2_secret", 48), 48);
    cr_assert_arr_eq(u2.key, kv("v2h2_key", 32), 32);
    cr_assert_arr_eq(u2.iv, kv("v2h2_iv", 12), 12);
}

Test(chan_kat, records)
{
    uint8_t fv[48], fh[48], out[128];
    size_t n;
    struct sasae_chan_traffic v2h, h2v;
    cr_assert_eq(sasae_chan_kdf_schedule(kv("shared", 32), kv("spake2_ke", 16), kv("th_sh", 48),
                                         kv("th_ca", 48), fv, fh, &v2h, &h2v),
                 SASAE_CHAN_OK);
    size_t pl = kvlen("rec_pt");
    const uint8_t *pt = kv("rec_pt", 0);
    cr_assert_eq(sasae_chan_kat_seal(&v2h, 0, 0, pt, pl, out, sizeof(out), &n), SASAE_CHAN_OK);
    cr_assert_eq(n, kvlen("rec_v2h_seq0"));
    cr_assert_arr_eq(out, kv("rec_v2h_seq0", 0), n);
    cr_assert_eq(sasae_chan_kat_seal(&v2h, 1, 0, NULL, 0, out, sizeof(out), &n), SASAE_CHAN_OK);
    cr_assert_eq(n, kvlen("rec_v2h_seq1_empty"));
    cr_assert_arr_eq(out, kv("rec_v2h_seq1_empty", 0), n);
    cr_assert_eq(sasae_chan_kat_seal(&v2h, 0x0102030405060708ull, 1, pt, pl, out, sizeof(out), &n),
                 SASAE_CHAN_OK);
    cr_assert_eq(n, kvlen("rec_v2h_seq0102030405060708_update"));
    cr_assert_arr_eq(out, kv("rec_v2h_seq0102030405060708_update", 0), n);
}

Test(chan_kat, alert_codes_are_pinned)
{
    /* These numbers travel in ALERT messages (docs/protocol.md); never renumber. */
    cr_assert_eq(SASAE_CHAN_ESIGNATURE, 8);
    cr_assert_eq(SASAE_CHAN_ECERT_UNTRUSTED, 10);
    cr_assert_eq(SASAE_CHAN_ECERT_EXPIRED, 11);
    cr_assert_eq(SASAE_CHAN_ECERT_REVOKED, 13);
    cr_assert_eq(SASAE_CHAN_ECERT_PURPOSE, 15);
    cr_assert_eq(SASAE_CHAN_EPEER, 20);
    cr_assert_eq(SASAE_CHAN_ECODE, 21);
}
