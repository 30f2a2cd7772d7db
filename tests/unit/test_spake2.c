/* SPAKE2 (codec/chan/spake2.c) against the test vectors of RFC 9382 Appendix B
 * (SPAKE2-P256-SHA256-HKDF-HMAC), plus the refusals the channel relies on. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sasae/spake2.h"

/* RFC 9382 Appendix B, all four P-256 vectors: A, B, w, x, pA, y, pB, Ke, Ka, KcA, KcB,
 * MAC_A, MAC_B (K itself is not exposed; Ke and the MACs are functions of it). */
static const struct vec {
    const char *a, *b, *w, *x, *pa, *y, *pb, *ke, *ka, *kca, *kcb, *mac_a, *mac_b;
} V[] = {
    {"server", "client", "2ee57912099d31560b3a44b1184b9b4866e904c49d12ac5042c97dca461b1a5f",
     "43dd0fd7215bdcb482879fca3220c6a968e66d70b1356cac18bb26c84a78d729",
     "04a56fa807caaa53a4d28dbb9853b9815c61a411118a6fe516a8798434751470f9010153ac33d0d5f2047ffdb1"
     "a3e42c9b4e6be662766e1eeb4116988ede5f912c",
     "dcb60106f276b02606d8ef0a328c02e4b629f84f89786af5befb0bc75b6e66be",
     "0406557e482bd03097ad0cbaa5df82115460d951e3451962f1eaf4367a420676d09857ccbc522686c83d1852ab"
     "fa8ed6e4a1155cf8f1543ceca528afb591a1e0b7",
     "0e0672dc86f8e45565d338b0540abe69", "15bdf72e2b35b5c9e5663168e960a91b",
     "00c12546835755c86d8c0db7851ae86f", "a9fa3406c3b781b93d804485430ca27a",
     "58ad4aa88e0b60d5061eb6b5dd93e80d9c4f00d127c65b3b35b1b5281fee38f0",
     "d3e2e547f1ae04f2dbdbf0fc4b79f8ecff2dff314b5d32fe9fcef2fb26dc459b"},
    {"", "client", "0548d8729f730589e579b0475a582c1608138ddf7054b73b5381c7e883e2efae",
     "403abbe3b1b4b9ba17e3032849759d723939a27a27b9d921c500edde18ed654b",
     "04a897b769e681c62ac1c2357319a3d363f610839c4477720d24cbe32f5fd85f44fb92ba966578c1b712be6962"
     "498834078262caa5b441ecfa9d4a9485720e918a",
     "903023b6598908936ea7c929bd761af6039577a9c3f9581064187c3049d87065",
     "04e0f816fd1c35e22065d5556215c097e799390d16661c386e0ecc84593974a61b881a8c82327687d050186297"
     "0c64565560cb5671f696048050ca66ca5f8cc7fc",
     "642f05c473c2cd79909f9a841e2f30a7", "0bf89b18180af97353ba198789c2b963",
     "c6be376fc7cd1301fd0a13adf3e7bffd", "b7243f4ae60440a49b3f8cab3c1fba07",
     "47d29e6666af1b7dd450d571233085d7a9866e4d49d2645e2df975489521232b",
     "3313c5cefc361d27fb16847a91c2a73b766ffa90a4839122a9b70a2f6bd1d6df"},
    {"server", "", "626e0cdc7b14c9db3e52a0b1b3a768c98e37852d5db30febe0497b14eae8c254",
     "07adb3db6bc623d3399726bfdbfd3d15a58ea776ab8a308b00392621291f9633",
     "04f88fb71c99bfffaea370966b7eb99cd4be0ff1a7d335caac4211c4afd855e2e15a873b298503ad8ba1d9cbb9"
     "a392d2ba309b48bfd7879aefd0f2cea6009763b0",
     "b6a4fc8dbb629d4ba51d6f91ed1532cf87adec98f25dd153a75accafafedec16",
     "040c269d6be017dccb15182ac6bfcd9e2a14de019dd587eaf4bdfd353f031101e7cca177f8eb362a6e83e7d5e7"
     "29c0732e1b528879c086f39ba0f31a9661bd34db",
     "005184ff460da2ce59062c87733c299c", "3521297d736598fc0a1127600efa1afb",
     "f3da53604f0aeecea5a33be7bddf6edf", "9e3f86848736f159bd92b6e107ec6799",
     "bc9f9bbe99f26d0b2260e6456e05a86196a3307ec6663a18bf6ac825736533b2",
     "c2370e1bf813b086dff0d834e74425a06e6390f48f5411900276dcccc5a297ec"},
    {"", "", "7bf46c454b4c1b25799527d896508afd5fc62ef4ec59db1efb49113063d70cca",
     "8cef65df64bb2d0f83540c53632de911b5b24b3eab6cc74a97609fd659e95473",
     "04a65b367a3f613cf9f0654b1b28a1e3a8a40387956c8ba6063e8658563890f46ca1ef6a676598889fc28de295"
     "0ab8120b79a5ef1ea4c9f44bc98f585634b46d66",
     "d7a66f64074a84652d8d623a92e20c9675c61cb5b4f6a0063e4648a2fdc02d53",
     "04589f13218822710d98d8b2123a079041052d9941b9cf88c6617ddb2fcc0494662eea8ba6b64692dc31825003"
     "0c6af045cb738bc81ba35b043c3dcb46adf6f58d",
     "fc6374762ba5cf11f4b2caa08b2cd1b9", "907ae0e26e8d6234318d91583cd74c86",
     "5dbd2f477166b7fb6d61febbd77a5563", "7689b4654407a5faeffdc8f18359d8a3",
     "dfb4db8d48ae5a675963ea5e6c19d98d4ea028d8e898dad96ea19a80ade95dca",
     "d0f0609d1613138d354f7e95f19fb556bf52d751947241e8c7118df5ef0ae175"},
};

static void unhex(const char *h, uint8_t *out, size_t n)
{
    cr_assert_eq(strlen(h), 2 * n, "%s", h);
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        sscanf(h + 2 * i, "%2x", &b);
        out[i] = (uint8_t)b;
    }
}

static void eq(const uint8_t *got, const char *want, size_t n, const char *what, int i)
{
    uint8_t w[65];
    unhex(want, w, n);
    cr_assert(memcmp(got, w, n) == 0, "vector %d: %s differs", i + 1, what);
}

Test(spake2, rfc9382_appendix_b)
{
    for (int i = 0; i < (int)(sizeof(V) / sizeof(V[0])); i++) {
        const struct vec *v = &V[i];
        uint8_t w[32], x[32], y[32], pa[65], pb[65];
        unhex(v->w, w, 32);
        unhex(v->x, x, 32);
        unhex(v->y, y, 32);
        struct sasae_spake2 *a = sasae_spake2_new_kat(SASAE_SPAKE2_A, w, x);
        struct sasae_spake2 *b = sasae_spake2_new_kat(SASAE_SPAKE2_B, w, y);
        cr_assert(a && b);
        sasae_spake2_share(a, pa);
        sasae_spake2_share(b, pb);
        eq(pa, v->pa, 65, "pA", i);
        eq(pb, v->pb, 65, "pB", i);
        struct sasae_spake2_keys ka, kb;
        const uint8_t *ia = (const uint8_t *)v->a, *ib = (const uint8_t *)v->b;
        cr_assert_eq(sasae_spake2_finish(a, pb, ia, strlen(v->a), ib, strlen(v->b), &ka), 0);
        cr_assert_eq(sasae_spake2_finish(b, pa, ia, strlen(v->a), ib, strlen(v->b), &kb), 0);
        cr_assert(memcmp(&ka, &kb, sizeof(ka)) == 0, "vector %d: sides disagree", i + 1);
        eq(ka.ke, v->ke, 16, "Ke", i);
        eq(ka.ka, v->ka, 16, "Ka", i);
        eq(ka.kca, v->kca, 16, "KcA", i);
        eq(ka.kcb, v->kcb, 16, "KcB", i);
        eq(ka.conf_a, v->mac_a, 32, "MAC A", i);
        eq(ka.conf_b, v->mac_b, 32, "MAC B", i);
        /* one exchange per scalar */
        cr_assert_eq(sasae_spake2_finish(a, pb, ia, strlen(v->a), ib, strlen(v->b), &ka), -EINVAL);
        sasae_spake2_free(a);
        sasae_spake2_free(b);
    }
}

static void run(const char *pw_a, const char *pw_b, struct sasae_spake2_keys *ka,
                struct sasae_spake2_keys *kb)
{
    uint8_t wa[32], wb[32], pa[65], pb[65];
    cr_assert_eq(sasae_spake2_password_w((const uint8_t *)pw_a, strlen(pw_a), wa), 0);
    cr_assert_eq(sasae_spake2_password_w((const uint8_t *)pw_b, strlen(pw_b), wb), 0);
    struct sasae_spake2 *a = sasae_spake2_new(SASAE_SPAKE2_A, wa);
    struct sasae_spake2 *b = sasae_spake2_new(SASAE_SPAKE2_B, wb);
    cr_assert(a && b);
    sasae_spake2_share(a, pa);
    sasae_spake2_share(b, pb);
    cr_assert_eq(sasae_spake2_finish(a, pb, (const uint8_t *)"v", 1, (const uint8_t *)"h", 1, ka),
                 0);
    cr_assert_eq(sasae_spake2_finish(b, pa, (const uint8_t *)"v", 1, (const uint8_t *)"h", 1, kb),
                 0);
    sasae_spake2_free(a);
    sasae_spake2_free(b);
}

Test(spake2, same_password_agrees_other_password_does_not)
{
    struct sasae_spake2_keys ka, kb;
    run("12345678901", "12345678901", &ka, &kb);
    cr_assert(memcmp(&ka, &kb, sizeof(ka)) == 0);
    run("12345678901", "12345678902", &ka, &kb);
    cr_assert(memcmp(ka.ke, kb.ke, 16) != 0);
    cr_assert(memcmp(ka.conf_a, kb.conf_a, 32) != 0);
}

Test(spake2, password_scalar_is_deterministic_and_distinct)
{
    uint8_t w1[32], w2[32], w3[32];
    cr_assert_eq(sasae_spake2_password_w((const uint8_t *)"0001", 4, w1), 0);
    cr_assert_eq(sasae_spake2_password_w((const uint8_t *)"0001", 4, w2), 0);
    cr_assert_eq(sasae_spake2_password_w((const uint8_t *)"0002", 4, w3), 0);
    cr_assert(memcmp(w1, w2, 32) == 0);
    cr_assert(memcmp(w1, w3, 32) != 0);
}

Test(spake2, bad_peer_shares_refused)
{
    uint8_t w[32] = {1}, share[65], bad[65];
    struct sasae_spake2_keys k;
    struct sasae_spake2 *a = sasae_spake2_new(SASAE_SPAKE2_A, w);
    cr_assert(a);
    sasae_spake2_share(a, share);
    /* off the curve */
    memcpy(bad, share, 65);
    bad[64] ^= 1;
    cr_assert_eq(sasae_spake2_finish(a, bad, NULL, 0, NULL, 0, &k), -EINVAL);
    sasae_spake2_free(a);
    /* not the uncompressed form */
    a = sasae_spake2_new(SASAE_SPAKE2_A, w);
    memcpy(bad, share, 65);
    bad[0] = 0x02;
    cr_assert_eq(sasae_spake2_finish(a, bad, NULL, 0, NULL, 0, &k), -EINVAL);
    sasae_spake2_free(a);
    /* all zero (no encoding of the identity, or of anything) */
    a = sasae_spake2_new(SASAE_SPAKE2_A, w);
    memset(bad, 0, 65);
    cr_assert_eq(sasae_spake2_finish(a, bad, NULL, 0, NULL, 0, &k), -EINVAL);
    uint8_t zero[sizeof k] = {0};
    cr_assert(memcmp(&k, zero, sizeof k) == 0, "keys wiped on failure");
    sasae_spake2_free(a);
}
